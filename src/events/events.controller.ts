import { Query } from '@nestjs/common';
import type { ListQuery } from '../ovirt/query';
import { OvirtBody } from '../ovirt/request-body';
import {
  AddRoute,
  Caller,
  GetRoute,
  ListParams,
  ListRoute,
  OvirtCollection,
  RequestCaller,
  ResourceId,
} from '../ovirt/routes';
import { EVENT_SEARCH, EventCreate, EVENTS, EventSchema, EventView, eventView } from './event.representation';
import { EventsService } from './events.service';

@OvirtCollection(EVENTS)
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @ListRoute(EventSchema, {
    search: EVENT_SEARCH,
    summary: 'List events, newest first',
    query: [
      {
        name: 'from',
        type: 'integer',
        format: 'int64',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Only events with an index greater than this (poll with the largest index seen so far).',
      },
    ],
  })
  async list(@ListParams() query: ListQuery, @Query('from') from: unknown): Promise<EventView[]> {
    return (await this.events.list(query, from)).map(eventView);
  }

  @GetRoute(EventSchema)
  async get(@ResourceId() id: string): Promise<EventView> {
    return eventView(await this.events.get(id));
  }

  @AddRoute(EventSchema, { summary: 'Add an external event (description, severity, origin and custom_id)' })
  async add(@OvirtBody(EventSchema, 'create') body: EventCreate, @RequestCaller() caller: Caller): Promise<EventView> {
    return eventView(await this.events.addExternal(body, caller));
  }
}
