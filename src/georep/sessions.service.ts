import { Injectable } from '@nestjs/common';
import { EventCode } from '../events/event-codes';
import { canonicalOptionName } from '../gluster';
import { actionReply, ActionRunner } from '../jobs/action-runner';
import { OvirtFault } from '../ovirt/faults';
import type { ListQuery } from '../ovirt/query';
import type { ActionInput, ActionReply } from '../ovirt/routes';
import { JobName } from '../queue/queue-names';
import { VolumesService } from '../volumes/volumes.service';
import { GeoRepSessionEntity } from './georep-session.entity';
import { detailView, GeoRepOptionView, GeoRepSessionView, optionView, SessionDetailView, sessionView } from './session.representation';
import { SessionsRepository } from './sessions.repository';

/** Geo-rep sessions as discovery last read them. `refresh` runs the master cluster's discovery sync. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly volumes: VolumesService,
    private readonly sessions: SessionsRepository,
    private readonly actions: ActionRunner,
  ) {}

  async list(clusterId: string, volumeId: string, query: ListQuery): Promise<GeoRepSessionView[]> {
    const volume = await this.volumes.get(clusterId, volumeId);
    return (await this.sessions.listByVolume(volume.id, query)).map((s) => sessionView(s));
  }

  async get(clusterId: string, volumeId: string, id: string): Promise<GeoRepSessionEntity> {
    const volume = await this.volumes.get(clusterId, volumeId);
    const session = await this.sessions.findInVolume(volume.id, id);
    if (!session) throw OvirtFault.notFound('geo-replication session', id);
    return session;
  }

  /** The single GET: with the per-brick rows inline. */
  async view(clusterId: string, volumeId: string, id: string): Promise<GeoRepSessionView> {
    const session = await this.get(clusterId, volumeId, id);
    return sessionView(session, await this.sessions.allDetails(session.id));
  }

  async viewsByIds(ids: readonly string[]): Promise<Map<string, GeoRepSessionView>> {
    return new Map((await this.sessions.findByIds(ids)).map((s) => [s.id, sessionView(s)]));
  }

  async details(clusterId: string, volumeId: string, id: string, query: ListQuery): Promise<SessionDetailView[]> {
    const session = await this.get(clusterId, volumeId, id);
    return (await this.sessions.listDetails(session.id, query)).map((d) => detailView(session, d));
  }

  async options(clusterId: string, volumeId: string, id: string, query: ListQuery): Promise<GeoRepOptionView[]> {
    const session = await this.get(clusterId, volumeId, id);
    return (await this.sessions.listOptions(session.id, query)).map((o) => optionView(session, o));
  }

  /** By canonical name; underscores and the legacy names gluster still accepts are taken too. */
  async option(clusterId: string, volumeId: string, id: string, name: string): Promise<GeoRepOptionView> {
    const session = await this.get(clusterId, volumeId, id);
    const canonical = /^[A-Za-z0-9_-]{1,100}$/.test(name) ? canonicalOptionName(name.toLowerCase()) : null;
    const option = canonical === null ? null : await this.sessions.findOption(session.id, canonical);
    if (!option) throw OvirtFault.notFound('option', name, 'name');
    return optionView(session, option);
  }

  async refresh(clusterId: string, volumeId: string, id: string, input: ActionInput): Promise<ActionReply> {
    const session = await this.get(clusterId, volumeId, id);
    const submission = await this.actions.submit(
      {
        name: JobName.ClusterRefresh,
        targetType: 'cluster',
        targetId: session.clusterId,
        description: `Refreshing geo-replication session ${session.slaveHostName}::${session.slaveVolumeName}`,
        conflict: 'queue',
        retries: 2,
        eventRefs: { clusterId: session.clusterId },
        events: { success: EventCode.GeoRepSessionRefreshed, failure: EventCode.GeoRepSessionRefreshFailed },
      },
      input.call,
    );
    return actionReply(submission, input.params);
  }
}
