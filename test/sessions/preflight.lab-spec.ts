import Ajv from 'ajv';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { SshClient } from '../../src/ssh';
import {
  describeLab,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
} from '../support/gluster-lab';
import { LabApp, startLabApp, startLabSession } from '../support/lab-app';

interface Check {
  name: string;
  result: string;
  detail: string;
  remedy?: string;
}
interface Preflight {
  href: string;
  georeplication_session: { id: string; href: string };
  checked_at: number;
  result: string;
  checks: { check: Check[] };
}

const API = '/ovirt-engine/api';
const PWNED = '/tmp/pwned-georep-preflight';
/** A port nothing listens on in site 2's network namespace (its sshd is on 22 only). */
const CLOSED_PORT = 2299;

const firstVersion = (cmd: string, re: RegExp) =>
  re.exec(execFileSync(cmd, ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';

/**
 * `GET …/georeplication-sessions/{sid}/preflight` on the real lab: a running session mastervol → site
 * 2's site2vol (both sites are this machine, so they share gluster, rsync and the clock).
 */
describeLab('geo-replication session preflight (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;
  let sessionId: string;
  const glusterVersion = firstVersion('gluster', /^glusterfs\s+(\S+)/);
  const rsyncVersion = firstVersion('rsync', /version\s+v?(\S+)/);
  const pitfall1Here = rsyncVersion.startsWith('3.5.0');

  const preflight = async () => {
    const res = await lab.t.http.get(`${API}${sessionPath}/preflight`).set('Accept', 'application/json');
    if (res.status !== 200) throw new Error(`preflight answered ${res.status}: ${res.text}\n${await labStatus()}`);
    return res.body as Preflight;
  };
  const check = (p: Preflight, name: string) => {
    const found = p.checks.check.find((c) => c.name === name);
    if (!found) throw new Error(`no ${name} check in ${JSON.stringify(p)}`);
    return found;
  };
  const setOption = async (name: string, value: string) => {
    const res = await lab.api.post(`${sessionPath}/options`, { name, value });
    if (res.status !== 201)
      throw new Error(`setting ${name}=${value} answered ${res.status}: ${res.text}\n${await labStatus()}`);
  };
  const hostName = (site: 1 | 2) => `preflight-site${site}-host`;

  beforeAll(
    async () => {
      lab = await startLabApp('preflight');
      const session = await startLabSession(lab);
      ({ sessionId, sessionPath } = session);
      expect(session.slaveHostId).toBe(lab.host2);
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 2 * LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'on a healthy session: versions, clocks, ssh and capacity pass, each saying what it saw; the answer is what the OpenAPI document says',
    async () => {
      const started = Date.now();
      const p = await preflight();
      process.stderr.write(
        `NOTE preflight on the lab took ${Date.now() - started} ms; ${check(p, 'clock_skew').detail}\n`,
      );
      expect(p.href).toBe(`${API}${sessionPath}/preflight`);
      expect(p.georeplication_session).toEqual({ id: sessionId, href: `${API}${sessionPath}` });
      expect(p.checks.check.map((c) => c.name)).toEqual([
        'gluster_version',
        'clock_skew',
        'ssh',
        'capacity',
        'rsync_secondary_access_mount',
      ]);
      expect(check(p, 'gluster_version')).toEqual({
        name: 'gluster_version',
        result: 'passed',
        detail: `GlusterFS ${glusterVersion} on every host: master ${hostName(1)}: ${glusterVersion}; slave ${hostName(2)}: ${glusterVersion}`,
      });
      expect(check(p, 'ssh')).toEqual({
        name: 'ssh',
        result: 'passed',
        detail: `ssh with the geo-replication key to root@${lab.env.site2Addr} port 22: ${hostName(1)}: logged in`,
      });
      const clock = check(p, 'clock_skew');
      expect(clock.result).toBe('passed');
      expect(clock.detail).toMatch(
        new RegExp(
          `^skew of each master host's clock against slave ${hostName(2)} \\(limit 2000 ms\\): ${hostName(1)}: -?\\d+ ms ± \\d+ ms$`,
        ),
      );
      const volumes = async (cluster: string) =>
        (
          await lab.api.get<{ gluster_volume: { name: string; size_total?: number }[] }>(
            `/clusters/${cluster}/glustervolumes`,
          )
        ).gluster_volume;
      const masterSize = (await volumes(lab.site1)).find((v) => v.name === lab.env.masterVol)?.size_total;
      const slaveSize = (await volumes(lab.site2)).find((v) => v.name === lab.env.site2Vol)?.size_total;
      const capacity = check(p, 'capacity');
      expect(capacity.result).toBe('passed');
      expect(capacity.detail).toMatch(
        new RegExp(
          `^master ${lab.env.masterVol} [\\d.]+ GiB \\(${masterSize} bytes\\), slave ${lab.env.site2Vol} [\\d.]+ GiB \\(${slaveSize} bytes\\)$`,
        ),
      );
      expect(check(p, 'rsync_secondary_access_mount')).toMatchObject({ result: 'passed' });
      expect(p.result).toBe('passed');

      // The served document (generated from the route decorators) describes this answer, in JSON and XML.
      const doc = (await lab.t.http.get('/docs/openapi.json').expect(200)).body as {
        paths: Record<
          string,
          { get?: { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> } }
        >;
        components: { schemas: Record<string, object> };
      };
      const op =
        doc.paths[`${API}/clusters/{cluster}/glustervolumes/{volume}/georeplication-sessions/{session}/preflight`]?.get;
      expect(op?.responses['200'].content['application/json'].schema.$ref).toBe(
        '#/components/schemas/GeoreplicationPreflight',
      );
      expect(op?.responses['200'].content['application/xml'].schema.$ref).toBe(
        '#/components/schemas/GeoreplicationPreflightXml',
      );
      const ajv = new Ajv({ allErrors: true, strict: false });
      ajv.addFormat('int32', true).addFormat('int64', true);
      ajv.addSchema({
        $id: 'doc',
        $defs: JSON.parse(
          JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', 'doc#/$defs/'),
        ) as object,
      });
      const validate = ajv.compile({ $ref: 'doc#/$defs/GeoreplicationPreflight' });
      expect(validate(p) ? [] : validate.errors).toEqual([]);
      expect(validate({ ...p, result: 'fine' })).toBe(false);

      const xml = (await lab.t.http.get(`${API}${sessionPath}/preflight`).set('Accept', 'application/xml').expect(200))
        .text;
      expect(xml).toContain(`<georeplication_preflight href="${API}${sessionPath}/preflight">`);
      expect(xml).toContain(`<georeplication_session id="${sessionId}" href="${API}${sessionPath}"/>`);
      expect(xml).toMatch(/<checks>\s*<check>\s*<name>gluster_version<\/name>\s*<result>passed<\/result>/);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it('shares one running check between requests for the same session instead of fanning SSH out for each', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        lab.t.http.get(`${API}${sessionPath}/preflight`).set('Accept', 'application/json'),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((r) => (r.body as { checked_at: number }).checked_at)).size).toBe(1);
  });

  it(
    `with secondary-access-mount false, the rsync check reports the rsync it saw (${rsyncVersion} here) and fails only on 3.5.0`,
    async () => {
      await setOption('secondary-access-mount', 'false');
      try {
        const rsync = check(await preflight(), 'rsync_secondary_access_mount');
        const seen = `Seen: master ${hostName(1)}: rsync ${rsyncVersion}; slave ${hostName(2)}: rsync ${rsyncVersion}`;
        if (pitfall1Here) {
          expect(rsync).toMatchObject({
            result: 'failed',
            remedy: 'set secondary-access-mount true (POST …/options with name secondary-access-mount and value true)',
          });
          expect(rsync.detail).toContain('LAB.md pitfall 1');
          expect(rsync.detail).toContain(seen);
        } else {
          process.stderr.write(
            `NOTE preflight rsync case: rsync here is ${rsyncVersion}, not Debian's 3.5.0 (LAB.md pitfall 1): the check must pass\n`,
          );
          expect(rsync).toEqual({
            name: 'rsync_secondary_access_mount',
            result: 'passed',
            detail: `no rsync 3.5.0 (secondary-access-mount is false). ${seen}`,
          });
        }
      } finally {
        await setOption('secondary-access-mount', 'true');
      }
      expect(check(await preflight(), 'rsync_secondary_access_mount').detail).toContain(
        'secondary-access-mount is true',
      );
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    "with the session's ssh-port set to a closed port, the ssh check fails saying why; resetting it passes again",
    async () => {
      await setOption('ssh-port', String(CLOSED_PORT));
      try {
        expect((await lab.api.get<{ value: string }>(`${sessionPath}/options/ssh-port`)).value).toBe(
          String(CLOSED_PORT),
        );
        const p = await preflight();
        const ssh = check(p, 'ssh');
        expect(ssh.result).toBe('failed');
        expect(ssh.detail).toBe(
          `ssh with the geo-replication key to root@${lab.env.site2Addr} port ${CLOSED_PORT}: ${hostName(1)}: cannot log in (ssh: connect to host ${lab.env.site2Addr} port ${CLOSED_PORT}: Connection refused)`,
        );
        expect(ssh.remedy).toContain(`accept ssh on port ${CLOSED_PORT} from every master host`);
        expect(p.result).toBe('failed');
      } finally {
        await lab.api.delete(`${sessionPath}/options/ssh-port`).expect(200);
      }
      expect((await lab.api.get<{ value: string }>(`${sessionPath}/options/ssh-port`)).value).toBe('22');
      expect(check(await preflight(), 'ssh')).toMatchObject({
        result: 'passed',
        detail: `ssh with the geo-replication key to root@${lab.env.site2Addr} port 22: ${hostName(1)}: logged in`,
      });
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it('answers 404 for unknown or hostile ids without sending a single SSH command', async () => {
    const ssh = lab.t.app.get(SshClient);
    const endpoints = [
      { host: lab.env.site1Addr, port: lab.env.sshPort, username: 'root' },
      { host: lab.env.site2Addr, port: 22, username: 'root' },
    ];
    const started = () => endpoints.map((e) => ssh.stats(e).commandsStarted);
    const before = started();
    expect(before.every((n) => n > 0)).toBe(true); // the counters are the ones the earlier preflights moved
    const [, , , , volumeId] = sessionPath.split('/');
    const hostile = encodeURIComponent(`$(touch ${PWNED})`);
    for (const [path, what] of [
      [
        `/clusters/${lab.site1}/glustervolumes/${volumeId}/georeplication-sessions/00000000-0000-4000-8000-000000000000/preflight`,
        'geo-replication session',
      ],
      [
        `/clusters/${lab.site1}/glustervolumes/${volumeId}/georeplication-sessions/${hostile}/preflight`,
        'geo-replication session',
      ],
      [
        `/clusters/${lab.site1}/glustervolumes/${encodeURIComponent('x; touch ' + PWNED)}/georeplication-sessions/${sessionId}/preflight`,
        'gluster volume',
      ],
      [
        `/clusters/${lab.site2}/glustervolumes/${volumeId}/georeplication-sessions/${sessionId}/preflight`,
        'gluster volume',
      ],
      [
        `/clusters/${encodeURIComponent('`touch ' + PWNED + '`')}/glustervolumes/${volumeId}/georeplication-sessions/${sessionId}/preflight`,
        'cluster',
      ],
    ]) {
      const res = await lab.t.http.get(`${API}${path}`).set('Accept', 'application/json');
      expect(res.status).toBe(404);
      expect(res.body).toEqual({
        reason: 'Not Found',
        detail: expect.stringMatching(new RegExp(`^${what} with id ".+" does not exist$`)),
      });
    }
    expect(started()).toEqual(before);
    expect(fs.existsSync(PWNED)).toBe(false);
  });
});
