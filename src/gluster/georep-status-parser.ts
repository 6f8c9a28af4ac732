import { GlusterCommandError } from './errors';
import { isUuid } from './validators';
import { CommandOutput, XmlElement, child, childText, children, intOrNull, parseCliXml } from './xml-output';

/**
 * `gluster volume geo-replication [M [S]] status [detail] --xml`, GlusterFS >= 10 element names
 * (primary_*, secondary*, session_secondary) and <= 9 names (master_*, slave*, session_slave).
 */

/** Normalized worker status of one master brick. */
export type GeoRepWorkerStatus =
  'created' | 'initializing' | 'active' | 'passive' | 'paused' | 'stopped' | 'faulty' | 'unknown';

export type GeoRepCrawlStatus = 'changelog_crawl' | 'history_crawl' | 'hybrid_crawl' | 'unknown';

export interface GeoRepBrickStatus {
  readonly masterVolume: string;
  /** Host name of the master node as gluster knows it. */
  readonly masterNode: string;
  /** glusterd UUID of the master node: with masterBrick, the key to match a volume brick. */
  readonly masterNodeUuid: string | null;
  /** Brick path on the master node. */
  readonly masterBrick: string;
  readonly slaveUser: string | null;
  /** As printed: `host::vol` (session-level status) or `ssh://host::vol` (global/volume status). */
  readonly slave: string;
  readonly slaveHost: string | null;
  readonly slaveVolume: string | null;
  /** Slave node the worker talks to. GlusterFS 10.3 prints it empty while Active and N/A otherwise: null. */
  readonly slaveNode: string | null;
  readonly status: GeoRepWorkerStatus;
  /** gluster's text, e.g. `Initializing...`. */
  readonly statusText: string;
  /** null for N/A (every non-Active worker). */
  readonly crawlStatus: GeoRepCrawlStatus | null;
  /** UTC. null for N/A. */
  readonly lastSynced: Date | null;
  /** Pending entry/data/meta operations and failures; null for N/A (every non-Active worker). */
  readonly entry: number | null;
  readonly data: number | null;
  readonly meta: number | null;
  readonly failures: number | null;
  /** UTC time of the checkpoint this worker reports on; null for N/A. */
  readonly checkpointTime: Date | null;
  /** Yes → true, No → false, N/A → null. */
  readonly checkpointCompleted: boolean | null;
  readonly checkpointCompletionTime: Date | null;
}

export interface GeoRepSessionStatus {
  readonly masterVolume: string;
  /** `session_secondary` / `session_slave`: `<master node uuid>:ssh://[user@]host::vol[:<slave vol uuid>]`. */
  readonly sessionKey: string;
  /** glusterd UUID at the start of the key. */
  readonly keyNodeUuid: string | null;
  readonly slaveHost: string;
  /** User from the key; else the rows' slave user; else null. */
  readonly slaveUser: string | null;
  readonly slaveVolume: string;
  readonly slaveVolumeUuid: string | null;
  /** One row per master brick, in gluster's order. */
  readonly bricks: readonly GeoRepBrickStatus[];
  /** Which element names the XML used. */
  readonly naming: 'primary-secondary' | 'master-slave';
}

export interface ParsedSessionKey {
  readonly nodeUuid: string | null;
  readonly slaveUser: string | null;
  readonly slaveHost: string;
  readonly slaveVolume: string;
  readonly slaveVolumeUuid: string | null;
}

const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const SESSION_KEY = new RegExp(
  `^(?:(${UUID_RE}):)?(?:ssh://)?(?:([^@:/\\s]+)@)?([^:/@\\s]+)::([^:\\s]+)(?::(${UUID_RE}))?$`,
);

/** Parses a session key; the slave volume uuid is absent in keys made before glusterfs 3.7.12. */
export function parseSessionKey(key: string): ParsedSessionKey | null {
  const m = SESSION_KEY.exec(key.trim());
  if (!m) return null;
  return {
    nodeUuid: m[1] ? m[1].toLowerCase() : null,
    slaveUser: m[2] ?? null,
    slaveHost: m[3],
    slaveVolume: m[4],
    slaveVolumeUuid: m[5] ? m[5].toLowerCase() : null,
  };
}

/** Splits a pair's `[ssh://][user@]host::vol`. */
export function parseSlaveUrl(slave: string): { user: string | null; host: string; volume: string } | null {
  const m = /^(?:ssh:\/\/)?(?:([^@:/\s]+)@)?([^:/@\s]+)::([^:\s]+)$/.exec(slave.trim());
  return m ? { user: m[1] ?? null, host: m[2], volume: m[3] } : null;
}

/** `Active` → active, `Initializing...` → initializing, anything unknown → unknown. */
export function normalizeWorkerStatus(text: string): GeoRepWorkerStatus {
  const s = text.trim().toLowerCase().replace(/\.+$/, '');
  switch (s) {
    case 'created':
    case 'initializing':
    case 'active':
    case 'passive':
    case 'paused':
    case 'stopped':
    case 'faulty':
      return s;
    default:
      return 'unknown';
  }
}

export function normalizeCrawlStatus(text: string | undefined): GeoRepCrawlStatus | null {
  const s = (text ?? '').trim().toLowerCase();
  if (s === '' || s === 'n/a') return null;
  if (s === 'changelog crawl') return 'changelog_crawl';
  if (s === 'history crawl') return 'history_crawl';
  if (s === 'hybrid crawl') return 'hybrid_crawl';
  return 'unknown';
}

/**
 * `YYYY-MM-DD HH:MM:SS` → Date, read as UTC: the XML carries gsyncd's *_utc values (the plain-text
 * table prints local time). N/A, '' and anything else → null.
 */
export function parseGlusterUtcTime(text: string | undefined): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec((text ?? '').trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) || date.getUTCDate() !== d ? null : date;
}

function yesNo(text: string | undefined): boolean | null {
  const s = (text ?? '').trim().toLowerCase();
  return s === 'yes' ? true : s === 'no' ? false : null;
}

function nonNegativeOrNull(text: string | undefined): number | null {
  const n = intOrNull(text);
  return n !== null && n >= 0 ? n : null;
}

function textOrNull(text: string | undefined): string | null {
  const t = (text ?? '').trim();
  return t === '' || t === 'N/A' ? null : t;
}

function parsePair(pair: XmlElement, masterVolume: string): GeoRepBrickStatus {
  const masterBrick = childText(pair, 'primary_brick', 'master_brick');
  if (!masterBrick) {
    throw new GlusterCommandError('parse_error', 'geo-replication pair without a master brick');
  }
  const slave = childText(pair, 'secondary', 'slave') ?? '';
  const url = parseSlaveUrl(slave);
  const statusText = childText(pair, 'status') ?? '';
  const nodeUuid = childText(pair, 'primary_node_uuid', 'master_node_uuid');
  return {
    masterVolume,
    masterNode: childText(pair, 'primary_node', 'master_node') ?? '',
    masterNodeUuid: nodeUuid && isUuid(nodeUuid) ? nodeUuid.toLowerCase() : null,
    masterBrick,
    slaveUser: textOrNull(childText(pair, 'secondary_user', 'slave_user')) ?? url?.user ?? null,
    slave,
    slaveHost: url?.host ?? null,
    slaveVolume: url?.volume ?? null,
    slaveNode: textOrNull(childText(pair, 'secondary_node', 'slave_node')),
    status: normalizeWorkerStatus(statusText),
    statusText,
    crawlStatus: normalizeCrawlStatus(childText(pair, 'crawl_status')),
    lastSynced: parseGlusterUtcTime(childText(pair, 'last_synced')),
    entry: nonNegativeOrNull(childText(pair, 'entry')),
    data: nonNegativeOrNull(childText(pair, 'data')),
    meta: nonNegativeOrNull(childText(pair, 'meta')),
    failures: nonNegativeOrNull(childText(pair, 'failures')),
    checkpointTime: parseGlusterUtcTime(childText(pair, 'checkpoint_time')),
    checkpointCompleted: yesNo(childText(pair, 'checkpoint_completed')),
    checkpointCompletionTime: parseGlusterUtcTime(childText(pair, 'checkpoint_completion_time')),
  };
}

function parseSession(session: XmlElement, masterVolume: string): GeoRepSessionStatus {
  const keyEl = child(session, 'session_secondary') ?? child(session, 'session_slave');
  if (!keyEl) {
    throw new GlusterCommandError('parse_error', 'geo-replication session without session_secondary/session_slave');
  }
  const sessionKey = keyEl.text.trim();
  const bricks = children(session, 'pair').map((p) => parsePair(p, masterVolume));
  const key = parseSessionKey(sessionKey);
  const fromRow = bricks.find((b) => b.slaveHost && b.slaveVolume);
  const slaveHost = key?.slaveHost ?? fromRow?.slaveHost;
  const slaveVolume = key?.slaveVolume ?? fromRow?.slaveVolume;
  if (!slaveHost || !slaveVolume) {
    throw new GlusterCommandError(
      'parse_error',
      `cannot read the slave from session key "${sessionKey.slice(0, 200)}"`,
    );
  }
  return {
    masterVolume,
    sessionKey,
    keyNodeUuid: key?.nodeUuid ?? null,
    slaveHost,
    slaveUser: key?.slaveUser ?? bricks.find((b) => b.slaveUser)?.slaveUser ?? null,
    slaveVolume,
    slaveVolumeUuid: key?.slaveVolumeUuid ?? null,
    bricks,
    naming: keyEl.name === 'session_secondary' ? 'primary-secondary' : 'master-slave',
  };
}

/**
 * Parses status XML into sessions (all volumes, in gluster's order). Throws GlusterCommandError;
 * kind `no_session` when gluster printed no XML because nothing matched (exit 2 on 10.3: unknown
 * session, a volume without sessions, an unknown master volume, or no sessions at all).
 */
export function parseGeoRepStatus(out: CommandOutput): GeoRepSessionStatus[] {
  const env = parseCliXml(out, { bareFailureKind: 'no_session' });
  const geoRep = child(env.root, 'geoRep');
  const sessions: GeoRepSessionStatus[] = [];
  for (const volume of children(geoRep, 'volume')) {
    const masterVolume = childText(volume, 'name') ?? '';
    for (const s of children(child(volume, 'sessions'), 'session')) {
      sessions.push(parseSession(s, masterVolume));
    }
  }
  return sessions;
}

/** For global / per-volume listings: like parseGeoRepStatus, but "nothing matched" is an empty list. */
export function parseGeoRepStatusList(out: CommandOutput): GeoRepSessionStatus[] {
  try {
    return parseGeoRepStatus(out);
  } catch (e) {
    if (e instanceof GlusterCommandError && e.kind === 'no_session') return [];
    throw e;
  }
}

/** For one session: its status, or a `no_session` GlusterCommandError when gluster does not list it. */
export function parseGeoRepSessionStatus(
  out: CommandOutput,
  expected?: { masterVolume: string; slaveHost: string; slaveVolume: string },
): GeoRepSessionStatus {
  const sessions = parseGeoRepStatus(out);
  const found = expected
    ? sessions.find(
        (s) =>
          s.masterVolume === expected.masterVolume &&
          s.slaveHost === expected.slaveHost &&
          s.slaveVolume === expected.slaveVolume,
      )
    : sessions[0];
  if (!found) {
    throw new GlusterCommandError('no_session', 'geo-replication session not found in status output', {
      exitCode: out.exitCode,
    });
  }
  return found;
}
