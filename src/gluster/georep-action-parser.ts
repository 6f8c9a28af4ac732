import { CommandOutput, child, childText, parseCliXml } from './xml-output';

export interface GeoRepActionResult {
  /** `<geoRep><primary>` (<= 9: `<master>`), when printed. */
  readonly masterVolume: string | null;
  /** `<geoRep><secondary>` (<= 9: `<slave>`), e.g. `vm::slavevol`. */
  readonly slave: string | null;
  /**
   * gluster's opErrstr on success, or null. Informational only, e.g. `geo-replication is not set up`
   * (stop of a session that was not running), `delete successful`, or the "is not empty" text after
   * `create ... force`.
   */
  readonly note: string | null;
}

/**
 * `create|start|stop|pause|resume|delete ... --xml`. Throws GlusterCommandError on opRet != 0
 * (already_started, already_paused, not_paused, session_active, no_session, ...).
 *
 * Success does not prove a state change: gluster 10.3 "succeeds" for stop of a stopped session and
 * pause of a stopped session; the service's own state rules must decide.
 */
export function parseGeoRepAction(out: CommandOutput): GeoRepActionResult {
  const env = parseCliXml(out);
  const geoRep = child(env.root, 'geoRep');
  return {
    masterVolume: childText(geoRep, 'primary', 'master') || null,
    slave: childText(geoRep, 'secondary', 'slave') || null,
    note: env.opErrstr || null,
  };
}
