import { Job } from 'bullmq';
import { defineAction } from '../jobs/action-definition';
import { defineJob } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

export interface DrRunParams {
  runId: string;
}
/** One DR run (its row holds the rest). */
export const DrRun = defineAction<DrRunParams>('dr.run');

/** What a fire job carries. */
export interface DrFireData {
  scheduleId: string;
}
/** One tick of a DR schedule's cron (a BullMQ job scheduler per schedule, see DrScheduler). */
export const DrScheduleFire = defineJob<Job<DrFireData>>('dr.schedule-fire', QueueName.Maintenance);
