import { Injectable } from '@nestjs/common';
import { ClustersService } from '../clusters/clusters.service';
import { ConstraintViolation } from '../database/constraint-errors';
import { GlusterArgumentError, validateHost, validatePort, validateUserName } from '../gluster';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import { OvirtFault } from '../ovirt/faults';
import type { Caller } from '../ovirt/routes';
import type { ListQuery } from '../ovirt/query';
import { BodyError } from '../ovirt/representation';
import { HostEntity } from './host.entity';
import { DEFAULT_SSH_PORT, DEFAULT_SSH_USER, HostCreate, HostUpdate } from './host.representation';
import { HostsRepository, NewHost } from './hosts.repository';

/** The gluster validators' verdict on a body field, as a 400 naming that field. */
function validated<T>(path: string, validate: (field: string) => T): T {
  try {
    return validate(path);
  } catch (e) {
    if (e instanceof GlusterArgumentError) {
      throw new BodyError([{ path, message: e.message.slice(e.field.length + 2) }]);
    }
    throw e;
  }
}

/**
 * The rules for hosts: unique names, a cluster that exists, and an SSH endpoint (address, port, user)
 * that passes the same validators the command builder uses, since these values end up on command lines.
 */
@Injectable()
export class HostsService {
  constructor(
    private readonly hosts: HostsRepository,
    private readonly clusters: ClustersService,
    private readonly events: EventsService,
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
      sshUser: validated('ssh.user', (f) => validateUserName(input.ssh?.user ?? DEFAULT_SSH_USER, f)),
      clusterId: (await this.clusters.resolve(input.cluster)).id,
    };
    const added = await this.write(host.name, () => this.hosts.insert(host));
    await this.record(EventCode.HostAdded, `Host ${added.name} (${added.address}) was added.`, added, caller);
    return added;
  }

  async update(id: string, input: HostUpdate, caller: Caller): Promise<HostEntity> {
    const current = await this.get(id);
    const changes: Partial<NewHost> = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.address !== undefined) changes.address = validated('address', (f) => validateHost(input.address, f));
    if (input.ssh?.port !== undefined) changes.sshPort = validated('ssh.port', (f) => validatePort(input.ssh?.port, f));
    if (input.ssh?.user !== undefined) changes.sshUser = validated('ssh.user', (f) => validateUserName(input.ssh?.user, f));
    if (input.cluster !== undefined) changes.clusterId = (await this.clusters.resolve(input.cluster)).id;
    const updated = await this.write(changes.name ?? current.name, () => this.hosts.update(id, changes));
    if (!updated) throw OvirtFault.notFound('host', id);
    await this.record(EventCode.HostUpdated, `Host ${updated.name} was updated.`, updated, caller);
    return updated;
  }

  async remove(id: string, caller: Caller): Promise<void> {
    const host = await this.get(id);
    if (!(await this.hosts.delete(host.id))) throw OvirtFault.notFound('host', id);
    await this.record(EventCode.HostRemoved, `Host ${host.name} was removed.`, { id: null, clusterId: host.clusterId }, caller);
  }

  private async record(code: EventCode, description: string, host: { id: string | null; clusterId: string }, caller: Caller): Promise<void> {
    await this.events.record({ code, severity: 'normal', description, hostId: host.id, clusterId: host.clusterId, correlationId: caller.correlationId, userId: caller.userId });
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
