import * as crypto from 'node:crypto';
import { Response } from 'supertest';
import { startTestApp, TestApp } from '../support/test-app';
import { API, JSON_TYPE, XML } from './api-helpers';
import {
  deref,
  doc,
  OperationObject,
  pathWithIds,
  responseProblems,
  seedContractRows,
  validator,
} from './openapi-contract-support';

/**
 * Issue 18's contract test: every GET operation of the checked-in document, in JSON and in XML, against an
 * app with real rows behind every id (optional fields filled), each response validated with ajv against the
 * schema the document declares for its status and media type. Objects may carry no property the document
 * does not name, so an undocumented field fails as surely as a wrong type. XML is read into the shape its
 * schema describes (attributes, wrapped and repeated elements, numbers and booleans by the schema's type),
 * keeping whatever the schema does not name so that it fails too.
 */

const GETS = Object.entries(doc.paths).flatMap(([template, item]) =>
  item.get ? [{ template, operation: item.get, parameters: (item.get.parameters ?? []).map(deref) }] : [],
);

describe('every GET of the OpenAPI document answers what the document says (XML and JSON)', () => {
  let t: TestApp;
  let ids: Record<string, string>;
  let schemaValidator: ReturnType<typeof validator>;

  const pathOf = (template: string) => pathWithIds(ids, template);

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    schemaValidator = validator();
    ids = await seedContractRows(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const problems = (operation: OperationObject, res: Response, format: 'json' | 'xml') =>
    responseProblems(schemaValidator, operation, res, format);

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
        for (const problem of await problems(operation, res, format)) wrong.push(`GET ${template}: ${problem}`);
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
          for (const problem of await problems(operation, res, format))
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
    expect(await problems(get, json, 'json')).toEqual([]);
    const body = json.body as { ssh: object };
    const tampered = {
      ...json,
      body: { ...body, secret: 'x', ssh: { ...body.ssh, port: '22' } },
    } as unknown as Response;
    expect(await problems(get, tampered, 'json')).toEqual([
      'json 200: / must NOT have additional properties {"additionalProperty":"secret"}',
      'json 200: /ssh/port must be integer {"type":"integer"}',
    ]);
    const xml = await t.http.get(`${API}/hosts/${ids.hosts}`).set('Accept', XML);
    expect(await problems(get, xml, 'xml')).toEqual([]);
    expect(xml.text).toContain('<port>22</port>');
    const changed = {
      ...xml,
      text: xml.text
        .replace('<port>22</port>', '<port>twenty-two</port>')
        .replace('</host>', '<secret>x</secret></host>'),
    } as Response;
    expect(await problems(get, changed, 'xml')).toEqual([
      'xml 200: / must NOT have additional properties {"additionalProperty":"secret"}',
      'xml 200: /ssh/port must be integer {"type":"integer"}',
    ]);
  });
});
