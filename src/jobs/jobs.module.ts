import { Global, Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { QueueName } from '../queue/queue-names';
import { QUEUE_HANDLER_WRAPPERS, QueueHandlerWrapper } from '../queue/worker-runner';
import { ActionExecutor, ActionHandler } from './action-executor';
import { ActionRunner } from './action-runner';
import { HistoryPruner } from './history-pruner';
import { JobsRepository } from './jobs.repository';
import { MaintenanceSchedule } from './maintenance-schedule';
import { OutboxReconciler } from './outbox-reconciler';
import { TargetLock } from './target-lock';

/** The one action mechanism (global: every feature submits actions through ActionRunner). */
@Global()
@Module({
  imports: [EventsModule],
  providers: [
    JobsRepository,
    ActionRunner,
    ActionExecutor,
    TargetLock,
    OutboxReconciler,
    HistoryPruner,
    MaintenanceSchedule,
    {
      provide: QUEUE_HANDLER_WRAPPERS,
      inject: [ActionExecutor],
      useFactory: (executor: ActionExecutor): Partial<Record<QueueName, QueueHandlerWrapper>> => ({
        [QueueName.Actions]: (job, handler, token) => executor.run(job as never, handler as unknown as ActionHandler, token),
      }),
    },
  ],
  exports: [JobsRepository, ActionRunner, TargetLock, QUEUE_HANDLER_WRAPPERS],
})
export class JobsModule {}
