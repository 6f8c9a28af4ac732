import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GlusterArgumentError } from './errors';
import {
  DEFAULT_LOG_LINES,
  logTailCommand,
  MAX_LOG_LINES,
  parseLogTail,
  validateLogLines,
} from './session-log-commands';

/** Runs the command's argv locally (it is a plain `sh -c` script), as the remote shell would. */
function runLocally(argv: readonly string[]): string {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
}

describe('logTailCommand', () => {
  it('passes the path, lines + 1 and the byte cap as positional arguments, never inside the script', () => {
    const c = logTailCommand('/var/log/glusterfs/geo-replication/mv_site2.example_sv/gsyncd.log', 10, 4096);
    expect(c.argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(c.argv.slice(3)).toEqual([
      'georep-log-tail',
      '/var/log/glusterfs/geo-replication/mv_site2.example_sv/gsyncd.log',
      '11',
      '4096',
    ]);
    expect(c.argv[2]).not.toContain('gsyncd.log');
  });

  it("refuses a path with shell syntax or '..' segments (a stored config is not trusted)", () => {
    expect(() => logTailCommand("/var/log/glusterfs/g.log'; rm -rf /", 10)).toThrow(GlusterArgumentError);
    expect(() => logTailCommand('/var/log/glusterfs/$(id)/g.log', 10)).toThrow(GlusterArgumentError);
    expect(() => logTailCommand('/var/log/glusterfs/../../etc/shadow', 10)).toThrow(GlusterArgumentError);
  });

  it('refuses a relative path and a line count out of range before any command exists', () => {
    expect(() => logTailCommand('gsyncd.log', 10)).toThrow(GlusterArgumentError);
    expect(() => logTailCommand('/var/log/glusterfs/x.log', 0)).toThrow(GlusterArgumentError);
    expect(() => logTailCommand('/var/log/glusterfs/x.log', MAX_LOG_LINES + 1)).toThrow(GlusterArgumentError);
  });

  describe('run by a real sh', () => {
    let dir: string;
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-tail-'));
      fs.writeFileSync(path.join(dir, 'gsyncd.log'), 'one\ntwo\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('does not read a file outside /var/log/glusterfs/, and names where it resolved', () => {
      const file = path.join(dir, 'gsyncd.log');
      const out = runLocally(logTailCommand(file, 10).argv);
      expect(out).toBe(`outside ${fs.realpathSync(file)}\n`);
      expect(parseLogTail(out, 10)).toEqual({
        error: `the log path resolves outside /var/log/glusterfs/ (${fs.realpathSync(file)}): not read`,
      });
    });

    it('says missing for a path that does not exist', () => {
      const out = runLocally(logTailCommand('/var/log/glusterfs/no-such-dir-georep-test/gsyncd.log', 10).argv);
      expect(parseLogTail(out, 10)).toEqual({ error: 'the log file does not exist (yet) on this host' });
    });
  });
});

describe('parseLogTail', () => {
  it('returns the lines oldest first and the real path', () => {
    expect(parseLogTail('ok /var/log/glusterfs/geo-replication/m_s_v/gsyncd.log\na\nb\n', 5)).toEqual({
      file: '/var/log/glusterfs/geo-replication/m_s_v/gsyncd.log',
      lines: ['a', 'b'],
      truncated: false,
    });
  });

  it('keeps the last N lines and says older ones exist when the command sent N + 1', () => {
    expect(parseLogTail('ok /var/log/glusterfs/g.log\na\nb\nc\n', 2)).toEqual({
      file: '/var/log/glusterfs/g.log',
      lines: ['b', 'c'],
      truncated: true,
    });
  });

  it('drops the line the byte cap cut into', () => {
    const body = 'rtial line\nwhole one\nwhole two\n';
    expect(parseLogTail(`ok /var/log/glusterfs/g.log\n${body}`, 10, Buffer.byteLength(body))).toEqual({
      file: '/var/log/glusterfs/g.log',
      lines: ['whole one', 'whole two'],
      truncated: true,
    });
  });

  it('reads an empty file as no lines', () => {
    expect(parseLogTail('ok /var/log/glusterfs/g.log\n', 10)).toEqual({
      file: '/var/log/glusterfs/g.log',
      lines: [],
      truncated: false,
    });
  });

  it('turns a non-file and an unexpected answer into errors', () => {
    expect(parseLogTail('notfile\n', 10)).toEqual({ error: 'the log path is not a regular file' });
    expect(parseLogTail('bash: realpath: command not found\n', 10)).toEqual({
      error: 'unexpected answer: bash: realpath: command not found',
    });
  });
});

describe('validateLogLines', () => {
  it('defaults, accepts 1..1000 and refuses the rest', () => {
    expect(validateLogLines(undefined)).toBe(DEFAULT_LOG_LINES);
    expect(validateLogLines('1')).toBe(1);
    expect(validateLogLines(' 1000 ')).toBe(1000);
    for (const bad of ['0', '1001', '-1', '1e3', 'ten', '', '99999']) {
      expect(() => validateLogLines(bad)).toThrow(GlusterArgumentError);
    }
  });
});
