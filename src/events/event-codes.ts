/**
 * Event codes. Where oVirt's engine has a code for the same thing (AuditLogType), we use it so
 * tools that know oVirt's codes keep working; our own codes start at 11000.
 */
export enum EventCode {
  // oVirt geo-replication and DR codes (reference/ovirt-georep.md).
  GeoRepSessionStopped = 4101,
  GeoRepSessionStopFailed = 4102,
  GeoRepSessionDeleted = 4103,
  GeoRepSessionDeleteFailed = 4104,
  GeoRepConfigSet = 4105,
  GeoRepConfigSetFailed = 4106,
  GeoRepConfigSetDefault = 4109,
  GeoRepConfigSetDefaultFailed = 4110,
  GeoRepSessionDeletedFromCli = 4097,
  GeoRepSessionDetectedFromCli = 4098,
  GeoRepSessionRefreshed = 4099,
  GeoRepSessionRefreshFailed = 4100,
  GeoRepSessionCreated = 4147,
  GeoRepSessionCreateFailed = 4146,
  StorageDomainSyncFailed = 4164,
  StorageDomainSynced = 4165,
  StorageDomainSyncStarted = 4166,
  GeoRepSessionStarted = 4596,
  GeoRepSessionStartFailed = 4595,
  GeoRepSessionPaused = 4600,
  GeoRepSessionPauseFailed = 4597,
  GeoRepSessionResumed = 4599,
  GeoRepSessionResumeFailed = 4598,

  // oVirt's codes for events a client adds (AuditLogType EXTERNAL_EVENT_*), by severity.
  ExternalEventNormal = 12,
  ExternalEventWarning = 13,
  ExternalEventError = 14,
  ExternalAlert = 15,

  // Ours.
  ClusterAdded = 11001,
  ClusterUpdated = 11002,
  ClusterRemoved = 11003,
  ClusterRefreshed = 11004,
  ClusterRefreshFailed = 11005,
  /** gluster's events API pushes the cluster's events to the service (gluster-events/). */
  GlusterEventsEnabled = 11006,
  GlusterEventsEnableFailed = 11007,
  GlusterEventsDisabled = 11008,
  GlusterEventsDisableFailed = 11009,
  HostAdded = 11011,
  HostUpdated = 11012,
  HostRemoved = 11013,
  HostUp = 11014,
  HostNonResponsive = 11015,
  HostInstallFailed = 11016,
  HostKeyMismatch = 11017,
  HostKeyRepinned = 11018,
  HostRefreshed = 11019,
  HostRefreshFailed = 11020,
  GeoRepCheckpointSet = 11120,
  GeoRepCheckpointFailed = 11121,
  GeoRepWorkerStalled = 11130,
  GeoRepWorkerRecovered = 11131,
  // Stall healing (11150-11159) and drift (11160-11169).
  GeoRepHealStarted = 11150,
  GeoRepHealed = 11151,
  GeoRepHealFailed = 11152,
  GeoRepHealSuppressed = 11153,
  GeoRepDriftDetected = 11160,
  GeoRepDriftCleared = 11161,
  // Preflight (11170-11179).
  GeoRepPreflightWarning = 11170,
  // Session creation (11180-11189).
  /** Warning: bricks of a non-root session's slave volume are on peers the service did not give the keys to (says what to do). */
  GeoRepSlavePeersWithoutKeys = 11180,
  // Failover and failback (11300-11399, DESIGN.md section 9).
  /** The session's slave took over (planned or unplanned), with the data-loss window it measured. */
  GeoRepFailedOver = 11300,
  GeoRepFailoverFailed = 11301,
  /** Failback phase sync: the reverse session (slave → master) runs. */
  GeoRepFailbackSyncStarted = 11302,
  /** Failback complete: the master has the slave's data and the original session runs again. */
  GeoRepFailedBack = 11303,
  GeoRepFailbackFailed = 11304,
  /** Warning: gluster runs a failed-over session again (its master came back); the service stops it. */
  GeoRepFailedOverSessionRunning = 11305,
  GeoRepVerified = 11140,
  GeoRepVerifyFailed = 11141,
  JobEndedByUser = 11021,
  JobCleared = 11022,
  ExternalJobAdded = 11023,
  ActionQueueUnavailable = 11024,
  /** Error: a job's queue entry ended without its outcome being recorded; the job was ended as failed. */
  ActionJobLost = 11025,
  // Users and their event subscriptions (11030-11049): who may do what, and who is told.
  UserAdded = 11030,
  UserUpdated = 11031,
  UserRemoved = 11032,
  EventSubscriptionAdded = 11040,
  EventSubscriptionRemoved = 11041,
  // Gluster discovery (11100-11119).
  GeoRepSessionStatusChanged = 11100,
  GlusterVolumeDiscovered = 11101,
  GlusterVolumeRemovedFromCli = 11102,
  GlusterVolumeRefreshed = 11103,
  GlusterVolumeRefreshFailed = 11104,
  GlusterSyncFailed = 11105,
  // Storage domains and DR (11200-11299).
  StorageDomainAdded = 11200,
  StorageDomainUpdated = 11201,
  StorageDomainRemoved = 11202,
  DrScheduleAdded = 11210,
  DrScheduleUpdated = 11211,
  DrScheduleRemoved = 11212,
  DrSchedulePaused = 11213,
  DrScheduleResumed = 11214,
  /** Alert: sync was asked for a domain whose volume has no geo-replication session (says how to create one). */
  DrNoSession = 11215,
  /** Error: the schedule's session vanished from gluster; the schedule was disabled. */
  DrSessionVanished = 11216,
  /** Warning: a scheduled run was skipped because another run of the domain is still going. */
  DrRunSkipped = 11217,
  /** The job of a DR run failed with no storage domain left to name (otherwise 4164 alone reports the failure). */
  DrRunJobFailed = 11218,
  DrRunAborted = 11219,
  DrRunCancelRequested = 11220,
  /** A missed fire time was run once at start-up (missed-run policy run_once). */
  DrMissedRunStarted = 11221,
  /** Alert: a VM of the domain could not be snapshotted for the run's quiesce (best_effort: the run went on). */
  DrQuiesceVmFailed = 11222,
  /** Alert: the oVirt engine could not be used for the run's quiesce (best_effort: the run went on unquiesced). */
  DrQuiesceUnavailable = 11223,
  /** Alert: what the run's quiesce made (snapshots in the engine, overlays on the slave) could not all be removed. */
  DrQuiesceLeftBehind = 11224,
}
