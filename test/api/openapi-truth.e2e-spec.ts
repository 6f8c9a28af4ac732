import Ajv from 'ajv';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { load } from 'js-yaml';
import { Response } from 'supertest';
import { OPENAPI_FILE } from '../../src/openapi-generate';
import { FORM_TYPE, form } from '../auth/auth-helpers';
import { startTestApp, TEST_ADMIN, TestApp } from '../support/test-app';
import { API, faultOf, JSON_TYPE, XML } from './api-helpers';
import { seedContractRows } from './openapi-contract-support';

/**
 * Issue 18's "an OpenAPI document that tells the whole truth", checked against the real app: the examples
 * of the document are accepted; every operation below another object answers 404 for a missing parent;
 * request schemas refuse what the server refuses (empty references, names where only an id is taken,
 * custom_id left out, max and from beyond their range); an undeclared method is a 405 with Allow; every
 * tag is defined; and a client can log in and out with the SSO operations as the document describes them.
 */

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'delete', 'patch'];

interface Schema {
  $ref?: string;
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  xml?: { name?: string };
  maximum?: number;
  minimum?: number;
}
interface Parameter {
  $ref?: string;
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
  schema?: Schema;
}
interface MediaType {
  schema: Schema;
  example?: unknown;
  examples?: Record<string, { value: unknown }>;
}
interface OperationObject {
  operationId: string;
  tags: string[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { $ref?: string; content?: Record<string, MediaType> }>;
  security?: unknown[];
}
interface Doc {
  tags: { name: string; description?: string }[];
  paths: Record<string, Partial<Record<Method, OperationObject>>>;
  components: {
    schemas: Record<string, Schema>;
    parameters: Record<string, Parameter>;
    responses: Record<string, { content: Record<string, unknown> }>;
  };
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

interface Op {
  readonly method: Method;
  readonly template: string;
  readonly operation: OperationObject;
  readonly parameters: Parameter[];
}

const OPERATIONS: Op[] = Object.entries(doc.paths).flatMap(([template, item]) =>
  METHODS.filter((m) => item[m] !== undefined).map((method) => {
    const operation = item[method] as OperationObject;
    return { method, template, operation, parameters: (operation.parameters ?? []).map(deref) };
  }),
);

/** The path parameters of a template that name a parent (all but a trailing `{id}`). */
function parentParams(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).filter((name) => name !== 'id');
}

/** The lowest 2xx status the operation declares. */
function successOf(op: Op): number {
  return Math.min(
    ...Object.keys(op.operation.responses)
      .map(Number)
      .filter((c) => c >= 200 && c < 300),
  );
}

const MISSING = crypto.randomUUID();

/** A webhook subscription of the test's viewer (its secret is long enough to be accepted). */
const WEBHOOK_SUBSCRIPTION = {
  event: 'gluster_storage_domain_sync_failed',
  notification_method: 'webhook',
  url: 'http://127.0.0.1:9/hook',
  secret: 'a-webhook-secret-of-some-length',
};

describe('the OpenAPI document tells the truth about the server', () => {
  let t: TestApp;
  let ids: Record<string, string>;

  /** The template with each path parameter the id of a real row (`missing`: that parameter an unknown id). */
  function pathOf(template: string, missing?: string): string {
    const segments = template.split('/');
    return segments
      .map((segment, i) => {
        const m = /^\{(.+)\}$/.exec(segment);
        if (!m) return segment;
        if (m[1] === missing) return MISSING;
        const id = ids[segments[i - 1]];
        if (id === undefined) throw new Error(`no row for {${m[1]}} after /${segments[i - 1]} in ${template}`);
        return id;
      })
      .join('/');
  }

  /** One request on node's own client, headers as given. */
  function rawRequest(
    method: string,
    path: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: string }> {
    const { port } = (t.app.getHttpServer() as Server).address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  const send = (method: Method | 'trace' | 'options', path: string, accept = JSON_TYPE) =>
    t.http[method](path).set('Accept', accept);

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    await t.app.listen(0, '127.0.0.1');
    ids = await seedContractRows(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('examples', () => {
    /** One request per example set: every parameter with an example, path parameters real ids. */
    function exampleRequests(op: Op): { label: string; query: Record<string, string>; body?: [string, unknown] }[] {
      const query: Record<string, string> = {};
      const out: { label: string; query: Record<string, string>; body?: [string, unknown] }[] = [];
      for (const p of op.parameters) {
        if (p.in === 'query' && p.example !== undefined) query[p.name] = String(p.example);
      }
      for (const p of op.parameters) {
        for (const [name, e] of Object.entries(p.examples ?? {}))
          out.push({ label: `${p.name} example ${name}`, query: { ...query, [p.name]: String(e.value) } });
      }
      for (const [type, media] of Object.entries(op.operation.requestBody?.content ?? {})) {
        if (media.example !== undefined)
          out.push({ label: `${type} body example`, query, body: [type, media.example] });
        for (const [name, e] of Object.entries(media.examples ?? {}))
          out.push({ label: `${type} body example ${name}`, query, body: [type, e.value] });
      }
      if (out.length === 0 && Object.keys(query).length > 0) out.push({ label: 'parameter examples', query });
      return out;
    }

    it('are accepted by the server: each one answers the documented success', async () => {
      const withExamples = OPERATIONS.filter((op) => exampleRequests(op).length > 0);
      // Not vacuous: every list has a search example, and pki-resource its two parameters.
      expect(withExamples.length).toBeGreaterThan(10);
      expect(withExamples.map((op) => op.operation.operationId)).toEqual(
        expect.arrayContaining(['listEvents', 'listClusters', 'getPkiResource']),
      );
      const refused: string[] = [];
      for (const op of withExamples) {
        for (const example of exampleRequests(op)) {
          let req = t.http[op.method](pathOf(op.template)).query(example.query).set('Accept', JSON_TYPE);
          if (example.body) {
            const [type, value] = example.body;
            req = req.set('Content-Type', type).send(typeof value === 'string' ? value : JSON.stringify(value));
          }
          const res = await req;
          if (res.status !== successOf(op))
            refused.push(
              `${op.method} ${op.template} [${example.label}] ${JSON.stringify(example.query)} → ${res.status} ${res.text.slice(0, 200)}`,
            );
        }
      }
      expect(refused).toEqual([]);
    });

    it('of search are the ones the server takes (the events example no longer searches a number with a wildcard)', () => {
      const events = OPERATIONS.find((op) => op.operation.operationId === 'listEvents') as Op;
      const search = events.parameters.find((p) => p.name === 'search') as Parameter;
      expect(search.example).toBe('description=a* sortby index desc');
    });
  });

  describe('statuses', () => {
    it('declares 404 on every operation below another object, and answers it for a missing parent', async () => {
      const children = OPERATIONS.filter((op) => parentParams(op.template).length > 0);
      expect(children.length).toBeGreaterThan(25);
      const undeclared = children.filter((op) => op.operation.responses['404'] === undefined).map((op) => op.template);
      expect(undeclared).toEqual([]);
      // Bodies that pass every check but the parent's.
      const bodies: Record<string, object> = {
        'post /ovirt-engine/api/users/{user}/eventsubscriptions': WEBHOOK_SUBSCRIPTION,
        'post /ovirt-engine/api/clusters/{cluster}/glustervolumes/{volume}/georeplication-sessions': {
          slave_host_name: 'base-host.invalid',
          slave_volume_name: 'othervol',
          user_name: 'root',
        },
        'post /ovirt-engine/api/clusters/{cluster}/glustervolumes/{volume}/georeplication-sessions/{session}/options': {
          name: 'sync-jobs',
          value: '3',
        },
        'post /ovirt-engine/api/storagedomains/{storagedomain}/dr-schedules': {
          schedule: '30 2 * * *',
          enabled: false,
        },
        'put /ovirt-engine/api/storagedomains/{storagedomain}/dr-schedules/{id}': { description: 'x' },
      };
      const wrong: string[] = [];
      for (const op of children) {
        for (const parent of parentParams(op.template)) {
          let req = t.http[op.method](pathOf(op.template, parent)).set('Accept', JSON_TYPE);
          const body = bodies[`${op.method} ${op.template}`];
          if (op.method === 'post' || op.method === 'put') {
            if (body === undefined && /^(add|update)/.test(op.operation.operationId))
              throw new Error(`no body for ${op.method} ${op.template}`);
            req = req.set('Content-Type', JSON_TYPE).send(JSON.stringify(body ?? {}));
          }
          const res = await req;
          if (res.status !== 404)
            wrong.push(`${op.method} ${op.template} without {${parent}} → ${res.status} ${res.text.slice(0, 200)}`);
          else faultOf(res);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('declares 401, 429 (failed-login limit) and 503 on every operation that needs credentials', () => {
      const isProtected = (op: Op) => !(Array.isArray(op.operation.security) && op.operation.security.length === 0);
      const protectedOps = OPERATIONS.filter(isProtected);
      expect(protectedOps.length).toBeGreaterThan(60);
      const missing = protectedOps.flatMap((op) =>
        ['401', '429', '503']
          .filter((code) => op.operation.responses[code] === undefined)
          .map((code) => `${op.method} ${op.template} ${code}`),
      );
      expect(missing).toEqual([]);
    });

    it('declares 417 on every operation, and answers it to an Expect it cannot meet', async () => {
      const wrong: string[] = [];
      for (const op of OPERATIONS) {
        if (op.operation.responses['417'] === undefined) wrong.push(`${op.method} ${op.template}: not declared`);
        // Node's client sends the headers at once when there is an Expect: supertest cannot add its own after.
        const res = await rawRequest(op.method.toUpperCase(), pathOf(op.template), {
          Expect: 'x-nonsense',
          Accept: XML,
        });
        if (res.status !== 417) wrong.push(`${op.method} ${op.template} → ${res.status}`);
        else expect(res.body).toMatch(/<fault>\n {4}<reason>Expectation Failed<\/reason>/);
      }
      expect(wrong).toEqual([]);
    });

    it('declares 408 and 431 on every operation, and answers 431 (an XML fault) to headers over the limit', async () => {
      const wrong: string[] = [];
      for (const op of OPERATIONS) {
        for (const code of ['408', '431']) {
          if (op.operation.responses[code] === undefined)
            wrong.push(`${op.method} ${op.template}: ${code} not declared`);
        }
        const res = await rawRequest(op.method.toUpperCase(), pathOf(op.template), {
          Accept: JSON_TYPE,
          'X-Big': 'b'.repeat(20_000),
        });
        if (res.status !== 431) wrong.push(`${op.method} ${op.template} → ${res.status}`);
        else expect(res.body).toMatch(/<fault>\n {4}<reason>Request Header Fields Too Large<\/reason>/);
      }
      expect(wrong).toEqual([]);
      const declared = doc.components.responses;
      expect(Object.keys(declared.RequestHeaderFieldsTooLarge.content)).toEqual(['application/xml']);
      expect(Object.keys(declared.RequestTimeout.content)).toEqual(['application/xml']);
    });

    it('answers 429 with Retry-After on an ordinary read once the failed-login limit is reached', async () => {
      const limited = await startTestApp({
        role: 'api',
        env: { GEOREP_LOGIN_MAX_FAILURES: '2', GEOREP_LOGIN_MAX_FAILURES_PER_ADDRESS: '100000' },
      });
      try {
        const wrong = limited.as(TEST_ADMIN.user, 'not-the-password');
        for (let i = 0; i < 2; i++)
          expect((await wrong.get(`${API}/events`).set('Accept', JSON_TYPE)).status).toBe(401);
        const res = await limited
          .as(TEST_ADMIN.user, TEST_ADMIN.password)
          .get(`${API}/events`)
          .set('Accept', JSON_TYPE);
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        faultOf(res);
      } finally {
        await limited.close();
      }
    });
  });

  describe('request schemas as strict as the server', () => {
    /** Paths (in the JSON body) of the references of a request schema, and whether each takes an id only. */
    function referencesOf(schema: Schema, prefix: string[] = []): { path: string[]; byId: boolean }[] {
      const s = deref(schema);
      const out: { path: string[]; byId: boolean }[] = [];
      for (const [name, property] of Object.entries(s.properties ?? {})) {
        const p = deref(property);
        // Only references have an id property in a request body (no field may be called id).
        if (p.properties?.id !== undefined) {
          out.push({ path: [...prefix, name], byId: p.properties?.name === undefined });
        } else if (p.properties) {
          out.push(...referencesOf(p, [...prefix, name]));
        }
      }
      return out;
    }

    const nest = (path: string[], value: object): object =>
      path.reduceRight<object>((inner, key) => ({ [key]: inner }), value);
    const xmlNest = (path: string[]): string => path.reduceRight((inner, key) => `<${key}>${inner}</${key}>`, '');

    it('a reference must give an id or a name, in the schema and on the server (XML and JSON)', async () => {
      // oVirt representations (XML and JSON); gluster's JSON-only event post has no references.
      const bodies = OPERATIONS.filter(
        (op) =>
          op.operation.requestBody?.content[JSON_TYPE] !== undefined &&
          op.operation.requestBody.content[XML] !== undefined,
      );
      const checked: string[] = [];
      const wrong: string[] = [];
      for (const op of bodies) {
        const content = (op.operation.requestBody as { content: Record<string, MediaType> }).content;
        const root = deref(content[XML].schema).xml?.name ?? 'action';
        for (const ref of referencesOf(content[JSON_TYPE].schema)) {
          const where = `${op.method} ${op.template} ${ref.path.join('.')}`;
          checked.push(where);
          // The schema refuses {}: some required field must be there.
          const property = ref.path.reduce<Schema>(
            (s, key) => deref((deref(s).properties as Record<string, Schema>)[key]),
            content[JSON_TYPE].schema,
          );
          const alternatives = property.anyOf?.map((a) => a.required ?? []) ?? [property.required ?? []];
          if (!alternatives.every((r) => r.length > 0)) wrong.push(`${where}: the schema takes {}`);
          const path = pathOf(op.template);
          const json = await t.http[op.method](path)
            .set('Accept', JSON_TYPE)
            .set('Content-Type', JSON_TYPE)
            .send(JSON.stringify(nest(ref.path, {})));
          const xml = await t.http[op.method](path)
            .set('Accept', JSON_TYPE)
            .set('Content-Type', XML)
            .send(`<${root}>${xmlNest(ref.path)}</${root}>`);
          for (const [format, res] of [
            ['JSON', json],
            ['XML', xml],
          ] as const) {
            const detail = res.status === 400 ? faultOf(res).detail : '';
            if (!detail.includes(`${ref.path.join('.')}: must be a reference with an id or a name`))
              wrong.push(`${where} (${format}): ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
      }
      expect(checked.length).toBeGreaterThan(8);
      expect(wrong).toEqual([]);
    });

    it('references the server takes by id only have no name in the schema, and a name is refused', async () => {
      const byIdOnly = (schemaName: string, field: string) => {
        const property = deref(doc.components.schemas[schemaName]).properties?.[field] as Schema;
        return { required: property.required, name: property.properties?.name };
      };
      for (const [schemaName, field] of [
        ['EventCreate', 'host'],
        ['EventCreate', 'cluster'],
        ['DrScheduleCreate', 'georeplication_session'],
      ])
        expect(byIdOnly(schemaName, field)).toEqual({ required: ['id'], name: undefined });
      const event = await t.http
        .post(`${API}/events`)
        .set('Accept', JSON_TYPE)
        .set('Content-Type', JSON_TYPE)
        .send(
          JSON.stringify({
            description: 'x',
            severity: 'normal',
            origin: 'tool',
            custom_id: 7,
            host: { name: 'base-host' },
          }),
        );
      expect(event.status).toBe(400);
      expect(faultOf(event).detail).toContain('refer to the host by id');
      const schedule = await t.http
        .post(`${API}/storagedomains/${ids.storagedomains}/dr-schedules`)
        .set('Accept', JSON_TYPE)
        .set('Content-Type', JSON_TYPE)
        .send(JSON.stringify({ schedule: '30 3 * * *', georeplication_session: { name: 'x' } }));
      expect(schedule.status).toBe(400);
      expect(faultOf(schedule).detail).toContain('refer to the session by id');
    });

    it('custom_id is required to add an event, in the schema and on the server', async () => {
      for (const name of ['EventCreate', 'EventCreateXml'])
        expect(doc.components.schemas[name].required).toContain('custom_id');
      expect(doc.components.schemas.Event.required ?? []).not.toContain('custom_id');
      const res = await t.http
        .post(`${API}/events`)
        .set('Accept', JSON_TYPE)
        .set('Content-Type', JSON_TYPE)
        .send(JSON.stringify({ description: 'x', severity: 'normal', origin: 'tool' }));
      expect(res.status).toBe(400);
      expect(faultOf(res).detail).toContain('custom_id is required');
    });

    it('max and from have the range the server takes', async () => {
      const max = deref(doc.components.parameters.Max).schema as Schema;
      expect([max.minimum, max.maximum]).toEqual([-1, 999_999_999]);
      const ok = async (query: string) => (await send('get', `${API}/events?${query}`)).status;
      expect(await ok(`max=${max.maximum}`)).toBe(200);
      expect(await ok(`max=${(max.maximum as number) + 1}`)).toBe(400);
      expect(await ok(`max=${max.minimum}`)).toBe(200);
      expect(await ok(`max=${(max.minimum as number) - 1}`)).toBe(400);
      const events = OPERATIONS.find((op) => op.operation.operationId === 'listEvents') as Op;
      const from = events.parameters.find((p) => p.name === 'from')?.schema as Schema;
      expect([from.minimum, from.maximum]).toEqual([0, Number.MAX_SAFE_INTEGER]);
      expect(await ok(`from=${from.maximum}`)).toBe(200);
      expect(await ok('from=0')).toBe(200);
      expect(await ok('from=-1')).toBe(400);
    });
  });

  describe('methods', () => {
    const UNDECLARED_CANDIDATES = ['get', 'post', 'put', 'patch', 'delete', 'trace', 'options'] as const;

    it('answers 405 with Allow (the declared methods, HEAD with GET) to every undeclared method of every path', async () => {
      const wrong: string[] = [];
      let count = 0;
      for (const [template, item] of Object.entries(doc.paths)) {
        const declared = METHODS.filter((m) => item[m] !== undefined).map((m) => m.toUpperCase());
        const allow = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
          .filter((m) => declared.includes(m) || (m === 'HEAD' && declared.includes('GET')))
          .join(', ');
        for (const method of UNDECLARED_CANDIDATES.filter((m) => !declared.includes(m.toUpperCase()))) {
          count++;
          const accept = count % 2 === 0 ? JSON_TYPE : XML;
          const res: Response = await send(method, pathOf(template), accept);
          if (res.status !== 405 || res.headers.allow !== allow) {
            wrong.push(`${method} ${template} → ${res.status} Allow: ${res.headers.allow} (expected ${allow})`);
          } else if (method !== 'options' || res.text !== '') {
            expect(faultOf(res)).toEqual({
              reason: 'Method Not Allowed',
              detail: `this method is not allowed here (allowed: ${allow})`,
            });
          }
        }
      }
      expect(count).toBeGreaterThan(150);
      expect(wrong).toEqual([]);
    });

    it('also under /v4 and without credentials, while unknown paths stay 404', async () => {
      const v4 = await t.anon.patch(`${API}/v4/clusters`).set('Accept', JSON_TYPE);
      expect([v4.status, v4.headers.allow]).toEqual([405, 'GET, HEAD, POST']);
      const anonymous = await t.anon.delete(`${API}/clusters`).set('Accept', JSON_TYPE);
      expect([anonymous.status, anonymous.headers.allow]).toEqual([405, 'GET, HEAD, POST']);
      for (const path of [
        `${API}/nothing`,
        `${API}/clusters/${ids.clusters}/nothing`,
        '/nothing',
        `${API}/clusters/a/b/c/d`,
      ]) {
        const res = await t.http.put(path).set('Accept', JSON_TYPE);
        expect({ path, status: res.status, allow: res.headers.allow }).toEqual({ path, status: 404, allow: undefined });
        expect(faultOf(res).reason).toBe('Not Found');
      }
    });
  });

  describe('tags and described routes', () => {
    it('defines every tag an operation uses, with a description', () => {
      const used = new Set(OPERATIONS.flatMap((op) => op.operation.tags));
      expect(used.size).toBeGreaterThan(15);
      const defined = new Map(doc.tags.map((tag) => [tag.name, tag.description]));
      expect([...used].filter((name) => !defined.get(name))).toEqual([]);
    });

    it('describes the SSO endpoints well enough to log in with a token, use it and log out', async () => {
      const ajv = new Ajv({ allErrors: true, strict: false });
      const schemaOf = (name: string) =>
        ajv.compile(
          JSON.parse(
            JSON.stringify(doc.components.schemas[name]).replaceAll('#/components/schemas/', '#/$defs/'),
          ) as object,
        );
      const token = doc.paths['/ovirt-engine/sso/oauth/token']?.post as OperationObject;
      expect(token.security).toEqual([]);
      const request = deref(token.requestBody?.content[FORM_TYPE].schema as Schema);
      const fields: Record<string, string> = { username: TEST_ADMIN.user, password: TEST_ADMIN.password };
      for (const name of request.required ?? []) {
        const property = deref((request.properties as Record<string, Schema>)[name]) as Schema & { enum?: string[] };
        if (fields[name] === undefined) fields[name] = property.enum?.[0] ?? 'ovirt-app-api';
      }
      const login = await t.anon
        .post('/ovirt-engine/sso/oauth/token')
        .set('Content-Type', FORM_TYPE)
        .send(form(fields));
      expect(login.status).toBe(200);
      const validToken = schemaOf('SsoToken');
      expect(validToken(login.body)).toBe(true);
      const bearer = `Bearer ${(login.body as { access_token: string }).access_token}`;
      await t.anon.get(`${API}/clusters`).set('Authorization', bearer).expect(200);

      const refused = await t.anon
        .post('/ovirt-engine/sso/oauth/token')
        .set('Content-Type', FORM_TYPE)
        .send(form({ ...fields, password: 'wrong' }));
      expect(refused.status).toBe(400);
      expect(schemaOf('SsoError')(refused.body)).toBe(true);

      const logoutOp = doc.paths['/ovirt-engine/services/sso-logout']?.post as OperationObject;
      // Any role may log out: no 403.
      expect(Object.keys(logoutOp.responses)).toEqual([
        '200',
        '400',
        '401',
        '408',
        '413',
        '417',
        '429',
        '431',
        '500',
        '503',
      ]);
      const logout = await t.anon
        .post('/ovirt-engine/services/sso-logout')
        .set('Content-Type', FORM_TYPE)
        .send(form({ token: (login.body as { access_token: string }).access_token }));
      expect(logout.status).toBe(200);
      expect(schemaOf('SsoLogout')(logout.body)).toBe(true);
      await t.anon.get(`${API}/clusters`).set('Authorization', bearer).expect(401);
    });

    it('describes health as it answers', async () => {
      const ajv = new Ajv({ allErrors: true, strict: false });
      const defs = JSON.parse(
        JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', 'doc#/$defs/'),
      ) as object;
      ajv.addSchema({ $id: 'doc', $defs: defs });
      for (const [path, schema] of [
        ['/health/live', 'Liveness'],
        ['/health/ready', 'Readiness'],
      ]) {
        const res = await t.anon.get(path).expect(200);
        const validate = ajv.compile({ $ref: `doc#/$defs/${schema}` });
        expect({ path, valid: validate(res.body), errors: validate.errors ?? null }).toEqual({
          path,
          valid: true,
          errors: null,
        });
      }
    });
  });
});
