import { Injectable } from '@nestjs/common';
import { GlusterArgumentError } from '../gluster/errors';
import { matchHost } from '../gluster/host-match';
import { logTailCommand, MAX_LOG_BYTES, parseLogTail, validateLogLines } from '../gluster/session-log-commands';
import { HostEntity } from '../hosts/host.entity';
import { refTo } from '../ovirt/api-paths';
import { HOSTS } from '../hosts/host.representation';
import { HostShell } from '../hosts/host-shell';
import { HostsRepository } from '../hosts/hosts.repository';
import { RemoteReadLimiter } from '../hosts/remote-read-limiter';
import { OvirtFault } from '../ovirt/faults';
import { singleParam, type QueryParams } from '../ovirt/query';
import { GeoRepSessionDetailEntity } from '../sessions/georep-session-detail.entity';
import { GeoRepSessionEntity } from '../sessions/georep-session.entity';
import { SessionsRepository } from '../sessions/sessions.repository';
import { SessionsService } from '../sessions/sessions.service';
import { brickHref, sessionHref } from '../volumes/volume.representation';
import { LogSide, sessionLogsHref, SessionLogsView, SessionLogView } from './session-logs.representation';

/** How long reading one log on one host may take before it counts as not answering. */
export const LOG_READ_TIMEOUT_MS = 15_000;

/** One file to read: which side, on which server (and registered host), for which master bricks. */
interface LogSource {
  side: LogSide;
  server: string;
  host: HostEntity | undefined;
  brickIds: string[];
}

/** Groups the session's rows by the server that holds the log, matched to the registered hosts. */
function sourcesOf(
  side: LogSide,
  rows: readonly { server: string | null; uuid: string | null; brickId: string | null }[],
  hosts: readonly HostEntity[],
): LogSource[] {
  const bySource = new Map<string, LogSource>();
  for (const row of rows) {
    if (!row.server) continue;
    const host = matchHost(hosts, row.server, row.uuid);
    const key = host ? host.id : row.server.toLowerCase();
    const source = bySource.get(key) ?? { side, server: row.server, host, brickIds: [] };
    if (row.brickId && !source.brickIds.includes(row.brickId)) source.brickIds.push(row.brickId);
    bySource.set(key, source);
  }
  return [...bySource.values()];
}

/**
 * `GET …/georeplication-sessions/{sid}/logs?brick=&lines=`: the tails of the session's gsyncd logs,
 * read over SSH during the request (bounded by RemoteReadLimiter, one command per host, each with a
 * time-out and a byte cap). A host that cannot be read is an entry with an error, never a failure of
 * the request.
 */
@Injectable()
export class SessionLogsService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly sessionRows: SessionsRepository,
    private readonly hosts: HostsRepository,
    private readonly shell: HostShell,
    private readonly remoteReads: RemoteReadLimiter,
  ) {}

  async read(clusterId: string, volumeId: string, sessionId: string, query: QueryParams): Promise<SessionLogsView> {
    const session = await this.sessions.get(clusterId, volumeId, sessionId);
    const brick = singleParam(query, 'brick');
    let lines: number;
    try {
      lines = validateLogLines(singleParam(query, 'lines'));
    } catch (e) {
      if (e instanceof GlusterArgumentError) throw OvirtFault.invalidParameter('lines', e.reason);
      throw e;
    }
    const details = (await this.sessionRows.allDetails(session.id)).filter((d) => !brick || d.masterBrickId === brick);
    if (brick && details.length === 0) throw OvirtFault.notFound('brick of this session', brick);
    return this.remoteReads.run(`logs:${session.id}:${brick ?? ''}:${lines}`, () =>
      this.readAll(session, details, lines),
    );
  }

  private async readAll(
    session: GeoRepSessionEntity,
    details: readonly GeoRepSessionDetailEntity[],
    lines: number,
  ): Promise<SessionLogsView> {
    const [masterFile, slaveFile] = await Promise.all([
      this.sessionRows.findOption(session.id, 'log-file'),
      this.sessionRows.findOption(session.id, 'secondary-log-file'),
    ]);
    const sources = await this.sourcesFor(session, details);
    const logs = await Promise.all(
      sources.map((s) => this.readOne(session, s, (s.side === 'master' ? masterFile : slaveFile)?.value, lines)),
    );
    const href = sessionHref(session.clusterId, session.masterVolumeId, session.id);
    return {
      href: sessionLogsHref(session),
      georeplication_session: { id: session.id, href },
      read_at: new Date(),
      logs,
    };
  }

  private async sourcesFor(
    session: GeoRepSessionEntity,
    details: readonly GeoRepSessionDetailEntity[],
  ): Promise<LogSource[]> {
    const masterHosts = await this.hosts.listByCluster(session.clusterId);
    const slaveHosts = session.slaveClusterId ? await this.hosts.listByCluster(session.slaveClusterId) : [];
    const slaveHost = session.slaveHostId ? await this.hosts.findById(session.slaveHostId) : null;
    if (slaveHost && !slaveHosts.some((h) => h.id === slaveHost.id)) slaveHosts.push(slaveHost);
    const master = sourcesOf(
      'master',
      details.map((d) => ({ server: d.masterHostName, uuid: d.masterNodeUuid, brickId: d.masterBrickId })),
      masterHosts,
    );
    const slaveNodes = details.map((d) => d.slaveNode).filter((n): n is string => !!n && n !== 'N/A');
    const slaveRows = (slaveNodes.length > 0 ? slaveNodes : [session.slaveHostName]).map((server) => ({
      server,
      uuid: null,
      brickId: null,
    }));
    return [...master, ...sourcesOf('slave', slaveRows, slaveHosts)];
  }

  private async readOne(
    session: GeoRepSessionEntity,
    source: LogSource,
    configuredPath: string | undefined,
    lines: number,
  ): Promise<SessionLogView> {
    const entry = {
      side: source.side,
      server: source.server,
      ...(source.host ? { host: refTo(HOSTS, source.host.id) } : {}),
      bricks: source.brickIds.map((id) => ({ id, href: brickHref(session.clusterId, session.masterVolumeId, id) })),
      lines: [] as string[],
      truncated: false,
    };
    const option = source.side === 'master' ? 'log-file' : 'secondary-log-file';
    if (!source.host)
      return { ...entry, error: `no registered host is ${source.server}: register it to read its logs` };
    if (!configuredPath) return { ...entry, error: `the session's ${option} is not known yet: refresh the session` };
    try {
      const out = await this.shell.run(source.host, logTailCommand(configuredPath, lines), undefined, {
        timeoutMs: LOG_READ_TIMEOUT_MS,
        maxStdoutBytes: MAX_LOG_BYTES + 8192,
      });
      const tail = parseLogTail(out.stdout, lines);
      return 'error' in tail ? { ...entry, error: tail.error } : { ...entry, ...tail };
    } catch (e) {
      if (e instanceof GlusterArgumentError)
        return { ...entry, error: `the session's ${option} is not a path: ${e.reason}` };
      return { ...entry, error: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    }
  }
}
