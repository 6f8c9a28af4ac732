import { defineAction, NoParams } from '../jobs/action-definition';

export const HostRefresh = defineAction<NoParams>('host.refresh');

export interface HostRepinParams {
  /** The key the caller expects the host to show now; without it, whatever key the host shows is pinned. */
  fingerprint?: string;
}
export const HostRepin = defineAction<HostRepinParams>('host.repin');
