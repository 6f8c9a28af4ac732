import { Job } from 'bullmq';
import { defineJob, NoJobData } from '../queue/job-definition';
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

/** Queues the deliveries of events whose dispatch did not finish (Redis was down, or the process died). */
export const ReconcileNotifications = defineJob<Job<NoJobData>, { readonly events: number }>(
  'reconcile-notifications',
  QueueName.Maintenance,
);
