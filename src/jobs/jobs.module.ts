import { Global, Module, OnModuleInit } from '@nestjs/common';
import { FollowRegistry } from '../ovirt/follow';
import { EventsModule } from '../events/events.module';
import { QueueName } from '../queue/queue-names';
import { QUEUE_HANDLER_WRAPPERS, QueueHandlerWrapper } from '../queue/worker-runner';
import { ActionExecutor } from './action-executor';
import { ActionRunner } from './action-runner';
import { HistoryPruner } from './history-pruner.job';
import { JobEndHooks } from './job-end-hooks';
import { JobSchema, jobView, StepSchema, stepView } from './job.representation';
import { JobsController, StepsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsService } from './jobs.service';
import { LostJobs } from './lost-jobs.job';
import { MaintenanceSchedule } from './maintenance-schedule';
import { OutboxReconciler } from './outbox-reconciler.job';
import { TargetLock } from './target-lock';

/** The one action mechanism (global: every feature submits actions through ActionRunner). */
@Global()
@Module({
  imports: [EventsModule],
  controllers: [JobsController, StepsController],
  providers: [
    JobsRepository,
    JobsService,
    ActionRunner,
    ActionExecutor,
    JobEndHooks,
    TargetLock,
    OutboxReconciler,
    LostJobs,
    HistoryPruner,
    MaintenanceSchedule,
    {
      provide: QUEUE_HANDLER_WRAPPERS,
      inject: [ActionExecutor],
      useFactory: (executor: ActionExecutor): Partial<Record<QueueName, QueueHandlerWrapper>> => ({
        [QueueName.Actions]: (job, handler, token) => executor.run(job, handler, token),
      }),
    },
  ],
  exports: [JobsRepository, ActionRunner, TargetLock, JobEndHooks, QUEUE_HANDLER_WRAPPERS],
})
export class JobsModule implements OnModuleInit {
  constructor(
    private readonly jobs: JobsService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(
      JobSchema,
      async (ids) => new Map((await this.jobs.findByIds(ids)).map((j) => [j.id, jobView(j)])),
    );
    this.follow.register(
      StepSchema,
      async (ids) => new Map((await this.jobs.findStepsByIds(ids)).map((s) => [s.id, stepView(s)])),
    );
  }
}
