import { defineAction, NoParams } from '../jobs/action-definition';

/** Discovery of one cluster (handled by discovery/, submitted by clusters, volumes and sessions). */
export const ClusterRefresh = defineAction<NoParams>('cluster.refresh');
