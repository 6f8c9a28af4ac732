import { bool, date, enumOf, list, obj, ref, resource, str, ViewOf } from '../ovirt/representation';
import { MAX_LOG_LINES } from '../gluster/session-log-commands';
import { sessionHref } from '../volumes/volume.representation';

/** The sub-resource of a session: `…/georeplication-sessions/{sid}/logs`. */
export const SESSION_LOGS = 'logs';
export function sessionLogsHref(session: { clusterId: string; masterVolumeId: string; id: string }): string {
  return `${sessionHref(session.clusterId, session.masterVolumeId, session.id)}/${SESSION_LOGS}`;
}

export const LOG_SIDES = ['master', 'slave'] as const;
export type LogSide = (typeof LOG_SIDES)[number];

/** The tail of one gsyncd log file on one host, or why it could not be read. */
export const SessionLogSchema = obj('session_log', {
  side: enumOf(LOG_SIDES, {
    readOnly: true,
    description:
      "master: the log of the session's workers on a master host (`log-file`); slave: the slave side's (`secondary-log-file`).",
  }),
  host: ref('host', {
    readOnly: true,
    optional: true,
    description: 'The registered host read (absent when none is registered for the server).',
  }),
  server: str({ readOnly: true, description: 'The server as gluster names it (brick host or slave node).' }),
  bricks: list('brick', ref('gluster_brick'), {
    readOnly: true,
    description: 'master side: the master bricks whose workers run on this host and write this file.',
  }),
  file: str({
    readOnly: true,
    optional: true,
    description: 'The file read, links resolved (always under /var/log/glusterfs/).',
  }),
  lines: list('line', str(), {
    readOnly: true,
    maxItems: MAX_LOG_LINES,
    description: 'The last lines of the file, oldest first.',
  }),
  truncated: bool({
    readOnly: true,
    description: 'Older lines exist than those returned (more lines than asked, or the 64 KiB cap).',
  }),
  error: str({
    readOnly: true,
    optional: true,
    description: 'Why this log was not read (host not reachable, file missing, path outside /var/log/glusterfs/, …).',
  }),
});

export const SessionLogsSchema = resource(
  'georeplication_session_logs',
  'georeplication_session_logs_list',
  {
    georeplication_session: ref('georeplication_session', { readOnly: true }),
    read_at: date({ readOnly: true, description: "When the logs were read (the service's clock)." }),
    logs: list('log', SessionLogSchema, { readOnly: true }),
  },
  {
    description:
      "The tails of the session's gsyncd logs, read over SSH during the request: the master side on each master host running a worker (or only the brick's host with `brick`), and the slave side on the slave nodes where a host is registered. Paths are gluster's `log-file` and `secondary-log-file` as discovery last read them; a file is read only when its real path is under /var/log/glusterfs/.",
  },
);

export type SessionLogsView = ViewOf<typeof SessionLogsSchema>;
export type SessionLogView = SessionLogsView['logs'][number];
