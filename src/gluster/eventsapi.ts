import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';

/**
 * gluster's events API (glustereventsd, `gluster-eventsapi`): the commands that register this service as
 * a webhook, and the reading of what glustereventsd then posts. Pure: no I/O.
 *
 * Three behaviours of GlusterFS 10.3 measured on the lab shape this:
 * - glustereventsd removes its pid file right after it starts (its `with PidFile` block ends when the
 *   UDP threads are started), so the SIGUSR2 that `gluster-eventsapi webhook-add` sends to make it
 *   re-read webhooks.json never arrives, and a webhook added while it runs is not used until it is
 *   reloaded some other way: `glustereventsdReloadCommand` does that on every host.
 * - `gluster-eventsapi status --json` fails (a Python TypeError) once a webhook exists: not used.
 * - The JWT mode (`--secret`) cannot sign under Python 3 (hmac of a str key): only the bearer token is used.
 */

export const GLUSTER_EVENTSAPI = 'gluster-eventsapi';

/** The token glustereventsd sends as `Authorization: Bearer <token>`: url-safe base64, as `newEventsToken` makes it. */
const TOKEN = /^[A-Za-z0-9_-]{32,128}$/;
const MAX_URL_LENGTH = 2000;

/** A webhook URL gluster's nodes can post to: http or https, no credentials in it, no spaces. */
export function validateWebhookUrl(value: unknown, field = 'url'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_LENGTH)
    throw new GlusterArgumentError(field, `must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new GlusterArgumentError(field, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new GlusterArgumentError(field, 'must be an http or https URL');
  if (url.username !== '' || url.password !== '')
    throw new GlusterArgumentError(field, 'must not carry credentials (gluster sends a bearer token)');
  if (/[\s"'\\]/.test(value) || /[^\x21-\x7e]/.test(value))
    throw new GlusterArgumentError(field, 'must not contain spaces, quotes, backslashes or non-ASCII characters');
  return value;
}

function validateToken(token: string): string {
  if (!TOKEN.test(token)) throw new GlusterArgumentError('token', 'must be 32 to 128 url-safe base64 characters');
  return token;
}

/** `gluster-eventsapi webhook-add <url> --bearer_token <token> --json` (synced to every peer by gluster). */
export function eventsApiWebhookAddCommand(url: string, token: string): GlusterCommand {
  return plainCommand([
    GLUSTER_EVENTSAPI,
    'webhook-add',
    validateWebhookUrl(url),
    '--bearer_token',
    validateToken(token),
    '--json',
  ]);
}

/** `gluster-eventsapi webhook-mod <url> --bearer_token <token> --json`: a new token for a webhook that exists. */
export function eventsApiWebhookModCommand(url: string, token: string): GlusterCommand {
  return plainCommand([
    GLUSTER_EVENTSAPI,
    'webhook-mod',
    validateWebhookUrl(url),
    '--bearer_token',
    validateToken(token),
    '--json',
  ]);
}

/** `gluster-eventsapi webhook-del <url> --json`. */
export function eventsApiWebhookDelCommand(url: string): GlusterCommand {
  return plainCommand([GLUSTER_EVENTSAPI, 'webhook-del', validateWebhookUrl(url), '--json']);
}

/** `gluster-eventsapi webhook-test <url> --bearer_token <token> --json`: every node posts an empty body to the URL. */
export function eventsApiWebhookTestCommand(url: string, token: string): GlusterCommand {
  return plainCommand([
    GLUSTER_EVENTSAPI,
    'webhook-test',
    validateWebhookUrl(url),
    '--bearer_token',
    validateToken(token),
    '--json',
  ]);
}

/**
 * Makes this host's glustereventsd re-read webhooks.json: `systemctl reload` where systemd runs it (its unit
 * sends SIGUSR2 to the main pid), else SIGUSR2 to the oldest glustereventsd process (the parent: the webhook
 * process it forks must not get it). Prints `reloaded` or `not-running`; exits 0 either way.
 */
const RELOAD = [
  'if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet glustereventsd 2>/dev/null; then',
  '  systemctl reload glustereventsd && echo reloaded && exit 0',
  'fi',
  'if pkill -USR2 -o -f "^[^ ]*python[0-9.]* [^ ]*/glustereventsd( |$)"; then echo reloaded; else echo not-running; fi',
].join('\n');

export function glustereventsdReloadCommand(): GlusterCommand {
  return plainCommand(['sh', '-c', RELOAD, 'georep-eventsd-reload']);
}

export type EventsdReload = 'reloaded' | 'not-running';

export function parseEventsdReload(stdout: string): EventsdReload {
  const last = stdout.trim().split('\n').pop()?.trim();
  if (last === 'reloaded' || last === 'not-running') return last;
  throw new Error(`unexpected output of the glustereventsd reload: ${JSON.stringify(stdout.slice(0, 200))}`);
}

/** One node's line of a `gluster-eventsapi … --json` answer. */
export interface EventsApiNodeResult {
  readonly node: string;
  readonly ok: boolean;
  readonly error: string;
}

export interface EventsApiResult {
  readonly nodes: readonly EventsApiNodeResult[];
  /** The answer's own `error` (e.g. "Webhook already exists"), empty when none. */
  readonly error: string;
}

/**
 * Reads the JSON that `gluster-eventsapi` prints with `--json`: `{"output": [{node, node_status,
 * sync_status|webhook_status, error}], "error": ""}`, or `{"output": "", "error": "<why>"}` when it refused.
 */
export function parseEventsApiJson(stdout: string): EventsApiResult {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout.trim());
  } catch {
    throw new Error(`gluster-eventsapi did not answer JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  if (typeof doc !== 'object' || doc === null) throw new Error('gluster-eventsapi answered JSON that is not an object');
  const { output, error } = doc as { output?: unknown; error?: unknown };
  const nodes = Array.isArray(output)
    ? output.map((row: Record<string, unknown>) => {
        const status = row.sync_status ?? row.webhook_status;
        return {
          node: String(row.node ?? ''),
          ok: row.node_status === 'UP' && status === 'OK',
          error: typeof row.error === 'string' ? row.error : '',
        };
      })
    : [];
  return { nodes, error: typeof error === 'string' ? error : '' };
}

/** Node results that are not OK, as one line: `node: why; node: why`. */
export function failedNodes(result: EventsApiResult): string {
  return result.nodes
    .filter((n) => !n.ok)
    .map((n) => `${n.node}: ${n.error || 'not OK'}`)
    .join('; ');
}

/** What glustereventsd posts: `{nodeid, ts, event, message}` (gfevents.utils.publish). */
export interface GlusterEvent {
  readonly nodeId: string;
  /** Seconds since the epoch, as gluster stamps it. */
  readonly ts: number;
  /** Without the `EVENT_` prefix: `GEOREP_CHECKPOINT_COMPLETED`, `VOLUME_SET`, … */
  readonly event: string;
  readonly message: Readonly<Record<string, unknown>>;
}

const EVENT_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Reads one posted event. An empty body is `null` (what `webhook-test` sends); anything that is not gluster's
 * shape is an Error naming what is wrong.
 */
export function parseGlusterEvent(body: string): GlusterEvent | null {
  if (body.trim() === '') return null;
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new Error('the body is not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('the body is not a JSON object');
  const { nodeid, ts, event, message } = doc as Record<string, unknown>;
  if (typeof event !== 'string' || !EVENT_NAME.test(event)) throw new Error('event: must be a gluster event name');
  if (typeof nodeid !== 'string' || !UUID.test(nodeid)) throw new Error('nodeid: must be a UUID');
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0)
    throw new Error('ts: must be seconds since the epoch');
  if (message !== undefined && (typeof message !== 'object' || message === null || Array.isArray(message)))
    throw new Error('message: must be an object');
  return { nodeId: nodeid.toLowerCase(), ts, event, message: (message ?? {}) as Record<string, unknown> };
}

/** The session an event is about, as gluster names it. */
export interface GeoRepEventTarget {
  readonly masterVolume: string;
  /** The slave host, without a user. */
  readonly slaveHost: string;
  readonly slaveVolume: string;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The session of a GEOREP_* event. gsyncd's events (FAULTY, CHECKPOINT_COMPLETED, ACTIVE, PASSIVE) name it as
 * `primary_volume`, `secondary_host`, `secondary_volume` (older gluster: `master_*`/`slave_*`); the CLI's
 * (START, STOP, PAUSE, …) as `primary` and `secondary` = `[user@]host::volume`. `null` when it names none.
 */
export function geoRepEventTarget(event: GlusterEvent): GeoRepEventTarget | null {
  if (!event.event.startsWith('GEOREP_')) return null;
  const m = event.message;
  const masterVolume = text(m.primary_volume) ?? text(m.master_volume) ?? text(m.primary) ?? text(m.master);
  let slaveHost = text(m.secondary_host) ?? text(m.slave_host);
  let slaveVolume = text(m.secondary_volume) ?? text(m.slave_volume);
  const url = text(m.secondary) ?? text(m.slave);
  if ((slaveHost === undefined || slaveVolume === undefined) && url !== undefined) {
    const at = url.indexOf('::');
    if (at > 0) {
      slaveHost = url.slice(0, at);
      slaveVolume = url.slice(at + 2);
    }
  }
  if (masterVolume === undefined || slaveHost === undefined || slaveVolume === undefined) return null;
  const host = slaveHost.includes('@') ? slaveHost.slice(slaveHost.lastIndexOf('@') + 1) : slaveHost;
  return { masterVolume, slaveHost: host, slaveVolume };
}

/** Events about what discovery stores (sessions, volumes, bricks, peers); mounts' CLIENT_* and AFR_* events are not. */
const REFRESHING_EVENTS = /^(GEOREP|VOLUME|BRICK|PEER)_/;

export function eventRefreshesCluster(event: GlusterEvent): boolean {
  return REFRESHING_EVENTS.test(event.event);
}
