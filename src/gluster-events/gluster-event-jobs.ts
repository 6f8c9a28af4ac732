import { Job } from 'bullmq';
import { defineJob } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

/** A discovery sync of one cluster because gluster reported an event there (debounced per cluster). */
export const GlusterEventRefresh = defineJob<Job<{ clusterId: string }>>(
  'gluster-event-refresh',
  QueueName.Maintenance,
);
