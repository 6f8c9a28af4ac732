import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServiceKey } from '../../src/ssh/service-key';
import { addCluster, addVolume, API, faultOf, JSON_TYPE } from '../api/api-helpers';
import { isRoot, makeHostKey, requireSshTools, TestSshd } from '../ssh/support/sshd';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 19, session logs: `GET …/georeplication-sessions/{sid}/logs` on the real app, reading files
 * over a real sshd on loopback (as root: the files live under /var/log/glusterfs/, as gluster's do).
 */
describe('GET …/georeplication-sessions/{sid}/logs', () => {
  let t: TestApp;
  let sshd: TestSshd | undefined;
  let dir: string;
  let logDir: string;
  let base: string;
  let brickIds: string[];
  let sessionId: string;

  beforeAll(async () => {
    t = await startTestApp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'session-logs-'));
    // gluster's log directory needs root (glusterfs-server makes it); elsewhere only the SSH-free cases run.
    logDir = fs.mkdtempSync(isRoot() ? '/var/log/glusterfs/georep-test-' : path.join(os.tmpdir(), 'logs-'));
    const cluster = await addCluster(t, 'logs-site1');
    const volume = await addVolume(t, cluster, 'mastervol');
    let port = 1;
    let fingerprint = 'SHA256:none';
    if (isRoot()) {
      requireSshTools();
      fs.writeFileSync(path.join(dir, 'authorized_keys'), `${t.app.get(ServiceKey).publicKey}\n`);
      const hostKey = makeHostKey(dir, 'host_key');
      sshd = await TestSshd.start(dir, { hostKey, authorizedKeysFile: path.join(dir, 'authorized_keys') });
      port = sshd.port;
      fingerprint = hostKey.fingerprint;
    }
    const [host] = await t.sql<{ id: string }>(
      `INSERT INTO hosts (name, address, cluster_id, status, ssh_port, ssh_fingerprint) VALUES ('gl1', '127.0.0.1', $1, 'up', $2, $3) RETURNING id`,
      [cluster, port, fingerprint],
    );
    brickIds = [];
    for (const [position, dirName] of ['/bricks/b1', '/bricks/b2'].entries()) {
      const [brick] = await t.sql<{ id: string }>(
        `INSERT INTO gluster_bricks (volume_id, position, server_name, brick_dir, host_id, status) VALUES ($1, $2, '127.0.0.1', $3, $4, 'up') RETURNING id`,
        [volume, position, dirName, host.id],
      );
      brickIds.push(brick.id);
    }
    const [session] = await t.sql<{ id: string }>(
      `INSERT INTO georep_sessions (cluster_id, master_volume_id, slave_host_name, slave_volume_name, session_key, status, last_refreshed)
       VALUES ($1, $2, 'site2.invalid', 'slavevol', 'key-logs', 'faulty', now()) RETURNING id`,
      [cluster, volume],
    );
    sessionId = session.id;
    for (const [position, brickId] of brickIds.entries()) {
      await t.sql(
        `INSERT INTO georep_session_details (session_id, position, master_brick_id, master_host_name, master_brick_dir, slave_node, status)
         VALUES ($1, $2, $3, '127.0.0.1', $4, 'site2.invalid', 'faulty')`,
        [sessionId, position, brickId, `/bricks/b${position + 1}`],
      );
    }
    fs.writeFileSync(
      path.join(logDir, 'gsyncd.log'),
      Array.from(
        { length: 30 },
        (_, i) => `[2026-12-03 07:00:${String(i).padStart(2, '0')}] E [worker(/bricks/b1)] line ${i}`,
      ).join('\n') + '\n',
    );
    await setOption('log-file', path.join(logDir, 'gsyncd.log'));
    await setOption('secondary-log-file', '/var/log/glusterfs/geo-replication-secondaries/x/gsyncd.log');
    base = `${API}/clusters/${cluster}/glustervolumes/${volume}/georeplication-sessions/${sessionId}/logs`;
  });
  afterAll(async () => {
    await sshd?.stop();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(logDir, { recursive: true, force: true });
  });

  async function setOption(name: string, value: string): Promise<void> {
    await t.sql(`DELETE FROM georep_session_options WHERE session_id = $1 AND name = $2`, [sessionId, name]);
    await t.sql(
      `INSERT INTO georep_session_options (session_id, name, value, default_value, modified) VALUES ($1, $2, $3, NULL, false)`,
      [sessionId, name, value],
    );
  }

  const get = (query = '') => t.http.get(`${base}${query}`).set('Accept', JSON_TYPE);
  type Log = {
    side: string;
    server: string;
    host?: { id: string };
    bricks: { brick?: { id: string }[] };
    file?: string;
    lines: { line?: string[] };
    truncated: boolean;
    error?: string;
  };
  const logsOf = (body: unknown) => (body as { logs: { log: Log[] } }).logs.log;

  (isRoot() ? it : it.skip)(
    'returns the last lines of the master log over SSH, and an error for a slave node no host is registered for',
    async () => {
      const res = await get('?lines=5');
      expect(res.status).toBe(200);
      const [master, slave] = logsOf(res.body);
      expect(master).toMatchObject({
        side: 'master',
        server: '127.0.0.1',
        file: fs.realpathSync(path.join(logDir, 'gsyncd.log')),
        truncated: true,
      });
      expect(master.bricks.brick?.map((b) => b.id)).toEqual(brickIds);
      expect(master.lines.line).toEqual(
        [25, 26, 27, 28, 29].map((i) => `[2026-12-03 07:00:${i}] E [worker(/bricks/b1)] line ${i}`),
      );
      expect(master.error).toBeUndefined();
      expect(slave).toMatchObject({ side: 'slave', server: 'site2.invalid', truncated: false });
      expect(slave.error).toBe('no registered host is site2.invalid: register it to read its logs');
    },
  );

  (isRoot() ? it : it.skip)('does not read a file a link under /var/log/glusterfs/ points out of it to', async () => {
    const link = path.join(logDir, 'link.log');
    fs.symlinkSync('/etc/passwd', link);
    await setOption('log-file', link);
    try {
      const [master] = logsOf((await get()).body);
      expect(master.error).toBe('the log path resolves outside /var/log/glusterfs/ (/etc/passwd): not read');
      expect(master.lines).toEqual({ line: [] });
      expect(JSON.stringify(master)).not.toContain('root:');
    } finally {
      await setOption('log-file', path.join(logDir, 'gsyncd.log'));
    }
  });

  it('with brick: only that brick (404 for a brick not of the session); lines out of range is 400', async () => {
    const one = await get(`?brick=${brickIds[1]}&lines=1`);
    expect(one.status).toBe(200);
    expect(logsOf(one.body)[0].bricks.brick?.map((b) => b.id)).toEqual([brickIds[1]]);
    const unknown = await get('?brick=00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    for (const bad of ['0', '1001', 'all']) {
      const res = await get(`?lines=${bad}`);
      expect(res.status).toBe(400);
      expect(faultOf(res).detail).toContain('lines');
    }
  });

  it('says what is missing when the session has no log-file yet, and 404 for an unknown session', async () => {
    await t.sql(`DELETE FROM georep_session_options WHERE session_id = $1 AND name = 'log-file'`, [sessionId]);
    try {
      const [master] = logsOf((await get()).body);
      expect(master.error).toBe("the session's log-file is not known yet: refresh the session");
    } finally {
      await setOption('log-file', path.join(logDir, 'gsyncd.log'));
    }
    const res = await t.http
      .get(base.replace(sessionId, '00000000-0000-4000-8000-000000000000'))
      .set('Accept', JSON_TYPE);
    expect(res.status).toBe(404);
  });
});
