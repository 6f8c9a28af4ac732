/** Every BullMQ queue of the service. */
export enum QueueName {
  Maintenance = 'maintenance',
}

/** Every job name; each must have exactly one handler (checked at worker start-up). */
export enum JobName {
  PruneExpiredTokens = 'prune-expired-tokens',
}

export const QUEUE_OF_JOB: Record<JobName, QueueName> = {
  [JobName.PruneExpiredTokens]: QueueName.Maintenance,
};
