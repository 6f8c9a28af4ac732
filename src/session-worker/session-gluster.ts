import { Injectable } from '@nestjs/common';
import { ClustersRepository } from '../clusters/clusters.repository';
import { DiscoverySync, SyncOrigin } from '../discovery/discovery-sync';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import {
  geoRepControlCommand,
  GeoRepSessionRef,
  GlusterArgumentError,
  GlusterCommand,
  parseGeoRepAction,
} from '../gluster';
import { expectedStatusAfter } from '../sessions/session-rules';
import { desiredStatusAfter } from '../sessions/stall-detection';
import { HostEntity } from '../hosts/host.entity';
import { asActionFailure } from '../hosts/host-failures';
import { HostShell } from '../hosts/host-shell';
import { ActionFailedError } from '../jobs/action-failure';
import type { SshExecResult } from '../ssh';
import { VolumesRepository } from '../volumes/volumes.repository';

export type ControlVerb = 'start' | 'stop' | 'pause' | 'resume';

/** Reads of a session after its verb, SETTLE_INTERVAL_MS apart, before its status counts whatever it says. */
const SETTLE_READS = 10;
const SETTLE_INTERVAL_MS = 1000;

/** What one gluster command on a session's master cluster printed, and where it ran. */
export interface SessionCommandResult {
  readonly output: SshExecResult;
  readonly host: HostEntity;
}

/**
 * All gluster I/O for one geo-replication session: its command-line identity (master volume, slave
 * host and volume, user), commands run on the first reachable host of the master cluster, and a
 * re-read of the session through the cluster's discovery sync. Failures come out as ActionFailedError
 * with the status an action answers: 409 gluster said no (its message in the detail), 502 no host
 * reachable or the connection dropped, 504 the command timed out.
 */
@Injectable()
export class SessionGluster {
  constructor(
    private readonly shell: HostShell,
    private readonly sessions: SessionsRepository,
    private readonly volumes: VolumesRepository,
    private readonly clusters: ClustersRepository,
    private readonly sync: DiscoverySync,
  ) {}

  /** The session as the command builders name it; 409 when the master volume is gone. */
  async ref(session: GeoRepSessionEntity): Promise<GeoRepSessionRef> {
    const [volume] = await this.volumes.findByIds([session.masterVolumeId]);
    if (!volume)
      throw ActionFailedError.refused('The master volume of the session is no longer known; refresh the cluster.');
    return refOf(session, volume.name);
  }

  /**
   * Runs a command built from the session's ref on its master cluster. `parse` reads gluster's answer
   * (it throws GlusterCommandError when gluster refused); `onHost` learns where it ran.
   */
  async run<T>(
    session: GeoRepSessionEntity,
    build: (ref: GeoRepSessionRef) => GlusterCommand,
    parse: (out: SshExecResult) => T,
    onHost?: (host: HostEntity) => Promise<void>,
  ): Promise<T> {
    let command: GlusterCommand;
    try {
      command = build(await this.ref(session));
    } catch (e) {
      if (e instanceof GlusterArgumentError)
        throw ActionFailedError.refused(`the session cannot be named on a gluster command line: ${e.message}`);
      throw e;
    }
    const ran = await this.onCluster(session.clusterId, command);
    await onHost?.(ran.host);
    try {
      return parse(ran.output);
    } catch (e) {
      throw asActionFailure(e);
    }
  }

  /**
   * start/stop/pause/resume as gluster runs them, recording what was asked: drift is judged against it
   * only from status read after the command returned (a start gluster refused still means the admin
   * wants the session running, so that counts too).
   */
  async control(
    session: GeoRepSessionEntity,
    verb: ControlVerb,
    options: { force: boolean },
    onHost?: (host: HostEntity) => Promise<void>,
  ): Promise<void> {
    const desired = desiredStatusAfter(verb);
    await this.sessions.recordDesiredStatus(session.id, desired, null);
    try {
      await this.run(session, (ref) => geoRepControlCommand(ref, verb, options), parseGeoRepAction, onHost);
    } finally {
      await this.sessions.recordDesiredStatus(session.id, desired, new Date());
    }
  }

  /**
   * start/stop where gluster may already be there (started meanwhile by someone else, already stopped, or
   * a re-run after a crash): gluster's "already started" and "not running" count as done.
   */
  async controlIfNeeded(
    session: GeoRepSessionEntity,
    verb: ControlVerb,
    options: { force: boolean },
    onHost?: (host: HostEntity) => Promise<void>,
  ): Promise<void> {
    try {
      await this.control(session, verb, options, onHost);
    } catch (e) {
      if (e instanceof ActionFailedError && /already (started|running)|not running|already stopped/i.test(e.detail))
        return;
      throw e;
    }
  }

  /** `stop force` then `start force` (to apply an option, or to heal): the session is wanted running afterwards. */
  async restart(session: GeoRepSessionEntity, onHost?: (host: HostEntity) => Promise<void>): Promise<void> {
    await this.control(session, 'stop', { force: true }, onHost);
    await this.control(session, 'start', { force: true });
  }

  /** Any command on a cluster's first reachable host, with SSH failures as action failures. */
  async onCluster(clusterId: string, command: GlusterCommand): Promise<SessionCommandResult> {
    try {
      const ran = await this.shell.runOnCluster(clusterId, command);
      return { output: ran.result, host: ran.host };
    } catch (e) {
      throw asActionFailure(e);
    }
  }

  /**
   * Re-reads the session from gluster: its own status (and its options with `withOptions`), or the
   * master cluster's whole discovery sync when the session alone cannot tell (see
   * DiscoverySync.syncSession). Null when gluster no longer has it (the sync removed it).
   */
  async refresh(
    session: GeoRepSessionEntity,
    origin: SyncOrigin,
    options: { withOptions?: boolean; settling?: boolean } = {},
  ): Promise<GeoRepSessionEntity | null> {
    const cluster = await this.clusters.findById(session.clusterId);
    if (!cluster) return null;
    const [volume] = await this.volumes.findByIds([session.masterVolumeId]);
    try {
      if (volume)
        await this.sync.syncSession(cluster, { id: session.id, ref: refOf(session, volume.name) }, origin, options);
      else await this.sync.syncCluster(cluster, origin);
    } catch (e) {
      throw asActionFailure(e);
    }
    const [fresh] = await this.sessions.findByIds([session.id]);
    return fresh ?? null;
  }

  /**
   * Re-reads after `verb` until gluster's status shows it: gluster answers before its status files
   * follow (a start reads Stopped, a resume Paused, for a moment), and such a read is neither the
   * answer nor drift (a `settling` read). The last of SETTLE_READS reads counts whatever it says.
   */
  async refreshSettled(
    session: GeoRepSessionEntity,
    origin: SyncOrigin,
    verb: ControlVerb,
    options: { withOptions?: boolean } = {},
  ): Promise<GeoRepSessionEntity | null> {
    const expected = expectedStatusAfter(verb);
    for (let read = 1; ; read++) {
      const settling = read < SETTLE_READS;
      const fresh = await this.refresh(session, origin, { ...options, settling });
      if (!fresh || expected.includes(fresh.status) || !settling) return fresh;
      await new Promise((resolve) => setTimeout(resolve, SETTLE_INTERVAL_MS));
    }
  }
}

function refOf(session: GeoRepSessionEntity, masterVolume: string): GeoRepSessionRef {
  return {
    masterVolume,
    slaveHost: session.slaveHostName,
    slaveVolume: session.slaveVolumeName,
    slaveUser: session.userName,
  };
}
