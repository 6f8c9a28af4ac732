import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { HostsModule } from '../hosts/hosts.module';
import { ClusterRefreshAction } from './cluster-refresh.action';

/** Reading what the gluster clusters hold, through their hosts (the discovery issue grows it). */
@Module({ imports: [ClustersModule, HostsModule], providers: [ClusterRefreshAction] })
export class DiscoveryModule {}
