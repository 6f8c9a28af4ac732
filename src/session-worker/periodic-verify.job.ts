import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { EventCode } from '../events/event-codes';
import { SESSION_JOB_TARGET } from '../sessions/georep-session.entity';
import { sessionName } from '../sessions/session.representation';
import { ActionRunner } from '../jobs/action-runner';
import { OvirtFault } from '../ovirt/faults';
import { OnJob } from '../queue/on-job.decorator';
import { SessionVerify } from '../sessions/session-jobs';
import { VerifySweep } from './session-worker-jobs';
import { QueueProducer } from '../queue/queue-producer';

export const VERIFY_SWEEP_SCHEDULER_ID = 'session-verify-sweep';

/** The sweep looks at least this often, so a session is verified at most about this long after it is due. */
export const MAX_SWEEP_PERIOD_MS = 60_000;

/** How often the sweep runs for a verify interval: never when the interval is 0, else the interval, at most a minute. */
export function sweepPeriodMs(verifyIntervalMs: number): number {
  return verifyIntervalMs > 0 ? Math.min(verifyIntervalMs, MAX_SWEEP_PERIOD_MS) : 0;
}

/** What the sweep knows of a session. */
export interface VerifyCandidate {
  readonly status: string;
  /** The canary needs SSH to the slave host: a session without a registered slave host is never due. */
  readonly slaveHostId: string | null;
  readonly lastVerified: Date | null;
  /** When the last verify job of the session started, manual or periodic (one that failed early records no last_verified). */
  readonly lastVerifyJobAt: Date | null;
  /** A job of the session is queued or running. */
  readonly busy: boolean;
}

/**
 * Due for the periodic canary: the interval is on, the session is active and idle, has a registered
 * slave host, and neither a verification nor a verify job happened within the interval.
 */
export function dueForVerify(c: VerifyCandidate, nowMs: number, verifyIntervalMs: number): boolean {
  if (verifyIntervalMs <= 0 || c.status !== 'active' || c.busy || c.slaveHostId === null) return false;
  const last = Math.max(c.lastVerified?.getTime() ?? -Infinity, c.lastVerifyJobAt?.getTime() ?? -Infinity);
  return nowMs - last >= verifyIntervalMs;
}

interface CandidateRow {
  id: string;
  cluster_id: string;
  user_name: string;
  slave_host_name: string;
  slave_volume_name: string;
  status: string;
  slave_host_id: string | null;
  last_verified: Date | null;
  last_verify_job: Date | null;
  busy: boolean;
}

export interface SweepOutcome {
  due: number;
  submitted: number;
  /** Due, but another job got there first (409) or the session's queue is full (429), or the queue was down. */
  skipped: number;
}

/**
 * The periodic replication canary (issue 10), off unless GEOREP_VERIFY_INTERVAL_SECONDS is set: one
 * repeatable maintenance job (BullMQ keeps one schedule however many workers start) submits a verify
 * job through the ActionRunner, exactly like `POST …/verify` (same job name, lock and events), for
 * every active, idle session not verified within the interval. The action's own exclusive conflict
 * rule means it never overlaps another action on the session.
 */
@Injectable()
export class PeriodicVerify implements OnApplicationBootstrap {
  private readonly logger = new Logger(PeriodicVerify.name);

  constructor(
    private readonly producer: QueueProducer,
    private readonly ds: DataSource,
    private readonly actions: ActionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    const period = sweepPeriodMs(this.config.verifyIntervalMs);
    if (period > 0) {
      await this.producer.every(VerifySweep, VERIFY_SWEEP_SCHEDULER_ID, period);
    } else {
      await this.producer.queue(VerifySweep.queue).removeJobScheduler(VERIFY_SWEEP_SCHEDULER_ID);
    }
  }

  @OnJob(VerifySweep)
  async sweep(): Promise<SweepOutcome> {
    const interval = this.config.verifyIntervalMs;
    if (interval <= 0) return { due: 0, submitted: 0, skipped: 0 };
    const due = await this.dueSessions(interval);
    let submitted = 0;
    for (const s of due) if (await this.submitVerify(s)) submitted++;
    return { due: due.length, submitted, skipped: due.length - submitted };
  }

  /** Active sessions whose last canary is older than the interval and that nothing else is acting on. */
  private async dueSessions(interval: number): Promise<CandidateRow[]> {
    const rows: CandidateRow[] = await this.ds.query(
      `SELECT s.id, s.cluster_id, s.user_name, s.slave_host_name, s.slave_volume_name, s.status, s.slave_host_id, s.last_verified,
              (SELECT max(j.start_time) FROM jobs j WHERE j.target_type = '${SESSION_JOB_TARGET}' AND j.target_id = s.id AND j.action = $1) AS last_verify_job,
              EXISTS (SELECT 1 FROM jobs j WHERE j.target_type = '${SESSION_JOB_TARGET}' AND j.target_id = s.id AND j.run_state <> 'done') AS busy
         FROM georep_sessions s
        WHERE s.status = 'active' AND NOT s.failed_over
        ORDER BY s.last_verified ASC NULLS FIRST, s.id`,
      [SessionVerify.name],
    );
    const now = Date.now();
    return rows.filter((r) =>
      dueForVerify(
        {
          status: r.status,
          slaveHostId: r.slave_host_id,
          lastVerified: r.last_verified,
          lastVerifyJobAt: r.last_verify_job,
          busy: r.busy,
        },
        now,
        interval,
      ),
    );
  }

  /** Submits one session's canary; false when it was refused (busy, queue full) or failed to submit. */
  private async submitVerify(s: CandidateRow): Promise<boolean> {
    const name = sessionName({
      userName: s.user_name,
      slaveHostName: s.slave_host_name,
      slaveVolumeName: s.slave_volume_name,
    });
    try {
      await this.actions.submit(
        {
          action: SessionVerify,
          targetType: SESSION_JOB_TARGET,
          targetId: s.id,
          description: `Periodic replication canary on geo-replication ${name}`,
          params: {},
          conflict: 'exclusive',
          retries: 0,
          eventRefs: { clusterId: s.cluster_id },
          events: { success: EventCode.GeoRepVerified, failure: EventCode.GeoRepVerifyFailed },
          asyncByDefault: true,
        },
        { correlationId: null, userId: null, async: true },
      );
      return true;
    } catch (e) {
      if (!(e instanceof OvirtFault && (e.status === 409 || e.status === 429))) {
        this.logger.warn({ session: s.id, err: (e as Error).message }, 'periodic verify could not be submitted');
      }
      return false;
    }
  }
}
