import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { SessionsModule } from '../sessions/sessions.module';
import { HostsModule } from '../hosts/hosts.module';
import { VolumesModule } from '../volumes/volumes.module';
import { ClusterRefreshJob } from './cluster-refresh.job';
import { DiscoverySchedule } from './discovery-schedule.job';
import { DiscoveryStore } from './discovery-store';
import { DiscoverySync } from './discovery-sync';

/**
 * Reading what the gluster clusters hold, through their hosts: the cluster refresh action (also run
 * by the refresh of volumes and sessions) and the periodic sync store volumes, bricks and sessions.
 */
@Module({
  imports: [ClustersModule, HostsModule, VolumesModule, SessionsModule],
  providers: [DiscoveryStore, DiscoverySync, ClusterRefreshJob, DiscoverySchedule],
  exports: [DiscoverySync],
})
export class DiscoveryModule {}
