import Ajv, { ValidateFunction } from 'ajv';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ModulesContainer } from '@nestjs/core';
import { load } from 'js-yaml';
import { generateApiDocumentYaml, OPENAPI_FILE } from '../../src/openapi-generate';
import { discoverRoutes } from '../../src/ovirt/route-discovery';
import { MAIN_JS } from '../support/processes';
import { testServices } from '../support/test-env';
import { startTestApp, TestApp } from '../support/test-app';
import { addCluster, addHost, API, JSON_TYPE } from './api-helpers';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

type Response = { $ref?: string; content?: Record<string, { schema: object }> };
interface Operation {
  responses: Record<string, Response>;
}
type Doc = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object>; responses: Record<string, Response> };
};

const checkedIn = fs.readFileSync(OPENAPI_FILE, 'utf8');
const doc = load(checkedIn) as Doc;

/** A JSON-schema validator for the JSON responses the document promises (OpenAPI 3.0 schema keywords). */
function responseValidator(): (method: string, path: string, status: number, body: unknown) => string[] {
  // Ajv knows OpenAPI's nullable; xml and example only annotate.
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addKeyword('xml');
  ajv.addKeyword('example');
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  const defs = JSON.parse(
    JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', 'doc#/$defs/'),
  ) as object;
  ajv.addSchema({ $id: 'doc', $defs: defs });
  const compiled = new Map<string, ValidateFunction>();
  return (method, pathTemplate, status, body) => {
    const operation = doc.paths[pathTemplate]?.[method];
    if (!operation) return [`the document has no ${method} ${pathTemplate}`];
    const given = operation.responses[String(status)];
    const response = given?.$ref ? doc.components.responses[given.$ref.replace('#/components/responses/', '')] : given;
    const schema = response?.content?.[JSON_TYPE]?.schema as { $ref?: string } | undefined;
    if (!schema?.$ref) return [`the document has no JSON ${status} response for ${method} ${pathTemplate}`];
    const key = schema.$ref;
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ $ref: key.replace('#/components/schemas/', 'doc#/$defs/') });
      compiled.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let validate: ReturnType<typeof responseValidator>;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    validate = responseValidator();
  });
  afterAll(async () => {
    await t.close();
  });

  it('is the one the code generates (no database needed)', async () => {
    expect(await generateApiDocumentYaml()).toBe(checkedIn);
  });

  it('is what /docs serves, next to Swagger UI', async () => {
    const served = await t.http.get('/docs/openapi.json').expect(200);
    expect(served.body).toEqual(doc);
    const page = await t.http.get('/docs/').expect(200);
    expect(page.text).toContain('<title>georep-api</title>');
  });

  it('describes exactly the routes the application serves: the API, SSO, PKI, health, metrics and docs', () => {
    const SWAGGER_UI_FILES = [
      '/docs/',
      '/docs/index.html',
      '/docs/LICENSE',
      '/docs/swagger-ui-init.js',
      '/docs/docs/swagger-ui-init.js',
    ];
    type Layer = { route?: { path: string; methods: Record<string, boolean> } };
    const stack = (t.app.getHttpAdapter().getInstance() as { router: { stack: Layer[] } }).router.stack;
    // Left out: Swagger UI's own files (its page, the document and /docs itself are described) and the
    // catch-all Nest mounts middleware on (`/{*path}`). No controller is marked @ApiExcludeController().
    const excluded = new Set(
      discoverRoutes(t.app.get(ModulesContainer))
        .filter((r) => r.excluded)
        .map((r) => r.path),
    );
    expect([...excluded]).toEqual([]);
    const served = stack
      .filter(
        (l) =>
          l.route &&
          !SWAGGER_UI_FILES.includes(l.route.path) &&
          !l.route.path.includes('{*') &&
          !excluded.has(l.route.path),
      )
      .flatMap((l) =>
        Object.keys(l.route!.methods)
          .filter((m) => m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`),
      )
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`))
      .sort();
    expect(documented.length).toBeGreaterThan(10);
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /ovirt-engine/sso/oauth/token',
        'POST /ovirt-engine/services/sso-logout',
        'GET /ovirt-engine/services/pki-resource',
        'GET /health/live',
        'GET /health/ready',
        'GET /metrics',
        'POST /ovirt-engine/services/glusterevents',
        'GET /docs',
        'GET /docs/openapi.json',
        'GET /docs/openapi.yaml',
      ]),
    );
    expect(served).toEqual(documented);
  });

  it('marks public only what DESIGN.md makes public, health among it, and no /ovirt-engine/api route', () => {
    const routes = discoverRoutes(t.app.get(ModulesContainer));
    const allowed = [
      'GET /health/live',
      'GET /health/ready',
      'POST /ovirt-engine/sso/oauth/token',
      'GET /ovirt-engine/services/pki-resource',
      // Public to AccessGuard only: its own guard asks for the metrics token or a login (DESIGN.md: auth, or public when configured).
      'GET /metrics',
      // Public to AccessGuard only: it takes nothing but the bearer token a cluster's glustereventsd was given.
      'POST /ovirt-engine/services/glusterevents',
      // DESIGN.md: "/docs (page public, calls need auth)"; the page loads the document.
      'GET /docs',
      'GET /docs/openapi.json',
      'GET /docs/openapi.yaml',
    ];
    const open = routes.filter((r) => r.isPublic).map((r) => `${r.method} ${r.path}`);
    expect(open).toEqual(expect.arrayContaining(['GET /health/live', 'GET /health/ready']));
    expect(open.filter((r) => !allowed.includes(r))).toEqual([]);
    expect(routes.filter((r) => r.path.startsWith(API)).every((r) => !r.isPublic && r.spec !== undefined)).toBe(true);
  });

  it('passes @redocly/cli lint', async () => {
    const cli = path.join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const { stdout, stderr } = await run(process.execPath, [cli, 'lint', OPENAPI_FILE], {
      cwd: ROOT,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off' },
    });
    expect(`${stdout}${stderr}`).toContain('Your API description is valid');
  }, 60_000);

  it('matches real JSON responses, and would catch one that does not', async () => {
    const cluster = await addCluster(t, 'validated', { description: 'd' });
    const host = await addHost(t, 'validated-host', cluster, { ssh: { port: 2022, user: { user_name: 'geo' } } });
    const get = (p: string) => t.http.get(p).set('Accept', JSON_TYPE);
    const checks: [string, string, number, Promise<{ status: number; body: unknown }>][] = [
      ['get', '/ovirt-engine/api', 200, get(API)],
      ['get', '/ovirt-engine/api/clusters', 200, get(`${API}/clusters`)],
      ['get', '/ovirt-engine/api/clusters/{id}', 200, get(`${API}/clusters/${cluster}`)],
      ['get', '/ovirt-engine/api/hosts', 200, get(`${API}/hosts?follow=cluster`)],
      ['get', '/ovirt-engine/api/hosts/{id}', 200, get(`${API}/hosts/${host}`)],
      ['get', '/ovirt-engine/api/hosts/{id}', 404, get(`${API}/hosts/missing`)],
      ['get', '/ovirt-engine/api/hosts', 400, get(`${API}/hosts?max=x`)],
      [
        'post',
        '/ovirt-engine/api/clusters',
        201,
        t.http.post(`${API}/clusters`).set('Accept', JSON_TYPE).set('Content-Type', JSON_TYPE).send('{"name":"made"}'),
      ],
      [
        'post',
        '/ovirt-engine/api/clusters',
        409,
        t.http.post(`${API}/clusters`).set('Accept', JSON_TYPE).set('Content-Type', JSON_TYPE).send('{"name":"made"}'),
      ],
      [
        'post',
        '/ovirt-engine/api/hosts',
        415,
        t.http.post(`${API}/hosts`).set('Accept', JSON_TYPE).set('Content-Type', 'text/plain').send('x'),
      ],
      [
        'put',
        '/ovirt-engine/api/hosts/{id}',
        200,
        t.http
          .put(`${API}/hosts/${host}`)
          .set('Accept', JSON_TYPE)
          .set('Content-Type', JSON_TYPE)
          .send('{"ssh":{"port":22}}'),
      ],
    ];
    for (const [method, p, status, pending] of checks) {
      const res = await pending;
      expect({ method, p, status: res.status }).toEqual({ method, p, status });
      expect({ method, p, errors: validate(method, p, status, res.body) }).toEqual({ method, p, errors: [] });
    }
    const real = (await get(`${API}/hosts/${host}`)).body as { ssh: { port: unknown } };
    expect(
      validate('get', '/ovirt-engine/api/hosts/{id}', 200, { ...real, ssh: { ...real.ssh, port: '2022' } }),
    ).toEqual(['/ssh/port must be integer']);
    expect(validate('get', '/ovirt-engine/api/hosts/{id}', 200, { ...real, status: 'sideways' })).toEqual([
      '/status must be equal to one of the allowed values',
    ]);
  });

  it('npm run openapi:check fails with a clear message when the file is out of date', async () => {
    if (!fs.existsSync(MAIN_JS)) throw new Error('run `npm run build` first (npm test does)');
    const generator = path.join(ROOT, 'dist', 'src', 'openapi-generate.js');
    const stale = path.join(testServices().baseDir, 'stale-openapi.yaml');
    fs.writeFileSync(stale, checkedIn.replace('operationId: listHosts', 'operationId: listAllHosts'));
    const failed = await run(process.execPath, [generator, '--check', '--file', stale], { cwd: ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(
      /stale-openapi\.yaml is out of date[\s\S]*checked in: +operationId: listAllHosts\n +generated: +operationId: listHosts[\s\S]*npm run build && npm run openapi/,
    );
    fs.writeFileSync(stale, checkedIn);
    const ok = await run(process.execPath, [generator, '--check', '--file', stale], { cwd: ROOT });
    expect(ok.stdout).toContain('is up to date');
  }, 60_000);
});
