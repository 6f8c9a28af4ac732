import { Injectable } from '@nestjs/common';
import { EventSeverity } from '../events/event.entity';
import { EventCode } from '../events/event-codes';
import { EventsService } from '../events/events.service';
import {
  glusterUuidCommand,
  glusterVersionCommand,
  GlusterCommandError,
  parseGlusterVersion,
  parsePeerStatus,
  parseUuidGet,
  peerStatusCommand,
} from '../gluster';
import { SshCommandTimeoutError, SshConnectError, SshConnectionLostError, SshHostKeyMismatchError } from '../ssh';
import { HostEntity } from './host.entity';
import type { HostStatus } from './host.representation';
import { HostShell } from './host-shell';
import { HostContactState, HostsRepository } from './hosts.repository';

/** Why a contact did not bring the host up: decides the HTTP status of a failed refresh. */
export type ContactFailure =
  'unreachable' | 'host_key_changed' | 'gluster_missing' | 'glusterd_down' | 'managed_elsewhere';

export interface ContactOutcome {
  readonly status: HostStatus;
  /** Why the host is not up (shown as status_detail); null when it is. */
  readonly detail: string | null;
  readonly failure?: ContactFailure;
  readonly version?: string;
  readonly peerUuid?: string;
  readonly peers?: number;
  /** The peer UUIDs of the host's gluster pool: its own and those `peer status` lists. */
  readonly pool?: readonly string[];
}

/** Who caused the contact: recorded on the events it writes. */
export interface ContactCause {
  readonly correlationId: string | null;
  readonly userId: string | null;
  readonly jobId?: string | null;
}

const NOT_INSTALLED_EXIT = 127;

/**
 * Contacting a gluster host: connect (pinning the host key on first contact, refusing a changed one),
 * read `gluster --version`, the peer UUID and `peer status`, and record what was found on the host
 * with an event whenever its status changes.
 */
@Injectable()
export class HostContact {
  constructor(
    private readonly shell: HostShell,
    private readonly hosts: HostsRepository,
    private readonly events: EventsService,
  ) {}

  async probe(host: HostEntity, cause: ContactCause, pinnedFingerprint = host.sshFingerprint): Promise<ContactOutcome> {
    return this.record(host, await this.contact(host, pinnedFingerprint), cause);
  }

  /** The one-time password could not install the service key: the host stays, install_failed. */
  async recordInstallFailure(host: HostEntity, detail: string, cause: ContactCause): Promise<ContactOutcome> {
    return this.record(host, { status: 'install_failed', detail, failure: 'unreachable' }, cause);
  }

  private async contact(host: HostEntity, pinnedFingerprint: string | null): Promise<ContactOutcome> {
    try {
      const versionOut = await this.shell.run(host, glusterVersionCommand(), pinnedFingerprint);
      if (versionOut.exitCode === NOT_INSTALLED_EXIT) {
        return {
          status: 'install_failed',
          failure: 'gluster_missing',
          detail: 'the gluster command is not installed on the host (install glusterfs-server)',
        };
      }
      const version = parseGlusterVersion(versionOut).version;
      const peerUuid = parseUuidGet(await this.shell.run(host, glusterUuidCommand()));
      const peers = parsePeerStatus(await this.shell.run(host, peerStatusCommand()));
      return {
        status: 'up',
        detail: null,
        version,
        peerUuid,
        peers: peers.length,
        pool: [peerUuid, ...peers.map((p) => p.uuid)],
      };
    } catch (e) {
      if (e instanceof SshHostKeyMismatchError) {
        return {
          status: 'non_responsive',
          failure: 'host_key_changed',
          detail: `the host key changed: pinned ${e.expectedFingerprint}, presented ${e.presentedFingerprint}; if the change is expected, re-pin it with the repin action`,
        };
      }
      if (e instanceof SshConnectError || e instanceof SshCommandTimeoutError || e instanceof SshConnectionLostError) {
        return { status: 'non_responsive', failure: 'unreachable', detail: e.message };
      }
      if (e instanceof GlusterCommandError) {
        return { status: 'non_responsive', failure: 'glusterd_down', detail: `glusterd does not answer: ${e.message}` };
      }
      throw e;
    }
  }

  private async record(host: HostEntity, found: ContactOutcome, cause: ContactCause): Promise<ContactOutcome> {
    const { outcome, state } = await this.storeContact(host, found);
    const changed = host.status !== outcome.status || (host.statusDetail ?? null) !== (state.statusDetail ?? null);
    const event = contactEvent(host, outcome, changed);
    if (event) {
      await this.events.record({
        ...event,
        hostId: host.id,
        clusterId: host.clusterId,
        correlationId: cause.correlationId,
        userId: cause.userId,
        jobId: cause.jobId ?? null,
      });
    }
    host.status = outcome.status;
    host.statusDetail = state.statusDetail;
    return outcome;
  }

  /**
   * Writes what the contact found on the host row. An up host whose gluster pool a host of another
   * cluster already reaches is recorded install_failed instead (managed_elsewhere), and so answered.
   */
  private async storeContact(
    host: HostEntity,
    found: ContactOutcome,
  ): Promise<{ outcome: ContactOutcome; state: HostContactState }> {
    const state: HostContactState = { status: found.status, statusDetail: found.detail?.slice(0, 1000) ?? null };
    if (found.version !== undefined) state.glusterVersion = found.version;
    if (found.peerUuid !== undefined) state.peerUuid = found.peerUuid;
    const owner = found.status === 'up' ? await this.hosts.recordContactInPool(host, state, found.pool ?? []) : null;
    if (owner) {
      const outcome: ContactOutcome = {
        status: 'install_failed',
        failure: 'managed_elsewhere',
        detail:
          `it reaches gluster peer ${owner.peerUuid}, whose pool cluster ${owner.clusterName} already manages (host ${owner.hostName}); ` +
          'a server belongs to one cluster: add it to that cluster, or remove it there first',
      };
      state.status = outcome.status;
      state.statusDetail = outcome.detail;
      await this.hosts.recordContact(host.id, state);
      return { outcome, state };
    }
    if (found.status !== 'up') await this.hosts.recordContact(host.id, state);
    return { outcome: found, state };
  }
}

/**
 * The event a contact writes: always for a changed host key, otherwise only when the host's status or
 * its detail changed.
 */
function contactEvent(
  host: HostEntity,
  outcome: ContactOutcome,
  changed: boolean,
): { code: EventCode; severity: EventSeverity; description: string } | null {
  if (outcome.failure === 'host_key_changed') {
    return { code: EventCode.HostKeyMismatch, severity: 'error', description: `Host ${host.name}: ${outcome.detail}.` };
  }
  if (!changed) return null;
  if (outcome.status === 'up') {
    return {
      code: EventCode.HostUp,
      severity: 'normal',
      description: `Host ${host.name} is up: glusterfs ${outcome.version}, peer ${outcome.peerUuid}, ${outcome.peers} other peer(s).`,
    };
  }
  if (outcome.status === 'install_failed') {
    return {
      code: EventCode.HostInstallFailed,
      severity: 'error',
      description: `Host ${host.name}: installation failed: ${outcome.detail}.`,
    };
  }
  return {
    code: EventCode.HostNonResponsive,
    severity: 'warning',
    description: `Host ${host.name} is not responding: ${outcome.detail}.`,
  };
}
