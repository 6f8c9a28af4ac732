import * as crypto from 'node:crypto';
import * as https from 'node:https';
import * as tls from 'node:tls';
import {
  createSnapshotBody,
  ENGINE_API_PATH,
  ENGINE_CA_PATH,
  ENGINE_SSO_TOKEN_PATH,
  EngineDisk,
  EngineSnapshot,
  EngineStorageDomain,
  EngineVm,
  faultText,
  isEngineId,
  parseDisk,
  parseDiskAttachmentDiskIds,
  parseDisks,
  parseSnapshot,
  parseSnapshots,
  parseSsoToken,
  parseStorageDomain,
  parseVms,
  ssoError,
  ssoTokenRequestBody,
  vmsUpOnStorageDomainSearch,
} from './engine-model';

/** What the service knows to reach one engine (the password already opened). */
export interface EngineConnection {
  /** `https://host[:port]` (engineBaseUrl). */
  baseUrl: string;
  username: string;
  password: string;
  /** The engine's CA, pinned: the only one trusted for this engine. */
  caPem: string;
}

export interface EngineClientOptions {
  /** Per HTTP call. */
  timeoutMs: number;
  /** Extra tries of a call that may be repeated (reads, deletes) after a time-out or a lost connection. */
  retries: number;
}

export type EngineErrorKind = 'unreachable' | 'timeout' | 'login' | 'fault' | 'protocol';

/** Any failure talking to the engine, with what kind it is (the quiesce policy decides what follows). */
export class EngineError extends Error {
  constructor(
    readonly kind: EngineErrorKind,
    message: string,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

interface HttpAnswer {
  status: number;
  body: string;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const RETRY_PAUSE_MS = 500;

/**
 * One oVirt engine over its REST v4 API, in JSON: SSO login, then bearer calls. Every call has a
 * time-out; reads and deletes are tried again after a time-out or a lost connection. TLS trusts only the
 * engine's pinned CA.
 */
export class EngineClient {
  private token: string | null = null;

  constructor(
    private readonly conn: EngineConnection,
    private readonly options: EngineClientOptions,
  ) {}

  /**
   * The engine's CA certificate from its pki-resource, read without verifying TLS (nothing is trusted
   * yet: the admin pins what this returns, trust on first use). Only a PEM certificate is accepted.
   */
  static async fetchCaCertificate(baseUrl: string, timeoutMs: number): Promise<string> {
    const answer = await request(baseUrl, 'GET', ENGINE_CA_PATH, { headers: {}, timeoutMs, ca: null });
    if (answer.status !== 200)
      throw new EngineError('fault', `the engine's pki-resource answered HTTP ${answer.status}`, answer.status);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(answer.body)?.[0];
    if (!pem) throw new EngineError('protocol', "the engine's pki-resource did not return a PEM certificate");
    try {
      new crypto.X509Certificate(pem);
    } catch {
      throw new EngineError('protocol', "the engine's pki-resource returned a certificate that does not parse");
    }
    return `${pem}\n`;
  }

  async login(): Promise<void> {
    const answer = await this.call('POST', ENGINE_SSO_TOKEN_PATH, {
      body: ssoTokenRequestBody(this.conn.username, this.conn.password),
      contentType: 'application/x-www-form-urlencoded',
      authorized: false,
      repeatable: false,
    });
    const body = parseJson(answer.body);
    if (answer.status !== 200)
      throw new EngineError(
        'login',
        `the engine refused the login of ${this.conn.username}: ${ssoError(body)}`,
        answer.status,
      );
    try {
      this.token = parseSsoToken(body).accessToken;
    } catch (e) {
      throw new EngineError('login', (e as Error).message, answer.status);
    }
  }

  async storageDomain(id: string): Promise<EngineStorageDomain | null> {
    const body = await this.get(`/storagedomains/${engineId(id)}`, true);
    return body === null ? null : parseStorageDomain(body);
  }

  async vmsUpOnStorageDomain(domainName: string): Promise<EngineVm[]> {
    const search = encodeURIComponent(vmsUpOnStorageDomainSearch(domainName));
    return parseVms(await this.get(`/vms?search=${search}`));
  }

  /** The VM's disks as they are now (their active volume in `imageId`). */
  async vmDisks(vmId: string): Promise<EngineDisk[]> {
    const ids = parseDiskAttachmentDiskIds(await this.get(`/vms/${engineId(vmId)}/diskattachments`));
    const disks: EngineDisk[] = [];
    for (const diskId of ids) disks.push(parseDisk(await this.get(`/disks/${engineId(diskId)}`)));
    return disks;
  }

  async snapshotDisks(vmId: string, snapshotId: string): Promise<EngineDisk[]> {
    return parseDisks(await this.get(`/vms/${engineId(vmId)}/snapshots/${engineId(snapshotId)}/disks`));
  }

  async snapshots(vmId: string): Promise<EngineSnapshot[]> {
    return parseSnapshots(await this.get(`/vms/${engineId(vmId)}/snapshots`));
  }

  /** Null once the engine no longer has it (removed, or its creation failed). */
  async snapshot(vmId: string, snapshotId: string): Promise<EngineSnapshot | null> {
    const body = await this.get(`/vms/${engineId(vmId)}/snapshots/${engineId(snapshotId)}`, true);
    return body === null ? null : parseSnapshot(body);
  }

  /** Not repeated on its own (a second POST makes a second snapshot): the caller looks for it by description first. */
  async createSnapshot(vmId: string, description: string): Promise<EngineSnapshot> {
    const answer = await this.api('POST', `/vms/${engineId(vmId)}/snapshots`, createSnapshotBody(description), false);
    if (answer.status !== 201 && answer.status !== 200 && answer.status !== 202)
      throw this.fault('creating a snapshot', answer);
    return parseSnapshot(parseJson(answer.body));
  }

  /** Starts the removal (a live merge when the VM runs); gone already is fine. */
  async deleteSnapshot(vmId: string, snapshotId: string): Promise<void> {
    const answer = await this.api(
      'DELETE',
      `/vms/${engineId(vmId)}/snapshots/${engineId(snapshotId)}`,
      undefined,
      true,
    );
    if (answer.status === 404) return;
    if (answer.status < 200 || answer.status > 299) throw this.fault('removing a snapshot', answer);
  }

  private async get(path: string, notFoundIsNull = false): Promise<unknown> {
    const answer = await this.api('GET', path, undefined, true);
    if (answer.status === 404 && notFoundIsNull) return null;
    if (answer.status !== 200) throw this.fault(`reading ${path.split('?')[0]}`, answer);
    return parseJson(answer.body);
  }

  /** An API call with the bearer token; one login again when the engine says the token is no longer valid. */
  private async api(method: string, path: string, body: string | undefined, repeatable: boolean): Promise<HttpAnswer> {
    if (!this.token) await this.login();
    const send = () =>
      this.call(method, `${ENGINE_API_PATH}${path}`, {
        body,
        contentType: body === undefined ? undefined : 'application/json',
        authorized: true,
        repeatable,
      });
    let answer = await send();
    if (answer.status === 401) {
      await this.login();
      answer = await send();
    }
    return answer;
  }

  private async call(
    method: string,
    path: string,
    o: { body?: string; contentType?: string; authorized: boolean; repeatable: boolean },
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = { Accept: 'application/json', Version: '4' };
    if (o.contentType) headers['Content-Type'] = o.contentType;
    if (o.authorized && this.token) headers.Authorization = `Bearer ${this.token}`;
    const tries = o.repeatable ? 1 + this.options.retries : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(this.conn.baseUrl, method, path, {
          headers,
          body: o.body,
          timeoutMs: this.options.timeoutMs,
          ca: this.conn.caPem,
        });
      } catch (e) {
        const retriable = e instanceof EngineError && (e.kind === 'timeout' || e.kind === 'unreachable');
        if (!retriable || attempt >= tries) throw e;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
  }

  private fault(doing: string, answer: HttpAnswer): EngineError {
    let detail: string;
    try {
      detail = faultText(JSON.parse(answer.body));
    } catch {
      detail = answer.body.slice(0, 200) || 'no detail';
    }
    return new EngineError('fault', `the engine failed ${doing} (HTTP ${answer.status}): ${detail}`, answer.status);
  }
}

function engineId(value: string): string {
  if (!isEngineId(value)) throw new EngineError('protocol', 'not an oVirt id');
  return value;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    throw new EngineError('protocol', 'the engine did not answer with JSON');
  }
}

/** One HTTPS exchange. `ca: null` reads without verifying the engine (only for fetching its CA). */
function request(
  baseUrl: string,
  method: string,
  path: string,
  o: { headers: Record<string, string>; body?: string; timeoutMs: number; ca: string | null },
): Promise<HttpAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise<HttpAnswer>((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        headers: { ...o.headers, ...(o.body !== undefined ? { 'Content-Length': Buffer.byteLength(o.body) } : {}) },
        ...(o.ca === null ? { rejectUnauthorized: false } : { ca: o.ca, checkServerIdentity: tls.checkServerIdentity }),
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY_BYTES) req.destroy(new EngineError('protocol', 'the engine answered more than 8 MiB'));
          else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (e) => reject(asEngineError(e, url)));
      },
    );
    req.setTimeout(o.timeoutMs, () =>
      req.destroy(new EngineError('timeout', `the engine at ${url.host} did not answer within ${o.timeoutMs} ms`)),
    );
    req.on('error', (e) => reject(asEngineError(e, url)));
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}

function asEngineError(e: Error, url: URL): EngineError {
  if (e instanceof EngineError) return e;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return new EngineError('protocol', `the engine at ${url.host} is not the one pinned (TLS: ${code})`);
  return new EngineError('unreachable', `the engine at ${url.host} cannot be reached: ${code || e.message}`);
}
