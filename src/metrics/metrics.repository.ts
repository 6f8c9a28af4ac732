import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A session with the names it is known by; the canary's result as a flag, never its text. */
export interface SessionMetricRow {
  id: string;
  cluster: string;
  volume: string;
  user_name: string;
  slave_host_name: string;
  slave_volume_name: string;
  status: string;
  health: string;
  drifted: boolean;
  failed_over: boolean;
  data_loss_window_seconds: number | null;
  last_refreshed: Date;
  last_verified: Date | null;
  canary_passed: boolean | null;
  replication_delay_ms: number | null;
}

export interface BrickMetricRow {
  session_id: string;
  master_host_name: string;
  master_brick_dir: string;
  status: string;
  crawl_status: string | null;
  entry_pending: number | null;
  data_pending: number | null;
  meta_pending: number | null;
  failures: number | null;
  last_synced: Date | null;
  checkpoint_completed: boolean | null;
  stalled: boolean;
}

export interface ScheduleMetricRow {
  id: string;
  name: string;
  storage_domain: string;
  session_id: string | null;
  cron: string;
  timezone: string;
  enabled: boolean;
  next_run: Date | null;
  last_success_checkpoint: Date | null;
  last_success_end: Date | null;
  last_run_status: string | null;
  last_run_start: Date | null;
  last_run_end: Date | null;
  last_run_rpo_seconds: number | null;
}

export interface JobCountRow {
  type: string;
  status: string;
  count: number;
}

/**
 * What a scrape reads: four set-based queries over what discovery, DR and the action mechanism
 * stored, each one statement whatever the number of rows (no query per session or schedule).
 */
@Injectable()
export class MetricsRepository {
  constructor(private readonly ds: DataSource) {}

  sessions(): Promise<SessionMetricRow[]> {
    return this.ds.query(
      `SELECT s.id, c.name AS cluster, v.name AS volume, s.user_name, s.slave_host_name, s.slave_volume_name,
              s.status, s.health, s.drifted, s.failed_over, s.data_loss_window_seconds, s.last_refreshed, s.last_verified,
              CASE WHEN s.last_verify_result IS NULL THEN NULL ELSE s.last_verify_result = 'passed' END AS canary_passed,
              s.replication_delay_ms
         FROM georep_sessions s
         JOIN clusters c ON c.id = s.cluster_id
         JOIN gluster_volumes v ON v.id = s.master_volume_id`,
    );
  }

  bricks(): Promise<BrickMetricRow[]> {
    return this.ds.query(
      `SELECT d.session_id, d.master_host_name, d.master_brick_dir, d.status, d.crawl_status,
              d.entry_pending::float8 AS entry_pending, d.data_pending::float8 AS data_pending,
              d.meta_pending::float8 AS meta_pending, d.failures::float8 AS failures,
              d.last_synced, d.checkpoint_completed, d.stalled
         FROM georep_session_details d
        ORDER BY d.session_id, d.position`,
    );
  }

  schedules(): Promise<ScheduleMetricRow[]> {
    return this.ds.query(
      `SELECT sc.id, sc.name, sd.name AS storage_domain, sc.session_id, sc.cron, sc.timezone, sc.enabled, sc.next_run,
              sc.last_success_checkpoint, ok.end_time AS last_success_end,
              r.status AS last_run_status, r.start_time AS last_run_start, r.end_time AS last_run_end,
              r.rpo_seconds AS last_run_rpo_seconds
         FROM dr_schedules sc
         JOIN storage_domains sd ON sd.id = sc.storage_domain_id
         LEFT JOIN dr_runs r ON r.id = sc.last_run_id
         LEFT JOIN dr_runs ok ON ok.id = sc.last_success_run_id`,
    );
  }

  /** Job rows kept (for the job retention period) by type and status. */
  jobCounts(): Promise<JobCountRow[]> {
    return this.ds.query(
      `SELECT COALESCE(action, 'external') AS type, status, count(*)::int AS count FROM jobs GROUP BY 1, 2`,
    );
  }
}
