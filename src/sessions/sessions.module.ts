import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FollowRegistry } from '../ovirt/follow';
import { VolumesModule } from '../volumes/volumes.module';
import { GeoRepSessionDetailEntity } from './georep-session-detail.entity';
import { GeoRepSessionOptionEntity } from './georep-session-option.entity';
import { GeoRepSessionEntity } from './georep-session.entity';
import { GeoRepSessionSchema } from './session.representation';
import { GeoRepSessionsController, SessionDetailsController, SessionOptionsController } from './sessions.controller';
import { SessionsRepository } from './sessions.repository';
import { SessionsService } from './sessions.service';
import { SessionDeletionGuards } from './session-deletion-guards';

/** Geo-replication sessions, their per-brick rows and options (read API; discovery fills them). */
@Module({
  imports: [
    TypeOrmModule.forFeature([GeoRepSessionEntity, GeoRepSessionDetailEntity, GeoRepSessionOptionEntity]),
    VolumesModule,
  ],
  controllers: [GeoRepSessionsController, SessionDetailsController, SessionOptionsController],
  providers: [SessionsRepository, SessionsService, SessionDeletionGuards],
  exports: [SessionsRepository, SessionsService, SessionDeletionGuards],
})
export class SessionsModule implements OnModuleInit {
  constructor(
    private readonly sessions: SessionsService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(GeoRepSessionSchema, (ids) => this.sessions.viewsByIds(ids));
  }
}
