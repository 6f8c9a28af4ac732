import { Injectable, Logger } from '@nestjs/common';
import { bearerToken } from '../auth/bearer-token';
import { ClusterEntity } from '../clusters/cluster.entity';
import { ClustersRepository } from '../clusters/clusters.repository';
import { eventRefreshesCluster, geoRepEventTarget, GlusterEvent, parseGlusterEvent } from '../gluster';
import { OvirtFault } from '../ovirt/faults';
import { QueueProducer } from '../queue/queue-producer';
import { SessionSignals } from '../queue/session-signals';
import { SessionsRepository } from '../sessions/sessions.repository';
import { GlusterEventRefresh } from './gluster-event-jobs';
import { glusterEventsTokenSha256 } from './gluster-events-token';

/** A refresh starts this long after the event that queued it, so that a burst of events shares it. */
const REFRESH_DELAY_MS = 250;

/** What a post of glustereventsd led to. */
export interface ReceivedEvent {
  /** null for the empty post of `gluster-eventsapi webhook-test`. */
  readonly event: string | null;
  readonly clusterId: string;
  /** The session the event is about, when the service knows it. */
  readonly sessionId: string | null;
}

/**
 * Events pushed by a cluster's glustereventsd: the bearer token says which cluster (it is the token
 * `enableglusterevents` registered), an event about what discovery stores refreshes that cluster (one
 * discovery sync waiting at most, on the maintenance queue), and an event naming a session signals it, which wakes a DR run
 * waiting for that session's checkpoint.
 */
@Injectable()
export class GlusterEventsService {
  private readonly logger = new Logger(GlusterEventsService.name);

  constructor(
    private readonly clusters: ClustersRepository,
    private readonly sessions: SessionsRepository,
    private readonly producer: QueueProducer,
    private readonly signals: SessionSignals,
  ) {}

  async receive(authorization: string | undefined, body: string): Promise<ReceivedEvent> {
    const cluster = await this.sender(authorization);
    let event: GlusterEvent | null;
    try {
      event = parseGlusterEvent(body);
    } catch (e) {
      throw OvirtFault.badRequest(`not an event of gluster's events API: ${(e as Error).message}`);
    }
    if (event === null) return { event: null, clusterId: cluster.id, sessionId: null };
    await this.clusters.touchGlusterEvents(cluster.id, new Date());
    const target = geoRepEventTarget(event);
    const session = target === null ? null : await this.sessions.findByGlusterNames(cluster.id, target);
    if (session !== null) await this.signals.signal(session.id);
    if (eventRefreshesCluster(event)) await this.refreshSoon(cluster);
    return { event: event.event, clusterId: cluster.id, sessionId: session?.id ?? null };
  }

  private async sender(authorization: string | undefined): Promise<ClusterEntity> {
    const token = bearerToken(authorization);
    const cluster =
      token === undefined ? null : await this.clusters.findByGlusterEventsToken(glusterEventsTokenSha256(token));
    if (cluster === null)
      throw new OvirtFault(401, 'Unauthorized', "the bearer token is not one a cluster's glustereventsd was given");
    return cluster;
  }

  /**
   * At most one refresh of a cluster waiting and one running, however many events arrive (BullMQ's deduplication,
   * so across API processes): an event while one runs queues exactly one more, so none is left unread.
   */
  private async refreshSoon(cluster: ClusterEntity): Promise<void> {
    try {
      await this.producer.add(
        GlusterEventRefresh,
        { clusterId: cluster.id },
        {
          delay: REFRESH_DELAY_MS,
          deduplication: { id: `gluster-event-refresh:${cluster.id}`, keepLastIfActive: true },
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    } catch (e) {
      this.logger.warn({ cluster: cluster.id, err: (e as Error).message }, 'refresh after a gluster event not queued');
      throw new OvirtFault(
        503,
        'Service Unavailable',
        'The job queue (Redis) is not reachable; the event was not taken.',
      );
    }
  }
}
