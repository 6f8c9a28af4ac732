import { Param, Query } from '@nestjs/common';
import { MAX_LOG_LINES, DEFAULT_LOG_LINES } from '../gluster/session-log-commands';
import type { QueryParams } from '../ovirt/query';
import { OvirtSubCollection, SingletonGetRoute } from '../ovirt/routes';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import { SESSION_LOGS, SessionLogsSchema, SessionLogsView } from './session-logs.representation';
import { SessionLogsService } from './session-logs.service';

@OvirtSubCollection(`clusters/:cluster/${GLUSTER_VOLUMES}/:volume/${GEOREP_SESSIONS}/:session/${SESSION_LOGS}`)
export class SessionLogsController {
  constructor(private readonly logs: SessionLogsService) {}

  @SingletonGetRoute(SessionLogsSchema, {
    summary: "Read the tail of the session's gsyncd logs, master and slave side (read-only, over SSH)",
    query: [
      {
        name: 'brick',
        type: 'string',
        description:
          "Only the log of this master brick's worker (a gluster_brick id of the master volume) and its slave node.",
      },
      {
        name: 'lines',
        type: 'integer',
        format: 'int32',
        minimum: 1,
        maximum: MAX_LOG_LINES,
        description: `How many of the last lines of each file (default ${DEFAULT_LOG_LINES}); at most 64 KiB per file are returned.`,
      },
    ],
  })
  get(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @Param('session') sessionId: string,
    @Query() query: QueryParams,
  ): Promise<SessionLogsView> {
    return this.logs.read(clusterId, volumeId, sessionId, query);
  }
}
