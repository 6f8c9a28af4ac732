import { EventCode } from '../events/event-codes';

/**
 * The event names a subscription may name (oVirt's `NotifiableEvent`, lower case on the wire) and the
 * event codes each stands for. Where oVirt names the event (NotifiableEvent.java, or AuditLogType.java
 * for the gluster geo-replication and DR codes, see reference/ovirt-georep.md) its name is used; the
 * service's own events have names in the same style.
 */
export const NOTIFIABLE_EVENTS = {
  // oVirt's names (AuditLogType) for the codes we share with it.
  gluster_storage_domain_sync_failed: [EventCode.StorageDomainSyncFailed],
  gluster_storage_domain_synced: [EventCode.StorageDomainSynced],
  gluster_storage_domain_sync_started: [EventCode.StorageDomainSyncStarted],
  gluster_volume_geo_rep_start: [EventCode.GeoRepSessionStarted],
  gluster_volume_geo_rep_start_failed_exception: [EventCode.GeoRepSessionStartFailed],
  gluster_volume_geo_rep_pause: [EventCode.GeoRepSessionPaused],
  gluster_volume_geo_rep_pause_failed: [EventCode.GeoRepSessionPauseFailed],
  gluster_volume_geo_rep_resume: [EventCode.GeoRepSessionResumed],
  gluster_volume_geo_rep_resume_failed: [EventCode.GeoRepSessionResumeFailed],
  georep_session_stop: [EventCode.GeoRepSessionStopped],
  georep_session_stop_failed: [EventCode.GeoRepSessionStopFailed],
  georep_session_deleted: [EventCode.GeoRepSessionDeleted],
  georep_session_delete_failed: [EventCode.GeoRepSessionDeleteFailed],
  gluster_georep_config_set: [EventCode.GeoRepConfigSet],
  gluster_georep_config_set_failed: [EventCode.GeoRepConfigSetFailed],
  gluster_georep_session_refresh_failed: [EventCode.GeoRepSessionRefreshFailed],
  gluster_georep_session_deleted_from_cli: [EventCode.GeoRepSessionDeletedFromCli],
  gluster_georep_session_detected_from_cli: [EventCode.GeoRepSessionDetectedFromCli],
  create_gluster_volume_georep_session: [EventCode.GeoRepSessionCreated],
  gluster_georep_session_create_failed: [EventCode.GeoRepSessionCreateFailed],
  // oVirt's NotifiableEvent names for host events.
  host_failure: [EventCode.HostNonResponsive],
  host_install_failed: [EventCode.HostInstallFailed],
  // The service's own events.
  host_key_mismatch: [EventCode.HostKeyMismatch],
  cluster_refresh_failed: [EventCode.ClusterRefreshFailed, EventCode.GlusterSyncFailed],
  georep_session_status_changed: [EventCode.GeoRepSessionStatusChanged],
  georep_worker_stalled: [EventCode.GeoRepWorkerStalled],
  georep_worker_recovered: [EventCode.GeoRepWorkerRecovered],
  georep_heal_failed: [EventCode.GeoRepHealFailed],
  georep_drift_detected: [EventCode.GeoRepDriftDetected],
  georep_checkpoint_failed: [EventCode.GeoRepCheckpointFailed],
  georep_verify_failed: [EventCode.GeoRepVerifyFailed],
  georep_slave_peers_without_keys: [EventCode.GeoRepSlavePeersWithoutKeys],
  georep_failed_over: [EventCode.GeoRepFailedOver],
  georep_failed_over_session_running: [EventCode.GeoRepFailedOverSessionRunning],
  georep_failover_failed: [EventCode.GeoRepFailoverFailed],
  georep_failback_sync_started: [EventCode.GeoRepFailbackSyncStarted],
  georep_failed_back: [EventCode.GeoRepFailedBack],
  georep_failback_failed: [EventCode.GeoRepFailbackFailed],
  dr_no_session: [EventCode.DrNoSession],
  dr_session_vanished: [EventCode.DrSessionVanished],
  dr_run_skipped: [EventCode.DrRunSkipped],
  dr_run_job_failed: [EventCode.DrRunJobFailed],
  dr_run_aborted: [EventCode.DrRunAborted],
  action_job_lost: [EventCode.ActionJobLost],
  action_queue_unavailable: [EventCode.ActionQueueUnavailable],
  /** Any event of error or alert severity a client adds (oVirt's external events). */
  external_event_error: [EventCode.ExternalEventError, EventCode.ExternalAlert],
} as const satisfies Record<string, readonly EventCode[]>;

export type NotifiableEventName = keyof typeof NOTIFIABLE_EVENTS;

export const NOTIFIABLE_EVENT_NAMES = Object.keys(NOTIFIABLE_EVENTS) as NotifiableEventName[];

const NAMES_BY_CODE: ReadonlyMap<number, readonly NotifiableEventName[]> = (() => {
  const byCode = new Map<number, NotifiableEventName[]>();
  for (const name of NOTIFIABLE_EVENT_NAMES) {
    for (const code of NOTIFIABLE_EVENTS[name]) byCode.set(code, [...(byCode.get(code) ?? []), name]);
  }
  return byCode;
})();

/** The names whose subscribers hear of an event with this code (none for most codes). */
export function eventNamesFor(code: number): readonly NotifiableEventName[] {
  return NAMES_BY_CODE.get(code) ?? [];
}
