import * as crypto from 'node:crypto';
import { Response } from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { TestApp } from '../support/test-app';

export const API = '/ovirt-engine/api';
export const TOKEN_URL = '/ovirt-engine/sso/oauth/token';
export const LOGOUT_URL = '/ovirt-engine/services/sso-logout';
export const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

export interface Operation {
  readonly method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** As in the document: `/ovirt-engine/api/clusters/{id}`. */
  readonly template: string;
  /** With every path parameter a random UUID. */
  readonly path: string;
  readonly isPublic: boolean;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { security?: unknown[] }>>;
  security?: Record<string, string[]>[];
  components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
}

/** The OpenAPI document the running app serves (built from its routes, so it cannot be stale). */
export async function servedDocument(t: TestApp): Promise<OpenApiDoc> {
  const res = await t.anon.get('/docs/openapi.json').expect(200);
  return res.body as OpenApiDoc;
}

/** Every operation of the document, path parameters filled with random UUIDs. */
export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      ops.push({
        method: method as Operation['method'],
        template,
        path: template.replace(/\{[^}]+\}/g, () => crypto.randomUUID()),
        isPublic: Array.isArray(op.security) && op.security.length === 0,
      });
    }
  }
  return ops;
}

/** Sends an operation with a plausible JSON body (so that 401/403 must come before any body check). */
export function send(agent: TestAgent, op: Operation): Promise<Response> {
  const req = agent[op.method](op.path).set('Accept', JSON_TYPE);
  return op.method === 'post' || op.method === 'put' || op.method === 'patch'
    ? req.set('Content-Type', JSON_TYPE).send('{"name":"x"}')
    : req;
}

export function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** A token from the SSO endpoint (fails the test on anything else). */
export async function login(
  agent: TestAgent,
  username: string,
  password: string,
): Promise<{ access_token: string; exp: string; token_type: string; scope: string }> {
  const res = await agent
    .post(TOKEN_URL)
    .set('Content-Type', FORM_TYPE)
    .set('Accept', JSON_TYPE)
    .send(form({ grant_type: 'password', scope: 'ovirt-app-api', username, password }));
  if (res.status !== 200) throw new Error(`login as ${username}: ${res.status} ${res.text}`);
  return res.body as { access_token: string; exp: string; token_type: string; scope: string };
}

/** Adds a user as the test admin; its id. */
export async function addUser(
  t: TestApp,
  userName: string,
  role: 'admin' | 'viewer',
  password: string,
): Promise<string> {
  const res = await t.http
    .post(`${API}/users`)
    .set('Content-Type', JSON_TYPE)
    .set('Accept', JSON_TYPE)
    .send(JSON.stringify({ user_name: userName, role, password }));
  if (res.status !== 201) throw new Error(`adding user ${userName}: ${res.status} ${res.text}`);
  return (res.body as { id: string }).id;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
