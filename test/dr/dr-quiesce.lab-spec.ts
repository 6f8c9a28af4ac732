import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  describeLab,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
} from '../support/gluster-lab';
import { LabApp, startLabApp, startLabDrSchedule } from '../support/lab-app';
import { startTestEngine, TestEngine } from '../support/ovirt-engine-server';

interface Ref {
  id: string;
}
interface RunJson {
  status: string;
  error?: string;
  steps?: { step: { description: string; status: string }[] };
  quiesced_vms?: { vm: { vm_name: string; state: string; snapshot_id?: string; error?: string }[] };
}
interface QuiesceRow {
  quiesce: {
    vms: { vm_name: string; overlays: { disk_id: string; image_id: string }[] }[];
    overlays_removed: boolean;
    overlay_files_removed?: number;
  } | null;
}

const CHECKPOINT_STEP = 'Setting a geo-replication checkpoint';
const sha256 = (p: string) => crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');

/**
 * Quiesce through an oVirt engine on the real lab: the test engine keeps its VMs' disks as real VDSM
 * files in site 1's master volume, so geo-replication really copies the snapshots' overlays to site 2
 * and the DR run really removes them there. Done when a `required` run leaves on the slave the base
 * volumes as they were at the snapshot and none of its overlays, the engine holds no snapshot of the
 * run, and the steps and events say so; the faults (a VM whose snapshot fails, an engine that does
 * not answer, a cancel between the snapshot and the merge) end as the policy says, nothing left behind.
 */
describeLab('DR quiesce through an oVirt engine on the real lab', () => {
  let lab: LabApp;
  let engine: TestEngine;
  let schedulePath: string;
  let slaveBrick: string;
  const domainId = crypto.randomUUID();

  const until = async <T>(what: string, read: () => Promise<T>, done: (v: T) => boolean, ms = 5 * 60_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(value)}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  async function syncNow(): Promise<string> {
    const reply = await lab.api.post(`${schedulePath}/syncnow`, {});
    if (reply.status !== 202 && reply.status !== 200) throw new Error(`syncnow: ${reply.status} ${reply.text}`);
    return `${schedulePath}/runs/${(reply.body as { dr_run: Ref }).dr_run.id}`;
  }

  const ended = (runPath: string) =>
    until(
      'the run did not end',
      () => lab.api.get<RunJson>(runPath),
      (r) => r.status !== 'started',
    );

  const steps = (run: RunJson) => (run.steps?.step ?? []).map((s) => s.description);
  const quiesceRow = async (runPath: string) =>
    (await lab.t.sql<QuiesceRow>('SELECT quiesce FROM dr_runs WHERE id = $1', [runPath.split('/').pop()]))[0].quiesce;
  const overlayPaths = (row: QuiesceRow['quiesce']) =>
    (row?.vms ?? []).flatMap((v) =>
      v.overlays.flatMap((o) =>
        ['', '.meta', '.lease'].map((x) => `${domainId}/images/${o.disk_id}/${o.image_id}${x}`),
      ),
    );
  const onSlave = (rel: string) => fs.existsSync(path.join(slaveBrick, rel));
  const events = (code: number) =>
    lab.t.sql<{ severity: string; description: string }>(
      'SELECT severity, description FROM events WHERE code = $1 ORDER BY id',
      [code],
    );

  beforeAll(async () => {
    lab = await startLabApp('quiesce', { GEOREP_DR_POLL_INTERVAL_MS: '500', GEOREP_ENGINE_TIMEOUT_MS: '1500' });
    slaveBrick = lab.env.site2VolBrick.replace(/^[^:]+:/, '');
    engine = await startTestEngine({
      root: lab.env.masterMnt,
      storageDomain: { id: domainId, name: 'quiesce-data' },
      vms: [{ name: 'web01' }, { name: 'db01', disks: 2 }, { name: 'off01', status: 'down' }],
      asyncDelayMs: 700,
    });
    ({ schedulePath } = await startLabDrSchedule(lab, 'quiesce-data'));
    const res = await lab.api.put(schedulePath, {
      quiesce: 'required',
      engine_url: `${engine.url}/ovirt-engine/api`,
      engine_password: engine.password,
      engine_storage_domain_id: domainId,
    });
    if (res.status !== 200) throw new Error(`schedule: ${res.status} ${res.text}`);
  }, LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS);

  afterAll(async () => {
    await engine?.close();
    if (lab) fs.rmSync(path.join(lab.env.masterMnt, domainId), { recursive: true, force: true });
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it('pins the CA fetched from the engine and keeps the password sealed', async () => {
    const view = await lab.api.get<Record<string, unknown>>(schedulePath);
    expect(view).toMatchObject({
      quiesce: 'required',
      engine_url: engine.url,
      engine_username: 'admin@internal',
      engine_ca_certificate: engine.caPem.trim() + '\n',
      engine_storage_domain_id: domainId,
    });
    expect(JSON.stringify(view)).not.toContain(engine.password);
    const [row] = await lab.t.sql<{ sealed: string }>('SELECT engine_password_sealed AS sealed FROM dr_schedules');
    expect(row.sealed).toMatch(/^v1:/);
    expect(row.sealed).not.toContain(engine.password);
  }, 60_000);

  it(
    "a required run snapshots the up VMs, syncs, removes the run's overlays from the slave and the snapshots in the engine",
    async () => {
      const bases = [...engine.chains()].map(([, chain]) => chain[0]);
      const baseSums = new Map(bases.map((b) => [b, sha256(path.join(lab.env.masterMnt, b))]));
      const runPath = await syncNow();
      const run = await ended(runPath);
      if (run.status !== 'finished') throw new Error(`run ${run.status}: ${run.error}\n${await labStatus()}`);

      const order = steps(run);
      expect(order.slice(0, 5)).toEqual([
        'Reading the status of the geo-replication session',
        `Logging in to the oVirt engine ${new URL(engine.url).host}`,
        'Listing the running VMs with disks on the storage domain',
        'Snapshotting VM web01 (1 of 2)',
        'Snapshotting VM db01 (2 of 2)',
      ]);
      expect(order.indexOf(CHECKPOINT_STEP)).toBeGreaterThan(order.indexOf('Snapshotting VM db01 (2 of 2)'));
      const tail = order.slice(order.indexOf('Stopping the geo-replication session'));
      expect(tail).toEqual([
        'Stopping the geo-replication session',
        'Reading the snapshots the quiesce made in the oVirt engine',
        'Removing 3 snapshot overlay volume(s) from the slave volume ' + lab.env.site2Vol,
        'Removing the snapshots in the oVirt engine (live merge)',
      ]);
      expect(run.steps?.step.every((s) => s.status === 'finished')).toBe(true);
      expect(run.quiesced_vms?.vm.map((v) => [v.vm_name, v.state])).toEqual([
        ['web01', 'released'],
        ['db01', 'released'],
      ]);

      // The overlays were copied (the checkpoint came after them) and the run removed every file of them.
      const row = await quiesceRow(runPath);
      const overlays = overlayPaths(row);
      expect(overlays).toHaveLength(9);
      expect(row?.overlay_files_removed).toBe(9);
      expect(overlays.filter(onSlave)).toEqual([]);
      // The slave keeps the base volumes as they were when the guests were frozen, with their metadata.
      for (const [base, sum] of baseSums) {
        expect(sha256(path.join(slaveBrick, base))).toBe(sum);
        expect(onSlave(`${base}.meta`) && onSlave(`${base}.lease`)).toBe(true);
      }
      expect(onSlave(`${domainId}/dom_md/metadata`)).toBe(true);
      expect(engine.snapshots()).toEqual([]);
      expect(engine.calls.filter((c) => c.startsWith('POST ') && c.endsWith('/snapshots'))).toHaveLength(2);
      expect((await events(4165)).at(-1)?.severity).toBe('normal');
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'a VM whose snapshot fails: required fails before the checkpoint and removes the others; best_effort alerts and goes on',
    async () => {
      engine.faults.dropSnapshotOf.add('db01');
      try {
        const failedPath = await syncNow();
        const failed = await ended(failedPath);
        expect(failed.status).toBe('failed');
        expect(failed.error).toMatch(/VM db01 could not be snapshotted: .*dropped the snapshot/);
        expect(steps(failed)).not.toContain(CHECKPOINT_STEP);
        expect(failed.quiesced_vms?.vm.map((v) => [v.vm_name, v.state])).toEqual([
          ['web01', 'released'],
          ['db01', 'released'],
        ]);
        expect(engine.snapshots()).toEqual([]);
        expect(overlayPaths(await quiesceRow(failedPath)).filter(onSlave)).toEqual([]);
        expect((await events(4164)).at(-1)).toMatchObject({
          severity: 'alert',
          description: expect.stringContaining('db01'),
        });

        expect((await lab.api.put(schedulePath, { quiesce: 'best_effort' })).status).toBe(200);
        const goesOnPath = await syncNow();
        const goesOn = await ended(goesOnPath);
        if (goesOn.status !== 'finished')
          throw new Error(`run ${goesOn.status}: ${goesOn.error}\n${await labStatus()}`);
        expect(goesOn.quiesced_vms?.vm.map((v) => [v.vm_name, v.state])).toEqual([
          ['web01', 'released'],
          ['db01', 'released'],
        ]);
        expect(goesOn.quiesced_vms?.vm[1].error).toMatch(/dropped the snapshot/);
        expect((await events(11222)).at(-1)).toMatchObject({
          severity: 'alert',
          description: expect.stringContaining('db01'),
        });
        expect(engine.snapshots()).toEqual([]);
        expect(overlayPaths(await quiesceRow(goesOnPath)).filter(onSlave)).toEqual([]);
      } finally {
        engine.faults.dropSnapshotOf.clear();
        await lab.api.put(schedulePath, { quiesce: 'required' });
      }
    },
    2 * LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'an engine that does not answer: required fails the run clearly, best_effort alerts and syncs unquiesced',
    async () => {
      engine.faults.hang = true;
      try {
        const failed = await ended(await syncNow());
        expect(failed.status).toBe('failed');
        expect(failed.error).toMatch(
          /could not be quiesced through the oVirt engine: the engine at 127\.0\.0\.1:\d+ did not answer within 1500 ms/,
        );
        expect(steps(failed)).not.toContain(CHECKPOINT_STEP);
        expect(engine.snapshots()).toEqual([]);

        expect((await lab.api.put(schedulePath, { quiesce: 'best_effort' })).status).toBe(200);
        const goesOn = await ended(await syncNow());
        if (goesOn.status !== 'finished')
          throw new Error(`run ${goesOn.status}: ${goesOn.error}\n${await labStatus()}`);
        expect(goesOn.quiesced_vms).toBeUndefined();
        expect((await events(11223)).at(-1)).toMatchObject({
          severity: 'alert',
          description: expect.stringContaining('the run goes on without quiescing'),
        });
      } finally {
        engine.faults.hang = false;
        await lab.api.put(schedulePath, { quiesce: 'required' });
      }
    },
    2 * LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'a cancel between the snapshot and the merge still removes the snapshots and their overlays',
    async () => {
      engine.faults.holdSnapshotOf.add('db01');
      const runPath = await syncNow();
      try {
        await until(
          'db01 was not being snapshotted',
          () => lab.api.get<RunJson>(runPath),
          (r) =>
            r.status !== 'started' ||
            (r.quiesced_vms?.vm ?? []).some((v) => v.vm_name === 'db01' && v.snapshot_id !== undefined),
        );
        expect((await lab.api.post(`${runPath}/cancel`, {})).status).toBe(200);
      } finally {
        engine.faults.holdSnapshotOf.clear();
      }
      const run = await ended(runPath);
      expect(run.status).toBe('aborted');
      expect(run.quiesced_vms?.vm.map((v) => [v.vm_name, v.state])).toEqual([
        ['web01', 'released'],
        ['db01', 'released'],
      ]);
      expect(steps(run)).toContain('Removing the snapshots in the oVirt engine (live merge)');
      expect(engine.snapshots()).toEqual([]);
      expect(overlayPaths(await quiesceRow(runPath)).filter(onSlave)).toEqual([]);
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
