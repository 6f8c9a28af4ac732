/**
 * A client written against the types openapi-typescript generates from openapi/openapi.yaml (into
 * test/.generated/, at test time), calling through openapi-fetch: what a client author gets from our
 * document. test/api/generated-client.e2e-spec.ts compiles it with tsc --strict and runs it against the
 * real app. Not part of the main tsconfig: the types exist only once generated.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from '../../.generated/georep-api';

type Schemas = components['schemas'];
export type Cluster = Schemas['Cluster'];
export type Host = Schemas['Host'];
export type HostCreate = Schemas['HostCreate'];
export type ClusterCreate = Schemas['ClusterCreate'];
export type Job = Schemas['Job'];

// The generated types are real: tsc fails if any of these lines is NOT an error.
// @ts-expect-error an SSH port is a number in the JSON schema
const _portAsText: HostCreate['ssh'] = { port: '22' };
// @ts-expect-error a cluster needs a name
const _noName: ClusterCreate = { description: 'nameless' };
// @ts-expect-error status is one of the host statuses
const _badStatus: Host['status'] = 'sideways';
// @ts-expect-error a job's status is one of oVirt's job statuses
const _badJob: Job['status'] = 'done';

const JSON_HEADERS = { Accept: 'application/json', Version: '4' } as const;

/** What the rows discovery would write need: the test puts them in (no gluster behind this app). */
export type Discover = (clusterId: string) => Promise<{ volumeName: string }>;

export interface Flow {
  token: { token_type: string; scope: string };
  cluster: Cluster;
  host: Host;
  sessions: Schemas['GeoreplicationSession'][];
  options: Schemas['Option'][];
  storageDomain: Schemas['StorageDomain'];
  schedule: Schemas['DrSchedule'];
  accepted: { status?: string; job?: { id: string } };
  job: Job;
  steps: Schemas['Step'][];
  afterLogout: number;
}

/** openapi-fetch answers `{ data, error, response }`: a call that failed throws with what the server said. */
function ok<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`${what}: ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

export async function compatibilityFlow(
  base: string,
  login: { user: string; password: string },
  discover: Discover,
): Promise<Flow> {
  const anonymous = createClient<paths, 'application/json'>({ baseUrl: base, headers: JSON_HEADERS });
  const token = ok(
    'log in',
    await anonymous.POST('/ovirt-engine/sso/oauth/token', {
      body: { grant_type: 'password', scope: 'ovirt-app-api', username: login.user, password: login.password },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
  );
  const api = createClient<paths, 'application/json'>({
    baseUrl: base,
    headers: { ...JSON_HEADERS, Authorization: `Bearer ${token.access_token}` },
  });

  const cluster = ok(
    'add the cluster',
    await api.POST('/ovirt-engine/api/clusters', {
      body: { name: 'typed-client', description: 'made by the generated client', gluster_service: true },
    }),
  );
  const clusterId = cluster.id as string;
  // Port 1 on loopback refuses at once: the refresh below fails fast and deterministically.
  const host = ok(
    'add the host',
    await api.POST('/ovirt-engine/api/hosts', {
      body: {
        name: 'typed-host',
        address: '127.0.0.1',
        cluster: { id: clusterId },
        ssh: { port: 1, user: { user_name: 'root' } },
      },
    }),
  );

  const { volumeName } = await discover(clusterId);
  const volumes = ok(
    'list volumes',
    await api.GET('/ovirt-engine/api/clusters/{cluster}/glustervolumes', {
      params: { path: { cluster: clusterId }, query: { search: `name=${volumeName}` } },
    }),
  );
  const volume = volumes.gluster_volume[0];
  if (volume?.id === undefined) throw new Error(`no volume ${volumeName}`);
  const sessionsPath = { cluster: clusterId, volume: volume.id };
  const sessions = ok(
    'list sessions',
    await api.GET('/ovirt-engine/api/clusters/{cluster}/glustervolumes/{volume}/georeplication-sessions', {
      params: { path: sessionsPath },
    }),
  ).georeplication_session;
  const sessionId = sessions[0]?.id as string;
  const options = ok(
    'list options',
    await api.GET(
      '/ovirt-engine/api/clusters/{cluster}/glustervolumes/{volume}/georeplication-sessions/{session}/options',
      { params: { path: { ...sessionsPath, session: sessionId } } },
    ),
  ).option;

  const storageDomain = ok(
    'add the storage domain',
    await api.POST('/ovirt-engine/api/storagedomains', {
      body: {
        name: 'typed-domain',
        storage: { type: 'glusterfs', address: '127.0.0.1', path: `/${volumeName}` },
        gluster_volume: { id: volume.id },
        host: { name: host.name },
      },
    }),
  );
  const schedule = ok(
    'add the DR schedule',
    await api.POST('/ovirt-engine/api/storagedomains/{storagedomain}/dr-schedules', {
      params: { path: { storagedomain: storageDomain.id as string } },
      body: { name: 'nightly', schedule: '30 2 * * *', georeplication_session: { id: sessionId }, enabled: false },
    }),
  );

  const accepted = ok(
    'refresh the cluster',
    await api.POST('/ovirt-engine/api/clusters/{id}/refresh', {
      params: { path: { id: clusterId } },
      body: { async: true },
    }),
  );
  const jobId = accepted.job?.id;
  if (jobId === undefined) throw new Error('the action answered no job');
  let job: Job;
  for (;;) {
    job = ok('follow the job', await api.GET('/ovirt-engine/api/jobs/{id}', { params: { path: { id: jobId } } }));
    if (job.status !== 'started') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const steps = ok(
    'list the steps',
    await api.GET('/ovirt-engine/api/jobs/{job}/steps', { params: { path: { job: jobId } } }),
  ).step;

  ok(
    'log out',
    await anonymous.POST('/ovirt-engine/services/sso-logout', {
      body: { token: token.access_token },
      bodySerializer: (body) => new URLSearchParams(body as Record<string, string>).toString(),
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }),
  );
  const afterLogout = (await api.GET('/ovirt-engine/api/clusters')).response.status;

  return {
    token: { token_type: token.token_type, scope: token.scope },
    cluster,
    host,
    sessions,
    options,
    storageDomain,
    schedule,
    accepted: { status: accepted.status, job: accepted.job },
    job,
    steps,
    afterLogout,
  };
}
