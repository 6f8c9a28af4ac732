import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { EventEntity } from './event.entity';
import { EventsRepository, NewEvent } from './events.repository';

/** The audit trail: every mutation writes one event, in the same transaction when one is given. */
@Injectable()
export class EventsService {
  constructor(private readonly events: EventsRepository) {}

  record(event: NewEvent, manager?: EntityManager): Promise<EventEntity> {
    return this.events.insert(event, manager);
  }
}
