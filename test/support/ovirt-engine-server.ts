import * as crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * An oVirt engine for tests (none can run here): the part of REST v4 (JSON) a DR quiesce uses, as
 * oVirt's published model defines it (ovirt-engine-api-model: Vm, Snapshot, Disk, DiskAttachment,
 * StorageDomain, SnapshotsService, VmsService), over TLS with its own CA, the SSO token endpoint and
 * pki-resource. Snapshots are asynchronous as in oVirt: `locked` first, `ok` once done; a removal is a
 * live merge that leaves the snapshot `locked` until it is gone.
 *
 * The disks are real files in a real directory (the lab's master volume mount), laid out as VDSM does
 * on a file storage domain: `<domain id>/images/<disk id>/<volume id>` with `.meta` and `.lease`. A
 * snapshot puts a new overlay volume on top of each disk and the guest "writes" into it; the merge
 * folds the overlay back into the volume below and removes its files.
 */
export interface TestEngineVmSpec {
  name: string;
  status?: 'up' | 'down';
  disks?: number;
}

export interface TestEngineOptions {
  root: string;
  storageDomain: { id: string; name: string };
  vms: TestEngineVmSpec[];
  username?: string;
  password?: string;
  /** How long a snapshot stays `locked` after it is asked for (and a removal, before it is gone). */
  asyncDelayMs?: number;
}

interface Volume {
  id: string;
  parent: string | null;
}

interface TestDisk {
  id: string;
  name: string;
  /** Base first, the active volume last. */
  chain: Volume[];
}

interface TestVm {
  id: string;
  name: string;
  status: 'up' | 'down';
  disks: TestDisk[];
}

interface TestSnapshot {
  id: string;
  vmId: string;
  description: string;
  status: 'locked' | 'ok';
  /** Per disk, the volume the snapshot keeps (the one below its overlay). */
  volumes: Map<string, string>;
}

/** What a test makes the engine do wrong. */
export interface TestEngineFaults {
  /** VMs (by name) whose snapshot the engine accepts, then drops (a failed creation in oVirt). */
  dropSnapshotOf: Set<string>;
  /** VMs (by name) whose snapshot request the engine refuses with a fault (409). */
  refuseSnapshotOf: Set<string>;
  /** VMs (by name) whose snapshot stays `locked` (being created) while they are in the set. */
  holdSnapshotOf: Set<string>;
  /** API calls get no answer at all (an engine that hangs). */
  hang: boolean;
}

export interface TestEngine {
  url: string;
  caPem: string;
  username: string;
  password: string;
  storageDomainId: string;
  faults: TestEngineFaults;
  vmId(name: string): string;
  /** Every snapshot the engine holds now, but the VMs' `Active VM` ones. */
  snapshots(): { vm: string; id: string; description: string; status: string }[];
  /** The files of the storage domain, relative to the root. */
  files(): string[];
  /** Each disk's volumes, base first, as paths relative to the root. */
  chains(): Map<string, string[]>;
  /** Method and path of every API call received, in order. */
  calls: string[];
  close(): Promise<void>;
}

const META = (vol: Volume, disk: TestDisk, domainId: string) =>
  [
    `DOMAIN=${domainId}`,
    `IMAGE=${disk.id}`,
    `PUUID=${vol.parent ?? '00000000-0000-0000-0000-000000000000'}`,
    `VOLTYPE=${vol.parent ? 'LEAF' : 'INTERNAL'}`,
    `FORMAT=${vol.parent ? 'COW' : 'RAW'}`,
    'EOF',
    '',
  ].join('\n');

function selfSignedCa(dir: string): { key: string; cert: string } {
  const key = path.join(dir, 'engine.key');
  const cert = path.join(dir, 'engine.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1 test oVirt engine',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ],
    { stdio: 'pipe' },
  );
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

export async function startTestEngine(o: TestEngineOptions): Promise<TestEngine> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ovirt-engine-'));
  const tls = selfSignedCa(tmp);
  fs.rmSync(tmp, { recursive: true, force: true });
  const username = o.username ?? 'admin@internal';
  const password = o.password ?? crypto.randomBytes(12).toString('hex');
  const delay = o.asyncDelayMs ?? 1500;
  const sd = o.storageDomain;
  const faults: TestEngineFaults = {
    dropSnapshotOf: new Set(),
    refuseSnapshotOf: new Set(),
    holdSnapshotOf: new Set(),
    hang: false,
  };
  const tokens = new Set<string>();
  const calls: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, delay);
    timers.add(t);
  };

  const volumePath = (disk: TestDisk, vol: string) => path.join(o.root, sd.id, 'images', disk.id, vol);
  const writeVolume = (disk: TestDisk, vol: Volume, bytes: number) => {
    const p = volumePath(disk, vol.id);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, crypto.randomBytes(bytes));
    fs.writeFileSync(`${p}.meta`, META(vol, disk, sd.id));
    fs.writeFileSync(`${p}.lease`, Buffer.alloc(4096));
  };

  const vms: TestVm[] = o.vms.map((spec) => ({
    id: crypto.randomUUID(),
    name: spec.name,
    status: spec.status ?? 'up',
    disks: Array.from({ length: spec.disks ?? 1 }, (_, i) => ({
      id: crypto.randomUUID(),
      name: `${spec.name}_Disk${i + 1}`,
      chain: [{ id: crypto.randomUUID(), parent: null }],
    })),
  }));
  fs.mkdirSync(path.join(o.root, sd.id, 'dom_md'), { recursive: true });
  fs.writeFileSync(path.join(o.root, sd.id, 'dom_md', 'metadata'), `SDUUID=${sd.id}\nCLASS=Data\nEOF\n`);
  for (const vm of vms) for (const disk of vm.disks) writeVolume(disk, disk.chain[0], 64 * 1024);
  const snapshots: TestSnapshot[] = [];

  const api = '/ovirt-engine/api';
  const href = (p: string) => `${api}${p}`;
  const diskJson = (disk: TestDisk, imageId: string) => ({
    alias: disk.name,
    name: disk.name,
    format: 'cow',
    status: 'ok',
    image_id: imageId,
    storage_domains: { storage_domain: [{ href: href(`/storagedomains/${sd.id}`), id: sd.id }] },
    href: href(`/disks/${disk.id}`),
    id: disk.id,
  });
  const snapshotJson = (s: TestSnapshot) => ({
    date: Date.now(),
    persist_memorystate: 'false',
    snapshot_status: s.status,
    snapshot_type: 'regular',
    description: s.description,
    vm: { href: href(`/vms/${s.vmId}`), id: s.vmId },
    href: href(`/vms/${s.vmId}/snapshots/${s.id}`),
    id: s.id,
  });
  const vmJson = (vm: TestVm) => ({
    name: vm.name,
    status: vm.status,
    type: 'server',
    href: href(`/vms/${vm.id}`),
    id: vm.id,
  });

  const takeSnapshot = (vm: TestVm, s: TestSnapshot): void => {
    if (faults.holdSnapshotOf.has(vm.name)) return later(() => takeSnapshot(vm, s));
    if (faults.dropSnapshotOf.has(vm.name)) {
      snapshots.splice(snapshots.indexOf(s), 1);
      return;
    }
    for (const disk of vm.disks) {
      const below = disk.chain[disk.chain.length - 1];
      const overlay = { id: crypto.randomUUID(), parent: below.id };
      s.volumes.set(disk.id, below.id);
      disk.chain.push(overlay);
      // The guest goes on writing, into the overlay now.
      writeVolume(disk, overlay, 16 * 1024);
    }
    s.status = 'ok';
  };

  const mergeSnapshot = (vm: TestVm, s: TestSnapshot) => {
    for (const disk of vm.disks) {
      const kept = s.volumes.get(disk.id);
      const at = disk.chain.findIndex((v) => v.id === kept);
      const above = disk.chain[at + 1];
      if (at < 0 || !above) continue;
      // Live merge: the overlay's data goes into the volume below, then the overlay is removed.
      const p = volumePath(disk, above.id);
      fs.appendFileSync(volumePath(disk, kept!), fs.readFileSync(p));
      for (const f of [p, `${p}.meta`, `${p}.lease`]) fs.rmSync(f, { force: true });
      disk.chain.splice(at + 1, 1);
      if (disk.chain[at + 1]) disk.chain[at + 1].parent = kept!;
    }
    snapshots.splice(snapshots.indexOf(s), 1);
  };

  type Answer = { status: number; body?: unknown; text?: string };
  const notFound: Answer = { status: 404, body: { detail: 'Entity not found', reason: 'Operation Failed' } };

  const route = (method: string, url: URL, body: string): Answer | null => {
    const p = url.pathname;
    if (method === 'GET' && p === '/ovirt-engine/services/pki-resource') {
      if (url.searchParams.get('resource') !== 'ca-certificate' || url.searchParams.get('format') !== 'X509-PEM-CA')
        return { status: 400, text: 'unsupported resource' };
      return { status: 200, text: tls.cert };
    }
    if (method === 'POST' && p === '/ovirt-engine/sso/oauth/token') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'password' || form.get('scope') !== 'ovirt-app-api')
        return { status: 400, body: { error_code: 'invalid_grant', error: 'unsupported grant or scope' } };
      if (form.get('username') !== username || form.get('password') !== password)
        return {
          status: 400,
          body: {
            error_code: 'access_denied',
            error: `Cannot authenticate user '${form.get('username')}': The username or password is incorrect..`,
          },
        };
      const token = crypto.randomBytes(32).toString('base64url');
      tokens.add(token);
      return {
        status: 200,
        body: { access_token: token, scope: 'ovirt-app-api', exp: String(Date.now() + 3600_000), token_type: 'bearer' },
      };
    }
    if (!p.startsWith(`${api}/`)) return notFound;
    calls.push(`${method} ${p}${url.search}`);
    if (faults.hang) return null;
    const parts = p.slice(api.length + 1).split('/');
    const vm = parts[0] === 'vms' && parts[1] ? vms.find((v) => v.id === parts[1]) : undefined;
    if (parts[0] === 'vms' && parts[1] && !vm) return notFound;
    // GET /storagedomains/{id}
    if (method === 'GET' && parts[0] === 'storagedomains' && parts.length === 2)
      return parts[1] === sd.id
        ? {
            status: 200,
            body: {
              name: sd.name,
              type: 'data',
              status: 'active',
              storage: { type: 'glusterfs' },
              href: href(`/storagedomains/${sd.id}`),
              id: sd.id,
            },
          }
        : notFound;
    // GET /vms?search=status=up and storage.name=<name>
    if (method === 'GET' && p === `${api}/vms`) {
      const m = /^status=up and storage\.name=([A-Za-z0-9_.-]+)$/.exec(url.searchParams.get('search') ?? '');
      if (!m)
        return {
          status: 400,
          body: {
            reason: 'Operation Failed',
            detail: 'the test engine understands only status=up and storage.name=<name>',
          },
        };
      const found = m[1] === sd.name ? vms.filter((v) => v.status === 'up' && v.disks.length > 0) : [];
      return { status: 200, body: found.length ? { vm: found.map(vmJson) } : {} };
    }
    // GET /disks/{id}
    if (method === 'GET' && parts[0] === 'disks' && parts.length === 2) {
      const disk = vms.flatMap((v) => v.disks).find((d) => d.id === parts[1]);
      return disk ? { status: 200, body: diskJson(disk, disk.chain[disk.chain.length - 1].id) } : notFound;
    }
    if (!vm) return notFound;
    // GET /vms/{id}/diskattachments
    if (method === 'GET' && parts[2] === 'diskattachments' && parts.length === 3)
      return {
        status: 200,
        body: {
          disk_attachment: vm.disks.map((d) => ({
            active: 'true',
            bootable: 'true',
            interface: 'virtio_scsi',
            disk: { href: href(`/disks/${d.id}`), id: d.id },
            vm: { href: href(`/vms/${vm.id}`), id: vm.id },
            href: href(`/vms/${vm.id}/diskattachments/${d.id}`),
            id: d.id,
          })),
        },
      };
    if (parts[2] !== 'snapshots') return notFound;
    const mine = snapshots.filter((s) => s.vmId === vm.id);
    // POST /vms/{id}/snapshots
    if (method === 'POST' && parts.length === 3) {
      let asked: { description?: unknown; persist_memorystate?: unknown };
      try {
        asked = JSON.parse(body) as typeof asked;
      } catch {
        return { status: 400, body: { reason: 'Operation Failed', detail: 'malformed JSON' } };
      }
      if (typeof asked.description !== 'string' || String(asked.persist_memorystate) !== 'false')
        return {
          status: 400,
          body: {
            reason: 'Operation Failed',
            detail: 'the test engine takes a description and persist_memorystate false',
          },
        };
      if (faults.refuseSnapshotOf.has(vm.name))
        return {
          status: 409,
          body: { reason: 'Operation Failed', detail: `[Cannot create Snapshot. VM ${vm.name} is being migrated.]` },
        };
      if (mine.some((s) => s.status === 'locked'))
        return {
          status: 409,
          body: {
            reason: 'Operation Failed',
            detail: '[Cannot create Snapshot. Snapshot is currently being created for VM.]',
          },
        };
      const s: TestSnapshot = {
        id: crypto.randomUUID(),
        vmId: vm.id,
        description: asked.description,
        status: 'locked',
        volumes: new Map(),
      };
      snapshots.push(s);
      later(() => takeSnapshot(vm, s));
      return { status: 201, body: snapshotJson(s) };
    }
    // GET /vms/{id}/snapshots
    if (method === 'GET' && parts.length === 3)
      return {
        status: 200,
        body: {
          snapshot: [
            {
              snapshot_status: 'ok',
              snapshot_type: 'active',
              description: 'Active VM',
              id: uuidFor(vm.id),
              href: href(`/vms/${vm.id}/snapshots/${uuidFor(vm.id)}`),
            },
            ...mine.map(snapshotJson),
          ],
        },
      };
    const s = mine.find((x) => x.id === parts[3]);
    if (!s) return notFound;
    if (method === 'GET' && parts.length === 4) return { status: 200, body: snapshotJson(s) };
    // GET /vms/{id}/snapshots/{sid}/disks
    if (method === 'GET' && parts[4] === 'disks' && parts.length === 5)
      return {
        status: 200,
        body:
          s.status === 'ok'
            ? { disk: vm.disks.filter((d) => s.volumes.has(d.id)).map((d) => diskJson(d, s.volumes.get(d.id)!)) }
            : {},
      };
    // DELETE /vms/{id}/snapshots/{sid}: a live merge
    if (method === 'DELETE' && parts.length === 4) {
      if (s.status === 'locked')
        return {
          status: 409,
          body: {
            reason: 'Operation Failed',
            detail: '[Cannot remove Snapshot. Snapshot is currently being created or removed.]',
          },
        };
      s.status = 'locked';
      later(() => mergeSnapshot(vm, s));
      return { status: 200, body: {} };
    }
    return { status: 405, body: { reason: 'Method Not Allowed', detail: `${method} ${p}` } };
  };

  const server = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const isApi = url.pathname.startsWith(`${api}/`);
      if (isApi) {
        const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
        if (!auth || !tokens.has(auth[1])) {
          res
            .writeHead(401, { 'Content-Type': 'application/json' })
            .end(JSON.stringify({ reason: 'Unauthorized', detail: 'no valid token' }));
          return;
        }
        if (req.headers.accept !== 'application/json' || req.headers.version !== '4') {
          res.writeHead(406).end();
          return;
        }
      }
      const answer = route(req.method ?? 'GET', url, Buffer.concat(chunks).toString('utf8'));
      if (answer === null) return; // hang: no answer, ever (the client's time-out must end it)
      if (answer.text !== undefined) res.writeHead(answer.status, { 'Content-Type': 'text/plain' }).end(answer.text);
      else res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const walk = (dir: string): string[] =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
      : [];

  return {
    url: `https://127.0.0.1:${port}`,
    caPem: tls.cert,
    username,
    password,
    storageDomainId: sd.id,
    faults,
    calls,
    vmId: (name) => vms.find((v) => v.name === name)!.id,
    snapshots: () =>
      snapshots.map((s) => ({
        vm: vms.find((v) => v.id === s.vmId)!.name,
        id: s.id,
        description: s.description,
        status: s.status,
      })),
    files: () =>
      walk(path.join(o.root, sd.id))
        .map((f) => path.relative(o.root, f))
        .sort(),
    chains: () =>
      new Map(
        vms.flatMap((vm) =>
          vm.disks.map((d) => [d.name, d.chain.map((v) => path.relative(o.root, volumePath(d, v.id)))]),
        ),
      ),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A stable id for a VM's `Active VM` snapshot. */
function uuidFor(seed: string): string {
  const h = crypto.createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
