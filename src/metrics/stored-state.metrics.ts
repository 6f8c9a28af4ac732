import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DR_RUN_STATUSES } from '../dr/dr-run.entity';
import { nextRun } from '../dr/schedule';
import { CRAWL_STATUSES, SESSION_STATUSES, WORKER_STATUSES } from '../sessions/session.representation';
import { BrickMetricRow, MetricsRepository, ScheduleMetricRow, SessionMetricRow } from './metrics.repository';

const SESSION_HEALTHS = ['healthy', 'degraded', 'failing'] as const;
const SESSION_LABELS = ['session_id', 'cluster', 'volume', 'slave'] as const;
const BRICK_LABELS = [...SESSION_LABELS, 'brick'] as const;
const SCHEDULE_LABELS = ['schedule_id', 'schedule', 'storage_domain', 'session_id'] as const;
/** Fire times looked at for a schedule's interval: enough to see a weekend gap in a weekday schedule. */
const INTERVAL_SAMPLES = 8;

type SessionLabels = Record<(typeof SESSION_LABELS)[number], string>;
type BrickLabels = SessionLabels & { brick: string };
type ScheduleLabels = Record<(typeof SCHEDULE_LABELS)[number], string>;

function seconds(d: Date): number {
  return d.getTime() / 1000;
}

/** The longest gap between consecutive fire times from `now` on; null when the cron cannot be read. */
export function scheduleIntervalSeconds(cron: string, timeZone: string, now: Date): number | null {
  try {
    let previous = nextRun(cron, timeZone, now);
    let longest = 0;
    for (let i = 1; i < INTERVAL_SAMPLES; i++) {
      const next = nextRun(cron, timeZone, previous);
      longest = Math.max(longest, next.getTime() - previous.getTime());
      previous = next;
    }
    return longest / 1000;
  } catch {
    return null;
  }
}

/**
 * Sets one series per value of an enum: 1 for the current value, 0 for the others (a state set, so
 * an alert can match `status="faulty"` and a value never seen before cannot add a series).
 */
function setStates(
  gauge: Gauge,
  labels: Record<string, string>,
  label: string,
  values: readonly string[],
  current: string,
): void {
  const known = values.includes(current) ? current : 'unknown';
  for (const value of values) gauge.set({ ...labels, [label]: value }, value === known ? 1 : 0);
}

/**
 * The gauges served from what the database stores: sessions and their brick workers (as the last
 * sync left them), DR schedules with their last run, job rows. Rebuilt from scratch on every scrape,
 * so a deleted session's series disappear with it.
 */
@Injectable()
export class StoredStateMetrics {
  private readonly g: ReturnType<typeof defineGauges>;

  constructor(
    private readonly repository: MetricsRepository,
    registry: Registry,
  ) {
    this.g = defineGauges(registry);
  }

  async refresh(now: Date): Promise<void> {
    const [sessions, bricks, schedules, jobs] = await Promise.all([
      this.repository.sessions(),
      this.repository.bricks(),
      this.repository.schedules(),
      this.repository.jobCounts(),
    ]);
    for (const gauge of Object.values(this.g)) gauge.reset();
    const labelsById = new Map(sessions.map((s) => [s.id, sessionLabels(s)]));
    for (const s of sessions) this.setSession(s, labelsById.get(s.id)!);
    for (const b of bricks) {
      const session = labelsById.get(b.session_id);
      if (session) this.setBrick(b, { ...session, brick: `${b.master_host_name}:${b.master_brick_dir}` }, now);
    }
    for (const s of schedules) this.setSchedule(s, scheduleLabels(s), now);
    for (const j of jobs) this.g.jobRows.set({ type: j.type, status: j.status }, j.count);
  }

  private setSession(s: SessionMetricRow, labels: SessionLabels): void {
    setStates(this.g.sessionStatus, labels, 'status', SESSION_STATUSES, s.status);
    setStates(this.g.sessionHealth, labels, 'health', SESSION_HEALTHS, s.health);
    this.g.sessionDrifted.set(labels, s.drifted ? 1 : 0);
    this.g.sessionFailedOver.set(labels, s.failed_over ? 1 : 0);
    if (s.data_loss_window_seconds !== null) this.g.sessionDataLossWindow.set(labels, s.data_loss_window_seconds);
    this.g.sessionRefreshed.set(labels, seconds(s.last_refreshed));
    if (s.last_verified !== null) this.g.canaryTime.set(labels, seconds(s.last_verified));
    if (s.canary_passed !== null) this.g.canaryPassed.set(labels, s.canary_passed ? 1 : 0);
    if (s.replication_delay_ms !== null) this.g.canaryDelay.set(labels, s.replication_delay_ms / 1000);
  }

  private setBrick(b: BrickMetricRow, labels: BrickLabels, now: Date): void {
    setStates(this.g.brickStatus, labels, 'status', WORKER_STATUSES, b.status);
    if (b.crawl_status !== null) setStates(this.g.brickCrawl, labels, 'crawl_status', CRAWL_STATUSES, b.crawl_status);
    for (const [kind, value] of [
      ['entry', b.entry_pending],
      ['data', b.data_pending],
      ['meta', b.meta_pending],
    ] as const) {
      if (value !== null) this.g.brickPending.set({ ...labels, kind }, value);
    }
    if (b.failures !== null) this.g.brickFailures.set(labels, b.failures);
    if (b.last_synced !== null) {
      this.g.brickSyncedAge.set(labels, Math.max(0, (now.getTime() - b.last_synced.getTime()) / 1000));
      this.g.brickSyncedTime.set(labels, seconds(b.last_synced));
    }
    if (b.checkpoint_completed !== null) this.g.brickCheckpoint.set(labels, b.checkpoint_completed ? 1 : 0);
    this.g.brickStalled.set(labels, b.stalled ? 1 : 0);
  }

  private setSchedule(s: ScheduleMetricRow, labels: ScheduleLabels, now: Date): void {
    this.g.drEnabled.set(labels, s.enabled ? 1 : 0);
    const interval = scheduleIntervalSeconds(s.cron, s.timezone, now);
    if (interval !== null) this.g.drInterval.set(labels, interval);
    if (s.next_run !== null) this.g.drNextRun.set(labels, seconds(s.next_run));
    if (s.last_success_checkpoint !== null)
      this.g.drDataAge.set(labels, Math.max(0, (now.getTime() - s.last_success_checkpoint.getTime()) / 1000));
    if (s.last_success_end !== null) this.g.drLastSuccess.set(labels, seconds(s.last_success_end));
    if (s.last_run_status === null || s.last_run_start === null) return;
    setStates(this.g.drLastStatus, labels, 'status', DR_RUN_STATUSES, s.last_run_status);
    this.g.drLastStart.set(labels, seconds(s.last_run_start));
    if (s.last_run_end !== null)
      this.g.drLastDuration.set(labels, (s.last_run_end.getTime() - s.last_run_start.getTime()) / 1000);
    if (s.last_run_rpo_seconds !== null) this.g.drLastRpo.set(labels, s.last_run_rpo_seconds);
  }
}

function sessionLabels(s: SessionMetricRow): SessionLabels {
  const user = s.user_name !== 'root' ? `${s.user_name}@` : '';
  return {
    session_id: s.id,
    cluster: s.cluster,
    volume: s.volume,
    slave: `${user}${s.slave_host_name}::${s.slave_volume_name}`,
  };
}

function scheduleLabels(s: ScheduleMetricRow): ScheduleLabels {
  return { schedule_id: s.id, schedule: s.name, storage_domain: s.storage_domain, session_id: s.session_id ?? '' };
}

type GaugeSpec = readonly [name: string, help: string, labelNames: readonly string[]];

const GAUGES = {
  sessionStatus: [
    'georep_session_status',
    'Session status as the last sync stored it (1 for the current one).',
    [...SESSION_LABELS, 'status'],
  ],
  sessionHealth: [
    'georep_session_health',
    'Session health: healthy, degraded or failing (1 for the current one).',
    [...SESSION_LABELS, 'health'],
  ],
  sessionDrifted: [
    'georep_session_drifted',
    "1 when gluster's status contradicts what the service last asked of the session.",
    SESSION_LABELS,
  ],
  sessionFailedOver: [
    'georep_session_failed_over',
    '1 when the session was failed over to its slave (the slave takes writes; the session must not run).',
    SESSION_LABELS,
  ],
  sessionDataLossWindow: [
    'georep_session_failover_data_loss_window_seconds',
    "The failover's data-loss window: seconds of master writes that may be missing on the slave (absent: not failed over, or unknown).",
    SESSION_LABELS,
  ],
  sessionRefreshed: [
    'georep_session_last_refreshed_timestamp_seconds',
    'When the session was last read from gluster.',
    SESSION_LABELS,
  ],
  canaryPassed: [
    'georep_session_canary_passed',
    "The replication canary's last result: 1 passed, 0 failed (absent: never run).",
    SESSION_LABELS,
  ],
  canaryTime: [
    'georep_session_canary_last_run_timestamp_seconds',
    'When the replication canary last ran.',
    SESSION_LABELS,
  ],
  canaryDelay: [
    'georep_session_canary_delay_seconds',
    'How long the last passing canary probe took to reach the slave.',
    SESSION_LABELS,
  ],
  brickStatus: ['georep_brick_status', "A brick worker's status (1 for the current one).", [...BRICK_LABELS, 'status']],
  brickCrawl: [
    'georep_brick_crawl_status',
    "A brick worker's crawl status (1 for the current one).",
    [...BRICK_LABELS, 'crawl_status'],
  ],
  brickPending: [
    'georep_brick_pending_operations',
    'Entry, data and meta operations the worker has still to sync.',
    [...BRICK_LABELS, 'kind'],
  ],
  brickFailures: ['georep_brick_failures', 'Failures gluster reports for the worker.', BRICK_LABELS],
  brickSyncedAge: [
    'georep_brick_last_synced_age_seconds',
    'Seconds since the last_synced time of the worker.',
    BRICK_LABELS,
  ],
  brickSyncedTime: ['georep_brick_last_synced_timestamp_seconds', 'The last_synced time of the worker.', BRICK_LABELS],
  brickCheckpoint: [
    'georep_brick_checkpoint_completed',
    "1 when the worker's checkpoint is completed (absent: no checkpoint).",
    BRICK_LABELS,
  ],
  brickStalled: [
    'georep_brick_stalled',
    '1 when the worker is active with pending work and last_synced has not moved for the stall threshold.',
    BRICK_LABELS,
  ],
  drEnabled: ['georep_dr_schedule_enabled', '1 when the DR schedule is enabled.', SCHEDULE_LABELS],
  drInterval: [
    'georep_dr_schedule_interval_seconds',
    'The longest gap between the next fire times of the DR schedule.',
    SCHEDULE_LABELS,
  ],
  drNextRun: ['georep_dr_next_run_timestamp_seconds', 'When the DR schedule fires next.', SCHEDULE_LABELS],
  drDataAge: [
    'georep_dr_data_age_seconds',
    "Seconds since the checkpoint of the schedule's last successful run (the copy's age).",
    SCHEDULE_LABELS,
  ],
  drLastSuccess: [
    'georep_dr_last_success_timestamp_seconds',
    'When the last successful DR run ended.',
    SCHEDULE_LABELS,
  ],
  drLastStatus: [
    'georep_dr_last_run_status',
    'Status of the last DR run (1 for the current one).',
    [...SCHEDULE_LABELS, 'status'],
  ],
  drLastStart: ['georep_dr_last_run_start_timestamp_seconds', 'When the last DR run started.', SCHEDULE_LABELS],
  drLastDuration: ['georep_dr_last_run_duration_seconds', 'How long the last ended DR run took.', SCHEDULE_LABELS],
  drLastRpo: ['georep_dr_last_run_rpo_seconds', 'The lag the last DR run achieved (its RPO).', SCHEDULE_LABELS],
  jobRows: ['georep_job_rows', 'Job rows kept (for the job retention period), by type and status.', ['type', 'status']],
} as const satisfies Record<string, GaugeSpec>;

function defineGauges(registry: Registry): Record<keyof typeof GAUGES, Gauge> {
  const gauges = Object.entries(GAUGES).map(([key, [name, help, labelNames]]) => [
    key,
    new Gauge({ name, help, labelNames: [...labelNames], registers: [registry] }),
  ]);
  return Object.fromEntries(gauges) as Record<keyof typeof GAUGES, Gauge>;
}
