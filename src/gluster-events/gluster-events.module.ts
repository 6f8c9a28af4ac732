import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { DiscoveryModule } from '../discovery/discovery.module';
import { HostsModule } from '../hosts/hosts.module';
import { JobsModule } from '../jobs/jobs.module';
import { SessionsModule } from '../sessions/sessions.module';
import { GlusterEventRefreshJob } from './gluster-event-refresh.job';
import { GlusterEventsRegistrationJob } from './gluster-events-registration.job';
import { GlusterEventsController } from './gluster-events.controller';
import { GlusterEventsService } from './gluster-events.service';

/**
 * gluster's events API: the clusters' `enableglusterevents`/`disableglusterevents` jobs, the webhook
 * glustereventsd posts to, and the refresh each event asks for.
 */
@Module({
  imports: [ClustersModule, HostsModule, SessionsModule, DiscoveryModule, JobsModule],
  controllers: [GlusterEventsController],
  providers: [GlusterEventsService, GlusterEventsRegistrationJob, GlusterEventRefreshJob],
})
export class GlusterEventsModule {}
