import { date, enumOf, list, obj, ref, resource, str, ViewOf } from '../ovirt/representation';
import { PREFLIGHT_CHECK_NAMES, PREFLIGHT_RESULTS } from './preflight-checks';

/** The sub-resource of a session: `…/georeplication-sessions/{sid}/preflight`. */
export const PREFLIGHT = 'preflight';

/** One check: `<check><name/><result/><detail/><remedy/></check>`. */
export const PreflightCheckSchema = obj('preflight_check', {
  name: enumOf(PREFLIGHT_CHECK_NAMES, {
    readOnly: true,
    description:
      "gluster_version: the same GlusterFS version on the master and slave hosts; clock_skew: each master host against the slave host; ssh: every master host can log in to the slave host with the geo-replication key as the session's user on its ssh-port; capacity: the slave volume is at least as large as the master volume; rsync_secondary_access_mount: rsync 3.5.0 with secondary-access-mount not true (LAB.md pitfall 1).",
  }),
  result: enumOf(PREFLIGHT_RESULTS, {
    readOnly: true,
    description: 'unknown: it could not be checked (the detail says why).',
  }),
  detail: str({ readOnly: true, description: 'What was seen, or why it could not be checked.' }),
  remedy: str({ readOnly: true, optional: true, description: 'What to do about a warning, a failure or an unknown.' }),
});

/** `GET …/georeplication-sessions/{sid}/preflight`: read-only checks run over SSH during the request. */
export const PreflightSchema = resource(
  'georeplication_preflight',
  'georeplication_preflights',
  {
    georeplication_session: ref('georeplication_session', { readOnly: true }),
    checked_at: date({ readOnly: true, description: "When the checks ran (the service's clock)." }),
    result: enumOf(PREFLIGHT_RESULTS, {
      readOnly: true,
      description: 'The worst result of the checks: failed, then warning, then unknown, then passed.',
    }),
    checks: list('check', PreflightCheckSchema, { readOnly: true }),
  },
  {
    description:
      'Read-only checks of a geo-replication session, run over SSH on the master and slave hosts during the request, each with a remedy. The slave-volume-empty check belongs to creating a session (georeplication-targets) and is not repeated here.',
  },
);

export type PreflightView = ViewOf<typeof PreflightSchema>;
