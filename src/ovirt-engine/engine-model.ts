/**
 * oVirt engine REST v4 (JSON), the part a DR run's quiesce needs, as pure functions: what is sent and
 * how the answers read. The shapes follow oVirt's published model (ovirt-engine-api-model: `Vm`,
 * `Snapshot`, `Disk`, `DiskAttachment`, `StorageDomain`, and the SSO token endpoint). oVirt's JSON
 * writes most primitives as strings (`"persist_memorystate": "false"`), and a collection as an object
 * with one array named after the element (`{"vm": [...]}`, `{}` when empty): both are read here.
 */

export class EngineProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EngineProtocolError';
  }
}

/** oVirt's ids are UUIDs; anything else from an engine is refused before it reaches a path or a URL. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** oVirt's names of storage domains: letters, digits, `_`, `-` and `.`. */
const DOMAIN_NAME = /^[A-Za-z0-9_.-]{1,50}$/;

export const ENGINE_API_PATH = '/ovirt-engine/api';
export const ENGINE_SSO_TOKEN_PATH = '/ovirt-engine/sso/oauth/token';
export const ENGINE_CA_PATH = '/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA';

export function isEngineId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The engine's base (`https://host[:port]`), from what an admin wrote (`…/ovirt-engine/api` accepted). */
export function engineBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new EngineProtocolError('must be an absolute https URL, e.g. https://engine.example.com');
  }
  if (url.protocol !== 'https:') throw new EngineProtocolError('must be an https URL (the engine is reached over TLS)');
  if (url.username || url.password)
    throw new EngineProtocolError('must not hold credentials (give the user and password apart)');
  if (url.search || url.hash) throw new EngineProtocolError('must not have a query or a fragment');
  const path = url.pathname.replace(/\/+$/, '');
  if (!['', '/ovirt-engine', ENGINE_API_PATH].includes(path))
    throw new EngineProtocolError('must be the engine itself (https://host[:port][/ovirt-engine/api])');
  return `${url.protocol}//${url.host}`;
}

function record(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new EngineProtocolError(`the engine's ${what} is not a JSON object`);
  return body as Record<string, unknown>;
}

function text(o: Record<string, unknown>, field: string, what: string): string {
  const v = o[field];
  if (typeof v === 'string' && v.length > 0) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new EngineProtocolError(`the engine's ${what} has no ${field}`);
}

function id(o: Record<string, unknown>, what: string): string {
  const v = o.id;
  if (!isEngineId(v)) throw new EngineProtocolError(`the engine's ${what} has no valid id`);
  return v;
}

/** `{"vm": [...]}` (or `{}` for none). */
function collection(body: unknown, element: string): Record<string, unknown>[] {
  const o = record(body, `${element} list`);
  const items = o[element];
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw new EngineProtocolError(`the engine's ${element} list is not an array`);
  return items.map((i) => record(i, element));
}

// ---- SSO

export interface EngineToken {
  accessToken: string;
  /** When the engine says it expires (`exp`, ms since the epoch), if it does. */
  expiresAt: Date | null;
}

/** The form of `POST /ovirt-engine/sso/oauth/token` (grant type password, scope ovirt-app-api). */
export function ssoTokenRequestBody(username: string, password: string): string {
  return new URLSearchParams({ grant_type: 'password', scope: 'ovirt-app-api', username, password }).toString();
}

export function parseSsoToken(body: unknown): EngineToken {
  const o = record(body, 'SSO answer');
  if (typeof o.error === 'string' || typeof o.error_code === 'string')
    throw new EngineProtocolError(`the engine refused the login: ${ssoError(o)}`);
  const accessToken = text(o, 'access_token', 'SSO answer');
  const exp = Number(o.exp);
  return { accessToken, expiresAt: Number.isFinite(exp) && exp > 0 ? new Date(exp) : null };
}

/** The SSO endpoint's error (`{"error_code": "access_denied", "error": "Cannot authenticate user …"}`). */
export function ssoError(body: unknown): string {
  if (typeof body !== 'object' || body === null) return 'no reason given';
  const o = body as Record<string, unknown>;
  const parts = [o.error_code, o.error].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length ? parts.join(': ').slice(0, 500) : 'no reason given';
}

// ---- faults

/** An API fault (`{"reason": "Operation Failed", "detail": "[Cannot create Snapshot. …]"}`), as one line. */
export function faultText(body: unknown): string {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body.slice(0, 500) : 'no detail';
  const o = body as Record<string, unknown>;
  const parts = [o.reason, o.detail].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return parts.length ? parts.join(': ').slice(0, 500) : 'no detail';
}

// ---- storage domains and VMs

export interface EngineStorageDomain {
  id: string;
  name: string;
}

export function parseStorageDomain(body: unknown): EngineStorageDomain {
  const o = record(body, 'storage domain');
  const name = text(o, 'name', 'storage domain');
  if (!DOMAIN_NAME.test(name))
    throw new EngineProtocolError(
      `the engine's storage domain name ${JSON.stringify(name.slice(0, 60))} is not one oVirt allows`,
    );
  return { id: id(o, 'storage domain'), name };
}

export interface EngineVm {
  id: string;
  name: string;
  status: string;
}

export function parseVms(body: unknown): EngineVm[] {
  return collection(body, 'vm').map((o) => ({
    id: id(o, 'vm'),
    name: text(o, 'name', 'vm').slice(0, 255),
    status: text(o, 'status', 'vm'),
  }));
}

/** oVirt's search language: the VMs that are up with a disk on the storage domain of that name. */
export function vmsUpOnStorageDomainSearch(domainName: string): string {
  if (!DOMAIN_NAME.test(domainName)) throw new EngineProtocolError('not a storage domain name oVirt allows');
  return `status=up and storage.name=${domainName}`;
}

// ---- disks

export interface EngineDisk {
  /** The disk (oVirt's image group: `images/<disk id>/` on a file domain). */
  id: string;
  /** The disk's volume: the active one for a VM's disk, the snapshot's one for a snapshot's disk. */
  imageId: string;
  storageDomainIds: string[];
}

function disk(o: Record<string, unknown>): EngineDisk {
  const imageId = o.image_id;
  if (!isEngineId(imageId)) throw new EngineProtocolError("the engine's disk has no valid image_id");
  const domains = o.storage_domains === undefined ? [] : collection(o.storage_domains, 'storage_domain');
  return { id: id(o, 'disk'), imageId, storageDomainIds: domains.map((d) => id(d, 'storage domain')) };
}

export function parseDisk(body: unknown): EngineDisk {
  return disk(record(body, 'disk'));
}

/** A snapshot's disks (`GET …/snapshots/{id}/disks`). */
export function parseDisks(body: unknown): EngineDisk[] {
  return collection(body, 'disk').map(disk);
}

/** A VM's disk attachments: the ids of its disks (`disk_attachment[].disk.id`). */
export function parseDiskAttachmentDiskIds(body: unknown): string[] {
  return collection(body, 'disk_attachment').map((a) => id(record(a.disk, 'disk attachment'), 'disk attachment disk'));
}

// ---- snapshots

export interface EngineSnapshot {
  id: string;
  description: string;
  /** `ok`, `locked` (being created or removed) or `in_preview`. */
  status: string;
}

export function parseSnapshot(body: unknown): EngineSnapshot {
  const o = record(body, 'snapshot');
  return {
    id: id(o, 'snapshot'),
    description: typeof o.description === 'string' ? o.description : '',
    status: text(o, 'snapshot_status', 'snapshot'),
  };
}

export function parseSnapshots(body: unknown): EngineSnapshot[] {
  return collection(body, 'snapshot').map((o) => parseSnapshot(o));
}

/** The description that names the run, so a run that resumes finds what it created. */
export function quiesceSnapshotDescription(runId: string): string {
  return `georep-api DR run ${runId}: quiesce before the geo-replication checkpoint`;
}

/** `POST /vms/{id}/snapshots`: all the VM's disks, no memory (the guest agent freezes the file systems). */
export function createSnapshotBody(description: string): string {
  return JSON.stringify({ description, persist_memorystate: false });
}

// ---- the volume's layout

/** A volume a snapshot put on top of a disk: the file the VM writes to after the snapshot. */
export interface OverlayVolume {
  diskId: string;
  imageId: string;
}

/** The files of a volume on a file storage domain, relative to the volume's root: the image, its `.meta` and `.lease`. */
export function overlayFiles(storageDomainId: string, overlay: OverlayVolume): string[] {
  for (const v of [storageDomainId, overlay.diskId, overlay.imageId])
    if (!isEngineId(v)) throw new EngineProtocolError('an overlay path needs oVirt ids');
  const base = `${storageDomainId}/images/${overlay.diskId}/${overlay.imageId}`;
  return [base, `${base}.meta`, `${base}.lease`];
}
