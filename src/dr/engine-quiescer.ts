import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/config';
import { resolveSecretKey } from '../config/data-files';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { GlusterArgumentError, parseOverlayRemoval, removeOverlayFilesCommand } from '../gluster';
import { ActionFailedError } from '../jobs/action-failure';
import { EngineClient, EngineError } from '../ovirt-engine/engine-client';
import {
  EngineDisk,
  EngineProtocolError,
  EngineSnapshot,
  EngineVm,
  overlayFiles,
  quiesceSnapshotDescription,
} from '../ovirt-engine/engine-model';
import { SessionGluster } from '../session-worker/session-gluster';
import { decryptSecret } from '../ssh/secret-box';
import type { DrQuiescer, DrRunHookSubject } from './dr-hooks';
import { DrRunQuiesce, DrRunQuiescedVm } from './dr-run.entity';
import { DrScheduleEntity } from './dr-schedule.entity';
import { DrRepository } from './dr.repository';
import { isCancel, runCancelled } from './run-cancel';

/** The secret-box name of a schedule's engine password (a sealed value does not open under another schedule). */
export function enginePasswordSecretName(scheduleId: string): string {
  return `dr_schedules/${scheduleId}/engine_password`;
}

const SNAPSHOT_POLL_MAX_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Anything the engine side threw, as the run's failure (the engine's own words, no secret in them). */
function asFailure(e: unknown, doing: string): ActionFailedError {
  if (e instanceof ActionFailedError) return e;
  if (e instanceof EngineError && e.kind === 'timeout') return ActionFailedError.timedOut(`${doing}: ${e.message}`);
  if (e instanceof EngineError && e.kind === 'unreachable')
    return ActionFailedError.unreachable(`${doing}: ${e.message}`);
  if (e instanceof EngineError || e instanceof EngineProtocolError || e instanceof GlusterArgumentError)
    return ActionFailedError.refused(`${doing}: ${e.message}`);
  throw e;
}

/**
 * Quiesces a storage domain's VMs through the oVirt engine around a DR run (oVirt's DR design): a
 * snapshot of every VM that is up with disks on the domain (the guest agent freezes the file systems),
 * so the checkpoint that follows holds each disk as it was at that instant; after the sync the overlay
 * volumes those snapshots put on top (the writes since) are removed from the slave volume, and the
 * snapshots are removed in the engine (a live merge). Everything made is recorded on the run row as
 * it is made, so a run that fails, is cancelled or resumes after a crash removes exactly that.
 */
@Injectable()
export class EngineQuiescer implements DrQuiescer {
  constructor(
    private readonly repo: DrRepository,
    private readonly events: EventsService,
    private readonly gluster: SessionGluster,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async quiesce(s: DrRunHookSubject): Promise<void> {
    const policy = s.schedule.quiescePolicy;
    await this.releaseEarlierRuns(s);
    if (policy === 'off') return;
    const engineId = s.schedule.engineStorageDomainId!;
    let engine: EngineClient;
    let vms: EngineVm[];
    try {
      engine = await s.step(`Logging in to the oVirt engine ${this.engineHost(s.schedule)}`, async () => {
        const client = this.client(s.schedule);
        await client.login();
        return client;
      });
      vms = await s.step('Listing the running VMs with disks on the storage domain', async () => {
        const domain = await engine.storageDomain(engineId);
        if (!domain) throw new EngineError('fault', `the engine has no storage domain ${engineId}`);
        return engine.vmsUpOnStorageDomain(domain.name);
      });
    } catch (e) {
      const failure = asFailure(e, 'the VMs could not be quiesced through the oVirt engine');
      if (policy === 'required') throw failure;
      await this.alert(
        s,
        EventCode.DrQuiesceUnavailable,
        `${failure.detail}; the run goes on without quiescing (policy best_effort).`,
      );
      return;
    }
    const state: DrRunQuiesce = { engine_storage_domain_id: engineId, vms: [], overlays_removed: false };
    await this.save(s, state);
    for (const [i, vm] of vms.entries()) {
      if (await this.repo.isCancelRequested(s.run.id)) throw runCancelled();
      const entry: DrRunQuiescedVm = {
        vm_id: vm.id,
        vm_name: vm.name,
        snapshot_id: null,
        state: 'snapshotting',
        overlays: [],
        error: null,
      };
      state.vms.push(entry);
      await this.save(s, state);
      try {
        await s.step(`Snapshotting VM ${vm.name} (${i + 1} of ${vms.length})`, () =>
          this.snapshotVm(s, engine, state, entry),
        );
      } catch (e) {
        if (isCancel(e)) throw e;
        const failure = asFailure(e, `VM ${vm.name} could not be snapshotted`);
        entry.state = 'failed';
        entry.error = failure.detail.slice(0, 500);
        await this.save(s, state);
        if (policy === 'required') throw failure;
        await this.alert(
          s,
          EventCode.DrQuiesceVmFailed,
          `${failure.detail}; its disks are copied crash-consistent (policy best_effort).`,
        );
      }
    }
  }

  async release(s: DrRunHookSubject): Promise<void> {
    const state = (await this.repo.findRunById(s.run.id))?.quiesce;
    if (!state || state.vms.every((v) => v.state === 'released')) return;
    try {
      const engine = this.client(s.schedule);
      await s.step('Reading the snapshots the quiesce made in the oVirt engine', () => this.settle(s, engine, state));
      await this.removeOverlays(s, state);
      await s.step('Removing the snapshots in the oVirt engine (live merge)', async (h) => {
        const open = state.vms.filter((v) => v.state !== 'released');
        for (const [i, vm] of open.entries()) {
          await engine.deleteSnapshot(vm.vm_id, vm.snapshot_id!);
          await this.waitFor(
            null,
            () => engine.snapshot(vm.vm_id, vm.snapshot_id!),
            (now) => now === null,
          );
          vm.state = 'released';
          await this.save(s, state);
          await h.progress(Math.round(((i + 1) * 100) / open.length));
        }
      });
    } catch (e) {
      const failure = asFailure(e, 'what the quiesce made could not all be removed');
      const left = state.vms.filter((v) => v.state !== 'released').map((v) => v.vm_name);
      await this.alert(
        s,
        EventCode.DrQuiesceLeftBehind,
        `${failure.detail}. Left: ${state.overlays_removed ? '' : 'overlay volumes on the slave volume, '}snapshots of ${left.join(', ') || 'no VM'} ("${quiesceSnapshotDescription(s.run.id)}").`,
      );
      throw failure;
    }
  }

  /**
   * What earlier runs of the schedule could not remove (the engine was away at their end): removed now,
   * before this run makes new snapshots. What still cannot be removed stays recorded on its run.
   */
  private async releaseEarlierRuns(s: DrRunHookSubject): Promise<void> {
    for (const earlier of await this.repo.runsWithQuiesceLeft(s.schedule.id, s.run.id)) {
      await this.release({ ...s, run: earlier }).catch(() => undefined);
    }
  }

  /**
   * Each VM's snapshot as the engine has it now: one still being created is waited for; one the engine
   * no longer has left nothing behind (released); one that is ok gets its overlays read when the run
   * did not record them (it stopped between the snapshot and that).
   */
  private async settle(s: DrRunHookSubject, engine: EngineClient, state: DrRunQuiesce): Promise<void> {
    for (const vm of state.vms.filter((v) => v.state !== 'released')) {
      let snapshot = vm.snapshot_id
        ? await engine.snapshot(vm.vm_id, vm.snapshot_id)
        : await this.findOurs(engine, vm.vm_id, quiesceSnapshotDescription(s.run.id));
      if (snapshot?.status === 'locked') {
        const id = snapshot.id;
        await this.waitFor(
          null,
          async () => (snapshot = await engine.snapshot(vm.vm_id, id)),
          (now) => now?.status !== 'locked',
        );
      }
      if (!snapshot) {
        vm.state = 'released';
      } else {
        vm.snapshot_id = snapshot.id;
        if (vm.overlays.length === 0)
          vm.overlays = await this.overlaysOf(engine, state.engine_storage_domain_id, vm.vm_id, snapshot.id);
      }
      await this.save(s, state);
    }
  }

  /** Snapshot, wait until the engine says ok, then learn which volumes it put on the domain's disks. */
  private async snapshotVm(s: DrRunHookSubject, engine: EngineClient, state: DrRunQuiesce, vm: DrRunQuiescedVm) {
    const description = quiesceSnapshotDescription(s.run.id);
    let snapshot = await this.findOurs(engine, vm.vm_id, description);
    if (!snapshot) {
      try {
        snapshot = await engine.createSnapshot(vm.vm_id, description);
      } catch (e) {
        // The engine may have taken it before the answer was lost: look before giving up.
        if (!(e instanceof EngineError && (e.kind === 'timeout' || e.kind === 'unreachable'))) throw e;
        snapshot = await this.findOurs(engine, vm.vm_id, description);
        if (!snapshot) throw e;
      }
    }
    vm.snapshot_id = snapshot.id;
    await this.save(s, state);
    await this.waitFor(
      s,
      () => engine.snapshot(vm.vm_id, snapshot.id),
      (now) => {
        if (now === null)
          throw new EngineError('fault', "the engine dropped the snapshot while creating it (see the engine's events)");
        return now.status === 'ok';
      },
    );
    vm.overlays = await this.overlaysOf(engine, state.engine_storage_domain_id, vm.vm_id, snapshot.id);
    vm.state = 'quiesced';
    await this.save(s, state);
  }

  /** The VM's current volume of each disk on the domain, where it differs from the snapshot's one. */
  private async overlaysOf(engine: EngineClient, domainId: string, vmId: string, snapshotId: string) {
    const snapshotVolumes = new Map((await engine.snapshotDisks(vmId, snapshotId)).map((d) => [d.id, d.imageId]));
    const onDomain = (d: EngineDisk) => d.storageDomainIds.includes(domainId);
    return (await engine.vmDisks(vmId))
      .filter((d) => onDomain(d) && snapshotVolumes.has(d.id) && snapshotVolumes.get(d.id) !== d.imageId)
      .map((d) => ({ disk_id: d.id, image_id: d.imageId }));
  }

  /** Exactly the overlays' files, on the slave volume through a slave host (the session is stopped or paused by now). */
  private async removeOverlays(s: DrRunHookSubject, state: DrRunQuiesce): Promise<void> {
    const files = state.vms
      .filter((v) => v.state !== 'released')
      .flatMap((v) =>
        v.overlays.flatMap((o) =>
          overlayFiles(state.engine_storage_domain_id, { diskId: o.disk_id, imageId: o.image_id }),
        ),
      );
    if (files.length === 0 || state.overlays_removed) return;
    const slaveClusterId = s.session.slaveClusterId;
    if (!slaveClusterId)
      throw ActionFailedError.refused(
        'the slave cluster is not registered, so its volume cannot be mounted to remove the overlays',
      );
    await s.step(
      `Removing ${files.length / 3} snapshot overlay volume(s) from the slave volume ${s.session.slaveVolumeName}`,
      async (h) => {
        const ran = await this.gluster.onCluster(
          slaveClusterId,
          removeOverlayFilesCommand(s.session.slaveVolumeName, files),
        );
        await h.ranOn(ran.host.id);
        if (ran.output.exitCode !== 0)
          throw ActionFailedError.refused(
            `the slave volume could not be mounted or changed (exit ${ran.output.exitCode}): ${ran.output.stderr.trim().slice(0, 300)}`,
          );
        state.overlay_files_removed = parseOverlayRemoval(ran.output.stdout, files).removed.length;
      },
    );
    state.overlays_removed = true;
    await this.save(s, state);
  }

  private async findOurs(engine: EngineClient, vmId: string, description: string): Promise<EngineSnapshot | null> {
    return (await engine.snapshots(vmId)).find((x) => x.description === description) ?? null;
  }

  /** Polls until `done`, within the snapshot time-out; a cancel stops a wait of the quiesce (not of the release). */
  private async waitFor<T>(s: DrRunHookSubject | null, read: () => Promise<T>, done: (now: T) => boolean) {
    const deadline = Date.now() + this.config.engineSnapshotTimeoutMs;
    const pause = Math.min(this.config.drPollIntervalMs, SNAPSHOT_POLL_MAX_MS);
    for (;;) {
      if (done(await read())) return;
      if (s && (await this.repo.isCancelRequested(s.run.id))) throw runCancelled();
      if (Date.now() >= deadline)
        throw new EngineError(
          'timeout',
          `the engine did not finish the snapshot within ${this.config.engineSnapshotTimeoutMs / 1000} s`,
        );
      await sleep(pause);
    }
  }

  private client(schedule: DrScheduleEntity): EngineClient {
    if (!schedule.engineUrl || !schedule.enginePasswordSealed || !schedule.engineCaPem || !schedule.engineUsername)
      throw ActionFailedError.refused('the DR schedule has no complete oVirt engine connection');
    return new EngineClient(
      {
        baseUrl: schedule.engineUrl,
        username: schedule.engineUsername,
        password: decryptSecret(
          schedule.enginePasswordSealed,
          resolveSecretKey(this.config),
          enginePasswordSecretName(schedule.id),
        ),
        caPem: schedule.engineCaPem,
      },
      { timeoutMs: this.config.engineTimeoutMs, retries: 2 },
    );
  }

  private engineHost(schedule: DrScheduleEntity): string {
    return schedule.engineUrl ? new URL(schedule.engineUrl).host : '(none)';
  }

  private save(s: DrRunHookSubject, state: DrRunQuiesce): Promise<void> {
    return this.repo.updateRun(s.run.id, { quiesce: state });
  }

  private async alert(s: DrRunHookSubject, code: EventCode, description: string): Promise<void> {
    await this.events.record({
      code,
      severity: 'alert',
      description: `Storage domain ${s.domain.name}: ${description}`,
      clusterId: s.session.clusterId,
      jobId: s.ctx.job.id,
      correlationId: s.ctx.job.correlationId,
      targetType: 'storage_domain',
      targetId: s.domain.id,
    });
  }
}
