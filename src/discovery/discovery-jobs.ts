import { Job } from 'bullmq';
import { defineJob, NoJobData } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

/** The periodic sync of every cluster with a host that is up. */
export const SyncAllClusters = defineJob<Job<NoJobData>>('sync-all-clusters', QueueName.Maintenance);
