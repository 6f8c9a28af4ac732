import { Injectable } from '@nestjs/common';
import * as crypto from 'node:crypto';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import { canaryCheckCommand, canaryRemoveCommand, canaryWriteCommand, CanaryCheck, parseCanaryCheck } from '../gluster';
import type { HostEntity } from '../hosts/host.entity';
import { HostShell } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { ActionContext, ActionOutcome, StepHandle } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { OnJob } from '../queue/on-job.decorator';
import { SessionVerify as SessionVerifyAction, SessionVerifyParams } from '../sessions/session-jobs';
import { asActionFailure } from '../hosts/host-failures';
import { SessionGluster } from './session-gluster';

export const DEFAULT_VERIFY_TIMEOUT_SECONDS = 120;

/** What the canary saw, in the words of the session's last_verify_result and the failure event. */
function describeCheck(check: CanaryCheck, expectedBytes: number, timeout: number): string {
  switch (check.outcome) {
    case 'match':
      return 'passed';
    case 'missing':
      return `failed: the probe did not arrive on the slave volume within ${timeout} s`;
    case 'present':
      return check.size === expectedBytes
        ? `failed: the probe arrived on the slave volume with the right size (${check.size} bytes) but the wrong content`
        : `failed: the probe arrived on the slave volume with the wrong size (${check.size} bytes, expected ${expectedBytes})`;
  }
}

/**
 * The replication canary (`POST …/verify`): writes a probe with unique content into the master
 * volume (a private mount on a master host), waits for the same bytes on the slave volume (a private
 * mount on the registered slave host), records the result and the delay on the session, then removes
 * the probe (geo-replication removes its copy). Gluster's status can say Active while nothing is
 * copied (LAB.md pitfall 1); this checks the data itself.
 */
@Injectable()
export class SessionVerify {
  constructor(
    private readonly gluster: SessionGluster,
    private readonly sessions: SessionsRepository,
    private readonly hosts: HostsRepository,
    private readonly shell: HostShell,
    private readonly events: EventsService,
  ) {}

  @OnJob(SessionVerifyAction)
  async verify(ctx: ActionContext<SessionVerifyParams>): Promise<ActionOutcome> {
    const [session] = ctx.job.targetId === null ? [] : await this.sessions.findByIds([ctx.job.targetId]);
    if (!session) throw ActionFailedError.refused('The session is no longer known.');
    const slaveHost = session.slaveHostId ? await this.hosts.findById(session.slaveHostId) : null;
    if (!slaveHost) {
      throw ActionFailedError.refused(
        `The canary needs SSH to the slave host ${session.slaveHostName}: register it as a host (and refresh) first.`,
      );
    }
    const timeout = typeof ctx.params.timeout === 'number' ? ctx.params.timeout : DEFAULT_VERIFY_TIMEOUT_SECONDS;
    const ref = await this.gluster.ref(session);
    const probe = `probe-${crypto.randomUUID()}`;
    const value = crypto.randomBytes(32).toString('hex');

    const written = await ctx.step(`Writing probe ${probe} into ${ref.masterVolume}`, (step) =>
      this.writeProbe(session, ref.masterVolume, probe, value, step),
    );
    const check = await ctx.step(`Waiting for the probe on ${slaveHost.name}:${ref.slaveVolume}`, (step) =>
      this.waitForProbe(slaveHost, ref.slaveVolume, probe, value, timeout, step),
    );
    await ctx.step('Removing the probe', async () => {
      await this.gluster
        .onCluster(session.clusterId, canaryRemoveCommand(ref.masterVolume, probe))
        .catch(() => undefined);
    });

    const result = describeCheck(check.seen, value.length, timeout);
    const delayMs = check.seen.outcome === 'match' ? check.at - written : null;
    await this.sessions.recordVerification(session.id, { at: new Date(), result, delayMs });
    if (check.seen.outcome !== 'match') {
      await this.event(
        ctx,
        session,
        'error',
        EventCode.GeoRepVerifyFailed,
        `Replication canary of ${sessionName(session)} ${result}.`,
      );
      throw ActionFailedError.refused(`The replication canary ${result}.`, EventCode.GeoRepVerifyFailed, {
        eventRecorded: true,
      });
    }
    return {
      result: { result, replication_delay_ms: delayMs },
      description: `Replication canary of ${sessionName(session)} passed: the probe arrived in ${delayMs} ms.`,
    };
  }

  /** Writes the probe on a master host; when it was written. */
  private async writeProbe(
    session: GeoRepSessionEntity,
    masterVolume: string,
    probe: string,
    value: string,
    step: StepHandle,
  ): Promise<number> {
    const ran = await this.gluster.onCluster(session.clusterId, canaryWriteCommand(masterVolume, probe, value));
    await step.ranOn(ran.host.id);
    if (ran.output.exitCode !== 0 || !ran.output.stdout.includes('WRITTEN')) {
      throw ActionFailedError.refused(
        `the probe could not be written into the master volume (exit ${ran.output.exitCode}): ${ran.output.stderr.trim().slice(0, 300)}`,
      );
    }
    return Date.now();
  }

  /** Waits on the slave host (up to `timeout` s, in one remote command) for the probe and reads what arrived. */
  private async waitForProbe(
    slaveHost: HostEntity,
    slaveVolume: string,
    probe: string,
    value: string,
    timeout: number,
    step: StepHandle,
  ): Promise<{ seen: CanaryCheck; at: number }> {
    await step.ranOn(slaveHost.id);
    try {
      const out = await this.shell.run(slaveHost, canaryCheckCommand(slaveVolume, probe, value, timeout));
      if (out.exitCode !== 0) {
        throw ActionFailedError.refused(
          `the slave volume could not be read on ${slaveHost.name} (exit ${out.exitCode}): ${out.stderr.trim().slice(0, 300)}`,
        );
      }
      return { seen: parseCanaryCheck(out.stdout), at: Date.now() };
    } catch (e) {
      throw asActionFailure(e);
    }
  }

  private event(
    ctx: ActionContext,
    session: GeoRepSessionEntity,
    severity: 'error',
    code: EventCode,
    description: string,
  ) {
    return this.events.record({
      code,
      severity,
      description,
      clusterId: session.clusterId,
      jobId: ctx.job.id,
      correlationId: ctx.job.correlationId,
      userId: ctx.job.ownerId,
      targetType: 'georeplication_session',
      targetId: session.id,
    });
  }
}
