import { refTo } from '../ovirt/api-paths';
import { nameField } from '../ovirt/common-fields';
import { actionSchema, bool, CreateInputOf, resource, str, UpdateInputOf, ViewOf } from '../ovirt/representation';
import type { SearchSpec } from '../ovirt/search';
import type { ClusterEntity } from './cluster.entity';

export const CLUSTERS = 'clusters';

export const ClusterSchema = resource(
  'cluster',
  CLUSTERS,
  {
    name: nameField(),
    description: str({ optional: true, maxLength: 500 }),
    gluster_service: bool({ optional: true, description: 'The cluster provides gluster storage (default true).' }),
  },
  { actions: ['refresh'], description: 'A gluster trusted storage pool: the servers (hosts) whose volumes the service manages.' },
);

/** `POST /clusters/{id}/refresh`: no parameters besides the envelope's `async`. */
export const ClusterRefreshActionSchema = actionSchema();

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
    gluster_service: cluster.glusterService,
  };
}
