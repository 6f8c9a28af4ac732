import { defineAction } from '../jobs/action-definition';
import type { CreateMethod } from './session-create.representation';

/** What the create job needs (ids and names only: the job row and Redis never see a password). */
export interface SessionCreateParams {
  masterClusterId: string;
  masterVolumeId: string;
  slaveHostName: string;
  slaveVolumeName: string;
  slaveClusterId: string | null;
  slaveVolumeId: string | null;
  userName: string;
  userGroup: string | null;
  force: boolean;
  start: boolean;
  /** Fail the job when a preflight check fails (otherwise the preflight step is advisory). */
  enforcePreflight: boolean;
  method: CreateMethod;
  /** A slave host the service does not manage: root over SSH on port 22, with the key pinned when its password installed the service key. */
  unmanagedSlave: { port: number; fingerprint: string } | null;
}
export const GeoRepSessionCreate = defineAction<SessionCreateParams>('georep-session.create');
