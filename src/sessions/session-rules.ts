import type { GeoRepSessionRollupStatus } from '../gluster';

/** What a client may ask of a session (besides refresh, which is always allowed). */
export type SessionVerb = 'start' | 'stop' | 'pause' | 'resume' | 'delete';

/** DESIGN.md section 6: the statuses each verb starts from. `force` lifts the rule for the four controls. */
const ALLOWED_FROM: Readonly<Record<SessionVerb, readonly GeoRepSessionRollupStatus[]>> = {
  start: ['created', 'stopped'],
  stop: ['active', 'passive', 'initializing', 'paused', 'faulty', 'partial_faulty'],
  pause: ['active', 'passive', 'initializing'],
  resume: ['paused'],
  delete: ['stopped', 'created'],
};

const WORDING: Readonly<Record<SessionVerb, string>> = {
  start: 'started',
  stop: 'stopped',
  pause: 'paused',
  resume: 'resumed',
  delete: 'deleted',
};

/**
 * Why the service refuses this verb in this status, or null when it may run. Gluster itself "succeeds"
 * at stopping or pausing a stopped session, so the service decides from the status it last read.
 */
export function refusalOf(verb: SessionVerb, status: GeoRepSessionRollupStatus, force: boolean): string | null {
  if (force && verb !== 'delete') return null;
  if (ALLOWED_FROM[verb].includes(status)) return null;
  const allowed = ALLOWED_FROM[verb].join(', ');
  const hint = verb === 'delete' ? '; stop it first' : '; use force to ask gluster anyway';
  return `the session is ${status}: it can be ${WORDING[verb]} only when it is ${allowed}${hint}`;
}

/** The status gluster should report once the verb has taken effect (what the job waits to see). */
export function expectedStatusAfter(verb: Exclude<SessionVerb, 'delete'>): readonly GeoRepSessionRollupStatus[] {
  switch (verb) {
    case 'start':
    case 'resume':
      return ['active', 'passive', 'initializing', 'partial_faulty', 'faulty'];
    case 'stop':
      return ['stopped'];
    case 'pause':
      return ['paused'];
  }
}
