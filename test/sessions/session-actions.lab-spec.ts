import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { geoRepControlCommand, geoRepStatusCommand } from '../../src/gluster';
import { SshClient } from '../../src/ssh/ssh-client';
import { databaseState } from '../api/api-helpers';
import {
  describeLab,
  gluster,
  LAB_LEASE_TIMEOUT_MS,
  LAB_SESSION_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  labStatus,
  sessionCreate,
} from '../support/gluster-lab';
import { LabApp, startLabApp } from '../support/lab-app';

interface SessionJson {
  id: string;
  status: string;
  session_details?: { session_detail?: { status: string; checkpoint_completed?: boolean; checkpoint_time?: number }[] };
}
interface ReplyJson {
  status: string;
  job?: { id: string };
  fault?: { reason: string; detail: string };
}
interface OptionJson {
  name: string;
  value: string;
  default_value?: string;
  modified: boolean;
  restarts_session?: boolean;
}

const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');

/**
 * The session actions end to end on the real lab, through the API: a session mastervol → site 2's
 * site2vol made by the lab (`session-create`, which sets secondary-access-mount and waits for the
 * keys: LAB.md pitfalls 1 and 3), discovered by a refresh, then driven by the service only.
 */
describeLab('geo-replication session actions and options (real lab)', () => {
  let lab: LabApp;
  let sessionPath: string;
  let sessionId: string;
  let slaveUrl: string;

  const session = () => lab.api.get<SessionJson>(sessionPath);
  const glusterConfig = async (option: string) =>
    (await gluster(1, ['volume', 'geo-replication', lab.env.masterVol, slaveUrl, 'config', option])).stdout.trim();

  async function action(name: string, body: object = {}, status = 200): Promise<ReplyJson> {
    const res = await lab.api.post(`${sessionPath}/${name}`, body);
    if (res.status !== status)
      throw new Error(`${name} answered ${res.status} (wanted ${status}): ${res.text}\n${await labStatus()}`);
    return res.body as ReplyJson;
  }

  beforeAll(
    async () => {
      lab = await startLabApp('sessions');
      const { env } = lab;
      slaveUrl = `${env.site2Addr}::${env.site2Vol}`;
      await sessionCreate(env.masterVol, env.site2Addr, env.site2Vol, { mode: 'no-verify' });
      await lab.refresh(`/clusters/${lab.site1}`);
      await lab.refresh(`/clusters/${lab.site2}`);
      const volumes = (
        await lab.api.get<{ gluster_volume: { id: string; name: string }[] }>(`/clusters/${lab.site1}/glustervolumes`)
      ).gluster_volume;
      const master = volumes.find((v) => v.name === env.masterVol);
      if (!master) throw new Error('mastervol was not discovered');
      const sessions = (
        await lab.api.get<{ georeplication_session: SessionJson[] }>(
          `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions`,
        )
      ).georeplication_session;
      expect(sessions).toHaveLength(1);
      sessionId = sessions[0].id;
      sessionPath = `/clusters/${lab.site1}/glustervolumes/${master.id}/georeplication-sessions/${sessionId}`;
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + LAB_SESSION_TIMEOUT_MS,
  );

  afterAll(async () => {
    await lab?.close();
  }, LAB_SESSION_TIMEOUT_MS);

  it('refuses transitions the state does not allow, naming the state, and changes nothing', async () => {
    expect((await session()).status).toBe('created');
    const before = await databaseState(lab.t);
    for (const [verb, allowed] of [
      ['stop', 'active, passive, initializing, paused, faulty, partial_faulty'],
      ['pause', 'active, passive, initializing'],
      ['resume', 'paused'],
    ]) {
      const res = await lab.api.post(`${sessionPath}/${verb}`, {}).expect(409);
      const done = verb === 'stop' ? 'stopped' : verb === 'pause' ? 'paused' : 'resumed';
      expect(res.body).toEqual({
        reason: 'Conflict',
        detail: `the session is created: it can be ${done} only when it is ${allowed}; use force to ask gluster anyway`,
      });
    }
    expect(await databaseState(lab.t)).toEqual(before);
    const status = await gluster(1, ['volume', 'geo-replication', lab.env.masterVol, slaveUrl, 'status']);
    expect(status.stdout).toMatch(/Created/);
  });

  it('refuses bad options: unknown, reserved, wrong type; nothing is written, gluster unchanged', async () => {
    const before = await databaseState(lab.t);
    const syncJobs = await glusterConfig('sync-jobs');
    const bad = async (body: object, detail: string) => {
      const res = await lab.api.post(`${sessionPath}/options`, body).expect(400);
      expect((res.body as { detail: string }).detail).toBe(detail);
    };
    await bad({ name: 'no-such-option', value: '1' }, 'name: unknown geo-replication option "no-such-option"');
    await bad(
      { name: 'session-owner', value: 'x' },
      'name: option "session-owner" is reserved by gluster and cannot be changed',
    );
    await bad({ name: 'sync-jobs', value: 'many' }, 'value: "many" is not an integer');
    await bad({ name: 'sync-jobs', value: '0' }, 'value: "0" is not an integer between 1 and 100');
    await bad(
      { name: 'sync-jobs', value: '1; touch /tmp/pwned-georep' },
      'value: "1\\u003b touch /tmp/pwned-georep" is not an integer',
    );
    expect(fs.existsSync('/tmp/pwned-georep')).toBe(false);
    expect(await databaseState(lab.t)).toEqual(before);
    expect(await glusterConfig('sync-jobs')).toBe(syncJobs);
  });

  it(
    'starts the session; a checkpoint completes and a file written before it is on the slave with the same checksum',
    async () => {
      const started = await action('start');
      expect(started.status).toBe('complete');
      expect(['active', 'passive', 'initializing']).toContain((await session()).status);

      const content = crypto.randomBytes(64 * 1024);
      const name = `api-probe-${crypto.randomBytes(4).toString('hex')}.bin`;
      fs.writeFileSync(path.join(lab.env.masterMnt, name), content);

      await action('checkpoint');
      const deadline = Date.now() + 240_000;
      for (;;) {
        // A worker completes a checkpoint when it syncs a changelog newer than it; on an idle volume
        // that needs a change after the checkpoint, so touch the volume root (what a DR run does too).
        const now = new Date();
        fs.utimesSync(lab.env.masterMnt, now, now);
        await action('refresh');
        const rows = (await session()).session_details?.session_detail ?? [];
        const active = rows.filter((r) => r.status === 'active');
        if (
          active.length > 0 &&
          active.every((r) => r.checkpoint_completed === true && r.checkpoint_time !== undefined)
        )
          break;
        if (Date.now() > deadline)
          throw new Error(`the checkpoint did not complete: ${JSON.stringify(rows)}\n${await labStatus()}`);
        await new Promise((r) => setTimeout(r, 2000));
      }
      const slaveFile = path.join(lab.env.site2VolBrick.replace(/^[^:]+:/, ''), name);
      expect(sha256(fs.readFileSync(slaveFile))).toBe(sha256(content));
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'pauses and resumes, each reading only its own session: its status, the verb, its status again',
    async () => {
      const ref = {
        masterVolume: lab.env.masterVol,
        slaveHost: lab.env.site2Addr,
        slaveVolume: lab.env.site2Vol,
        slaveUser: 'root',
      };
      const exec = jest.spyOn(lab.t.app.get(SshClient), 'exec');
      let commands: string[];
      try {
        await action('pause');
      } finally {
        // mockRestore forgets the calls: take them first.
        commands = exec.mock.calls.map(([, command]) => command);
        exec.mockRestore();
      }
      // Its status read until it shows the pause (gluster's status files may follow a moment later).
      const [before, verb, ...after] = commands;
      expect([before, verb]).toEqual([
        geoRepStatusCommand(ref).command,
        geoRepControlCommand(ref, 'pause', { force: false }).command,
      ]);
      expect(after.length).toBeGreaterThanOrEqual(1);
      expect(new Set(after)).toEqual(new Set([geoRepStatusCommand(ref).command]));
      expect((await session()).status).toBe('paused');
      const again = await lab.api.post(`${sessionPath}/pause`, {}).expect(409);
      expect((again.body as { detail: string }).detail).toMatch(/^the session is paused: it can be paused only when/);
      await action('resume');
      expect(['active', 'passive', 'initializing']).toContain((await session()).status);
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'sets sync-jobs to 2 (gluster has it, the running session restarted), then resets it',
    async () => {
      const set = await lab.api.post(`${sessionPath}/options`, { name: 'sync_jobs', value: '2' }).expect(201);
      expect(set.headers.location).toBe(`/ovirt-engine/api${sessionPath}/options/sync-jobs`);
      expect(set.body as OptionJson).toMatchObject({
        name: 'sync-jobs',
        value: '2',
        default_value: '3',
        modified: true,
        restarts_session: true,
      });
      expect(await glusterConfig('sync-jobs')).toBe('2');
      expect(['active', 'passive', 'initializing']).toContain((await session()).status);
      const jobs = await lab.t.sql<{ description: string }>(
        `SELECT s.description FROM steps s JOIN jobs j ON j.id = s.job_id WHERE j.action = 'session.config-set' ORDER BY s.number`,
      );
      expect(jobs.map((j) => j.description)).toContain(`Restarting session to ${slaveUrl} to apply sync-jobs`);

      await lab.api.delete(`${sessionPath}/options/sync-jobs`).expect(200);
      expect(await glusterConfig('sync-jobs')).toBe('3');
      expect(await lab.api.get<OptionJson>(`${sessionPath}/options/sync-jobs`)).toMatchObject({
        value: '3',
        modified: false,
      });
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'two concurrent stops: one runs, the other is refused; no two commands for the session overlapped',
    async () => {
      const [a, b] = await Promise.all([
        lab.api.post(`${sessionPath}/stop`, {}),
        lab.api.post(`${sessionPath}/stop`, {}),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const refused = a.status === 409 ? a : b;
      expect((refused.body as { detail: string }).detail).toBe(
        'Another operation is in progress on this georep session.',
      );
      expect((await session()).status).toBe('stopped');

      // The worker's own record: the jobs run on this session, in start order, each ended before the next began.
      const runs = await lab.t.sql<{ started: Date; ended: Date }>(
        `SELECT min(s.start_time) AS started, max(s.end_time) AS ended FROM steps s JOIN jobs j ON j.id = s.job_id
        WHERE j.target_type = 'georep_session' AND j.target_id = $1 GROUP BY j.id ORDER BY started`,
        [sessionId],
      );
      expect(runs.length).toBeGreaterThanOrEqual(6);
      for (let i = 1; i < runs.length; i++)
        expect(runs[i].started.getTime()).toBeGreaterThanOrEqual(runs[i - 1].ended.getTime());
    },
    LAB_SESSION_TIMEOUT_MS,
  );

  it(
    'deletes the stopped session: gone from the API and from gluster',
    async () => {
      await lab.api.delete(sessionPath).expect(200);
      await lab.api.get(sessionPath).catch(() => undefined);
      await lab.t.http.get(`/ovirt-engine/api${sessionPath}`).expect(404);
      const status = await gluster(1, ['volume', 'geo-replication', lab.env.masterVol, slaveUrl, 'status'], {
        okCodes: [0, 1, 2],
      });
      expect(status.stdout).not.toMatch(/Created|Stopped|Active/);
      const deleted = await lab.api.get<{ event: { code: number }[] }>('/events?search=code=4103');
      expect(deleted.event).toHaveLength(1);
      const fromCli = await lab.api.get<{ event?: { code: number }[] }>('/events?search=code=4097');
      expect(fromCli.event ?? []).toEqual([]);
    },
    LAB_SESSION_TIMEOUT_MS,
  );
});
