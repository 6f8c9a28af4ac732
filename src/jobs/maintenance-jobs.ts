import { Job } from 'bullmq';
import { defineJob, NoJobData } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

/** The action mechanism's own housekeeping. */
export const ReconcileOutbox = defineJob<Job<NoJobData>>('reconcile-outbox', QueueName.Maintenance);
export const SweepLostJobs = defineJob<Job<NoJobData>>('sweep-lost-jobs', QueueName.Maintenance);
export const PruneHistory = defineJob<Job<NoJobData>>('prune-history', QueueName.Maintenance);
