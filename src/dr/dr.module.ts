import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { SessionDeletionGuards } from '../sessions/session-deletion-guards';
import { SessionsModule } from '../sessions/sessions.module';
import { JobsModule } from '../jobs/jobs.module';
import { FollowRegistry } from '../ovirt/follow';
import { SessionWorkerModule } from '../session-worker/session-worker.module';
import { StorageDomainsModule } from '../storage-domains/storage-domains.module';
import { DrRunEntity } from './dr-run.entity';
import { DrRunJob } from './dr-run.job';
import { DrScheduleRunner } from './dr-schedule-runner.job';
import { DrScheduleEntity } from './dr-schedule.entity';
import { DrScheduler } from './dr-scheduler';
import { DrRunsController, DrSchedulesController } from './dr.controller';
import { DrRepository } from './dr.repository';
import { DrRunSchema, DrScheduleSchema } from './dr.representation';
import { DrService } from './dr.service';
import { DR_QUIESCER, DR_STALL_HEALER } from './dr-hooks';
import { EngineQuiescer } from './engine-quiescer';
import { EngineSettings } from './engine-settings';
import { MasterRootToucher } from './master-root-toucher';

/** DR schedules of storage domains, their BullMQ job schedulers, and the runs (job `dr.run`). */
@Module({
  imports: [
    TypeOrmModule.forFeature([DrScheduleEntity, DrRunEntity]),
    SessionsModule,
    StorageDomainsModule,
    SessionWorkerModule,
    JobsModule,
    EventsModule,
  ],
  controllers: [DrSchedulesController, DrRunsController],
  providers: [
    DrRepository,
    DrService,
    DrScheduler,
    DrRunJob,
    DrScheduleRunner,
    MasterRootToucher,
    { provide: DR_STALL_HEALER, useExisting: MasterRootToucher },
    EngineQuiescer,
    EngineSettings,
    { provide: DR_QUIESCER, useExisting: EngineQuiescer },
  ],
  exports: [DrService, DrRepository, DR_STALL_HEALER],
})
export class DrModule implements OnModuleInit {
  constructor(
    private readonly dr: DrService,
    private readonly repo: DrRepository,
    private readonly follow: FollowRegistry,
    private readonly deletionGuards: SessionDeletionGuards,
  ) {}

  onModuleInit(): void {
    this.deletionGuards.register(async (session) =>
      (await this.repo.hasScheduleForSession(session.id))
        ? 'a DR schedule syncs through this session; remove the schedule first'
        : null,
    );
    this.follow.register(DrScheduleSchema, (ids) => this.dr.scheduleViewsByIds(ids));
    this.follow.register(DrRunSchema, (ids) => this.dr.runViewsByIds(ids));
  }
}
