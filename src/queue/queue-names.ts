/** Every BullMQ queue of the service. */
export enum QueueName {
  /** Actions a client asked for (one job row each): start, stop, refresh, ... */
  Actions = 'actions',
  /** The service's own housekeeping. */
  Maintenance = 'maintenance',
}
