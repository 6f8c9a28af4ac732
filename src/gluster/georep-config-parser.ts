import { GlusterCommandError } from './errors';
import { canonicalOptionName } from './georep-options';
import { CommandOutput, child, childText, parseCliXml, parsePlainOutput } from './xml-output';

/**
 * Geo-rep `config` outputs. Option names come back from gluster with underscores (`sync_jobs`); the
 * maps returned here use the canonical dashed names (`sync-jobs`). Empty values are ''.
 */

export type GeoRepConfig = Readonly<Record<string, string>>;

/** `gluster --xml volume geo-replication M S config` → { 'sync-jobs': '3', ... }. */
export function parseGeoRepConfigXml(out: CommandOutput): GeoRepConfig {
  const env = parseCliXml(out);
  const config = child(child(env.root, 'geoRep'), 'config');
  if (!config) {
    throw new GlusterCommandError('parse_error', 'missing <geoRep><config> in config output', {
      exitCode: out.exitCode,
    });
  }
  const result: Record<string, string> = {};
  for (const el of config.children) {
    result[canonicalOptionName(el.name)] = el.text.trim();
  }
  return result;
}

/** Plain `config` → the same map, from its `name:value` lines (split at the first colon). */
export function parseGeoRepConfigText(out: CommandOutput): GeoRepConfig {
  const text = parsePlainOutput(out);
  const result: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    result[canonicalOptionName(line.slice(0, i))] = line.slice(i + 1).trim();
  }
  if (Object.keys(result).length === 0) {
    throw new GlusterCommandError('parse_error', 'no options in config output', { exitCode: out.exitCode });
  }
  return result;
}

/** Plain `config <name>` → the value (gluster prints it alone on one line; '' for an empty value). */
export function parseGeoRepConfigGet(out: CommandOutput): string {
  const text = parsePlainOutput(out);
  const lines = text.split('\n');
  if (lines.length > 1) {
    throw new GlusterCommandError('parse_error', 'expected a single value from config get', {
      exitCode: out.exitCode,
    });
  }
  return lines[0].trim();
}

/**
 * Plain `config checkpoint` → the checkpoint's unix time in seconds, or null when none is set (0).
 * Compare brick rows' checkpoint_time with this, not with the service's clock.
 */
export function parseCheckpointEpoch(out: CommandOutput): number | null {
  const value = parseGeoRepConfigGet(out);
  if (!/^[0-9]+$/.test(value)) {
    throw new GlusterCommandError('parse_error', 'checkpoint is not a unix time', { exitCode: out.exitCode });
  }
  const n = Number(value);
  return n === 0 ? null : n;
}

/** `--xml ... config <name> <value>` / `config '!<name>'` → gluster's confirmation message. */
export function parseGeoRepConfigSet(out: CommandOutput): { message: string } {
  const env = parseCliXml(out);
  const message = childText(child(child(env.root, 'geoRep'), 'config'), 'message') ?? env.opErrstr;
  return { message };
}
