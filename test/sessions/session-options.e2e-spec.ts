import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSnapshot, discoveredOptions, sessionIdentity } from '../../src/discovery/discovery-snapshot';
import { DiscoveryStore } from '../../src/discovery/discovery-store';
import {
  CommandOutput,
  parseGeoRepConfigText,
  parseGeoRepStatusList,
  parseVolumeInfo,
  parseVolumeStatus,
} from '../../src/gluster';
import { API, faultOf, JSON_TYPE } from '../api/api-helpers';
import { startTestApp, TestApp } from '../support/test-app';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'gluster-10.3');
function capture(name: string): CommandOutput {
  return { stdout: fs.readFileSync(path.join(FIXTURES, name), 'utf8'), stderr: '', exitCode: 0 };
}

/**
 * POST …/georeplication-sessions/{sid}/options through the real app (issue 17): gsyncd runs the programs
 * and option words these options hold as root on every master node, so only allow-listed ones get as far
 * as a job. The session is one the discovery store recorded from the captured GlusterFS 10.3 outputs,
 * with the options of a fresh session (gluster's defaults); no worker runs, so nothing reaches a server.
 */
describe('session options that name programs or their flags', () => {
  let t: TestApp;
  let optionsPath: string;
  const jobCount = async () => (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM jobs'))[0].n;
  const post = (name: string, value: string) =>
    t.http
      .post(optionsPath)
      .set('Content-Type', JSON_TYPE)
      .set('Accept', JSON_TYPE)
      .send(JSON.stringify({ name, value }));

  beforeAll(async () => {
    // No worker runs the job: a synchronous request answers 202 after this wait.
    t = await startTestApp({ role: 'api', env: { GEOREP_ACTION_WAIT_SECONDS: '1' } });
    const [{ id: clusterId }] = await t.sql<{ id: string }>(
      `INSERT INTO clusters (name) VALUES ('options') RETURNING id`,
    );
    const snapshot = buildSnapshot(
      parseVolumeInfo(capture('volume-info-xml.xml')),
      parseVolumeStatus(capture('volume-status-mastervol-detail-xml.xml')),
      parseGeoRepStatusList(capture('georep-status-all-xml.active-passive.xml')),
    );
    const session = snapshot.sessions[0];
    const defaults = discoveredOptions(parseGeoRepConfigText(capture('georep-config.created.txt')));
    await t.app
      .get(DiscoveryStore)
      .apply(clusterId, { ...snapshot, sessions: [session] }, new Map([[sessionIdentity(session), defaults]]));
    const [row] = await t.sql<{ id: string; volume_id: string }>(
      'SELECT id, master_volume_id AS volume_id FROM georep_sessions',
    );
    optionsPath = `${API}/clusters/${clusterId}/glustervolumes/${row.volume_id}/georeplication-sessions/${row.id}/options`;
  });
  afterAll(() => t.close());

  it("reads a discovered session whose options hold gluster's defaults", async () => {
    const res = await t.http.get(optionsPath).set('Accept', JSON_TYPE).expect(200);
    const options = (res.body as { option: { name: string; value: string; modified: boolean }[] }).option;
    const byName = new Map(options.map((o) => [o.name, o]));
    expect(byName.get('ssh-command')).toMatchObject({ value: 'ssh', modified: false });
    expect(byName.get('ssh-options')).toMatchObject({
      value: '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/secret.pem',
      modified: false,
    });
    expect(byName.get('rsync-options')).toMatchObject({ value: '', modified: false });
  });

  it.each<[string, string, string]>([
    ['ssh-command', 'rm', 'value: "rm" is not one of ssh, /usr/bin/ssh, /bin/ssh, /usr/local/bin/ssh'],
    [
      'rsync-command',
      '/bin/sh',
      'value: "/bin/sh" is not one of rsync, /usr/bin/rsync, /bin/rsync, /usr/local/bin/rsync',
    ],
    [
      'tar-command',
      '/usr/bin/find',
      'value: "/usr/bin/find" is not one of tar, /usr/bin/tar, /bin/tar, /usr/local/bin/tar',
    ],
    [
      'ssh-options',
      '-rf /var/lib/glusterd --',
      'value: the ssh option "-rf" is not on the allow-list (see README.md, session options)',
    ],
    [
      'ssh-options',
      '-oPKCS11Provider=/tmp/evil.so',
      'value: the ssh option "-oPKCS11Provider\\u003d/tmp/evil.so" is not on the allow-list (see README.md, session options)',
    ],
    [
      'ssh-options',
      '-I /tmp/evil.so',
      'value: the ssh option "-I /tmp/evil.so" is not on the allow-list (see README.md, session options)',
    ],
    [
      'rsync-options',
      '-z --log-file=/etc/shadow',
      'value: the rsync option "--log-file\\u003d/etc/shadow" is not on the allow-list (see README.md, session options)',
    ],
  ])('refuses %s = %j with a 400 and submits no job', async (name, value, detail) => {
    const before = await jobCount();
    const res = await post(name, value).expect(400);
    expect(faultOf(res).detail).toBe(detail);
    expect(await jobCount()).toBe(before);
  });

  it("takes gluster's defaults back: the set is submitted as a job", async () => {
    const before = await jobCount();
    const res = await post(
      'ssh-options',
      '-oPasswordAuthentication=no -oStrictHostKeyChecking=no -i /var/lib/glusterd/geo-replication/secret.pem',
    );
    expect(res.status).toBe(202);
    expect(await jobCount()).toBe(before + 1);
  });
});
