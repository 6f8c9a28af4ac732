import * as crypto from 'node:crypto';

/** What the service keeps of the bearer token a cluster's glustereventsd sends: its SHA-256, hex. */
export function glusterEventsTokenSha256(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}
