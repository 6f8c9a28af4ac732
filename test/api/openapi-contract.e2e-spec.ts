import Ajv, { ValidateFunction } from 'ajv';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { load } from 'js-yaml';
import { Response } from 'supertest';
import { parseStringPromise } from 'xml2js';
import { OPENAPI_FILE } from '../../src/openapi-generate';
import { addUser } from '../auth/auth-helpers';
import { startTestApp, TestApp } from '../support/test-app';
import { addCluster, addVolume, API, JSON_TYPE, XML } from './api-helpers';

/**
 * Issue 18's contract test: every GET operation of the checked-in document, in JSON and in XML, against an
 * app with real rows behind every id (optional fields filled), each response validated with ajv against the
 * schema the document declares for its status and media type. Objects may carry no property the document
 * does not name, so an undocumented field fails as surely as a wrong type. XML is read into the shape its
 * schema describes (attributes, wrapped and repeated elements, numbers and booleans by the schema's type),
 * keeping whatever the schema does not name so that it fails too.
 */

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
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
interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  example?: unknown;
}
interface OperationObject {
  operationId: string;
  parameters?: Parameter[];
  responses: Record<string, ResponseObject>;
}
interface Doc {
  paths: Record<string, { get?: OperationObject }>;
  components: { schemas: Record<string, Schema> };
}

const doc = load(fs.readFileSync(OPENAPI_FILE, 'utf8')) as Doc;

function deref<T extends { $ref?: string }>(node: T): T {
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

function validator(): (schema: Schema) => ValidateFunction {
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
  const expected = deref(schema).xml?.name;
  if (expected !== undefined && root !== expected) return { [`<${root}> instead of <${expected}>`]: true };
  return fromXml(schema, parsed[root]);
}

const GETS = Object.entries(doc.paths).flatMap(([template, item]) =>
  item.get ? [{ template, operation: item.get, parameters: (item.get.parameters ?? []).map(deref) }] : [],
);

describe('every GET of the OpenAPI document answers what the document says (XML and JSON)', () => {
  let t: TestApp;
  let ids: Record<string, string>;
  let schemaValidator: ReturnType<typeof validator>;

  function pathOf(template: string): string {
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

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    schemaValidator = validator();
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
    const post = async (path: string, body: object): Promise<string> => {
      const res = await t.http
        .post(`${API}${path}`)
        .set('Content-Type', JSON_TYPE)
        .set('Accept', JSON_TYPE)
        .send(JSON.stringify(body));
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
      return (res.body as { id: string }).id;
    };
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
    ids = {
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
  });
  afterAll(async () => {
    await t?.close();
  });

  /** What is wrong with a response, by the document: undeclared status, media type, or body. */
  async function problems(
    template: string,
    operation: OperationObject,
    res: Response,
    format: 'json' | 'xml',
  ): Promise<string[]> {
    const declared = operation.responses[String(res.status)];
    if (declared === undefined) return [`status ${res.status} is not declared (${res.text.slice(0, 200)})`];
    const response = deref(declared);
    const type = String(res.headers['content-type'] ?? '').split(';')[0];
    const media = response.content?.[type];
    if (media === undefined) return [`${res.status} ${type} is not declared`];
    const value =
      type === XML ? await xmlValue(media.schema, res.text) : type === JSON_TYPE ? (res.body as unknown) : res.text;
    const validate = schemaValidator(media.schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${format} ${res.status}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
    );
  }

  it('reads every GET of the document, with a row behind every id', () => {
    expect(GETS.length).toBeGreaterThan(30);
    for (const { template } of GETS) expect(() => pathOf(template)).not.toThrow();
  });

  it('answers every GET, XML and JSON, with a declared status and a body its schema takes', async () => {
    const wrong: string[] = [];
    const statuses = new Map<string, number>();
    for (const { template, operation, parameters } of GETS) {
      // Required query parameters (pki-resource) take their examples.
      const query = Object.fromEntries(
        parameters.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, String(p.example)]),
      );
      for (const [format, accept] of [
        ['json', JSON_TYPE],
        ['xml', XML],
      ] as const) {
        const res = await t.http.get(pathOf(template)).query(query).set('Accept', accept);
        statuses.set(`${format} ${template}`, res.status);
        for (const problem of await problems(template, operation, res, format))
          wrong.push(`GET ${template}: ${problem}`);
      }
    }
    expect(wrong).toEqual([]);
    // Not vacuous: the rows are there, so the reads succeed.
    expect([...statuses].filter(([, status]) => status !== 200)).toEqual([]);
  });

  it('answers the faults of every GET (an unknown id, a bad max, no credentials) as the document declares them', async () => {
    const wrong: string[] = [];
    let sent = 0;
    for (const { template, operation, parameters } of GETS) {
      const query = Object.fromEntries(
        parameters.filter((p) => p.in === 'query' && p.required).map((p) => [p.name, String(p.example)]),
      );
      const variants: { what: string; path: string; query: Record<string, string>; anonymous?: boolean }[] = [];
      const last = template.lastIndexOf('{');
      if (last !== -1) {
        const unknown = pathOf(template).split('/');
        unknown[template.slice(0, last).split('/').length - 1] = crypto.randomUUID();
        variants.push({ what: 'an unknown id', path: unknown.join('/'), query });
      }
      if (parameters.some((p) => p.name === 'max'))
        variants.push({ what: 'max=x', path: pathOf(template), query: { max: 'x' } });
      if (!Array.isArray((operation as { security?: unknown[] }).security))
        variants.push({ what: 'no credentials', path: pathOf(template), query, anonymous: true });
      for (const v of variants) {
        for (const [format, accept] of [
          ['json', JSON_TYPE],
          ['xml', XML],
        ] as const) {
          sent++;
          const res = await (v.anonymous ? t.anon : t.http).get(v.path).query(v.query).set('Accept', accept);
          if (res.status < 400) wrong.push(`GET ${template} with ${v.what}: ${res.status}`);
          for (const problem of await problems(template, operation, res, format))
            wrong.push(`GET ${template} with ${v.what}: ${problem}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(100);
    expect(wrong).toEqual([]);
  });

  it('catches a body that differs from the document, in XML and in JSON', async () => {
    const get = doc.paths[`${API}/hosts/{id}`].get as OperationObject;
    const json = await t.http.get(`${API}/hosts/${ids.hosts}`).set('Accept', JSON_TYPE);
    expect(await problems('', get, json, 'json')).toEqual([]);
    const body = json.body as { ssh: object };
    const tampered = {
      ...json,
      body: { ...body, secret: 'x', ssh: { ...body.ssh, port: '22' } },
    } as unknown as Response;
    expect(await problems('', get, tampered, 'json')).toEqual([
      'json 200: / must NOT have additional properties {"additionalProperty":"secret"}',
      'json 200: /ssh/port must be integer {"type":"integer"}',
    ]);
    const xml = await t.http.get(`${API}/hosts/${ids.hosts}`).set('Accept', XML);
    expect(await problems('', get, xml, 'xml')).toEqual([]);
    expect(xml.text).toContain('<port>22</port>');
    const changed = {
      ...xml,
      text: xml.text
        .replace('<port>22</port>', '<port>twenty-two</port>')
        .replace('</host>', '<secret>x</secret></host>'),
    } as Response;
    expect(await problems('', get, changed, 'xml')).toEqual([
      'xml 200: / must NOT have additional properties {"additionalProperty":"secret"}',
      'xml 200: /ssh/port must be integer {"type":"integer"}',
    ]);
  });
});
