import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  describeLab,
  gluster,
  healSession,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labEnv,
  labStatus,
  runLab,
  sessionPurge,
} from '../support/gluster-lab';
import { LabApp, startLabApp } from '../support/lab-app';

const GLUSTERD_VOL = '/etc/glusterfs/glusterd.vol';

interface Ref {
  id: string;
  href: string;
}
interface SessionJson extends Ref {
  slave_host_name: string;
  slave_volume_name: string;
  slave_volume?: Ref;
  user_name: string;
  status: string;
}
interface Fault {
  reason: string;
  detail: string;
}

/**
 * A non-root (mount-broker) session through the API on the real lab: site 1's mastervol to
 * georep@site 2::site2vol. The job sets up the mount broker on site 2 and restarts site 2's glusterd
 * with GEOREP_GLUSTERD_RESTART_COMMAND (the lab's `glusterd-restart`, run over SSH inside site 2),
 * installs the keys for georep, creates, stores the session's keys in site 2's glusterd directory and makes
 * site2vol read-only (what set_geo_rep_pem_keys.sh did, without its root writes in georep's home), starts;
 * files replicate.
 */
describeLab('non-root geo-replication session create (real lab)', () => {
  let lab: LabApp;
  let pristineVol: string;
  let master: Ref;
  let site2vol: Ref;
  let user: string;
  let group: string;
  let slaveUrl: string;
  let sessionPath = '';

  const sessionsPath = () => `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions`;
  const sessions = async () =>
    (await lab.api.get<{ georeplication_session?: SessionJson[] }>(sessionsPath())).georeplication_session ?? [];
  const glusterSessions = async () =>
    (await gluster(1, ['volume', 'geo-replication', 'status'], { okCodes: [0, 1, 2] })).stdout;
  const glusterd2Pid = () => fs.readFileSync(path.join(lab.env.runDir, 'glusterd2.pid'), 'utf8').trim();
  const volumeNamed = async (cluster: string, name: string): Promise<Ref> => {
    const found = (
      (await lab.api.get<{ gluster_volume?: (Ref & { name: string })[] }>(`/clusters/${cluster}/glustervolumes`))
        .gluster_volume ?? []
    ).find((v) => v.name === name);
    if (!found) throw new Error(`volume ${name} not listed`);
    return found;
  };
  const stepsOfLastCreate = async () =>
    (
      await lab.t.sql<{ description: string; status: string }>(
        `SELECT s.description, s.status FROM steps s JOIN jobs j ON j.id = s.job_id
          WHERE j.id = (SELECT id FROM jobs WHERE description LIKE 'Creating geo-replication session%' ORDER BY start_time DESC LIMIT 1) ORDER BY s.number`,
      )
    ).map((s) => `${s.status} ${s.description}`);

  /** Writes a file into the master's FUSE mount and waits until site 2's brick holds the same bytes. */
  async function replicates(): Promise<void> {
    const name = `nonroot-${crypto.randomUUID()}.bin`;
    const data = crypto.randomBytes(256 * 1024);
    fs.writeFileSync(path.join(lab.env.masterMnt, name), data);
    const want = crypto.createHash('md5').update(data).digest('hex');
    const brick = lab.env.site2VolBrick.slice(lab.env.site2VolBrick.indexOf(':') + 1);
    const target = path.join(brick, name);
    const arrived = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if (fs.existsSync(target) && crypto.createHash('md5').update(fs.readFileSync(target)).digest('hex') === want)
          return true;
        await new Promise((r) => setTimeout(r, 1000));
      }
      return false;
    };
    if (await arrived(180_000)) return;
    // pitfall 2: a worker can stay Active without syncing; the lab's heal restarts stuck workers
    await healSession(lab.env.masterVol, `${user}@${lab.env.site2Addr}`, lab.env.site2Vol);
    if (!(await arrived(180_000)))
      throw new Error(`${name} did not reach site 2 with the same checksum\n${await labStatus()}`);
  }

  beforeAll(
    async () => {
      const env = await labEnv();
      // run by the service as root over SSH on the slave host: lands inside site 2's namespaces
      const restart = `GLAB_DIR=${env.dir} /bin/bash ${env.labScript} glusterd-restart`;
      lab = await startLabApp('nonroot', {
        GEOREP_ACTION_WAIT_SECONDS: '300',
        GEOREP_SYNC_INTERVAL_SECONDS: '0',
        GEOREP_GLUSTERD_RESTART_COMMAND: restart,
      });
      // `up` (and the session purge in startLabApp) put the pristine glusterd.vol back
      pristineVol = fs.readFileSync(GLUSTERD_VOL, 'utf8');
      user = lab.env.nonRootUser;
      group = lab.env.nonRootGroup;
      slaveUrl = `${user}@${lab.env.site2Addr}::${lab.env.site2Vol}`;
      await lab.refresh(`/clusters/${lab.site1}`);
      await lab.refresh(`/clusters/${lab.site2}`);
      master = await volumeNamed(lab.site1, lab.env.masterVol);
      site2vol = await volumeNamed(lab.site2, lab.env.site2Vol);
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 180_000,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'refuses push_pem and a group for root (400), and a group missing on the slave host (409) before touching gluster',
    async () => {
      const pushPem = await lab.api.post(sessionsPath(), {
        slave_volume: { id: site2vol.id },
        user_name: user,
        method: 'push_pem',
      });
      expect(pushPem.status).toBe(400);
      const rootGroup = await lab.api.post(sessionsPath(), { slave_volume: { id: site2vol.id }, user_group: group });
      expect(rootGroup.status).toBe(400);
      const hostile = await lab.api.post(sessionsPath(), {
        slave_volume: { id: site2vol.id },
        user_name: user,
        user_group: 'geo$(touch /tmp/pwned-nonroot)',
      });
      expect(hostile.status).toBe(400);

      const pid = glusterd2Pid();
      const missing = await lab.api.post(sessionsPath(), {
        slave_volume: { id: site2vol.id },
        user_name: user,
        user_group: 'no-such-geogroup',
      });
      expect(missing.status).toBe(409);
      expect((missing.body as Fault).detail).toContain(
        `The group no-such-geogroup does not exist on the slave host ${'nonroot-site2-host'}; create it on every slave host and add ${user} to it`,
      );
      const nobody = await lab.api.post(sessionsPath(), {
        slave_volume: { id: site2vol.id },
        user_name: 'no-such-georep-user',
      });
      expect(nobody.status).toBe(409);
      expect((nobody.body as Fault).detail).toContain(
        'The user no-such-georep-user does not exist on the slave host nonroot-site2-host',
      );
      expect(fs.readFileSync(GLUSTERD_VOL, 'utf8')).toBe(pristineVol);
      expect(glusterd2Pid()).toBe(pid);
      expect(await sessions()).toEqual([]);
      expect(fs.existsSync('/tmp/pwned-nonroot')).toBe(false);
      expect(await glusterSessions()).not.toContain(lab.env.site2Vol);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'creates and starts a session for georep with the default method and group: mount broker set up, glusterd restarted, files replicate',
    async () => {
      const pidBefore = glusterd2Pid();
      const res = await lab.api.post(sessionsPath(), {
        slave_volume: { id: site2vol.id },
        user_name: user,
        start: true,
      });
      if (res.status !== 201)
        throw new Error(
          `create answered ${res.status}: ${res.text}\n${(await stepsOfLastCreate()).join('\n')}\n${await labStatus()}`,
        );
      const session = res.body as SessionJson;
      sessionPath = `${sessionsPath()}/${session.id}`;
      expect(res.headers.location).toBe(session.href);
      expect(session).toMatchObject({
        slave_host_name: lab.env.site2Addr,
        slave_volume_name: lab.env.site2Vol,
        slave_volume: { id: site2vol.id },
        user_name: user,
      });

      expect(await stepsOfLastCreate()).toEqual([
        'finished Validating the master and slave volumes',
        'finished Preflight: GlusterFS versions, clocks, capacity, rsync',
        `finished Setting up the mount broker for ${user} (group ${group}) on the slave hosts`,
        'finished Creating the geo-replication keys (gsec_create) on a master host',
        `finished Adding the keys to ${user}'s authorized_keys on every slave host`,
        'finished Creating the session (no-verify)',
        `finished Storing the session's keys for ${user} in glusterd's directory on the slave hosts and making ${lab.env.site2Vol} read-only`,
        'finished Setting secondary-access-mount true',
        'finished Waiting until the keys are in place on every slave host',
        'finished Starting the session',
        'finished Refreshing the master cluster',
      ]);
      // site 2's glusterd was restarted (a new process) and reads the mount-broker options
      expect(glusterd2Pid()).not.toBe(pidBefore);
      const vol = fs
        .readFileSync(GLUSTERD_VOL, 'utf8')
        .split('\n')
        .map((l) => l.trim());
      expect(vol).toEqual(
        expect.arrayContaining([
          'option mountbroker-root /var/mountbroker-root',
          `option geo-replication-log-group ${group}`,
          'option rpc-auth-allow-insecure on',
          `option mountbroker-geo-replication.${user} ${lab.env.site2Vol}`,
          'option max-port 60999',
        ]),
      );
      expect(fs.statSync('/var/mountbroker-root').mode & 0o777).toBe(0o711);
      // gluster knows the session by its user; the job made the slave volume read-only
      expect(await glusterSessions()).toContain(slaveUrl);
      const readOnly = await gluster(2, ['volume', 'get', lab.env.site2Vol, 'features.read-only']);
      expect(readOnly.stdout).toMatch(/features\.read-only\s+on/);
      // the session's pem file in site 2's glusterd directory (bind-mounted from the lab's site2/lib): root's,
      // 0600, the lines of site 1's common_secret.pem.pub; site 2's brick is on a registered host: no 11180 warning
      const pemFile = path.join(
        lab.env.dir,
        'site2',
        'lib',
        'geo-replication',
        `${lab.env.masterVol}_${lab.env.site2Vol}_common_secret.pem.pub`,
      );
      const pem = fs.lstatSync(pemFile);
      expect([pem.isFile(), pem.uid, pem.mode & 0o777]).toEqual([true, 0, 0o600]);
      const pemLines = fs
        .readFileSync(pemFile, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      const site1Lines = fs
        .readFileSync('/var/lib/glusterd/geo-replication/common_secret.pem.pub', 'utf8')
        .split('\n')
        .map((l) => l.trim());
      expect(pemLines.length).toBeGreaterThan(0);
      expect(pemLines.filter((l) => !site1Lines.includes(l))).toEqual([]);
      expect((await lab.api.get<{ event?: unknown[] }>('/events?search=code=11180')).event ?? []).toEqual([]);

      await replicates();
      await lab.refresh(`/clusters/${lab.site1}`);
      const shown = await lab.api.get<SessionJson>(sessionPath);
      expect(shown).toMatchObject({ id: session.id, user_name: user, slave_volume_name: lab.env.site2Vol });
      expect(['active', 'passive']).toContain(shown.status);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'stop and delete remove the session from the API and from gluster',
    async () => {
      await lab.api.post(`${sessionPath}/stop`, {}).expect(200);
      await lab.api.delete(sessionPath).expect(200);
      await lab.t.http.get(`/ovirt-engine/api${sessionPath}`).expect(404);
      expect(await sessions()).toEqual([]);
      expect(await glusterSessions()).not.toContain(slaveUrl);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'creating it again finds the mount broker in place: no second glusterd restart',
    async () => {
      const pid = glusterd2Pid();
      const vol = fs.readFileSync(GLUSTERD_VOL, 'utf8');
      // site2vol now holds the replicated file: force past the not-empty eligibility rule
      const res = await lab.api.post(sessionsPath(), {
        slave_volume: { id: site2vol.id },
        user_name: user,
        user_group: group,
        force: true,
      });
      if (res.status !== 201)
        throw new Error(`create answered ${res.status}: ${res.text}\n${(await stepsOfLastCreate()).join('\n')}`);
      sessionPath = `${sessionsPath()}/${(res.body as SessionJson).id}`;
      expect(res.body as SessionJson).toMatchObject({ user_name: user, status: 'created' });
      expect(glusterd2Pid()).toBe(pid);
      expect(fs.readFileSync(GLUSTERD_VOL, 'utf8')).toBe(vol);
      expect(await stepsOfLastCreate()).toContain(
        `finished Setting up the mount broker for ${user} (group ${group}) on the slave hosts`,
      );
      expect(await glusterSessions()).toContain(slaveUrl);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    "session-purge puts the pristine glusterd.vol back, and site 1's glusterd restarted with it works",
    async () => {
      await sessionPurge();
      expect(fs.readFileSync(GLUSTERD_VOL, 'utf8')).toBe(pristineVol);
      await lab.refresh(`/clusters/${lab.site1}`);
      expect(await sessions()).toEqual([]);
      await runLab(['glusterd-restart', '1'], { timeoutMs: 120_000 });
      const info = await gluster(1, ['volume', 'info', lab.env.masterVol]);
      expect(info.stdout).toContain(`Volume Name: ${lab.env.masterVol}`);
      expect(info.stdout).toContain('Status: Started');
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
