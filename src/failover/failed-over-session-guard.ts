import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DiscoverySync } from '../discovery/discovery-sync';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { ActionRunner } from '../jobs/action-runner';
import type { ActionCall } from '../ovirt/routes';
import { runsAgainAfterFailover } from '../sessions/failover-logic';
import { SESSION_JOB_TARGET } from '../sessions/georep-session.entity';
import { SessionControl } from '../sessions/session-jobs';
import { sessionName } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';

/** The guard acts on its own: no user, no correlation id, never waited for. */
const GUARD_CALL: ActionCall = { correlationId: null, userId: null, async: true };

/**
 * After every stored pass of a cluster: a failed-over session that gluster runs again (its site came
 * back, or an unplanned failover left it running) gets a `stop force` job at once, and a warning event,
 * so that its workers cannot write the master's older files over the slave's newer ones. While another
 * action holds the session (a failback stops it itself) nothing is submitted; the next pass looks again.
 */
@Injectable()
export class FailedOverSessionGuard implements OnModuleInit {
  private readonly logger = new Logger(FailedOverSessionGuard.name);

  constructor(
    private readonly sync: DiscoverySync,
    private readonly sessions: SessionsRepository,
    private readonly runner: ActionRunner,
    private readonly events: EventsService,
  ) {}

  onModuleInit(): void {
    this.sync.onStored((clusterId) => this.afterSync(clusterId));
  }

  async afterSync(clusterId: string): Promise<void> {
    for (const session of (await this.sessions.failedOverOfCluster(clusterId)).filter(runsAgainAfterFailover)) {
      try {
        await this.runner.submit(
          {
            action: SessionControl,
            targetType: SESSION_JOB_TARGET,
            targetId: session.id,
            description: `Stopping failed-over geo-replication ${sessionName(session)}, which gluster runs again`,
            params: { verb: 'stop', force: true },
            conflict: 'exclusive',
            retries: 2,
            eventRefs: { clusterId: session.clusterId },
            events: { success: EventCode.GeoRepSessionStopped, failure: EventCode.GeoRepSessionStopFailed },
            asyncByDefault: true,
          },
          GUARD_CALL,
        );
      } catch (e) {
        this.logger.log({ session: session.id, err: (e as Error).message }, 'failed-over session not stopped now');
        continue;
      }
      await this.events.record({
        code: EventCode.GeoRepFailedOverSessionRunning,
        severity: 'warning',
        description: `Geo-replication ${sessionName(session)} is failed over, but gluster reports it ${session.status}: its master site is back (or was never stopped). The service stops it (force) so that it cannot write over the slave's newer data; fail back to bring that data home.`,
        clusterId: session.clusterId,
        targetType: 'georeplication_session',
        targetId: session.id,
      });
    }
  }
}
