import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { APP_CONFIG, AppConfig } from '../config/config';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OnJob } from '../queue/on-job.decorator';
import { DrScheduleEntity } from './dr-schedule.entity';
import { DrFireData, DrScheduleFire } from './dr-jobs';
import { DrScheduler } from './dr-scheduler';
import { DrRepository } from './dr.repository';
import { DrService, httpStatusOf, SCHEDULER_CALL } from './dr.service';
import { missedRun, nextRun, previousRun } from './schedule';

/** A fire time this late is "missed" at start-up (a tick about to be delivered is not). */
const MISSED_GRACE_MS = 60_000;

/**
 * The worker side of DR scheduling: each tick of a schedule's BullMQ job scheduler submits a run
 * (skipped, with an event, while another run of the domain goes on); at start-up the job schedulers
 * are reconciled with the table, schedules whose session vanished are disabled, and the missed-run
 * policy is applied (one worker wins each missed fire: next_run moves by compare-and-set).
 */
@Injectable()
export class DrScheduleRunner implements OnApplicationBootstrap {
  private readonly logger = new Logger(DrScheduleRunner.name);

  constructor(
    private readonly repo: DrRepository,
    private readonly scheduler: DrScheduler,
    private readonly dr: DrService,
    private readonly events: EventsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    try {
      await this.reconcile(new Date());
    } catch (e) {
      this.logger.warn({ err: (e as Error).message }, 'DR schedule reconciliation failed');
    }
  }

  async reconcile(now: Date): Promise<void> {
    const schedules = await this.repo.allSchedules();
    const known = new Set(schedules.map((s) => s.id));
    for (const id of await this.scheduler.scheduledIds()) if (!known.has(id)) await this.scheduler.remove(id);
    for (const s of schedules) {
      if (s.enabled && !s.sessionId) {
        await this.disableVanished(s);
        continue;
      }
      await this.scheduler.apply(s);
      if (!s.enabled) continue;
      const next = nextRun(s.cron, s.timezone, now);
      const missed = missedRun(s.nextRun, now, s.missedRunPolicy, MISSED_GRACE_MS);
      if (s.nextRun !== null && s.nextRun.getTime() + MISSED_GRACE_MS >= now.getTime()) continue;
      // Compare-and-set: only one of several starting workers handles a missed fire.
      if (!(await this.repo.advanceNextRun(s.id, s.nextRun, next))) continue;
      if (!missed) continue;
      const scheduledFor = previousRun(s.cron, s.timezone, now) ?? s.nextRun;
      await this.events.record({
        code: EventCode.DrMissedRunStarted,
        severity: 'warning',
        description: `DR schedule ${s.name}: the run due at ${scheduledFor?.toISOString()} was missed while no worker ran; running it once now (missed-run policy run_once).`,
        targetType: 'storage_domain',
        targetId: s.storageDomainId,
      });
      await this.submit(s, scheduledFor);
    }
  }

  @OnJob(DrScheduleFire)
  async fire(job: Job<DrFireData>): Promise<{ runId?: string; skipped?: string }> {
    const s = await this.repo.findScheduleById(job.data.scheduleId);
    if (!s) {
      await this.scheduler.remove(job.data.scheduleId);
      return { skipped: 'schedule removed' };
    }
    if (!s.enabled) {
      await this.scheduler.remove(s.id);
      return { skipped: 'schedule paused' };
    }
    if (!s.sessionId) {
      await this.disableVanished(s);
      return { skipped: 'session vanished' };
    }
    const now = new Date();
    await this.repo.updateSchedule(s.id, { nextRun: nextRun(s.cron, s.timezone, now) });
    const scheduledFor = previousRun(s.cron, s.timezone, now);
    return this.submit(s, scheduledFor);
  }

  private async submit(s: DrScheduleEntity, scheduledFor: Date | null): Promise<{ runId?: string; skipped?: string }> {
    try {
      const { run } = await this.dr.submitRun(s, 'schedule', SCHEDULER_CALL, scheduledFor);
      return { runId: run.id };
    } catch (e) {
      if (httpStatusOf(e) !== undefined) {
        const detail = e instanceof Error ? e.message : String(e);
        await this.events.record({
          code: EventCode.DrRunSkipped,
          severity: 'warning',
          description: `DR schedule ${s.name}: the run due at ${scheduledFor?.toISOString() ?? 'now'} was skipped: ${detail}`,
          targetType: 'storage_domain',
          targetId: s.storageDomainId,
        });
        return { skipped: detail };
      }
      throw e;
    }
  }

  /** session_id became NULL (the session vanished from gluster and discovery removed it). */
  private async disableVanished(s: DrScheduleEntity): Promise<void> {
    await this.scheduler.remove(s.id);
    await this.repo.updateSchedule(s.id, {
      enabled: false,
      nextRun: null,
      disabledReason: 'disabled by the service: its geo-replication session no longer exists in gluster',
    });
    await this.events.record({
      code: EventCode.DrSessionVanished,
      severity: 'error',
      description: `DR schedule ${s.name} was disabled: its geo-replication session no longer exists in gluster. Create a session and set it on the schedule, then resume it.`,
      targetType: 'storage_domain',
      targetId: s.storageDomainId,
    });
  }
}
