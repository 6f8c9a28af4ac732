import { Job } from 'bullmq';
import { defineJob, NoJobData } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

/** The periodic look for active sessions whose replication canary is due. */
export const VerifySweep = defineJob<Job<NoJobData>>('verify-sweep', QueueName.Maintenance);
