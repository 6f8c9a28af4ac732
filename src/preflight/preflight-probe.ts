import { Injectable } from '@nestjs/common';
import type { GlusterCommand } from '../gluster/command-builder';
import { HostEntity } from '../hosts/host.entity';
import { HostShell } from '../hosts/host-shell';
import type { SshExecResult } from '../ssh';
import { clockCommand, hostFactsCommand, sshProbeCommand } from '../gluster/preflight-commands';
import {
  ClockRead,
  HostFacts,
  HostReading,
  parseClock,
  parseHostFacts,
  parseSshProbe,
  SshProbeOutcome,
} from './preflight-checks';

/** How long one probe command on one host may take before its host counts as not answering. */
export const PREFLIGHT_COMMAND_TIMEOUT_MS = 15_000;
/** The ssh attempt from a master host to the slave: its ConnectTimeout, and its whole run (under `timeout`, below the command timeout). */
export const SSH_PROBE_CONNECT_TIMEOUT_SECONDS = 5;
export const SSH_PROBE_TIMEOUT_SECONDS = 10;

class ProbeTimeoutError extends Error {}

/**
 * All I/O of the preflight: read-only commands on the hosts over the service's SSH pool (HostShell),
 * each bounded by PREFLIGHT_COMMAND_TIMEOUT_MS. A host that cannot be reached or answers nonsense is
 * a reading with an error, never an exception: the checks report it as not read.
 */
@Injectable()
export class PreflightProbe {
  constructor(private readonly shell: HostShell) {}

  async facts(host: HostEntity): Promise<HostReading<HostFacts>> {
    return this.read(host, hostFactsCommand(), (out) => (out.exitCode === 0 ? parseHostFacts(out.stdout) : null));
  }

  /** The host's clock, with the service's clock just before the command went out and just after its answer came back. */
  async clock(host: HostEntity): Promise<HostReading<ClockRead>> {
    let sentMs = 0;
    return this.read(
      host,
      clockCommand(),
      (out, receivedMs) => {
        const c = out.exitCode === 0 ? parseClock(out.stdout) : null;
        return c && { remoteMs: c.ms, resolutionMs: c.resolutionMs, sentMs, receivedMs };
      },
      () => (sentMs = Date.now()),
    );
  }

  /** From a master host: ssh to the slave host with gsyncd's key, as the session's user on its port. */
  async ssh(
    host: HostEntity,
    target: { user: string; slaveHost: string; port: number },
  ): Promise<HostReading<SshProbeOutcome>> {
    const command = sshProbeCommand(
      target.user,
      target.slaveHost,
      target.port,
      SSH_PROBE_CONNECT_TIMEOUT_SECONDS,
      SSH_PROBE_TIMEOUT_SECONDS,
    );
    return this.read(host, command, (out) => parseSshProbe(out.stdout));
  }

  private async read<T>(
    host: HostEntity,
    command: GlusterCommand,
    parse: (out: SshExecResult, receivedMs: number) => T | null,
    beforeSend?: () => void,
  ): Promise<HostReading<T>> {
    let timer: NodeJS.Timeout | undefined;
    try {
      beforeSend?.();
      const deadline = new Promise<never>(
        (_, reject) => (timer = setTimeout(() => reject(new ProbeTimeoutError()), PREFLIGHT_COMMAND_TIMEOUT_MS)),
      );
      const out = await Promise.race([this.shell.run(host, command), deadline]);
      const value = parse(out, Date.now());
      if (value === null) {
        return {
          host: host.name,
          error: `unexpected answer (exit ${out.exitCode ?? out.signal}): ${(out.stderr.trim() || out.stdout.trim()).slice(0, 200)}`,
        };
      }
      return { host: host.name, value };
    } catch (e) {
      if (e instanceof ProbeTimeoutError)
        return { host: host.name, error: `no answer within ${PREFLIGHT_COMMAND_TIMEOUT_MS / 1000} s` };
      return { host: host.name, error: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    } finally {
      clearTimeout(timer);
    }
  }
}
