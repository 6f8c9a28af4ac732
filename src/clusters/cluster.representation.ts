import { refTo } from '../ovirt/api-paths';
import { nameField } from '../ovirt/common-fields';
import { actionSchema, bool, CreateInputOf, date, resource, str, UpdateInputOf, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import { fitOvirtModel, OVIRT_CLUSTER_FIELDS } from '../ovirt-model/ovirt-fields';
import type { ClusterEntity } from './cluster.entity';

export const CLUSTERS = 'clusters';

const clusterFields = {
  name: nameField(),
  description: str({ optional: true, maxLength: 500 }),
  gluster_service: bool({
    optional: true,
    description: 'Always true: the service manages gluster clusters only, so false is refused (400).',
  }),
  virt_service: bool({
    optional: true,
    description:
      'Always false: the service runs no virtual machines. Accepted when false (or left out); true is refused (400).',
  }),
  gluster_events_url: str({
    readOnly: true,
    optional: true,
    description:
      "The webhook registered with the cluster's glustereventsd (`enableglusterevents`): gluster's events reach the " +
      'service there and refresh what it knows at once. Absent when none is.',
  }),
  gluster_events_registered_at: date({ readOnly: true, optional: true }),
  gluster_events_last_time: date({
    readOnly: true,
    optional: true,
    description: 'When the last event from the cluster arrived (absent: none yet).',
  }),
};

export const ClusterSchema = resource('cluster', CLUSTERS, clusterFields, {
  actions: ['refresh', 'enableglusterevents', 'disableglusterevents'],
  ...fitOvirtModel(
    OVIRT_CLUSTER_FIELDS,
    Object.keys(clusterFields),
    'A gluster trusted storage pool: the servers (hosts) whose volumes the service manages.',
  ),
});

/** `POST /clusters/{id}/refresh`: no parameters besides the envelope's `async`. */
export const ClusterRefreshActionSchema = actionSchema();

/** `POST /clusters/{id}/enableglusterevents`: where gluster's nodes post their events. */
export const ClusterEnableGlusterEventsActionSchema = actionSchema({
  url: str({
    optional: true,
    maxLength: 2000,
    description:
      "The URL gluster posts to: this service's `/ovirt-engine/services/glusterevents` as the cluster's nodes reach it. " +
      'Default: GEOREP_PUBLIC_URL followed by that path (400 when neither is given).',
  }),
});
export const ClusterDisableGlusterEventsActionSchema = actionSchema();

export type ClusterView = ViewOf<typeof ClusterSchema>;
export type ClusterCreate = CreateInputOf<typeof ClusterSchema>;
export type ClusterUpdate = UpdateInputOf<typeof ClusterSchema>;

export const CLUSTER_SEARCH: SearchSpec = {
  fields: { name: { column: 'cluster.name' }, description: { column: 'cluster.description' } },
  defaultSort: 'name',
};

export function clusterView(cluster: ClusterEntity): ClusterView {
  return {
    ...refTo(CLUSTERS, cluster.id),
    name: cluster.name,
    description: cluster.description,
    gluster_service: true,
    virt_service: false,
    gluster_events_url: cluster.glusterEventsUrl ?? undefined,
    gluster_events_registered_at: cluster.glusterEventsRegisteredAt ?? undefined,
    gluster_events_last_time: cluster.glusterEventsLastTime ?? undefined,
  };
}
