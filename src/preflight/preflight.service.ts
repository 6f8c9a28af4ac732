import { Injectable } from '@nestjs/common';
import { HostEntity } from '../hosts/host.entity';
import { HostsRepository } from '../hosts/hosts.repository';
import { RemoteReadLimiter } from '../hosts/remote-read-limiter';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { sessionHref } from '../volumes/volume.representation';
import { VolumesRepository } from '../volumes/volumes.repository';
import {
  checkCapacity,
  checkClockSkew,
  checkGlusterVersions,
  checkRsyncAccessMount,
  checkSsh,
  HostFacts,
  HostReading,
  overallResult,
  PreflightCheck,
  VersionReading,
} from './preflight-checks';
import { PreflightProbe } from './preflight-probe';
import { PREFLIGHT, PreflightView } from './preflight.representation';

/** gluster's default `ssh-port`: what gsyncd uses when the session's config has none. */
export const DEFAULT_GEOREP_SSH_PORT = 22;

/** The session's `ssh-port` option as stored by discovery (or set through the options API), else 22. */
export function sessionSshPort(stored: string | null | undefined): number {
  const n = stored !== null && stored !== undefined && /^\d{1,5}$/.test(stored.trim()) ? Number(stored.trim()) : NaN;
  return n >= 1 && n <= 65535 ? n : DEFAULT_GEOREP_SSH_PORT;
}

/** A master volume and its slave, as the preflight needs them. */
export interface PreflightPair {
  masterClusterId: string;
  masterVolumeId: string;
  slaveClusterId: string | null;
  slaveVolumeId: string | null;
  slaveHostId: string | null;
  slaveHostName: string;
  user: string;
  port: number;
  accessMount: string | null;
  /** Try SSH from the master hosts with gluster's geo-rep key (not before creation: the key is not installed yet). */
  ssh: boolean;
}

function uniqueById(hosts: readonly HostEntity[]): HostEntity[] {
  return [...new Map(hosts.map((h) => [h.id, h])).values()];
}

/**
 * `GET …/georeplication-sessions/{sid}/preflight`: finds the session (404 before any SSH for an
 * unknown or malformed id), reads the hosts through PreflightProbe (in parallel; every command
 * bounded), and hands the readings to the pure checks.
 */
@Injectable()
export class PreflightService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly sessionRows: SessionsRepository,
    private readonly volumes: VolumesRepository,
    private readonly hosts: HostsRepository,
    private readonly probe: PreflightProbe,
    private readonly remoteReads: RemoteReadLimiter,
  ) {}

  async run(clusterId: string, volumeId: string, sessionId: string): Promise<PreflightView> {
    const session = await this.sessions.get(clusterId, volumeId, sessionId);
    return this.remoteReads.run(`preflight:${session.id}`, () => this.check(session));
  }

  private async check(session: GeoRepSessionEntity): Promise<PreflightView> {
    const checks = await this.checkPair({
      masterClusterId: session.clusterId,
      masterVolumeId: session.masterVolumeId,
      slaveClusterId: session.slaveClusterId,
      slaveVolumeId: session.slaveVolumeId,
      slaveHostId: session.slaveHostId,
      slaveHostName: session.slaveHostName,
      user: session.userName,
      port: sessionSshPort((await this.sessionRows.findOption(session.id, 'ssh-port'))?.value),
      accessMount: (await this.sessionRows.findOption(session.id, 'secondary-access-mount'))?.value ?? null,
      ssh: true,
    });
    const href = sessionHref(session.clusterId, session.masterVolumeId, session.id);
    return {
      href: `${href}/${PREFLIGHT}`,
      georeplication_session: { id: session.id, href },
      checked_at: new Date(),
      result: overallResult(checks),
      checks: checks.map((c) => ({ name: c.name, result: c.result, detail: c.detail, remedy: c.remedy })),
    };
  }

  /** The checks of a master volume and its (future) slave: for a session, and as a step of its creation. */
  async checkPair(pair: PreflightPair): Promise<PreflightCheck[]> {
    const volumeIds = [pair.masterVolumeId, ...(pair.slaveVolumeId ? [pair.slaveVolumeId] : [])];
    const volumes = new Map((await this.volumes.findByIds(volumeIds)).map((v) => [v.id, v]));
    const masterVolume = volumes.get(pair.masterVolumeId);
    const slaveVolume = pair.slaveVolumeId ? volumes.get(pair.slaveVolumeId) : undefined;
    const masterHosts = uniqueById(await this.hosts.listByCluster(pair.masterClusterId));
    const slaveHost = pair.slaveHostId ? await this.hosts.findById(pair.slaveHostId) : null;
    const slaveHosts = uniqueById([
      ...(pair.slaveClusterId ? await this.hosts.listByCluster(pair.slaveClusterId) : []),
      ...(slaveHost ? [slaveHost] : []),
    ]);
    const port = pair.port;
    const accessMount = pair.accessMount;
    // First what each host runs (this also opens the pooled connections), then the clocks alone (on
    // warm, idle connections, so the round trips are short), then the ssh attempts from the master hosts.
    const everyHost = uniqueById([...masterHosts, ...slaveHosts]);
    const facts = new Map(await Promise.all(everyHost.map(async (h) => [h.id, await this.probe.facts(h)] as const)));
    const reachable = (h: HostEntity) => 'value' in (facts.get(h.id) as HostReading<HostFacts>);
    const notReached = (h: HostEntity) => ({ host: h.name, error: (facts.get(h.id) as { error: string }).error });
    const target = { user: pair.user, slaveHost: pair.slaveHostName, port };
    const [masterClocks, slaveClock] = await Promise.all([
      Promise.all(masterHosts.map((h) => (reachable(h) ? this.probe.clock(h) : notReached(h)))),
      slaveHost ? (reachable(slaveHost) ? this.probe.clock(slaveHost) : notReached(slaveHost)) : null,
    ]);
    const sshProbes = pair.ssh
      ? await Promise.all(masterHosts.map((h) => (reachable(h) ? this.probe.ssh(h, target) : notReached(h))))
      : [];

    const version = (h: HostEntity): HostReading<VersionReading> => {
      const f = facts.get(h.id) as HostReading<HostFacts>;
      if ('value' in f) return { host: h.name, value: { version: f.value.glusterVersion, source: 'live' } };
      return h.glusterVersion ? { host: h.name, value: { version: h.glusterVersion, source: 'refresh' } } : f;
    };
    const rsync = (side: 'master' | 'slave') => (h: HostEntity) => {
      const f = facts.get(h.id) as HostReading<HostFacts>;
      return 'value' in f
        ? { side, host: h.name, value: f.value.rsyncVersion }
        : { side, host: h.name, error: f.error };
    };
    const checks: PreflightCheck[] = [
      checkGlusterVersions(masterHosts.map(version), slaveHosts.map(version), slaveHosts.length > 0),
      checkClockSkew(masterClocks, slaveClock),
      ...(pair.ssh ? [checkSsh(sshProbes, target)] : []),
      checkCapacity(
        { name: masterVolume?.name ?? pair.masterVolumeId, sizeTotal: masterVolume?.sizeTotal ?? null },
        slaveVolume ? { name: slaveVolume.name, sizeTotal: slaveVolume.sizeTotal } : null,
      ),
      checkRsyncAccessMount([...masterHosts.map(rsync('master')), ...slaveHosts.map(rsync('slave'))], accessMount),
    ];
    return checks;
  }
}
