import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
  runCommand,
  runLab,
  sessionCreate,
  sessionPurge,
  sessionStart,
  site2,
  volumeInfo,
} from '../support/gluster-lab';
import { LabApp, startLabApp } from '../support/lab-app';

interface SessionJson {
  id: string;
  status: string;
  failed_over: boolean;
  failover_time?: number;
  failover_mode?: string;
  failover_user?: { id: string };
  recovery_point?: number;
  data_loss_window?: number;
  desired_status?: string;
  failback_phase?: string;
  slave_cluster?: { id: string };
}
interface ReplyJson {
  status: string;
  job?: { id: string };
  fault?: { reason: string; detail: string };
}

const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');
/** A directory's names without gluster's and the canaries' dot entries, sorted. */
const visibleEntries = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((n) => !n.startsWith('.'))
    .sort();

/**
 * Issue 16, failover on the real two-site lab: a root session mastervol → site 2's site2vol created
 * with push-pem (whose hook makes the slave volume read-only, as a real slave is), driven through the API.
 */
describeLab('failover of a geo-replication session (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;
  let slaveBrick: string;

  const session = () => lab.api.get<SessionJson>(sessionPath);

  /** A fresh running session of mastervol → site2vol (or another slave), as the app discovers it. */
  async function freshSession(
    slave: { host: string; volume: string; mode: 'push-pem' | 'no-verify' } = {
      host: lab.env.site2Addr,
      volume: lab.env.site2Vol,
      mode: 'push-pem',
    },
  ): Promise<void> {
    const { env } = lab;
    // Site 1's cross-site sshd is back whatever an earlier test left (it cuts site 1 off with it).
    await runLab(['sshd-start', 'wan']);
    await sessionPurge();
    // Forget the last test's session (gone from gluster) before the new one is discovered.
    await lab.refresh(`/clusters/${lab.site1}`);
    await sessionCreate(env.masterVol, slave.host, slave.volume, { mode: slave.mode });
    await sessionStart(env.masterVol, slave.host, slave.volume);
    await lab.refresh(`/clusters/${lab.site2}`);
    await lab.refresh(`/clusters/${lab.site1}`);
    const master = (
      await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
    ).gluster_volume.find((v) => v.name === env.masterVol);
    if (!master) throw new Error(`no ${env.masterVol}\n${await labStatus()}`);
    const list = `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions`;
    const [s] = (await lab.api.get<{ georeplication_session?: SessionJson[] }>(list)).georeplication_session ?? [];
    if (!s) throw new Error(`no session of ${env.masterVol}\n${await labStatus()}`);
    sessionPath = `${list}/${s.id}`;
    expect(s.failed_over).toBe(false);
  }

  async function failover(body: object, status = 200): Promise<ReplyJson> {
    const res = await lab.api.post(`${sessionPath}/failover`, { async: false, ...body });
    if (res.status !== status)
      throw new Error(`failover answered ${res.status} (wanted ${status}): ${res.text}\n${await labStatus()}`);
    return res.body as ReplyJson;
  }

  /** The slave volume's reconfigured options, as gluster has them. */
  async function slaveOptions(): Promise<Record<string, string>> {
    const [vol] = await volumeInfo(2, lab.env.site2Vol);
    return vol.options;
  }

  /** Writes a file into a slave volume through a FUSE mount on its site: what an application there does. */
  async function writeOnSlave(
    name: string,
    content: string,
    where: { site: 1 | 2; volume: string } = { site: 2, volume: lab.env.site2Vol },
  ): Promise<void> {
    const dir = path.join(lab.env.mntDir, `failover-${crypto.randomBytes(4).toString('hex')}`);
    const server = where.site === 2 ? lab.env.site2Addr : lab.env.site1Addr;
    const script = [
      `mkdir -p ${dir}`,
      `mount -t glusterfs ${server}:/${where.volume} ${dir}`,
      `rc=0; printf %s '${content}' > ${dir}/${name} || rc=$?`,
      `umount ${dir}; rmdir ${dir}; exit $rc`,
    ].join('; ');
    if (where.site === 2) await site2(['bash', '-c', script]);
    else await runCommand('bash', ['-c', script]);
  }

  /** Waits until every file is on the slave brick with the master's checksum (the session syncing them). */
  async function untilOnSlave(files: Map<string, string>, brick = slaveBrick): Promise<void> {
    const deadline = Date.now() + 240_000;
    for (;;) {
      const missing = [...files].filter(([name, sum]) => {
        const p = path.join(brick, name);
        return !fs.existsSync(p) || sha256(fs.readFileSync(p)) !== sum;
      });
      if (missing.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`not on the slave: ${missing.map(([n]) => n).join(', ')}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** A storage domain on mastervol with an enabled DR schedule through the test's session. */
  async function domainWithSchedule(name: string): Promise<{ domain: string; schedule: string }> {
    const master = (
      await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
    ).gluster_volume.find((v) => v.name === lab.env.masterVol)!;
    const created = await lab.api.post('/storagedomains', {
      name,
      storage: { type: 'glusterfs', address: lab.env.site1Addr, path: `/${lab.env.masterVol}` },
      gluster_volume: { id: master.id },
    });
    if (created.status !== 201) throw new Error(`storage domain: ${created.status} ${created.text}`);
    const domain = (created.body as { id: string }).id;
    const schedule = await lab.api.post(`/storagedomains/${domain}/dr-schedules`, {
      georeplication_session: { id: sessionPath.split('/').pop() },
      schedule: '30 2 * * *',
    });
    if (schedule.status !== 201) throw new Error(`schedule: ${schedule.status} ${schedule.text}`);
    return { domain, schedule: (schedule.body as { id: string }).id };
  }

  async function removeDomain(domain: string, schedule: string): Promise<void> {
    await lab.api.delete(`/storagedomains/${domain}/dr-schedules/${schedule}`).expect(200);
    await lab.api.delete(`/storagedomains/${domain}`).expect(200);
  }

  function writeOnMaster(prefix: string): [string, string] {
    const name = `${prefix}-${crypto.randomBytes(4).toString('hex')}.bin`;
    const content = crypto.randomBytes(32 * 1024);
    fs.writeFileSync(path.join(lab.env.masterMnt, name), content);
    return [name, sha256(content)];
  }

  /** Kills the worker process as soon as the job has begun a step whose description matches (a crash there). */
  async function crashAtStep(jobId: string, step: RegExp): Promise<void> {
    const deadline = Date.now() + 300_000;
    for (;;) {
      const steps = await lab.t.sql<{ description: string }>('SELECT description FROM steps WHERE job_id = $1', [
        jobId,
      ]);
      if (steps.some((st) => step.test(st.description))) break;
      const [job] = await lab.t.sql<{ run_state: string }>('SELECT run_state FROM jobs WHERE id = $1', [jobId]);
      if (job?.run_state === 'done' || Date.now() > deadline)
        throw new Error(`job ${jobId} never reached ${step}: ${JSON.stringify(steps)}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await lab.worker!.kill();
  }

  /** The job row once it ended (on whichever worker). */
  async function untilJobEnds(jobId: string): Promise<{ status: string; attempts: number; description: string }> {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const [job] = await lab.t.sql<{ status: string; attempts: number; description: string; run_state: string }>(
        'SELECT status, attempts, description, run_state FROM jobs WHERE id = $1',
        [jobId],
      );
      if (job.run_state === 'done') return job;
      if (Date.now() > deadline)
        throw new Error(`job ${jobId} did not end: ${JSON.stringify(job)}\n${await labStatus()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  beforeAll(async () => {
    // The jobs run in a worker process of their own (as in an api + worker deploy), which a test can kill.
    lab = await startLabApp('failover', { GEOREP_JOB_LOCK_SECONDS: '10' }, { separateWorker: true });
    slaveBrick = lab.env.site2VolBrick.replace(/^[^:]+:/, '');
  }, LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS);
  afterAll(async () => {
    await runLab(['sshd-start']).catch(() => undefined);
    await runLab(['sshd-start', 'wan']).catch(() => undefined);
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it(
    'planned: catches the slave up to a checkpoint, stops the session, opens the slave for writes; nothing is lost; start and a second failover are refused',
    async () => {
      await freshSession();
      // A second session of the same master volume (to site 1's slavevol), which the failover must leave alone.
      await sessionCreate(lab.env.masterVol, lab.env.site1Addr, lab.env.site1SlaveVol, { mode: 'no-verify' });
      await lab.refresh(`/clusters/${lab.site1}`);
      const siblings = (
        await lab.api.get<{ georeplication_session: (SessionJson & { slave_volume_name: string })[] }>(
          sessionPath.slice(0, sessionPath.lastIndexOf('/')),
        )
      ).georeplication_session;
      const other = siblings.find((x) => x.slave_volume_name === lab.env.site1SlaveVol)!;
      expect(other.status).toBe('created');
      expect((await slaveOptions())['features.read-only']).toBe('on');
      const files = new Map([writeOnMaster('planned'), writeOnMaster('planned')]);

      const reply = await failover({});
      expect(reply.status).toBe('complete');
      const [job] = await lab.t.sql<{ result: { other_sessions_left_alone: string[] } }>(
        'SELECT result FROM jobs WHERE id = $1',
        [reply.job!.id],
      );
      expect(job.result.other_sessions_left_alone).toEqual([other.id]);
      const otherNow = await lab.api.get<SessionJson>(
        `${sessionPath.slice(0, sessionPath.lastIndexOf('/'))}/${other.id}`,
      );
      expect(otherNow).toMatchObject({ status: 'created', failed_over: false });
      const otherStatus = await gluster(1, [
        'volume',
        'geo-replication',
        lab.env.masterVol,
        `${lab.env.site1Addr}::${lab.env.site1SlaveVol}`,
        'status',
      ]);
      expect(otherStatus.stdout).toMatch(/Created/);
      // Everything written before the failover is on the slave, byte for byte, when it answers.
      for (const [name, sum] of files) expect(sha256(fs.readFileSync(path.join(slaveBrick, name)))).toBe(sum);
      const s = await session();
      expect(s).toMatchObject({
        status: 'stopped',
        failed_over: true,
        failover_mode: 'planned',
        data_loss_window: 0,
        desired_status: 'stopped',
      });
      expect(s.failover_user?.id).toBeDefined();
      expect(new Date(s.recovery_point!).getTime()).toBeLessThanOrEqual(new Date(s.failover_time!).getTime());
      expect(await slaveOptions()).toMatchObject({
        'geo-replication.indexing': 'on',
        'changelog.changelog': 'on',
        'features.read-only': 'off',
      });
      await writeOnSlave('written-at-site2.txt', 'site 2 takes writes');
      expect(fs.readFileSync(path.join(slaveBrick, 'written-at-site2.txt'), 'utf8')).toBe('site 2 takes writes');

      const steps = await lab.t.sql<{ description: string }>(
        `SELECT s.description FROM steps s WHERE s.job_id = $1 ORDER BY s.number`,
        [reply.job!.id],
      );
      expect(steps.map((x) => x.description)).toEqual([
        expect.stringMatching(/^Reading the state of session to /),
        expect.stringMatching(/^Setting a checkpoint on session to /),
        'Waiting for every active worker to complete the checkpoint',
        expect.stringMatching(/^Stopping session to /),
        `Making slave volume ${lab.env.site2Vol} take writes`,
      ]);

      for (const verb of ['start', 'resume']) {
        const res = await lab.api.post(`${sessionPath}/${verb}`, { force: true }).expect(409);
        expect((res.body as { detail: string }).detail).toMatch(
          /^the session was failed over to its slave at .*: (starting|resuming) it would overwrite the slave's newer data/,
        );
      }
      const again = await lab.api.post(`${sessionPath}/failover`, { force: true }).expect(409);
      expect((again.body as { detail: string }).detail).toMatch(/^the session is already failed over \(planned, at /);
      // Gluster agrees: the session is stopped, the slave file the master never had is still there.
      const status = await gluster(1, [
        'volume',
        'geo-replication',
        lab.env.masterVol,
        `${lab.env.site2Addr}::${lab.env.site2Vol}`,
        'status',
      ]);
      expect(status.stdout).toMatch(/Stopped/);
      expect(fs.existsSync(path.join(slaveBrick, 'written-at-site2.txt'))).toBe(true);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'unplanned: with site 1 out of reach a planned failover is a 502 naming force; force fails over from the slave side and the data-loss window covers exactly what is missing',
    async () => {
      await freshSession();
      const synced = new Map([writeOnMaster('synced'), writeOnMaster('synced')]);
      await untilOnSlave(synced);
      // The service's last look at site 1: every active worker has synced past these files.
      await lab.refresh(sessionPath);
      const seen = await lab.t.sql<{ status: string; last_synced: Date | null }>(
        `SELECT d.status, d.last_synced FROM georep_session_details d WHERE d.session_id = $1`,
        [sessionPath.split('/').pop()],
      );
      expect(seen.some((r) => r.status === 'active' && r.last_synced !== null)).toBe(true);

      // Site 1 is lost: its workers stop syncing (paused on site 1 itself), a last write never reaches
      // site 2, and the service's link to site 1 goes (its host moved to the sshd that then stops).
      await gluster(1, [
        'volume',
        'geo-replication',
        lab.env.masterVol,
        `${lab.env.site2Addr}::${lab.env.site2Vol}`,
        'pause',
      ]);
      const [lostName] = writeOnMaster('lost');
      const lostWrittenAt = fs.statSync(path.join(lab.env.masterMnt, lostName)).mtime;
      await lab.api.put(`/hosts/${lab.host1}`, { ssh: { port: lab.env.sshAltPort } }).expect(200);
      await runLab(['sshd-stop']);

      const before = await slaveOptions();
      const planned = await failover({}, 502);
      expect(planned.status).toBe('failed');
      expect(planned.fault?.detail).toMatch(/force=true \(unplanned: only the slave is touched\)/);
      expect((await session()).failed_over).toBe(false);
      expect(await slaveOptions()).toEqual(before);

      // Through the storage domain whose DR schedule syncs through the session, as an oVirt admin would.
      const { domain, schedule } = await domainWithSchedule('failover-unplanned');
      const byDomain = await lab.api.post(`/storagedomains/${domain}/failover`, { force: true, async: false });
      if (byDomain.status !== 200) throw new Error(`domain failover: ${byDomain.status} ${byDomain.text}`);
      expect((byDomain.body as ReplyJson).status).toBe('complete');
      const s = await session();
      expect(s).toMatchObject({ failed_over: true, failover_mode: 'unplanned' });
      expect(await lab.api.get(`/storagedomains/${domain}`)).toMatchObject({
        primary_copy: 'slave',
        primary_storage: { type: 'glusterfs', address: lab.env.site2Addr, path: `/${lab.env.site2Vol}` },
        storage: { address: lab.env.site1Addr, path: `/${lab.env.masterVol}` },
      });
      expect(await lab.api.get(`/storagedomains/${domain}/dr-schedules/${schedule}`)).toMatchObject({
        enabled: false,
        disabled_reason: 'paused by the failover of its geo-replication session; the failback resumes it',
      });
      const recoveryPoint = new Date(s.recovery_point!);
      const failoverTime = new Date(s.failover_time!);
      expect(s.data_loss_window).toBe(Math.ceil((failoverTime.getTime() - recoveryPoint.getTime()) / 1000));
      // The slave holds exactly the synced files; the one missing was written inside the window.
      for (const name of synced.keys()) expect(fs.existsSync(path.join(slaveBrick, name))).toBe(true);
      expect(fs.existsSync(path.join(slaveBrick, lostName))).toBe(false);
      expect(lostWrittenAt.getTime()).toBeGreaterThanOrEqual(recoveryPoint.getTime());
      expect(lostWrittenAt.getTime()).toBeLessThanOrEqual(failoverTime.getTime());
      expect(await slaveOptions()).toMatchObject({
        'geo-replication.indexing': 'on',
        'changelog.changelog': 'on',
        'features.read-only': 'off',
      });
      await writeOnSlave('after-unplanned.txt', 'site 2 took over');
      expect(fs.readFileSync(path.join(slaveBrick, 'after-unplanned.txt'), 'utf8')).toBe('site 2 took over');

      await runLab(['sshd-start']);
      await lab.api.put(`/hosts/${lab.host1}`, { ssh: { port: lab.env.sshPort } }).expect(200);
      await lab.api.post(`/hosts/${lab.host1}/refresh`, {}).expect(200);
      await removeDomain(domain, schedule);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  /** Site 1's host as the service (and site 2) reach it across the sites: the reverse session of a failback writes there. */
  async function registerSite1AcrossSites(): Promise<void> {
    await lab.api
      .put(`/hosts/${lab.host1}`, { address: lab.env.site1WanAddr, ssh: { port: lab.env.sshPort } })
      .expect(200);
  }

  /** The failback's reverse session in gluster: site2vol → site 1's mastervol, on site 2. */
  const reverseUrl = () => `${lab.env.site1WanAddr}::${lab.env.masterVol}`;
  const reverseGluster = (args: string[], okCodes?: number[]) =>
    gluster(2, ['volume', 'geo-replication', lab.env.site2Vol, ...args], okCodes ? { okCodes } : {});
  const reverseConfig = async (option: string) =>
    (await reverseGluster([reverseUrl(), 'config', option])).stdout.trim();

  /** The sessions the service lists under site 2's site2vol (a failback's reverse session, when one runs). */
  async function sessionsOfSite2Vol(): Promise<(SessionJson & { failback_of?: string; slave_volume_name: string })[]> {
    const volume = (
      await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site2}/glustervolumes`)
    ).gluster_volume.find((v) => v.name === lab.env.site2Vol)!;
    return (
      (
        await lab.api.get<{
          georeplication_session?: (SessionJson & { failback_of?: string; slave_volume_name: string })[];
        }>(`/clusters/${lab.site2}/glustervolumes/${volume.id}/georeplication-sessions`)
      ).georeplication_session ?? []
    );
  }

  it(
    'site-loss rehearsal: a DR sync, more writes, site 1 cut off; an unplanned failover leaves exactly the synced files with the window covering the rest; the slave takes writes; failback from site 2 (sync, a name made at both sites refused, complete with force) brings them home byte for byte and runs the original session; a canary passes',
    async () => {
      const { env } = lab;
      await freshSession();
      await registerSite1AcrossSites();
      const slaveOptionsBefore = await slaveOptions();
      // A DR schedule syncs through the session the way it runs every night: start, checkpoint, catch up, stop.
      await lab.api.post(`${sessionPath}/stop`, { async: false }).expect(200);
      const { domain, schedule } = await domainWithSchedule('rehearsal');
      const synced = new Map([writeOnMaster('synced'), writeOnMaster('synced')]);
      const syncNow = await lab.api.post(`/storagedomains/${domain}/dr-schedules/${schedule}/syncnow`, {});
      if (syncNow.status !== 202) throw new Error(`syncnow: ${syncNow.status} ${syncNow.text}`);
      const runPath = `/storagedomains/${domain}/dr-schedules/${schedule}/runs/${(syncNow.body as { dr_run: { id: string } }).dr_run.id}`;
      const runDeadline = Date.now() + 600_000;
      let run = await lab.api.get<{ status: string; checkpoint_time?: number; error?: string }>(runPath);
      while (run.status === 'started') {
        if (Date.now() > runDeadline) throw new Error(`the DR run did not end\n${await labStatus()}`);
        await new Promise((r) => setTimeout(r, 1000));
        run = await lab.api.get(runPath);
      }
      if (run.status !== 'finished') throw new Error(`DR run ${run.status}: ${run.error}\n${await labStatus()}`);
      for (const [name, sum] of synced) expect(sha256(fs.readFileSync(path.join(slaveBrick, name)))).toBe(sum);
      expect((await session()).status).toBe('stopped');
      // The master volume as the run synced it (it keeps earlier tests' files too).
      const onMasterAtSync = visibleEntries(env.masterMnt);
      expect(onMasterAtSync).toEqual(expect.arrayContaining([...synced.keys()]));

      // More writes at site 1 that no run syncs, and one name the slave site makes too while failed over.
      const lost = new Map([writeOnMaster('lost'), writeOnMaster('lost')]);
      const [bothName] = lost.keys();
      const lostWrittenAt = [...lost.keys()].map((n) => fs.statSync(path.join(env.masterMnt, n)).mtime.getTime());
      // Site 1 is lost: the sshd the service and site 2 reach it by goes, with its connections.
      await runLab(['sshd-stop', 'wan']);

      const byDomain = await lab.api.post(`/storagedomains/${domain}/failover`, { force: true, async: false });
      if (byDomain.status !== 200) throw new Error(`domain failover: ${byDomain.status} ${byDomain.text}`);
      expect((byDomain.body as ReplyJson).status).toBe('complete');
      const s = await session();
      expect(s).toMatchObject({ failed_over: true, failover_mode: 'unplanned' });
      // The last point known on the slave is the DR run's checkpoint; the window runs from it to the failover.
      expect(s.recovery_point).toBe(run.checkpoint_time);
      const recoveryPoint = new Date(s.recovery_point!).getTime();
      const failoverTime = new Date(s.failover_time!).getTime();
      expect(s.data_loss_window).toBe(Math.ceil((failoverTime - recoveryPoint) / 1000));
      // The slave holds exactly the synced files; the missing ones were written inside the window.
      // (A new session to a slave volume that gluster knows resumes from the bricks' stime of it, so files
      // of earlier tests that synced before need not be there again; nothing the master lacked at the run is.)
      const onSlave = visibleEntries(slaveBrick);
      expect(onSlave).toEqual(expect.arrayContaining([...synced.keys()]));
      expect(onSlave.filter((n) => !onMasterAtSync.includes(n))).toEqual([]);
      for (const name of lost.keys()) expect(onSlave).not.toContain(name);
      for (const at of lostWrittenAt) {
        expect(at).toBeGreaterThanOrEqual(recoveryPoint);
        expect(at).toBeLessThanOrEqual(failoverTime);
      }
      expect(await lab.api.get(`/storagedomains/${domain}`)).toMatchObject({
        primary_copy: 'slave',
        primary_storage: { type: 'glusterfs', address: env.site2Addr, path: `/${env.site2Vol}` },
      });

      // Site 2 takes writes: a new file, and the name site 1 also made (another gfid).
      const written = `written at the second site ${crypto.randomBytes(8).toString('hex')}`;
      const newName = `new-at-site2-${crypto.randomBytes(4).toString('hex')}.txt`;
      await writeOnSlave(newName, written);
      await writeOnSlave(bothName, 'the slave site wrote this');

      // Site 1 is back.
      await runLab(['sshd-start', 'wan']);
      await lab.api.post(`/hosts/${lab.host1}/refresh`, {}).expect(200);

      const sync = await lab.api.post(`${sessionPath}/failback`, { phase: 'sync', async: false });
      if (sync.status !== 200) throw new Error(`failback sync: ${sync.status} ${sync.text}\n${await labStatus()}`);
      expect((sync.body as ReplyJson).status).toBe('complete');
      expect(await session()).toMatchObject({ failed_over: true, failback_phase: 'syncing', status: 'stopped' });
      const reverses = await sessionsOfSite2Vol();
      expect(reverses).toHaveLength(1);
      expect(reverses[0]).toMatchObject({
        failback_of: sessionPath.split('/').pop(),
        slave_volume_name: env.masterVol,
      });
      expect(await reverseConfig('special-sync-mode')).toBe('recover');
      expect(await reverseConfig('gfid-conflict-resolution')).toBe('false');
      await lab.api.post(`${sessionPath}/start`, {}).expect(409);

      // The name made at both sites: the reverse session catches up around it and counts it; complete stops.
      const refused = await lab.api.post(`${sessionPath}/failback`, { phase: 'complete', async: false });
      if (refused.status !== 409)
        throw new Error(`failback complete over a conflict: ${refused.status} ${refused.text}\n${await labStatus()}`);
      expect((refused.body as ReplyJson).fault?.detail).toMatch(
        /could not sync 1 entry to the master \(gluster's failures on [^)]+\(1\)\).*force=true/,
      );
      expect(await session()).toMatchObject({ failed_over: true, failback_phase: 'syncing' });
      expect(fs.readFileSync(path.join(env.masterMnt, newName), 'utf8')).toBe(written);
      expect((await reverseGluster([reverseUrl(), 'status'])).stdout).toMatch(/Active/);

      const complete = await lab.api.post(`${sessionPath}/failback`, { phase: 'complete', force: true, async: false });
      if (complete.status !== 200)
        throw new Error(`failback complete: ${complete.status} ${complete.text}\n${await labStatus()}`);
      expect((complete.body as ReplyJson).status).toBe('complete');
      // The original master holds its pre-loss files, its later ones (force keeps the master's copy of the
      // name made at both sites) and the slave's new file, byte for byte.
      for (const [name, sum] of [...synced, ...lost])
        expect(sha256(fs.readFileSync(path.join(env.masterMnt, name)))).toBe(sum);
      expect(fs.readFileSync(path.join(env.masterMnt, newName), 'utf8')).toBe(written);
      const after = await session();
      expect(after).toMatchObject({ failed_over: false, desired_status: 'started' });
      expect(after.failback_phase).toBeUndefined();
      expect(['active', 'passive', 'initializing']).toContain(after.status);
      expect(await sessionsOfSite2Vol()).toEqual([]);
      expect((await reverseGluster(['status'], [0, 1, 2])).stdout).not.toContain(reverseUrl());
      expect(await slaveOptions()).toEqual(slaveOptionsBefore);
      expect(await lab.api.get(`/storagedomains/${domain}`)).toMatchObject({
        primary_copy: 'master',
        primary_storage: { address: env.site1Addr, path: `/${env.masterVol}` },
      });
      expect(await lab.api.get(`/storagedomains/${domain}/dr-schedules/${schedule}`)).toMatchObject({ enabled: true });
      await removeDomain(domain, schedule);

      const canary = await lab.api.post(`${sessionPath}/verify`, { async: false, timeout: 240 });
      if (canary.status !== 200) throw new Error(`verify: ${canary.status} ${canary.text}\n${await labStatus()}`);
      expect((canary.body as ReplyJson).status).toBe('complete');
      expect(await lab.api.get<{ last_verify_result?: string }>(sessionPath)).toMatchObject({
        last_verify_result: 'passed',
      });
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'a worker that crashes in the middle of either failback phase: the job runs again on the next worker, goes on where it stopped, and the failback completes',
    async () => {
      const { env } = lab;
      await freshSession();
      await registerSite1AcrossSites();
      const before = new Map([writeOnMaster('before-crash')]);
      await untilOnSlave(before);
      expect((await failover({ force: true })).status).toBe('complete');
      // An unplanned failover touches only the slave, so site 1 still runs the session: the next pass over
      // site 1 sees it and the failed-over session guard stops it (force), with a warning event.
      await lab.refresh(`/clusters/${lab.site1}`);
      const deadline = Date.now() + 120_000;
      while ((await session()).status !== 'stopped') {
        if (Date.now() > deadline) throw new Error(`the guard did not stop the session\n${await labStatus()}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      const warned = await lab.api.get<{ event: { description: string }[] }>(
        `/events?search=${encodeURIComponent('code=11305')}`,
      );
      expect(warned.event.filter((e) => e.description.includes(env.site2Vol)).length).toBeGreaterThanOrEqual(1);
      const written = `written at the second site ${crypto.randomBytes(8).toString('hex')}`;
      const newName = `new-before-crash-${crypto.randomBytes(4).toString('hex')}.txt`;
      await writeOnSlave(newName, written);

      // Phase sync, killed once the reverse session exists and is being configured.
      const sync = await lab.api.post(`${sessionPath}/failback`, { phase: 'sync', async: true });
      expect(sync.status).toBe(202);
      const syncJob = (sync.body as ReplyJson).job!.id;
      await crashAtStep(syncJob, /^Setting special-sync-mode recover/);
      await lab.worker!.start();
      const synced = await untilJobEnds(syncJob);
      expect({ status: synced.status, ranAgain: synced.attempts >= 2 }).toEqual({ status: 'finished', ranAgain: true });
      expect(await session()).toMatchObject({ failed_over: true, failback_phase: 'syncing' });
      expect((await reverseGluster(['status'])).stdout.split(reverseUrl()).length - 1).toBe(1);
      expect(await reverseConfig('special-sync-mode')).toBe('recover');

      // Phase complete, killed while it waits for the reverse session's checkpoint.
      const complete = await lab.api.post(`${sessionPath}/failback`, { phase: 'complete', async: true });
      expect(complete.status).toBe(202);
      const completeJob = (complete.body as ReplyJson).job!.id;
      await crashAtStep(completeJob, /^Waiting for every active worker to complete the checkpoint/);
      await lab.worker!.start();
      const completed = await untilJobEnds(completeJob);
      if (completed.status !== 'finished') throw new Error(`failback complete: ${JSON.stringify(completed)}`);
      expect(completed.attempts).toBeGreaterThanOrEqual(2);
      expect(fs.readFileSync(path.join(env.masterMnt, newName), 'utf8')).toBe(written);
      for (const [name, sum] of before) expect(sha256(fs.readFileSync(path.join(env.masterMnt, name)))).toBe(sum);
      const s = await session();
      expect({ failedOver: s.failed_over, phase: s.failback_phase }).toEqual({ failedOver: false, phase: undefined });
      expect((await reverseGluster(['status'], [0, 1, 2])).stdout).not.toContain(reverseUrl());
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
