import { defineAction, NoParams } from '../jobs/action-definition';

/** Discovery of one cluster (handled by discovery/, submitted by clusters, volumes and sessions). */
export const ClusterRefresh = defineAction<NoParams>('cluster.refresh');

/** Registering the service's webhook with the cluster's glustereventsd, and removing it (handled by gluster-events/). */
export const ClusterGlusterEventsEnable = defineAction<{ url: string }>('cluster.gluster-events-enable');
export const ClusterGlusterEventsDisable = defineAction<NoParams>('cluster.gluster-events-disable');
