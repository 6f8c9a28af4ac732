import { Job } from 'bullmq';
import { defineJob } from '../queue/job-definition';
import { QueueName } from '../queue/queue-names';

/** Ids only: the job never carries the event's text, the address, the URL or the secret. */
export interface DeliveryJobData {
  readonly subscriptionId: string;
  readonly eventId: string;
}

export interface DeliveryJobResult {
  readonly outcome: 'delivered' | 'skipped';
}

/** One event to one subscription; BullMQ retries it with exponential backoff (GEOREP_NOTIFY_*). */
export const DeliverNotification = defineJob<Job<DeliveryJobData>, DeliveryJobResult>(
  'deliver-notification',
  QueueName.Maintenance,
);
