import { PreflightModule } from '../preflight/preflight.module';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClustersModule } from '../clusters/clusters.module';
import { DiscoveryModule } from '../discovery/discovery.module';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsModule } from '../sessions/sessions.module';
import { HostEntity } from '../hosts/host.entity';
import { HostsModule } from '../hosts/hosts.module';
import { SessionWorkerModule } from '../session-worker/session-worker.module';
import { SshModule } from '../ssh/ssh.module';
import { GlusterBrickEntity } from '../volumes/gluster-brick.entity';
import { GlusterVolumeEntity } from '../volumes/gluster-volume.entity';
import { VolumesModule } from '../volumes/volumes.module';
import { SessionCreateJob } from './session-create.job';
import { GeoRepTargetsController, SessionCreateController } from './session-create.controller';
import { SessionCreateService } from './session-create.service';

/** Creating geo-replication sessions (a job) and the eligible slave volumes of a master volume. */
@Module({
  imports: [
    TypeOrmModule.forFeature([GlusterVolumeEntity, GlusterBrickEntity, GeoRepSessionEntity, HostEntity]),
    ClustersModule,
    HostsModule,
    VolumesModule,
    SessionsModule,
    DiscoveryModule,
    SessionWorkerModule,
    SshModule,
    PreflightModule,
  ],
  controllers: [SessionCreateController, GeoRepTargetsController],
  providers: [SessionCreateService, SessionCreateJob],
  exports: [SessionCreateJob],
})
export class SessionCreateModule {}
