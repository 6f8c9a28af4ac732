/**
 * A client written against the types openapi-typescript generates from openapi/openapi.yaml (into
 * test/.generated/, at test time). test/api/generated-client.e2e-spec.ts compiles it with tsc and
 * runs it against the real app. Not part of the main tsconfig: the types exist only once generated.
 */
import type { components, paths } from '../../.generated/georep-api';

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : never;

export type ClusterList = JsonBody<paths['/ovirt-engine/api/clusters']['get']['responses'][200]>;
export type Cluster = JsonBody<paths['/ovirt-engine/api/clusters/{id}']['get']['responses'][200]>;
export type ClusterCreate = NonNullable<
  paths['/ovirt-engine/api/clusters']['post']['requestBody']
>['content']['application/json'];
export type Host = components['schemas']['Host'];
export type HostCreate = components['schemas']['HostCreate'];
export type Fault = components['schemas']['Fault'];

// The generated types are real: tsc fails if any of these lines is NOT an error.
// @ts-expect-error an SSH port is a number in the JSON schema
const _portAsText: HostCreate['ssh'] = { port: '22' };
// @ts-expect-error a cluster needs a name
const _noName: ClusterCreate = { description: 'nameless' };
// @ts-expect-error status is one of the host statuses
const _badStatus: Host['status'] = 'sideways';

/** The Authorization header every call sends (the API needs credentials). */
let authorization: string | undefined;

async function call<T>(base: string, method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      Accept: 'application/json',
      Version: '4',
      ...(authorization ? { Authorization: authorization } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await res.json()) as unknown;
  if (!res.ok) {
    const fault = json as Fault;
    throw new Error(`${method} ${path}: ${res.status} ${fault.reason}: ${fault.detail ?? ''}`);
  }
  return json as T;
}

export interface RoundTrip {
  listedBefore: string[];
  created: Cluster;
  fetched: Cluster;
  host: Host;
  listedAfter: string[];
}

export async function roundTrip(base: string, credentials?: string): Promise<RoundTrip> {
  authorization = credentials;
  const before = await call<ClusterList>(base, 'GET', '/ovirt-engine/api/clusters');
  const newCluster: ClusterCreate = {
    name: 'typed-client',
    description: 'made by the generated client',
    gluster_service: true,
  };
  const created = await call<Cluster>(base, 'POST', '/ovirt-engine/api/clusters', newCluster);
  if (created.id === undefined) throw new Error('the new cluster has no id');
  const fetched = await call<Cluster>(base, 'GET', `/ovirt-engine/api/clusters/${created.id}`);
  const newHost: HostCreate = {
    name: 'typed-host',
    address: '192.0.2.7',
    cluster: { name: fetched.name },
    ssh: { port: 2222, user: { user_name: 'geo' } },
  };
  const host = await call<Host>(base, 'POST', '/ovirt-engine/api/hosts', newHost);
  const after = await call<ClusterList>(base, 'GET', '/ovirt-engine/api/clusters');
  return {
    listedBefore: before.cluster.map((c) => c.name),
    created,
    fetched,
    host,
    listedAfter: after.cluster.map((c) => c.name),
  };
}
