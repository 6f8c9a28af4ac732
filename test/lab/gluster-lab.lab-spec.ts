import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  acquireLabLease,
  brickEntries,
  CommandResult,
  describeLab,
  ensureLabUp,
  glusterUuid,
  knownHostsLine,
  LAB_LEASE_TIMEOUT_MS,
  LAB_UP_TIMEOUT_MS,
  LabEnv,
  LabLock,
  LabSite,
  labSsh,
  labStatus,
  labTempDir,
  LabVolume,
  parseUuid,
  runCommand,
  site2,
  sshCommonOptions,
  volumeInfo,
} from '../support/gluster-lab';

/**
 * The promises of test/lab/gluster-lab.sh (see test/lab/README.md), checked against the real
 * thing: two glusterds, the lab volumes, and the sshds the product's SSH code will talk to.
 * Without root the whole file is skipped, loudly (labAvailable / describeLab).
 */
describeLab('gluster lab: two real GlusterFS sites', () => {
  let lease: LabLock | undefined;
  let env: LabEnv;
  let tmp: string;
  let knownHosts: string;
  const uuids = new Map<LabSite, string>();

  beforeAll(
    async () => {
      lease = await acquireLabLease();
      env = await ensureLabUp();
      tmp = labTempDir('glab-spec-');
      knownHosts = path.join(tmp, 'known_hosts');
      fs.writeFileSync(
        knownHosts,
        [
          knownHostsLine(
            [
              ...[env.sshPort, env.sshAltPort, env.sshPasswordPort].map((port) => ({ host: env.site1Addr, port })),
              { host: env.site1WanAddr, port: env.sshPort },
            ],
            env.hostKeySite1,
          ),
          knownHostsLine([{ host: env.site2Addr, port: env.sshPort }], env.hostKeySite2),
          '',
        ].join('\n'),
      );
      uuids.set(1, await glusterUuid(1));
      uuids.set(2, await glusterUuid(2));
    },
    LAB_LEASE_TIMEOUT_MS + LAB_UP_TIMEOUT_MS + 60_000,
  ); // the lease may wait for other lab files

  afterAll(async () => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    await lease?.release();
  });

  /** Adds the lab's status to a failure, so a CI log shows what the lab looked like. */
  async function explained<T>(what: string, check: () => Promise<T>): Promise<T> {
    try {
      return await check();
    } catch (e) {
      (e as Error).message += `\n--- ${what}; gluster-lab.sh status:\n${await labStatus()}`;
      throw e;
    }
  }

  async function volume(site: LabSite, name: string): Promise<LabVolume> {
    const found = await volumeInfo(site, name);
    if (found.length !== 1) throw new Error(`site ${site}: volume ${name} not found (gluster volume info ${name})`);
    return found[0];
  }

  it('runs two glusterds with different UUIDs', () => {
    expect(uuids.get(1)).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuids.get(2)).toMatch(/^[0-9a-f-]{36}$/);
    expect(uuids.get(2)).not.toBe(uuids.get(1));
  });

  it('site 1 has mastervol (replica 2, two bricks, rollover 3 s) and slavevol, Started', () =>
    explained('site-1 volumes', async () => {
      const master = await volume(1, env.masterVol);
      expect(master).toMatchObject({
        status: 'Started',
        type: 'Replicate',
        replicaCount: 2,
        brickCount: 2,
        bricks: env.masterBricks,
      });
      expect(master.options['changelog.rollover-time']).toBe('3');
      const slave = await volume(1, env.site1SlaveVol);
      expect(slave).toMatchObject({ status: 'Started', brickCount: 1, bricks: [env.site1SlaveBrick] });
      // the sites are separate clusters
      expect((await volumeInfo(1)).map((v) => v.name)).not.toContain(env.site2Vol);
    }));

  it('site 2 has site2vol (empty) and site2full (not empty), Started', () =>
    explained('site-2 volumes', async () => {
      const empty = await volume(2, env.site2Vol);
      expect(empty).toMatchObject({ status: 'Started', brickCount: 1, bricks: [env.site2VolBrick] });
      expect(brickEntries(env.site2VolBrick)).toEqual([]);
      const full = await volume(2, env.site2FullVol);
      expect(full).toMatchObject({ status: 'Started', brickCount: 1, bricks: [env.site2FullBrick] });
      expect(brickEntries(env.site2FullBrick)).toContain('lab-not-empty.txt');
      expect((await volumeInfo(2)).map((v) => v.name)).not.toContain(env.masterVol);
    }));

  const keyLogins: Array<[string, LabSite, () => { host: string; port: number }]> = [
    ['127.0.0.1:22', 1, () => ({ host: env.site1Addr, port: env.sshPort })],
    ['127.0.0.1:2222', 1, () => ({ host: env.site1Addr, port: env.sshAltPort })],
    ['10.200.0.1:22', 1, () => ({ host: env.site1WanAddr, port: env.sshPort })],
    ['10.200.0.2:22', 2, () => ({ host: env.site2Addr, port: env.sshPort })],
  ];

  it.each(keyLogins)(
    'ssh root@%s with the lab key lands on site %d (host key pinned, same glusterd UUID)',
    (_name, site, target) =>
      explained(`ssh to site ${site}`, async () => {
        const result = await labSsh(target(), 'gluster system:: uuid get', { knownHostsFile: knownHosts });
        expectExit(result, 0);
        expect(parseUuid(result.stdout)).toBe(uuids.get(site));
      }),
  );

  it("from inside site 2, site 1's brick host name is site 1 (its WAN sshd and its glusterd), not site 2's own loopback", () =>
    explained('site 2 to site 1', async () => {
      const resolved = await site2(['getent', 'hosts', env.site1Host]);
      expect(resolved.stdout.trim().split(/\s+/)[0]).toBe(env.site1WanAddr);
      const login = await site2([
        'ssh',
        ...sshCommonOptions(knownHosts),
        '-o',
        'BatchMode=yes',
        '-o',
        'IdentitiesOnly=yes',
        '-i',
        env.sshKey,
        `root@${env.site1WanAddr}`,
        'gluster system:: uuid get',
      ]);
      expect(parseUuid(login.stdout)).toBe(uuids.get(1));
      // What a reverse session's create asks: site 1's glusterd, by the brick host name, answers from site 2.
      const remote = await site2(['gluster', '--mode=script', `--remote-host=${env.site1Host}`, 'volume', 'list']);
      expect(remote.stdout.split('\n')).toContain(env.masterVol);
    }));

  describe('password sshd on 127.0.0.1:2022', () => {
    function passwordSsh(passwordFile: string, remoteCommand: string): Promise<CommandResult> {
      const askpass = path.join(tmp, `askpass-${path.basename(passwordFile)}.sh`);
      fs.writeFileSync(askpass, `#!/bin/sh\ncat '${passwordFile}'\n`, { mode: 0o700 });
      return runCommand(
        'ssh',
        [
          ...sshCommonOptions(knownHosts),
          '-o',
          'BatchMode=no',
          '-o',
          'PubkeyAuthentication=no',
          '-o',
          'PreferredAuthentications=password,keyboard-interactive',
          '-o',
          'NumberOfPasswordPrompts=1',
          '-p',
          String(env.sshPasswordPort),
          `root@${env.site1Addr}`,
          remoteCommand,
        ],
        // no terminal: ssh asks the askpass program, which prints the password
        {
          okCodes: Array.from({ length: 256 }, (_, i) => i),
          timeoutMs: 60_000,
          env: { SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: 'force', DISPLAY: 'none' },
        },
      );
    }

    it('accepts root with the temporary password (mode 0600 file) and lands on site 1', async () => {
      expect(fs.statSync(env.rootPasswordFile).mode & 0o777).toBe(0o600);
      const result = await passwordSsh(env.rootPasswordFile, 'gluster system:: uuid get');
      expectExit(result, 0);
      expect(parseUuid(result.stdout)).toBe(uuids.get(1));
    });

    it('refuses a wrong password', async () => {
      const wrong = path.join(tmp, 'wrong-password');
      fs.writeFileSync(wrong, 'not-the-lab-password\n', { mode: 0o600 });
      const result = await passwordSsh(wrong, 'true');
      expectExit(result, 255);
      expect(result.stderr).toMatch(/Permission denied/);
    });

    it('also takes keys, so a host registered here with root_password keeps working with the installed key', async () => {
      const result = await labSsh({ host: env.site1Addr, port: env.sshPasswordPort }, 'gluster system:: uuid get', {
        knownHostsFile: knownHosts,
      });
      expectExit(result, 0);
      expect(parseUuid(result.stdout)).toBe(uuids.get(1));
    });
  });
});

function expectExit(result: CommandResult, code: number): void {
  if (result.code !== code) {
    throw new Error(
      `${result.command.join(' ')}: exit ${result.code} (want ${code})\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}
