import * as zlib from 'node:zlib';
import { startTestApp, TestApp } from '../support/test-app';
import { addCluster, addHost, API, databaseState, faultOf, JSON_TYPE, XML } from './api-helpers';

/**
 * Malformed and hostile requests: each gets a 4xx fault in the format asked for, says what was wrong,
 * leaks nothing internal, and leaves every table of the database exactly as it was.
 */
interface Case {
  readonly name: string;
  readonly method?: 'get' | 'post' | 'put' | 'delete';
  /** Relative to /ovirt-engine/api; {cluster}, {host} and {other} are replaced. */
  readonly path: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  readonly status: number;
  readonly detail?: RegExp | string;
}

const MISSING = '0b6a0c4e-3a2e-4f61-9d0e-1f2a3b4c5d6e';
type RequestShape = Pick<Case, 'method' | 'path' | 'contentType' | 'headers' | 'body'>;
const cluster = (body: string, extra: Partial<Omit<RequestShape, 'path'>> = {}): RequestShape => ({
  method: 'post',
  path: '/clusters',
  contentType: XML,
  body,
  ...extra,
});
const clusterJson = (body: unknown): RequestShape => ({
  method: 'post',
  path: '/clusters',
  contentType: JSON_TYPE,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const host = (fields: Record<string, unknown>): RequestShape => ({
  method: 'post',
  path: '/hosts',
  contentType: JSON_TYPE,
  body: JSON.stringify({ name: 'new-host', address: 'gluster9.example.com', cluster: { name: 'base' }, ...fields }),
});
const hostSsh = (ssh: Record<string, unknown>) => host({ ssh });
const event = (fields: Record<string, unknown>): RequestShape => ({
  method: 'post',
  path: '/events',
  contentType: JSON_TYPE,
  body: JSON.stringify({ description: 'x', severity: 'normal', origin: 'tool', custom_id: 1, ...fields }),
});
const EVENT_XML =
  '<event><description>x</description><severity>normal</severity><origin>tool</origin><custom_id>1</custom_id>';
const deepJson = '{"name":"x","description":' + '{"a":'.repeat(40) + '1' + '}'.repeat(40) + '}';

const CASES: Case[] = [
  {
    name: 'XML with an external entity (XXE)',
    ...cluster(
      '<?xml version="1.0"?><!DOCTYPE cluster [<!ENTITY x SYSTEM "file:///etc/passwd">]><cluster><name>&x;</name></cluster>',
    ),
    status: 400,
    detail: 'DOCTYPE declarations are not allowed (line 1, column 22)',
  },
  {
    name: 'XML billion laughs',
    ...cluster(
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><cluster><name>&lol2;</name></cluster>',
    ),
    status: 400,
    detail: /DOCTYPE declarations are not allowed/,
  },
  {
    name: 'XML undeclared entity reference',
    ...cluster('<cluster><name>&xxe;</name></cluster>'),
    status: 400,
    detail: /only the predefined entities/,
  },
  { name: 'XML not well-formed', ...cluster('<cluster><name>x</cluster>'), status: 400, detail: /^malformed XML/ },
  {
    name: 'XML with the wrong root element',
    ...cluster('<host><name>x</name></host>'),
    status: 400,
    detail: 'expected root element <cluster>, got <host>',
  },
  {
    name: 'XML with an unknown attribute',
    ...cluster('<cluster admin="true"><name>x</name></cluster>'),
    status: 400,
    detail: /unexpected attribute admin/,
  },
  {
    name: 'XML with an unknown field',
    ...cluster('<cluster><name>x</name><colour>red</colour></cluster>'),
    status: 400,
    detail: 'colour: unknown field',
  },
  {
    name: 'XML with __proto__',
    ...cluster('<cluster><name>x</name><__proto__><admin>true</admin></__proto__></cluster>'),
    status: 400,
    detail: '__proto__: unknown field',
  },
  {
    name: 'XML with a field given twice',
    ...cluster('<cluster><name>x</name><name>y</name></cluster>'),
    status: 400,
    detail: 'name: must appear only once',
  },
  {
    name: 'XML nested too deep',
    ...cluster('<cluster><name>x</name>' + '<a>'.repeat(40) + '</a>'.repeat(40) + '</cluster>'),
    status: 400,
    detail: /nested deeper than 32 levels/,
  },
  { name: 'JSON that does not parse', ...clusterJson('{"name": "x",}'), status: 400, detail: /^malformed JSON/ },
  {
    name: 'JSON array',
    ...clusterJson([{ name: 'x' }]),
    status: 400,
    detail: 'the body must be a JSON object, not an array',
  },
  { name: 'JSON null', ...clusterJson('null'), status: 400, detail: 'the body must be a JSON object, not null' },
  {
    name: 'JSON with an unknown field',
    ...clusterJson({ name: 'x', colour: 'red' }),
    status: 400,
    detail: 'colour: unknown field',
  },
  {
    name: 'JSON prototype pollution',
    ...clusterJson('{"name":"x","__proto__":{"admin":true}}'),
    status: 400,
    detail: '__proto__: unknown field',
  },
  {
    name: 'JSON constructor.prototype',
    ...clusterJson({ name: 'x', constructor: { prototype: { admin: true } } }),
    status: 400,
    detail: 'constructor: unknown field',
  },
  { name: 'JSON nested too deep', ...clusterJson(deepJson), status: 400, detail: /nested deeper than 32 levels/ },
  {
    name: 'a name of the wrong type',
    ...clusterJson({ name: 5 }),
    status: 400,
    detail: 'name: must be a string (got 5)',
  },
  {
    name: 'a boolean that is not one',
    ...clusterJson({ name: 'x', gluster_service: 'maybe' }),
    status: 400,
    detail: 'gluster_service: must be true or false (got "maybe")',
  },
  {
    name: 'a required field missing',
    ...clusterJson({ description: 'no name' }),
    status: 400,
    detail: 'name: required',
  },
  { name: 'an empty body', ...clusterJson(''), status: 400, detail: 'empty body: expected a JSON object' },
  {
    name: 'a body that is not UTF-8',
    ...cluster('', { body: Buffer.from([0x3c, 0x63, 0x6c, 0xff, 0xfe, 0x3e]) }),
    status: 400,
    detail: 'the body is not valid UTF-8',
  },
  {
    name: 'name with a shell command: x;touch pwned',
    ...clusterJson({ name: 'x;touch pwned' }),
    status: 400,
    detail: /^name: must be 1 to 50 letters/,
  },
  { name: 'name $(id)', ...clusterJson({ name: '$(id)' }), status: 400, detail: /^name: must be 1 to 50 letters/ },
  {
    name: 'name with backticks',
    ...cluster('<cluster><name>`id`</name></cluster>'),
    status: 400,
    detail: /^name: must be 1 to 50 letters/,
  },
  {
    name: 'name with a newline',
    ...clusterJson({ name: 'a\nb' }),
    status: 400,
    detail: /^name: must be 1 to 50 letters.*\(got "a\\u000ab"\)$/,
  },
  {
    name: 'name with a control character',
    ...clusterJson({ name: 'a\u0007b' }),
    status: 400,
    detail: 'name: must not contain control characters',
  },
  {
    name: 'name starting with a dash',
    ...clusterJson({ name: '-rf' }),
    status: 400,
    detail: /^name: must be 1 to 50 letters/,
  },
  {
    name: 'name longer than 50',
    ...clusterJson({ name: 'n'.repeat(51) }),
    status: 400,
    detail: 'name: must be at most 50 characters long',
  },
  {
    name: 'ssh port 0',
    ...hostSsh({ port: 0 }),
    status: 400,
    detail: 'ssh.port: must be an integer between 1 and 65535 (got 0)',
  },
  {
    name: 'ssh port 65536',
    ...hostSsh({ port: 65536 }),
    status: 400,
    detail: 'ssh.port: must be an integer between 1 and 65535 (got 65536)',
  },
  {
    name: 'ssh port with a command',
    ...hostSsh({ port: '22; rm -rf /' }),
    status: 400,
    detail: /^ssh.port: must be an integer/,
  },
  { name: 'ssh port as a fraction', ...hostSsh({ port: 22.5 }), status: 400, detail: /^ssh.port: must be an integer/ },
  {
    name: 'ssh user with a command',
    ...hostSsh({ user: { user_name: 'root;id' } }),
    status: 400,
    detail: /^ssh.user.user_name: must be a Unix user name/,
  },
  {
    name: 'ssh user in capitals',
    ...hostSsh({ user: { user_name: 'Root' } }),
    status: 400,
    detail: /^ssh.user.user_name: must be a Unix user name/,
  },
  {
    name: 'address x;touch pwned',
    ...host({ address: 'x;touch pwned' }),
    status: 400,
    detail: /^address: must be an RFC 1123 host name/,
  },
  {
    name: 'address $(id)',
    ...host({ address: '$(id)' }),
    status: 400,
    detail: /^address: must be an RFC 1123 host name/,
  },
  {
    name: 'address as an ssh option',
    ...host({ address: '-oProxyCommand=touch' }),
    status: 400,
    detail: /^address: must be/,
  },
  {
    name: 'address starting with a dash',
    ...host({ address: '-oProxy.example.com' }),
    status: 400,
    detail: 'address: "-oProxy.example.com" is not a valid host name, IPv4 or IPv6 address',
  },
  {
    name: 'address 999.1.1.1',
    ...host({ address: '999.1.1.1' }),
    status: 400,
    detail: 'address: "999.1.1.1" is not a valid host name, IPv4 or IPv6 address',
  },
  {
    name: 'address that is a broken IPv6',
    ...host({ address: '2001:db8:::1' }),
    status: 400,
    detail: /is not a valid host name, IPv4 or IPv6 address/,
  },
  {
    name: 'a status in the body is ignored, an unknown field is not',
    ...host({ status: 'up', admin_password: 'x' }),
    status: 400,
    detail: 'admin_password: unknown field',
  },
  {
    name: 'a cluster reference with both wrong shapes',
    ...host({ cluster: 'base' }),
    status: 400,
    detail: 'cluster: must be a reference with an id or a name',
  },
  {
    name: 'a cluster id that does not exist',
    ...host({ cluster: { id: MISSING } }),
    status: 404,
    detail: `cluster with id "${MISSING}" does not exist`,
  },
  // Reference ids are UUIDs: anything else is a 400 from the decoder, before it can reach a uuid column (it was a 500).
  {
    name: 'a host whose cluster id is not a UUID',
    ...host({ cluster: { id: '3' } }),
    status: 400,
    detail: 'cluster.id: is not a valid id (got "3")',
  },
  {
    name: 'an event whose cluster id is not a UUID (JSON)',
    ...event({ cluster: { id: '3' } }),
    status: 400,
    detail: 'cluster.id: is not a valid id (got "3")',
  },
  {
    name: 'an event whose cluster id is not a UUID (XML)',
    method: 'post',
    path: '/events',
    contentType: XML,
    body: `${EVENT_XML}<cluster id="3"/></event>`,
    status: 400,
    detail: 'cluster.id: is not a valid id (got "3")',
  },
  {
    name: 'an event whose host id is not a UUID (XML element)',
    method: 'post',
    path: '/events',
    contentType: XML,
    body: `${EVENT_XML}<host><id>h1</id></host></event>`,
    status: 400,
    detail: 'host.id: is not a valid id (got "h1")',
  },
  {
    name: 'an event whose host id is a UUID and more',
    ...event({ host: { id: `${MISSING}' OR '1'='1` } }),
    status: 400,
    detail: /^host\.id: is not a valid id/,
  },
  {
    name: 'a storage domain whose volume id is not a UUID',
    method: 'post',
    path: '/storagedomains',
    contentType: JSON_TYPE,
    body: JSON.stringify({ name: 'sd', gluster_volume: { id: '3' } }),
    status: 400,
    detail: /gluster_volume\.id: is not a valid id \(got "3"\)/,
  },
  {
    name: 'a DR schedule whose session id is not a UUID',
    method: 'post',
    path: `/storagedomains/${MISSING}/dr-schedules`,
    contentType: JSON_TYPE,
    body: JSON.stringify({ name: 'a', schedule: '30 2 * * *', georeplication_session: { id: '3' } }),
    status: 400,
    detail: /georeplication_session\.id: is not a valid id \(got "3"\)/,
  },
  {
    name: 'a session whose slave volume id is not a UUID',
    method: 'post',
    path: `/clusters/{cluster}/glustervolumes/${MISSING}/georeplication-sessions`,
    contentType: XML,
    body: '<georeplication_session><slave_volume id="3"/></georeplication_session>',
    status: 400,
    detail: /slave_volume\.id: is not a valid id \(got "3"\)/,
  },
  { name: 'an event looked up by an id that is not an index', method: 'get', path: '/events/3e5', status: 404 },
  {
    name: 'events from an index that is not one',
    method: 'get',
    path: '/events?from=-1',
    status: 400,
    detail: /^from: /,
  },
  {
    name: 'a cluster name that does not exist',
    ...host({ cluster: { name: 'nowhere' } }),
    status: 404,
    detail: 'cluster with name "nowhere" does not exist',
  },
  {
    name: 'a duplicate cluster name',
    ...clusterJson({ name: 'base' }),
    status: 409,
    detail: 'a cluster named "base" already exists',
  },
  {
    name: 'a duplicate host name',
    ...host({ name: 'base-host' }),
    status: 409,
    detail: 'a host named "base-host" already exists',
  },
  {
    name: 'renaming a host to a name in use',
    method: 'put',
    path: '/hosts/{other}',
    contentType: XML,
    body: '<host><name>base-host</name></host>',
    status: 409,
    detail: 'a host named "base-host" already exists',
  },
  {
    name: 'removing a cluster that has hosts',
    method: 'delete',
    path: '/clusters/{cluster}',
    status: 409,
    detail: 'cluster "base" still has hosts; remove them first',
  },
  {
    name: 'a body over 1 MiB',
    ...cluster(`<cluster><name>x</name><description>${'x'.repeat(1 << 20)}</description></cluster>`),
    status: 413,
    detail: 'the request body is larger than 1048576 bytes',
  },
  {
    name: 'a gzip bomb over 1 MiB inflated',
    ...cluster('', { body: zlib.gzipSync(Buffer.alloc(8 << 20, 0x20)), headers: { 'Content-Encoding': 'gzip' } }),
    status: 413,
  },
  {
    name: 'an unknown content encoding',
    ...cluster('<cluster><name>x</name></cluster>', { headers: { 'Content-Encoding': 'x-squeeze' } }),
    status: 415,
  },
  {
    name: 'text/plain',
    ...cluster('<cluster><name>x</name></cluster>', { contentType: 'text/plain' }),
    status: 415,
    detail: /Content-Type: got text\/plain/,
  },
  { name: 'a form', ...cluster('name=x', { contentType: 'application/x-www-form-urlencoded' }), status: 415 },
  {
    name: 'no Content-Type',
    ...cluster('', { contentType: undefined, body: Buffer.from('<cluster><name>x</name></cluster>') }),
    status: 415,
    detail: /none was given/,
  },
  {
    name: 'a charset other than UTF-8',
    ...cluster('<cluster><name>x</name></cluster>', { contentType: 'application/xml; charset=ISO-8859-1' }),
    status: 415,
    detail: 'the body must be UTF-8 (got charset iso-8859-1)',
  },
  {
    name: 'Version: 3',
    ...clusterJson({ name: 'v3' }),
    headers: { Version: '3' },
    status: 400,
    detail: /^version "3" is not supported/,
  },
  {
    name: 'the /v3 prefix',
    ...clusterJson({ name: 'v3' }),
    path: '/v3/clusters',
    status: 400,
    detail: /^version "3" is not supported/,
  },
  { name: 'an unknown cluster id', method: 'get', path: `/clusters/${MISSING}`, status: 404 },
  { name: 'a cluster id that is not a uuid', method: 'get', path: "/clusters/1' OR '1'='1", status: 404 },
  {
    name: 'updating an unknown host',
    method: 'put',
    path: `/hosts/${MISSING}`,
    contentType: XML,
    body: '<host><name>z</name></host>',
    status: 404,
  },
  { name: 'removing an unknown host', method: 'delete', path: `/hosts/${MISSING}`, status: 404 },
  { name: 'posting to an unknown collection', ...clusterJson({ name: 'x' }), path: '/datacenters', status: 404 },
  {
    name: 'a search by an unknown field',
    method: 'get',
    path: '/hosts?search=password%3Dx',
    status: 400,
    detail: /cannot search by "password"/,
  },
  {
    name: 'a search with SQL in it',
    method: 'get',
    path: "/hosts?search=name%3D'%3B%20DROP%20TABLE%20hosts%3B--",
    status: 400,
    detail: /^search: /,
  },
  {
    name: 'max that is not a number',
    method: 'get',
    path: '/clusters?max=ten',
    status: 400,
    detail: 'max: must be a whole number, -1 for all (got "ten")',
  },
  {
    name: 'max given twice',
    method: 'get',
    path: '/clusters?max=1&max=2',
    status: 400,
    detail: 'max: must be given once, as a plain value',
  },
  {
    name: 'follow of something that is not a link',
    method: 'get',
    path: '/hosts?follow=password',
    status: 400,
    detail: 'follow: cannot follow password from host (possible: cluster)',
  },
  {
    name: 'case_sensitive that is not a boolean',
    method: 'get',
    path: '/clusters?case_sensitive=perhaps',
    status: 400,
    detail: /^case_sensitive: must be true or false/,
  },
];

describe('malformed and hostile requests', () => {
  let t: TestApp;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await startTestApp({ role: 'api' });
    const base = await addCluster(t, 'base');
    ids = { cluster: base, host: await addHost(t, 'base-host', base), other: await addHost(t, 'other-host', base) };
  });
  afterAll(async () => {
    await t.close();
  });

  it('has at least 30 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  for (const accept of [XML, JSON_TYPE]) {
    it.each(CASES)(`$name → $status (Accept: ${accept})`, async (c) => {
      const before = await databaseState(t);
      const path = `${API}${c.path}`.replace(/\{(cluster|host|other)\}/g, (_, k: string) => ids[k]);
      let req = t.http[c.method ?? 'get'](path).set('Accept', accept);
      for (const [k, v] of Object.entries(c.headers ?? {})) req = req.set(k, v);
      if (c.contentType !== undefined) req = req.set('Content-Type', c.contentType);
      if (c.body !== undefined) req = req.send(c.body);
      const res = await req;
      expect({ status: res.status, text: res.text.slice(0, 300) }).toEqual({
        status: c.status,
        text: expect.any(String),
      });
      expect(res.headers['content-type']).toBe(`${accept}; charset=utf-8`);
      const fault = faultOf(res);
      expect(fault.detail).not.toBe('');
      if (c.detail !== undefined) {
        const expected =
          accept === XML && typeof c.detail === 'string'
            ? c.detail.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
            : c.detail;
        expect(fault.detail).toEqual(typeof expected === 'string' ? expected : expect.stringMatching(expected));
      }
      expect(await databaseState(t)).toEqual(before);
    });
  }
});
