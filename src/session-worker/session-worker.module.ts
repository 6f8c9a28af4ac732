import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { DiscoveryModule } from '../discovery/discovery.module';
import { SessionsModule } from '../sessions/sessions.module';
import { HostsModule } from '../hosts/hosts.module';
import { VolumesModule } from '../volumes/volumes.module';
import { SessionActions } from './session-actions.job';
import { SessionGluster } from './session-gluster';
import { SessionVerify } from './session-verify.job';
import { PeriodicVerify } from './periodic-verify.job';
import { StallHealer } from './stall-healer.job';

/**
 * Acting on geo-replication sessions over SSH: the job handlers of the session actions and the gluster
 * I/O they share (SessionGluster and StallHealer, also for DR runs and session creation).
 */
@Module({
  imports: [ClustersModule, HostsModule, VolumesModule, SessionsModule, DiscoveryModule],
  providers: [SessionGluster, SessionActions, SessionVerify, PeriodicVerify, StallHealer],
  exports: [SessionGluster, StallHealer],
})
export class SessionWorkerModule {}
