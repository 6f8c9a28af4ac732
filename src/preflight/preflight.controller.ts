import { applyDecorators, Get, Param, SetMetadata } from '@nestjs/common';
import { OVIRT_ROUTE, OvirtSubCollection, type CrudRouteSpec } from '../ovirt/routes';
import { GEOREP_SESSIONS, GLUSTER_VOLUMES } from '../volumes/volume.representation';
import { PREFLIGHT, PreflightSchema, PreflightView } from './preflight.representation';
import { PreflightService } from './preflight.service';

/**
 * A single resource below a session (`…/{session}/preflight`, no id of its own): a `get` route for the
 * interceptor and the OpenAPI document, on the controller's own path.
 */
function SingletonGetRoute(spec: Omit<CrudRouteSpec, 'operation'>): MethodDecorator {
  return applyDecorators(Get(), SetMetadata(OVIRT_ROUTE, { operation: 'get', ...spec } satisfies CrudRouteSpec));
}

@OvirtSubCollection(`clusters/:cluster/${GLUSTER_VOLUMES}/:volume/${GEOREP_SESSIONS}/:session/${PREFLIGHT}`)
export class SessionPreflightController {
  constructor(private readonly preflight: PreflightService) {}

  @SingletonGetRoute({
    schema: PreflightSchema,
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
