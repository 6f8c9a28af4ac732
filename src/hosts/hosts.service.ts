import { Injectable, Logger } from '@nestjs/common';
import { ClustersService } from '../clusters/clusters.service';
import { ConstraintViolation } from '../database/constraint-errors';
import { validateHost, validatePort, validateUserName } from '../gluster';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OvirtFault } from '../ovirt/faults';
import type { ActionInput, ActionReply, Caller } from '../ovirt/routes';
import { actionReply, ActionRunner } from '../jobs/action-runner';
import { ActionRequest, NoParams } from '../jobs/action-definition';
import { HostRefresh, HostRepin, HostRepinParams } from './host-jobs';
import { ServiceKey, SshClient, SshError } from '../ssh';
import { HostContact } from './host-contact';
import { sshTargetOf } from './host-shell';
import type { ListQuery } from '../ovirt/query';
import { BodyError } from '../ovirt/representation';
import { HostEntity } from './host.entity';
import {
  DEFAULT_SSH_PORT,
  DEFAULT_SSH_USER,
  HostCreate,
  HostRepinActionSchema,
  HostUpdate,
} from './host.representation';
import { HostsRepository, NewHost } from './hosts.repository';
import { checkedField } from '../ovirt/field-check';

/** The gluster validators' verdict on a body field, as a 400 naming that field. */
function validated<T>(path: string, validate: (field: string) => T): T {
  return checkedField(() => validate(path), path);
}

/**
 * The rules for hosts: unique names, a cluster that exists, and an SSH endpoint (address, port, user)
 * that passes the same validators the command builder uses, since these values end up on command lines.
 */
@Injectable()
export class HostsService {
  private readonly logger = new Logger(HostsService.name);

  constructor(
    private readonly hosts: HostsRepository,
    private readonly clusters: ClustersService,
    private readonly events: EventsService,
    private readonly actions: ActionRunner,
    private readonly contact: HostContact,
    private readonly ssh: SshClient,
    private readonly serviceKey: ServiceKey,
  ) {}

  list(query: ListQuery): Promise<HostEntity[]> {
    return this.hosts.list(query);
  }

  findByIds(ids: readonly string[]): Promise<HostEntity[]> {
    return this.hosts.findByIds(ids);
  }

  async get(id: string): Promise<HostEntity> {
    const host = await this.hosts.findById(id);
    if (!host) throw OvirtFault.notFound('host', id);
    return host;
  }

  async add(input: HostCreate, caller: Caller): Promise<HostEntity> {
    const host: NewHost = {
      name: input.name,
      address: validated('address', (f) => validateHost(input.address, f)),
      sshPort: validated('ssh.port', (f) => validatePort(input.ssh?.port ?? DEFAULT_SSH_PORT, f)),
      sshUser: validated('ssh.user.user_name', (f) =>
        validateUserName(input.ssh?.user?.user_name ?? DEFAULT_SSH_USER, f),
      ),
      clusterId: (await this.clusters.resolve(input.cluster)).id,
    };
    const added = await this.write(host.name, () => this.hosts.insert(host));
    await this.record(EventCode.HostAdded, `Host ${added.name} (${added.address}) was added.`, added, caller);
    if (input.root_password !== undefined && input.root_password !== null) {
      if (!(await this.installServiceKey(added, input.root_password, caller))) return this.get(added.id);
    }
    await this.firstContact(added, caller);
    return this.get(added.id);
  }

  /**
   * oVirt's one-time root_password: log in with it once (the host key is pinned from this first
   * contact), append the service key to the user's authorized_keys, forget it. A failure leaves the
   * host install_failed with the reason; the password goes nowhere.
   */
  private async installServiceKey(host: HostEntity, password: string, caller: Caller): Promise<boolean> {
    try {
      const installed = await this.ssh.installPublicKeyWithPassword(
        sshTargetOf(host, null),
        password,
        this.serviceKey.publicKey,
      );
      await this.hosts.pinFingerprint(host.id, installed.hostFingerprint);
      host.sshFingerprint = installed.hostFingerprint;
      return true;
    } catch (e) {
      if (!(e instanceof SshError)) throw e;
      await this.contact.recordInstallFailure(
        host,
        `the service key could not be installed with the password given: ${e.message}`,
        caller,
      );
      return false;
    }
  }

  /**
   * The first contact runs as a refresh job, like oVirt's host install: the host is answered at once
   * (status unknown) and turns up, non_responsive or install_failed when the job has run.
   */
  private async firstContact(host: HostEntity, caller: Caller): Promise<void> {
    try {
      await this.actions.submit(this.refreshRequest(host), { ...caller, async: true });
    } catch (e) {
      if (!(e instanceof OvirtFault && e.status === 503)) throw e;
      this.logger.warn({ host: host.id }, 'host added but not contacted: the job queue is unavailable');
      await this.hosts.recordContact(host.id, {
        status: 'unknown',
        statusDetail: 'not contacted yet: the job queue was unavailable; refresh the host',
      });
    }
  }

  async refresh(id: string, input: ActionInput): Promise<ActionReply> {
    const host = await this.get(id);
    return actionReply(await this.actions.submit(this.refreshRequest(host), input.call), input.params);
  }

  async repin(id: string, input: ActionInput<typeof HostRepinActionSchema>): Promise<ActionReply> {
    const host = await this.get(id);
    const request: ActionRequest<HostRepinParams> = {
      ...this.refreshRequest(host),
      action: HostRepin,
      description: `Re-pinning the host key of ${host.name}`,
      params: input.params.fingerprint ? { fingerprint: input.params.fingerprint } : {},
      retries: 0,
      events: { success: EventCode.HostKeyRepinned, failure: EventCode.HostRefreshFailed },
    };
    return actionReply(await this.actions.submit(request, input.call), input.params);
  }

  private refreshRequest(host: HostEntity): ActionRequest<NoParams> {
    return {
      action: HostRefresh,
      targetType: 'host',
      targetId: host.id,
      description: `Refreshing host ${host.name}`,
      params: {},
      conflict: 'queue',
      retries: 0,
      eventRefs: { clusterId: host.clusterId, hostId: host.id },
      events: { success: EventCode.HostRefreshed, failure: EventCode.HostRefreshFailed },
    };
  }

  async update(id: string, input: HostUpdate, caller: Caller): Promise<HostEntity> {
    const current = await this.get(id);
    if (input.root_password !== undefined) {
      throw new BodyError([
        {
          path: 'root_password',
          message: 'is only taken when a host is added (to install the service key again, remove and add the host)',
        },
      ]);
    }
    const changes: Partial<NewHost> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.address !== undefined) changes.address = validated('address', (f) => validateHost(input.address, f));
    if (input.ssh?.port !== undefined) changes.sshPort = validated('ssh.port', (f) => validatePort(input.ssh?.port, f));
    const userName = input.ssh?.user?.user_name;
    if (userName !== undefined) changes.sshUser = validated('ssh.user.user_name', (f) => validateUserName(userName, f));
    if (input.cluster !== undefined) changes.clusterId = (await this.clusters.resolve(input.cluster)).id;
    if (changes.clusterId !== undefined && changes.clusterId !== current.clusterId && current.peerUuid !== null) {
      const [owner] = await this.hosts.poolOwners({ id: current.id, clusterId: changes.clusterId }, [current.peerUuid]);
      if (owner) {
        throw OvirtFault.conflict(
          `Host ${current.name} reaches gluster peer ${owner.peerUuid}, which cluster ${owner.clusterName} also manages (host ${owner.hostName}); a server belongs to one cluster.`,
        );
      }
    }
    const updated = await this.write(changes.name ?? current.name, () => this.hosts.update(id, changes));
    if (!updated) throw OvirtFault.notFound('host', id);
    await this.record(EventCode.HostUpdated, `Host ${updated.name} was updated.`, updated, caller);
    return updated;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    const host = await this.get(id);
    if (!(await this.hosts.delete(host.id))) throw OvirtFault.notFound('host', id);
    await this.record(
      EventCode.HostRemoved,
      `Host ${host.name} was removed.`,
      { id: null, clusterId: host.clusterId },
      caller,
    );
  }

  private async record(
    code: EventCode,
    description: string,
    host: { id: string | null; clusterId: string },
    caller: Caller,
  ): Promise<void> {
    await this.events.record({
      code,
      severity: 'normal',
      description,
      hostId: host.id,
      clusterId: host.clusterId,
      correlationId: caller.correlationId,
      userId: caller.userId,
    });
  }

  private async write<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (e) {
      if (e instanceof ConstraintViolation && e.kind === 'unique') {
        throw OvirtFault.conflict(`a host named "${name}" already exists`);
      }
      throw e;
    }
  }
}
