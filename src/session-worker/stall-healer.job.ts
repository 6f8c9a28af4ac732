import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig, HealAction } from '../config/config';
import { DiscoverySync, SyncOrigin } from '../discovery/discovery-sync';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { GeoRepSessionDetailEntity } from '../sessions/georep-session-detail.entity';
import { GeoRepSessionEntity, SESSION_JOB_TARGET } from '../sessions/georep-session.entity';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import { parseWorkerRestart, restartWorkerCommand } from '../gluster';
import { HostEntity } from '../hosts/host.entity';
import { HostShell } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { ActionContext, ActionOutcome } from '../jobs/action-executor';
import { ActionFailedError } from '../jobs/action-failure';
import { ActionRunner } from '../jobs/action-runner';
import type { ActionCall } from '../ovirt/routes';
import { OnJob } from '../queue/on-job.decorator';
import { SessionHeal, SessionHealParams } from '../sessions/session-jobs';
import { VolumesRepository } from '../volumes/volumes.repository';
import { asActionFailure } from '../hosts/host-failures';
import { SessionGluster } from './session-gluster';

/** Heals the service starts by itself: no user, no correlation id, never waited for. */
const HEALER_CALL: ActionCall = { correlationId: null, userId: null, async: true };

/** Runs one unit of healing work: a job step in the heal job, a plain call inside a DR run. */
export type HealStep = <T>(
  description: string,
  work: (ranOn: (hostId: string) => Promise<void>) => Promise<T>,
) => Promise<T>;

/** What one heal did, for the job's result and the events. */
export interface HealReport {
  action: Exclude<HealAction, 'off'>;
  bricks: string[];
  /** Restart-worker: the new worker per brick. */
  workers: { brick: string; oldPids: number[]; newPid: number }[];
}

/**
 * Stall healing (issue 10, LAB.md pitfall 2). After each discovery pass, a session with a stalled
 * worker gets a heal job (`GEOREP_HEAL_ACTION`): restart-worker kills the brick's gsyncd worker on its
 * host (gsyncd's monitor starts a new one, which picks up the changelogs), restart-session runs
 * `stop force` + `start force`. At most `GEOREP_HEAL_MAX_PER_HOUR` heals per session; beyond, the stall
 * stays reported and one event says healing is held back. A DR run heals inline through `healNow`.
 */
@Injectable()
export class StallHealer implements OnModuleInit {
  private readonly logger = new Logger(StallHealer.name);
  /** Sessions whose "held back" event this process already wrote (cleared when a heal runs). */
  private readonly suppressedAnnounced = new Set<string>();

  constructor(
    private readonly sync: DiscoverySync,
    private readonly runner: ActionRunner,
    private readonly sessions: SessionsRepository,
    private readonly gluster: SessionGluster,
    private readonly volumes: VolumesRepository,
    private readonly hosts: HostsRepository,
    private readonly shell: HostShell,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.sync.onStalledSessions((ids, origin) => this.stalledAfterSync(ids, origin));
  }

  /** Submits a heal job per stalled session, unless healing is off or the hourly limit is reached. */
  async stalledAfterSync(sessionIds: readonly string[], _origin: SyncOrigin): Promise<void> {
    const action = this.config.healAction;
    if (action === 'off') return;
    const now = new Date();
    for (const session of await this.sessions.findByIds(sessionIds)) {
      // A failed-over session is not to run: restarting its worker would sync over the slave's new data.
      if (session.failedOver) continue;
      if (this.sessions.healsInLastHour(session, now) >= this.config.healMaxPerHour) {
        await this.announceHeldBack(session);
        continue;
      }
      try {
        await this.runner.submit(
          {
            action: SessionHeal,
            targetType: SESSION_JOB_TARGET,
            targetId: session.id,
            description: `Healing the stalled worker(s) of ${sessionName(session)} (${action})`,
            params: { action },
            conflict: 'exclusive',
            eventRefs: { clusterId: session.clusterId },
            events: { success: EventCode.GeoRepHealed, failure: EventCode.GeoRepHealFailed },
            asyncByDefault: true,
          },
          HEALER_CALL,
        );
      } catch (e) {
        // Another action holds the session (the next pass tries again), or the queue is down.
        this.logger.log({ session: session.id, err: (e as Error).message }, 'heal not submitted now');
      }
    }
  }

  @OnJob(SessionHeal)
  async healJob(ctx: ActionContext<SessionHealParams>): Promise<ActionOutcome> {
    const [stored] = ctx.job.targetId === null ? [] : await this.sessions.findByIds([ctx.job.targetId]);
    if (!stored) throw ActionFailedError.refused('The session is no longer known.');
    const origin: SyncOrigin = { jobId: ctx.job.id, correlationId: ctx.job.correlationId, userId: ctx.job.ownerId };
    const session = await ctx.step('Reading the status of the session', () => this.gluster.refresh(stored, origin));
    if (!session) throw ActionFailedError.refused('The session no longer exists in gluster.');
    const action = ctx.params.action ?? this.config.healAction;
    if (action === 'off')
      return { result: { healed: false }, description: `Healing is off; ${sessionName(session)} was not touched.` };
    const step: HealStep = (description, work) => ctx.step(description, (s) => work((hostId) => s.ranOn(hostId)));
    const report = await this.heal(session, action, step, origin);
    if (report === 'held_back') {
      throw ActionFailedError.refused(
        `${sessionName(session)} was already healed ${this.config.healMaxPerHour} time(s) in the last hour (GEOREP_HEAL_MAX_PER_HOUR); the stall stays reported.`,
      );
    }
    if (!report)
      return {
        result: { healed: false },
        description: `No worker of ${sessionName(session)} is stalled any more; nothing to heal.`,
      };
    if (report.action === 'restart-session') await this.gluster.refreshSettled(session, origin, 'start');
    else await this.gluster.refresh(session, origin);
    return {
      result: { healed: true, ...report },
      description: `${sessionName(session)}: healed by ${describe(report)}.`,
    };
  }

  /**
   * Heals the session's stalled workers now (a DR run whose checkpoint does not move), within the
   * hourly limit. Null when nothing is stalled, healing is off, or the limit is reached (then an event says so).
   */
  async healNow(session: GeoRepSessionEntity, origin: SyncOrigin): Promise<HealReport | null> {
    const action = this.config.healAction;
    if (action === 'off') return null;
    const step: HealStep = (_description, work) => work(async () => undefined);
    const report = await this.heal(session, action, step, origin);
    return report === 'held_back' ? null : report;
  }

  /** Null when nothing is stalled; 'held_back' past the hourly limit (announced once by an event). */
  private async heal(
    session: GeoRepSessionEntity,
    action: Exclude<HealAction, 'off'>,
    step: HealStep,
    origin: SyncOrigin,
  ): Promise<HealReport | null | 'held_back'> {
    const stalled = (await this.sessions.allDetails(session.id)).filter((d) => d.stalled);
    if (stalled.length === 0) return null;
    const bricks = stalled.map((d) => `${d.masterHostName}:${d.masterBrickDir}`);
    if (!(await this.sessions.reserveHeal(session.id, new Date(), this.config.healMaxPerHour))) {
      await this.announceHeldBack(session);
      return 'held_back';
    }
    this.suppressedAnnounced.delete(session.id);
    await this.events.record({
      code: EventCode.GeoRepHealStarted,
      severity: 'warning',
      description: `Geo-replication session ${sessionName(session)}: healing the stalled worker(s) of ${bricks.join(', ')} by ${action === 'restart-worker' ? 'restarting the gsyncd worker' : 'restarting the session (stop force, start force)'}.`,
      clusterId: session.clusterId,
      jobId: origin.jobId ?? null,
      correlationId: origin.correlationId ?? null,
      userId: origin.userId ?? null,
      targetType: 'georeplication_session',
      targetId: session.id,
    });
    const workers: HealReport['workers'] = [];
    if (action === 'restart-session') {
      await step(`Restarting ${sessionName(session)} (stop force, start force)`, () => this.gluster.restart(session));
    } else {
      for (const row of stalled) {
        const brick = `${row.masterHostName}:${row.masterBrickDir}`;
        const host = await this.hostOf(session, row);
        workers.push(
          await step(`Restarting the gsyncd worker of brick ${brick} on ${host.name}`, (ranOn) =>
            this.restartWorker(session, row, host, ranOn),
          ),
        );
      }
    }
    // The new worker starts from the same last_synced: give it a whole stall period before it can be judged (and healed) again.
    await this.sessions.restartStallClock(session.id, new Date());
    return { action, bricks, workers };
  }

  private async restartWorker(
    session: GeoRepSessionEntity,
    row: GeoRepSessionDetailEntity,
    host: HostEntity,
    ranOn: (hostId: string) => Promise<void>,
  ): Promise<HealReport['workers'][number]> {
    const ref = await this.gluster.ref(session);
    const brick = `${row.masterHostName}:${row.masterBrickDir}`;
    await ranOn(host.id);
    let stdout: string;
    try {
      const out = await this.shell.run(
        host,
        restartWorkerCommand(ref.masterVolume, row.masterBrickDir, ref.slaveHost, ref.slaveVolume),
      );
      if (out.exitCode !== 0)
        throw ActionFailedError.refused(
          `the worker restart failed on ${host.name} (exit ${out.exitCode}): ${out.stderr.trim().slice(0, 300)}`,
        );
      stdout = out.stdout;
    } catch (e) {
      throw asActionFailure(e);
    }
    const restart = parseWorkerRestart(stdout);
    switch (restart.outcome) {
      case 'no_worker':
        throw ActionFailedError.refused(
          `no gsyncd worker serves brick ${brick} on ${host.name}; the session may have stopped there (refresh it).`,
        );
      case 'not_respawned':
        throw ActionFailedError.refused(
          `the gsyncd worker of brick ${brick} (pid ${restart.oldPids.join(', ')}) ended, but gsyncd's monitor started no new one; restart the session.`,
        );
      case 'restarted':
        return { brick, oldPids: restart.oldPids, newPid: restart.newPid };
    }
  }

  /** The host that serves the brick: the brick's registered host, else a host of the cluster with the brick's host name. */
  private async hostOf(session: GeoRepSessionEntity, row: GeoRepSessionDetailEntity): Promise<HostEntity> {
    const [found] = row.masterBrickId ? await this.volumes.findBricksByIds([row.masterBrickId]) : [];
    const byBrick = found?.brick.hostId ? await this.hosts.findById(found.brick.hostId) : null;
    if (byBrick) return byBrick;
    const byName = (await this.hosts.listByCluster(session.clusterId)).find(
      (h) => h.address === row.masterHostName || h.name === row.masterHostName,
    );
    if (byName) return byName;
    throw ActionFailedError.refused(
      `brick ${row.masterHostName}:${row.masterBrickDir} is on a host the service does not manage; register it to heal its worker.`,
    );
  }

  private async announceHeldBack(session: GeoRepSessionEntity): Promise<void> {
    if (this.suppressedAnnounced.has(session.id)) return;
    this.suppressedAnnounced.add(session.id);
    await this.events.record({
      code: EventCode.GeoRepHealSuppressed,
      severity: 'warning',
      description: `Geo-replication session ${sessionName(session)} has a stalled worker, but it was already healed ${this.config.healMaxPerHour} time(s) in the last hour (GEOREP_HEAL_MAX_PER_HOUR); healing is held back and the stall stays reported.`,
      clusterId: session.clusterId,
      targetType: 'georeplication_session',
      targetId: session.id,
    });
  }
}

function describe(report: HealReport): string {
  if (report.action === 'restart-session') return `restarting the session (stalled: ${report.bricks.join(', ')})`;
  return `restarting the gsyncd worker of ${report.workers.map((w) => `${w.brick} (pid ${w.oldPids.join(', ')} → ${w.newPid})`).join(', ')}`;
}
