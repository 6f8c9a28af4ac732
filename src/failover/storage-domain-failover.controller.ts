import { Injectable } from '@nestjs/common';
import { DrRepository } from '../dr/dr.repository';
import { OvirtFault } from '../ovirt/faults';
import { ActionInput, ActionInputParam, ActionReply, ActionRoute, OvirtCollection, ResourceId } from '../ovirt/routes';
import { SessionFailbackActionSchema, SessionFailoverActionSchema } from '../sessions/session.representation';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { StorageDomainSchema, STORAGE_DOMAINS } from '../storage-domains/storage-domain.representation';
import { StorageDomainsService } from '../storage-domains/storage-domains.service';

/** A storage domain's failover and failback: those of the geo-replication session its DR schedule syncs through. */
@Injectable()
export class StorageDomainFailover {
  constructor(
    private readonly domains: StorageDomainsService,
    private readonly dr: DrRepository,
    private readonly sessionRows: SessionsRepository,
    private readonly sessions: SessionsService,
  ) {}

  async act(domainId: string, action: 'failover' | 'failback', input: ActionInput): Promise<ActionReply> {
    const domain = await this.domains.get(domainId);
    const sessionIds = [
      ...new Set((await this.dr.schedulesOfDomain(domain.id)).flatMap((s) => (s.sessionId ? [s.sessionId] : []))),
    ];
    if (sessionIds.length === 0)
      throw OvirtFault.conflict(
        `storage domain ${domain.name} has no DR schedule with a geo-replication session: add one (…/dr-schedules), or ${action === 'failover' ? 'fail over' : 'fail back'} the session itself`,
      );
    if (sessionIds.length > 1)
      throw OvirtFault.conflict(
        `the DR schedules of storage domain ${domain.name} sync through ${sessionIds.length} sessions: ${action === 'failover' ? 'fail over' : 'fail back'} the session you mean (…/georeplication-sessions/{id}/${action})`,
      );
    const session = await this.sessionRows.findById(sessionIds[0]);
    if (!session) throw OvirtFault.conflict("the DR schedule's geo-replication session is gone");
    return action === 'failover'
      ? this.sessions.failover(session.clusterId, session.masterVolumeId, session.id, input)
      : this.sessions.failback(session.clusterId, session.masterVolumeId, session.id, input);
  }
}

@OvirtCollection(STORAGE_DOMAINS)
export class StorageDomainFailoverController {
  constructor(private readonly failovers: StorageDomainFailover) {}

  @ActionRoute(StorageDomainSchema, 'failover', SessionFailoverActionSchema, {
    runsJob: true,
    asyncByDefault: true,
    summary: "Fail over the storage domain to its DR copy (its DR schedule's session)",
    description:
      "The failover action of the geo-replication session the domain's DR schedule syncs through (see that action; the same parameters and faults). The schedule is paused (disabled_reason names the failover), and the domain's primary_copy turns slave with primary_storage the slave host and `/<slave volume>`, the address an oVirt engine imports the copy from. 409 when no schedule, or schedules with different sessions, sync the domain.",
  })
  failover(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionFailoverActionSchema>,
  ): Promise<ActionReply> {
    return this.failovers.act(id, 'failover', input);
  }

  @ActionRoute(StorageDomainSchema, 'failback', SessionFailbackActionSchema, {
    runsJob: true,
    asyncByDefault: true,
    summary: "Fail the storage domain back to its own volume (its DR schedule's session)",
    description:
      "The failback action of the geo-replication session the domain's DR schedule syncs through (see that action; phases sync and complete). When phase complete ends, primary_copy is master again and the schedule the failover paused resumes.",
  })
  failback(
    @ResourceId() id: string,
    @ActionInputParam() input: ActionInput<typeof SessionFailbackActionSchema>,
  ): Promise<ActionReply> {
    return this.failovers.act(id, 'failback', input);
  }
}
