import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GlusterArgumentError } from '../gluster/errors';
import { clockCommand, hostFactsCommand, sshProbeCommand } from '../gluster/preflight-commands';
import { parseClock, parseHostFacts, parseSshProbe } from './preflight-checks';
import { sessionSshPort } from './preflight.service';

/** Runs a command line the way sshd does: one `sh -c` of the whole string. */
function sh(command: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync('sh', ['-c', command], { encoding: 'utf8', env });
}

describe('preflight commands', () => {
  it('quote every word', () => {
    expect(clockCommand().command).toBe(`'date' '+%s%N'`);
    expect(sshProbeCommand('root', '10.200.0.2', 22, 5, 10).argv.slice(4)).toEqual([
      'root',
      '10.200.0.2',
      '22',
      '5',
      '10',
    ]);
  });

  it('refuse hostile or malformed values before building anything', () => {
    for (const [user, host, port] of [
      ['root; touch /tmp/pwned', 'h', 22],
      ['root', '$(touch /tmp/pwned)', 22],
      ['root', 'h`id`', 22],
      ['root', '-oProxyCommand=touch /tmp/pwned', 22],
      ['root', 'h\nid', 22],
      ['root', 'h', 0],
      ['root', 'h', 65536],
    ] as const) {
      expect(() => sshProbeCommand(user, host, port, 5, 10)).toThrow(GlusterArgumentError);
    }
    expect(() => sshProbeCommand('root', 'h', 22, 0, 10)).toThrow('connectTimeout: must be 1-600 seconds');
    expect(() => sshProbeCommand('root', 'h', 22, 5, 1.5)).toThrow('timeout: must be 1-600 seconds');
  });

  it('the facts script prints what parseHostFacts reads (run here: this machine has gluster and rsync)', () => {
    const facts = parseHostFacts(sh(hostFactsCommand().command));
    expect(facts.glusterVersion).toMatch(/^\d+\.\d+/);
    expect(facts.rsyncVersion).toBe(
      /version\s+v?(\S+)/.exec(execFileSync('rsync', ['--version'], { encoding: 'utf8' }))?.[1],
    );
  });

  it('the facts script prints empty tags when the tools are missing', () => {
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'preflight-path-'));
    for (const tool of ['sh', 'head', 'printf']) {
      const found = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      if (found.startsWith('/')) fs.symlinkSync(found, path.join(emptyPath, tool));
    }
    expect(sh(hostFactsCommand().command, { PATH: emptyPath })).toBe('gluster=\nrsync=\n');
  });

  it('the clock command prints what parseClock reads, close to this clock', () => {
    const before = Date.now();
    const read = parseClock(sh(clockCommand().command));
    const after = Date.now();
    expect(read?.resolutionMs).toBe(1);
    expect(read?.ms).toBeGreaterThanOrEqual(before);
    expect(read?.ms).toBeLessThanOrEqual(after);
  });

  it("the ssh probe says nokey when the geo-rep key is missing, and otherwise reports ssh's own failure", () => {
    const out = sh(sshProbeCommand('root', '127.0.0.1', 1, 1, 5).command);
    const parsed = parseSshProbe(out);
    if (fs.existsSync('/var/lib/glusterd/geo-replication/secret.pem')) {
      expect(parsed).toEqual({
        kind: 'tried',
        exitCode: 255,
        authenticated: false,
        message: 'ssh: connect to host 127.0.0.1 port 1: Connection refused',
      });
    } else {
      expect(parsed).toEqual({ kind: 'nokey' });
    }
  });
});

describe('sessionSshPort', () => {
  it("is the stored ssh-port option when it is a port, else gluster's default 22", () => {
    expect(sessionSshPort('2222')).toBe(2222);
    expect(sessionSshPort(' 22 ')).toBe(22);
    expect(sessionSshPort(null)).toBe(22);
    expect(sessionSshPort(undefined)).toBe(22);
    expect(sessionSshPort('0')).toBe(22);
    expect(sessionSshPort('70000')).toBe(22);
    expect(sessionSshPort('22; rm -rf /')).toBe(22);
  });
});
