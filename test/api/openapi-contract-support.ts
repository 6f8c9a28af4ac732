import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import { load } from 'js-yaml';
import { Response } from 'supertest';
import { parseStringPromise } from 'xml2js';
import { OPENAPI_FILE } from '../../src/openapi-generate';
import { addUser } from '../auth/auth-helpers';
import { TestApp } from '../support/test-app';
import { addCluster, addJson, addVolume, JSON_TYPE, XML } from './api-helpers';

/**
 * What the contract tests share: the checked-in document, an ajv validator over its schemas with every object
 * closed (a property the document does not name is an error), XML read into the shape its schema describes,
 * and the rows that put something real behind every id of the document's paths.
 */

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  enum?: unknown[];
  readOnly?: boolean;
  oneOf?: Schema[];
  anyOf?: Schema[];
  xml?: { name?: string; attribute?: boolean; wrapped?: boolean };
}
interface MediaType {
  schema: Schema;
}
interface ResponseObject {
  $ref?: string;
  content?: Record<string, MediaType>;
}
export interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
}
export interface OperationObject {
  operationId: string;
  parameters?: Parameter[];
  responses: Record<string, ResponseObject>;
}
export interface Doc {
  paths: Record<string, { get?: OperationObject }>;
  components: { schemas: Record<string, Schema> };
}

export const doc = load(fs.readFileSync(OPENAPI_FILE, 'utf8')) as Doc;

export function deref<T extends { $ref?: string }>(node: T): T {
  let n = node;
  while (n.$ref)
    n = n.$ref
      .split('/')
      .slice(1)
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc) as T;
  return n;
}

/** The schemas with every object closed: a property the document does not name is an error. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === 'properties' ? closedMap(v) : closed(v)]),
  );
  const s = out as Schema;
  if (s.type === 'object' && s.properties !== undefined && s.additionalProperties === undefined)
    s.additionalProperties = false;
  return out;
}
const closedMap = (properties: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, closed(v)]));

export function validator(): (schema: Schema) => ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addKeyword('xml');
  ajv.addKeyword('example');
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  ajv.addFormat('password', true);
  const defs = JSON.parse(
    JSON.stringify(closed(doc.components.schemas)).replaceAll('#/components/schemas/', 'doc#/$defs/'),
  ) as object;
  ajv.addSchema({ $id: 'doc', $defs: defs });
  const compiled = new Map<string, ValidateFunction>();
  return (schema) => {
    const key = JSON.stringify(schema);
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile(
        JSON.parse(JSON.stringify(closed(schema)).replaceAll('#/components/schemas/', 'doc#/$defs/')) as object,
      );
      compiled.set(key, validate);
    }
    return validate;
  };
}

type XmlNode = string | { $?: Record<string, string>; _?: string; [child: string]: unknown };

function text(node: XmlNode | undefined): string {
  return node === undefined ? '' : typeof node === 'string' ? node : (node._ ?? '');
}

function scalar(schema: Schema, raw: string): unknown {
  if (schema.type === 'integer' && /^-?\d+$/.test(raw)) return Number(raw);
  if (schema.type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

/** An XML element (xml2js, explicitArray) as the JSON value its OpenAPI XML schema describes. */
function fromXml(schemaRef: Schema, node: XmlNode | undefined): unknown {
  const schema = deref(schemaRef);
  if (schema.type !== 'object' && schema.type !== 'array') return scalar(schema, text(node));
  if (schema.type === 'array') {
    const items = deref(schema.items as Schema);
    const children = typeof node === 'object' ? ((node[items.xml?.name ?? ''] as XmlNode[] | undefined) ?? []) : [];
    return children.map((c) => fromXml(items, c));
  }
  const element = typeof node === 'object' ? node : {};
  const out: Record<string, unknown> = {};
  const used = new Set(['$', '_']);
  const attributes = { ...(element.$ ?? {}) };
  for (const [name, propertyRef] of Object.entries(schema.properties ?? {})) {
    const property = deref(propertyRef);
    if (property.xml?.attribute) {
      if (attributes[name] !== undefined) out[name] = scalar(property, attributes[name]);
      delete attributes[name];
    } else if (property.type === 'array') {
      const items = deref(property.items as Schema);
      const elementName = property.xml?.wrapped ? name : (items.xml?.name ?? name);
      used.add(elementName);
      const found = element[elementName] as XmlNode[] | undefined;
      if (found === undefined) continue;
      if (property.xml?.wrapped) {
        if (found.length !== 1) out[name] = `${found.length} <${name}> elements`;
        else out[name] = fromXml(property, found[0]);
      } else {
        out[name] = found.map((c) => fromXml(items, c));
      }
    } else {
      used.add(name);
      const found = element[name] as XmlNode[] | undefined;
      if (found === undefined) continue;
      out[name] = found.length === 1 ? fromXml(property, found[0]) : `${found.length} <${name}> elements`;
    }
  }
  // Whatever the schema does not name stays, so that the closed schema refuses it.
  for (const [name, value] of Object.entries(attributes)) out[`@${name}`] = value;
  for (const name of Object.keys(element)) if (!used.has(name)) out[name] = element[name];
  if (typeof node === 'string' && node.trim() !== '') out['#text'] = node;
  return out;
}

async function xmlValue(schema: Schema, body: string): Promise<unknown> {
  const parsed = (await parseStringPromise(body, { explicitArray: true })) as Record<string, XmlNode>;
  const [root] = Object.keys(parsed);
  // One of several roots (a bare fault, or the failed action's envelope): read it as the one it names.
  const alternatives = deref(schema).oneOf ?? deref(schema).anyOf;
  if (alternatives !== undefined) {
    const named = alternatives.find((a) => deref(a).xml?.name === root);
    if (named === undefined) return { [`<${root}> is none of the alternatives`]: true };
    return fromXml(named, parsed[root]);
  }
  const expected = deref(schema).xml?.name;
  if (expected !== undefined && root !== expected) return { [`<${root}> instead of <${expected}>`]: true };
  return fromXml(schema, parsed[root]);
}

/** What is wrong with a response, by the document: undeclared status, media type, or body. */
export async function responseProblems(
  schemaValidator: ReturnType<typeof validator>,
  operation: OperationObject,
  res: Response,
  format: 'json' | 'xml',
): Promise<string[]> {
  const declared = operation.responses[String(res.status)];
  if (declared === undefined) return [`status ${res.status} is not declared (${res.text.slice(0, 200)})`];
  const response = deref(declared);
  const type = String(res.headers['content-type'] ?? '').split(';')[0];
  if (response.content === undefined) return res.text === '' ? [] : [`${res.status} has a body; none is declared`];
  const media = response.content[type];
  if (media === undefined) return [`${res.status} ${type} is not declared`];
  const value =
    type === XML ? await xmlValue(media.schema, res.text) : type === JSON_TYPE ? (res.body as unknown) : res.text;
  const validate = schemaValidator(media.schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(
    (e) => `${format} ${res.status}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

/** The path of a template with the seeded row's id behind every `{…}` (named by the segment before it). */
export function pathWithIds(ids: Readonly<Record<string, string>>, template: string): string {
  const segments = template.split('/');
  return segments
    .map((segment, i) => {
      if (!/^\{.+\}$/.test(segment)) return segment;
      const id = ids[segments[i - 1]];
      if (id === undefined) throw new Error(`no row for ${segment} after /${segments[i - 1]} in ${template}`);
      return id;
    })
    .join('/');
}

/** A row behind every id of the document's paths, optional fields filled; the ids by the segment naming them. */
export async function seedContractRows(t: TestApp): Promise<Record<string, string>> {
  const cluster = await addCluster(t, 'base', { description: 'the base cluster' });
  const [host] = await t.sql<{ id: string }>(
    `INSERT INTO hosts (name, address, cluster_id, status, ssh_fingerprint)
       VALUES ('base-host', 'base-host.invalid', $1, 'up', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') RETURNING id`,
    [cluster],
  );
  const master = await addVolume(t, cluster, 'mastervol');
  const other = await addVolume(t, cluster, 'othervol');
  const [brick] = await t.sql<{ id: string }>(
    `INSERT INTO gluster_bricks (volume_id, position, server_name, brick_dir, host_id, status)
       VALUES ($1, 0, 'base-host.invalid', '/bricks/master', $2, 'up') RETURNING id`,
    [master, host.id],
  );
  const [session] = await t.sql<{ id: string }>(
    `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, slave_volume_id, slave_cluster_id, slave_host_id, session_key, status, last_refreshed)
       VALUES ($1, $2, 'base-host.invalid', 'othervol', $3, $1, $4, 'key-1', 'active', now()) RETURNING id`,
    [cluster, master, other, host.id],
  );
  await t.sql(
    `INSERT INTO georep_session_details (session_id, position, master_brick_id, master_host_name, master_brick_dir, master_node_uuid,
         slave_node, status, crawl_status, last_synced, checkpoint_time, checkpoint_completed, checkpoint_completion_time,
         entry_pending, data_pending, meta_pending, failures)
       VALUES ($1, 0, $2, 'base-host.invalid', '/bricks/master', gen_random_uuid(), 'base-host.invalid', 'active', 'changelog_crawl',
         now(), now(), true, now(), 0, 1, 2, 0)`,
    [session.id, brick.id],
  );
  await t.sql(
    `INSERT INTO georep_session_options (session_id, name, value, default_value, modified) VALUES ($1, 'sync-jobs', '3', '3', false)`,
    [session.id],
  );
  const post = (path: string, body: object) => addJson(t, path, body);
  const domain = await post('/storagedomains', {
    name: 'data1',
    description: 'the domain',
    storage: { type: 'glusterfs', address: '127.0.0.1', path: '/mastervol' },
    gluster_volume: { id: master },
    host: { id: host.id },
  });
  const schedule = await post(`/storagedomains/${domain}/dr-schedules`, {
    name: 'sched1',
    schedule: '30 2 * * *',
    georeplication_session: { id: session.id },
    enabled: false,
  });
  const job = await post('/jobs', { description: 'an external job', auto_cleared: false });
  const [step] = await t.sql<{ id: string }>(
    `INSERT INTO steps (job_id, number, description, external) VALUES ($1, 1, 'a step', true) RETURNING id`,
    [job],
  );
  const progress = [
    {
      master_host_name: 'base-host.invalid',
      master_brick_dir: '/bricks/master',
      status: 'active',
      checkpoint_completed: true,
      entry_pending: 0,
      data_pending: 0,
      meta_pending: 0,
      last_synced: new Date().toISOString(),
    },
  ];
  const runSteps = [
    {
      description: 'checkpoint',
      status: 'finished',
      start_time: new Date().toISOString(),
      end_time: new Date().toISOString(),
    },
  ];
  const [run] = await t.sql<{ id: string }>(
    `INSERT INTO dr_runs (schedule_id, storage_domain_id, session_id, job_id, trigger, status, end_time, checkpoint_time,
         checkpoint_completed_time, rpo_seconds, steps, progress)
       VALUES ($1, $2, $3, $4, 'manual', 'finished', now(), now(), now(), 12, $5, $6) RETURNING id`,
    [schedule, domain, session.id, job, JSON.stringify(runSteps), JSON.stringify(progress)],
  );
  await post('/events', {
    description: 'an event',
    severity: 'warning',
    origin: 'tool',
    custom_id: 1,
    custom_data: 'x',
    cluster: { id: cluster },
    host: { id: host.id },
  });
  const [event] = await t.sql<{ id: string }>('SELECT id::text FROM events ORDER BY id DESC LIMIT 1');
  const carol = await addUser(t, 'carol@internal', 'viewer', 'carol-password-1');
  const subscription = await post(`/users/${carol}/eventsubscriptions`, {
    event: 'gluster_storage_domain_sync_failed',
    notification_method: 'webhook',
    url: 'http://127.0.0.1:9/hook',
    secret: 'a-webhook-secret-of-some-length',
  });
  const [delivery] = await t.sql<{ id: string }>(
    `INSERT INTO notification_deliveries (subscription_id, event_id, attempt, outcome, http_status, error)
       VALUES ($1, $2, 1, 'failed', 500, 'the receiver answered 500') RETURNING id`,
    [subscription, event.id],
  );
  return {
    clusters: cluster,
    hosts: host.id,
    glustervolumes: master,
    glusterbricks: brick.id,
    'georeplication-sessions': session.id,
    options: 'sync-jobs',
    storagedomains: domain,
    'dr-schedules': schedule,
    runs: run.id,
    jobs: job,
    steps: step.id,
    events: event.id,
    users: carol,
    eventsubscriptions: subscription,
    deliveries: delivery.id,
  };
}
