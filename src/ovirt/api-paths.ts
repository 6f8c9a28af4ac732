/** Where the oVirt API lives and how its hrefs are spelled. Hrefs never carry the optional `/v4`. */
export const API_ROOT = '/ovirt-engine/api';

/** The API version this server implements; `Version: 4` and `/ovirt-engine/api/v4/...` select it. */
export const API_VERSION = '4';

/** `/ovirt-engine/api/clusters` */
export function collectionHref(collection: string): string {
  return `${API_ROOT}/${collection}`;
}

/** `/ovirt-engine/api/clusters/{id}` */
export function resourceHref(collection: string, id: string): string {
  return `${API_ROOT}/${collection}/${encodeURIComponent(id)}`;
}

/** A reference view `{id, href}` to a top-level resource. */
export function refTo(collection: string, id: string): { id: string; href: string } {
  return { id, href: resourceHref(collection, id) };
}

/**
 * Where glustereventsd posts the events of a cluster that `enableglusterevents` registered: beside oVirt's
 * other non-API endpoints (`/ovirt-engine/services/…`), since its credential is the cluster's token, not a login.
 */
export const GLUSTER_EVENTS_PATH = '/ovirt-engine/services/glusterevents';
