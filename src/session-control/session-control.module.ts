import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { DiscoveryModule } from '../discovery/discovery.module';
import { GeorepModule } from '../georep/georep.module';
import { HostsModule } from '../hosts/hosts.module';
import { VolumesModule } from '../volumes/volumes.module';
import { DR_STALL_HEALER } from '../dr/dr-hooks';
import { MasterRootToucher } from './master-root-toucher';
import { SessionActions } from './session-actions';
import { SessionGluster } from './session-gluster';
import { SessionVerify } from './session-verify';
import { PeriodicVerify } from './periodic-verify';
import { StallHealer } from './stall-healer';

/**
 * Acting on geo-replication sessions over SSH: the job handlers of the session actions and the gluster
 * I/O they share (SessionGluster, also for DR runs and session creation).
 */
@Module({
  imports: [ClustersModule, HostsModule, VolumesModule, GeorepModule, DiscoveryModule],
  providers: [
    SessionGluster,
    SessionActions,
    SessionVerify,
    PeriodicVerify,
    StallHealer,
    MasterRootToucher,
    { provide: DR_STALL_HEALER, useExisting: MasterRootToucher },
  ],
  exports: [SessionGluster, DR_STALL_HEALER],
})
export class SessionControlModule {}
