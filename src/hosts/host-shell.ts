import { Injectable } from '@nestjs/common';
import type { GlusterCommand } from '../gluster';
import {
  SshClient,
  SshConnectError,
  SshExecOptions,
  SshExecResult,
  SshNoEndpointReachableError,
  SshTarget,
} from '../ssh';
import { HostEntity } from './host.entity';
import { HostsRepository } from './hosts.repository';

/** A command that ran on one host of a cluster, and the hosts that could not be reached first. */
export interface ClusterExecResult {
  readonly result: SshExecResult;
  readonly host: HostEntity;
  readonly unreachable: readonly { readonly host: HostEntity; readonly error: SshConnectError }[];
}

function attemptSummary(
  unreachable: readonly { readonly host: HostEntity; readonly error: SshConnectError }[],
): string {
  return unreachable.map((u) => `${u.host.name}: ${u.error.message}`).join('; ');
}

/** No host of the cluster could run the command (or it has none). */
export class NoReachableHostError extends Error {
  constructor(
    readonly clusterId: string,
    readonly unreachable: readonly { readonly host: HostEntity; readonly error: SshConnectError }[],
    /** Hosts not tried because they are install_failed. */
    readonly skipped = 0,
  ) {
    super(
      unreachable.length === 0
        ? skipped > 0
          ? `none of the cluster's ${skipped} host(s) can be used: each is install_failed (refresh a host once it is fixed)`
          : 'the cluster has no hosts'
        : `no host of the cluster could be reached: ${attemptSummary(unreachable)}`,
    );
    this.name = 'NoReachableHostError';
  }

  /** Each host tried and why it could not be reached: "a: refused; b: timed out". */
  get attemptSummary(): string {
    return attemptSummary(this.unreachable);
  }
}

/**
 * Order in which a cluster's hosts are tried: those known to be up first. An install_failed host is
 * not tried (its key was not installed, or its gluster pool belongs to another cluster) until a
 * host refresh brings it up.
 */
const STATUS_ORDER: Readonly<Record<string, number>> = { up: 0, unknown: 1, non_responsive: 2 };

export function sshTargetOf(
  host: Pick<HostEntity, 'address' | 'sshPort' | 'sshUser' | 'sshFingerprint'>,
  pinnedFingerprint = host.sshFingerprint,
): SshTarget {
  return { host: host.address, port: host.sshPort, username: host.sshUser, pinnedFingerprint };
}

/**
 * Runs commands on gluster hosts over the SSH pool, as the host records say: its endpoint and pinned
 * host key. A host contacted for the first time gets the key it presented pinned.
 */
@Injectable()
export class HostShell {
  constructor(
    private readonly ssh: SshClient,
    private readonly hosts: HostsRepository,
  ) {}

  async run(
    host: HostEntity,
    command: GlusterCommand | string,
    pinnedFingerprint = host.sshFingerprint,
    options: SshExecOptions = {},
  ): Promise<SshExecResult> {
    const result = await this.ssh.exec(
      sshTargetOf(host, pinnedFingerprint),
      typeof command === 'string' ? command : command.command,
      options,
    );
    await this.pinOnFirstContact(host, result.hostFingerprint);
    return result;
  }

  /** Runs a command on an endpoint that is not a registered host (e.g. an unmanaged slave, by the key its admin confirmed). */
  runOnEndpoint(target: SshTarget, command: GlusterCommand, options: SshExecOptions = {}): Promise<SshExecResult> {
    return this.ssh.exec(target, command.command, options);
  }

  /**
   * Runs the command on the first host of the cluster that can be reached (up ones first, then by
   * name); only connection failures move on, so the command never runs twice.
   */
  async runOnCluster(clusterId: string, command: GlusterCommand): Promise<ClusterExecResult> {
    const all = await this.hosts.listByCluster(clusterId);
    const hosts = all
      .filter((h) => h.status in STATUS_ORDER)
      .sort(
        (a, b) =>
          STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id),
      );
    if (hosts.length === 0) throw new NoReachableHostError(clusterId, [], all.length);
    try {
      const result = await this.ssh.execOnAny(
        hosts.map((h) => sshTargetOf(h)),
        command.command,
      );
      const ranOn = hosts[result.failedAttempts.length];
      await this.pinOnFirstContact(ranOn, result.hostFingerprint);
      return {
        result,
        host: ranOn,
        unreachable: result.failedAttempts.map((f, i) => ({ host: hosts[i], error: f.error })),
      };
    } catch (e) {
      if (e instanceof SshNoEndpointReachableError) {
        throw new NoReachableHostError(
          clusterId,
          e.attempts.map((f, i) => ({ host: hosts[i], error: f.error })),
        );
      }
      throw e;
    }
  }

  private async pinOnFirstContact(host: HostEntity, fingerprint: string): Promise<void> {
    if (host.sshFingerprint === null) {
      await this.hosts.pinFingerprint(host.id, fingerprint);
      host.sshFingerprint = fingerprint;
    }
  }
}
