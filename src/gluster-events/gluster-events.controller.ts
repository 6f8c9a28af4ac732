import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { Request } from 'express';
import { OpenApiSchemas } from '../ovirt/representation';
import { DescribedRoute, Public } from '../ovirt/routes';
import { GLUSTER_EVENTS_PATH } from '../ovirt/api-paths';
import { GlusterEventsService } from './gluster-events.service';

const EVENT_SCHEMAS: OpenApiSchemas = {
  GlusterEvent: {
    type: 'object',
    description:
      "What glustereventsd posts (gfevents.utils.publish): the node's UUID, gluster's time stamp (seconds), the event " +
      'name without `EVENT_` and its attributes. A GEOREP_* event names its session (`primary_volume`, `secondary_host`, ' +
      '`secondary_volume`, or `primary` and `secondary` from the CLI).',
    required: ['nodeid', 'ts', 'event'],
    properties: {
      nodeid: { type: 'string' },
      ts: { type: 'integer', minimum: 0 },
      event: { type: 'string', pattern: '^[A-Z][A-Z0-9_]{0,63}$', description: 'e.g. `GEOREP_CHECKPOINT_COMPLETED`.' },
      message: { type: 'object', additionalProperties: true },
    },
  },
  GlusterEventReceipt: {
    type: 'object',
    required: ['event', 'cluster'],
    properties: {
      event: {
        type: 'string',
        nullable: true,
        description: 'null for the empty post of `gluster-eventsapi webhook-test`.',
      },
      cluster: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
      session: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' } },
        description: 'The geo-replication session the event is about, when the service knows it.',
      },
    },
  },
};

/**
 * `POST /ovirt-engine/services/glusterevents`: the webhook gluster's events API posts to. Not an oVirt
 * resource and not for API users: the credential is the bearer token `enableglusterevents` gave the
 * cluster's glustereventsd (no login), so it is public to the access guard and checks that token itself.
 */
@Public()
@Controller()
export class GlusterEventsController {
  constructor(private readonly events: GlusterEventsService) {}

  @Post(GLUSTER_EVENTS_PATH.slice(1))
  @HttpCode(200)
  @DescribedRoute({
    tag: {
      name: 'glusterevents',
      description: "gluster's own events, pushed by glustereventsd once a cluster's `enableglusterevents` ran.",
    },
    operationId: 'receiveGlusterEvent',
    summary: 'Receive an event from glustereventsd (for gluster, not for API clients)',
    description:
      "Credentials: `Authorization: Bearer <token>` with the token the cluster's `enableglusterevents` registered (no " +
      'login is taken). An event about sessions, volumes, bricks or peers refreshes the cluster (one discovery sync waiting ' +
      'at most, however many events arrive) and wakes a DR run waiting for the checkpoint of the session it names. An empty body is the post of ' +
      '`gluster-eventsapi webhook-test` and changes nothing. gluster answers anything but 200 with a line in its events log ' +
      'only (it does not retry): the periodic sync still catches up.',
    requestBody: {
      required: false,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/GlusterEvent' } } },
    },
    responses: {
      '200': {
        description: 'Taken.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/GlusterEventReceipt' } } },
      },
      '401': { $ref: '#/components/responses/Unauthorized' },
    },
    faults: [400, 413, 500, 503],
    schemas: EVENT_SCHEMAS,
  })
  async receive(@Req() req: Request): Promise<object> {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const received = await this.events.receive(req.header('authorization'), body);
    return {
      event: received.event,
      cluster: { id: received.clusterId },
      ...(received.sessionId !== null ? { session: { id: received.sessionId } } : {}),
    };
  }
}
