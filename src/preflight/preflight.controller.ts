import { Param } from '@nestjs/common';
import { OvirtSubCollection, SingletonGetRoute } from '../ovirt/routes';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import { PREFLIGHT, PreflightSchema, PreflightView } from './preflight.representation';
import { PreflightService } from './preflight.service';

@OvirtSubCollection(`clusters/:cluster/${GLUSTER_VOLUMES}/:volume/${GEOREP_SESSIONS}/:session/${PREFLIGHT}`)
export class SessionPreflightController {
  constructor(private readonly preflight: PreflightService) {}

  @SingletonGetRoute(PreflightSchema, {
    summary:
      'Check a geo-replication session before relying on it: versions, clocks, SSH, capacity, known-bad rsync (read-only, over SSH)',
  })
  get(
    @Param('cluster') clusterId: string,
    @Param('volume') volumeId: string,
    @Param('session') sessionId: string,
  ): Promise<PreflightView> {
    return this.preflight.run(clusterId, volumeId, sessionId);
  }
}
