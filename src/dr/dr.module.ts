import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../events/events.module';
import { GeoRepSessionEntity } from '../georep/georep-session.entity';
import { JobsModule } from '../jobs/jobs.module';
import { FollowRegistry } from '../ovirt/follow';
import { SessionControlModule } from '../session-control/session-control.module';
import { StorageDomainsModule } from '../storage-domains/storage-domains.module';
import { DrRunEntity } from './dr-run.entity';
import { DrRunHandler } from './dr-run.handler';
import { DrScheduleRunner } from './dr-schedule-runner';
import { DrScheduleEntity } from './dr-schedule.entity';
import { DrScheduler } from './dr-scheduler';
import { DrRunsController, DrSchedulesController } from './dr.controller';
import { DrRepository } from './dr.repository';
import { DrRunSchema, DrScheduleSchema } from './dr.representation';
import { DrService } from './dr.service';

/** DR schedules of storage domains, their BullMQ job schedulers, and the runs (job `dr.run`). */
@Module({
  imports: [
    TypeOrmModule.forFeature([DrScheduleEntity, DrRunEntity, GeoRepSessionEntity]),
    StorageDomainsModule,
    SessionControlModule,
    JobsModule,
    EventsModule,
  ],
  controllers: [DrSchedulesController, DrRunsController],
  providers: [DrRepository, DrService, DrScheduler, DrRunHandler, DrScheduleRunner],
  exports: [DrService],
})
export class DrModule implements OnModuleInit {
  constructor(
    private readonly dr: DrService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(DrScheduleSchema, (ids) => this.dr.scheduleViewsByIds(ids));
    this.follow.register(DrRunSchema, (ids) => this.dr.runViewsByIds(ids));
  }
}
