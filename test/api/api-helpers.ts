import { Response } from 'supertest';
import { TestApp } from '../support/test-app';

export const API = '/ovirt-engine/api';
export const XML = 'application/xml';
export const JSON_TYPE = 'application/json';

/** Every id in `text` replaced by its name, so a whole response can be compared as one string. */
export function withIds(text: string, ids: Record<string, string>): string {
  return Object.entries(ids).reduce((t, [name, id]) => t.split(id).join(`{${name}}`), text);
}

export async function addCluster(t: TestApp, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.http
    .post(`${API}/clusters`)
    .set('Content-Type', JSON_TYPE)
    .set('Accept', JSON_TYPE)
    .send(JSON.stringify({ name, ...extra }));
  if (res.status !== 201) throw new Error(`adding cluster ${name}: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

/** POSTs a JSON body to an API collection (`/clusters`, …) and gives the id of what it added (201). */
export async function addJson(t: TestApp, path: string, body: object): Promise<string> {
  const res = await t.http
    .post(`${API}${path}`)
    .set('Content-Type', JSON_TYPE)
    .set('Accept', JSON_TYPE)
    .send(JSON.stringify(body));
  if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

/** A discovered-looking volume row (up, one brick, distribute), for tests that need no gluster. */
export async function addVolume(t: TestApp, clusterId: string, name: string): Promise<string> {
  const [row] = await t.sql<{ id: string }>(
    `INSERT INTO gluster_volumes (cluster_id, name, volume_type, status, brick_count, replica_count, disperse_count, redundancy_count, transport_types, last_refreshed)
     VALUES ($1, $2, 'distribute', 'up', 1, 1, 0, 0, 'tcp', now()) RETURNING id`,
    [clusterId, name],
  );
  return row.id;
}

export async function addHost(
  t: TestApp,
  name: string,
  cluster: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await t.http
    .post(`${API}/hosts`)
    .set('Content-Type', JSON_TYPE)
    .set('Accept', JSON_TYPE)
    .send(JSON.stringify({ name, address: `${name}.example.com`, cluster: { id: cluster }, ...extra }));
  if (res.status !== 201) throw new Error(`adding host ${name}: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

/**
 * A fingerprint of every row of every table of the application (not the migrations' bookkeeping), to
 * show that a request changed nothing.
 */
export async function databaseState(t: TestApp): Promise<Record<string, string>> {
  const tables = await t.sql<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'typeorm_migrations' ORDER BY table_name`,
  );
  const state: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await t.sql<{ rows: string | null }>(
      `SELECT string_agg(t::text, E'\\n' ORDER BY t::text) AS rows FROM "${name}" t`,
    );
    state[name] = row.rows ?? '';
  }
  return state;
}

/** The fault in a response, in either format, checking its shape and that it leaks nothing internal. */
export function faultOf(res: Response): { reason: string; detail: string } {
  const type = String(res.headers['content-type']);
  let fault: { reason?: unknown; detail?: unknown };
  if (type.startsWith(JSON_TYPE)) {
    fault = JSON.parse(res.text) as typeof fault;
    expect(Object.keys(fault).sort()).toEqual(['detail', 'reason']);
  } else {
    expect(type).toMatch(/^application\/xml/);
    const m =
      /^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>\n<fault>\n {4}<reason>(.*)<\/reason>\n {4}<detail>(.*)<\/detail>\n<\/fault>\n$/s.exec(
        res.text,
      );
    if (!m) throw new Error(`not a fault: ${res.text}`);
    fault = { reason: m[1], detail: m[2] };
  }
  expect(typeof fault.reason).toBe('string');
  expect(typeof fault.detail).toBe('string');
  expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+|node_modules|QueryFailedError|TypeError|SELECT |INSERT /);
  return fault as { reason: string; detail: string };
}
