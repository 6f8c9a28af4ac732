/** Every BullMQ queue of the service. */
export enum QueueName {
  /** Actions a client asked for (one job row each): start, stop, refresh, ... */
  Actions = 'actions',
  /** The service's own housekeeping. */
  Maintenance = 'maintenance',
}

/** Every job name; each must have exactly one handler (checked at worker start-up). */
export enum JobName {
  ClusterRefresh = 'cluster.refresh',
  HostRefresh = 'host.refresh',
  HostRepin = 'host.repin',
  GeoRepSessionCreate = 'georep-session.create',
  SessionControl = 'session.control',
  SessionCheckpoint = 'session.checkpoint',
  SessionDelete = 'session.delete',
  SessionConfigSet = 'session.config-set',
  SessionConfigReset = 'session.config-reset',
  SessionVerify = 'session.verify',
  SessionHeal = 'session.heal',
  PruneExpiredTokens = 'prune-expired-tokens',
  ReconcileOutbox = 'reconcile-outbox',
  SweepLostJobs = 'sweep-lost-jobs',
  PruneHistory = 'prune-history',
  SyncAllClusters = 'sync-all-clusters',
  VerifySweep = 'verify-sweep',
  DrRun = 'dr.run',
  DrScheduleFire = 'dr.schedule-fire',
}

export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  [JobName.ClusterRefresh]: QueueName.Actions,
  [JobName.HostRefresh]: QueueName.Actions,
  [JobName.HostRepin]: QueueName.Actions,
  [JobName.GeoRepSessionCreate]: QueueName.Actions,
  [JobName.SessionControl]: QueueName.Actions,
  [JobName.SessionCheckpoint]: QueueName.Actions,
  [JobName.SessionDelete]: QueueName.Actions,
  [JobName.SessionConfigSet]: QueueName.Actions,
  [JobName.SessionConfigReset]: QueueName.Actions,
  [JobName.SessionVerify]: QueueName.Actions,
  [JobName.SessionHeal]: QueueName.Actions,
  [JobName.PruneExpiredTokens]: QueueName.Maintenance,
  [JobName.ReconcileOutbox]: QueueName.Maintenance,
  [JobName.SweepLostJobs]: QueueName.Maintenance,
  [JobName.PruneHistory]: QueueName.Maintenance,
  [JobName.SyncAllClusters]: QueueName.Maintenance,
  [JobName.VerifySweep]: QueueName.Maintenance,
  [JobName.DrRun]: QueueName.Actions,
  [JobName.DrScheduleFire]: QueueName.Maintenance,
};
