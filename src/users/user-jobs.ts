import { Job } from 'bullmq';
import { defineJob, NoJobData } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

export const PruneExpiredTokens = defineJob<Job<NoJobData>>('prune-expired-tokens', QueueName.Maintenance);
