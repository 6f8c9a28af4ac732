import { Global, Module, OnModuleInit } from '@nestjs/common';
import { FollowRegistry } from '../ovirt/follow';
import { EventSchema, eventView } from './event.representation';
import { EventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { EventsService } from './events.service';

@Global()
@Module({
  controllers: [EventsController],
  providers: [EventsRepository, EventsService],
  exports: [EventsRepository, EventsService],
})
export class EventsModule implements OnModuleInit {
  constructor(
    private readonly events: EventsService,
    private readonly follow: FollowRegistry,
  ) {}

  onModuleInit(): void {
    this.follow.register(
      EventSchema,
      async (ids) => new Map((await this.events.findByIds(ids)).map((e) => [e.id, eventView(e)])),
    );
  }
}
