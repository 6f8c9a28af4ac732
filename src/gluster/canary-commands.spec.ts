import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  canaryCheckCommand,
  canaryRemoveCommand,
  canaryWriteCommand,
  parseCanaryCheck,
  touchVolumeRootCommand,
} from './canary-commands';
import { GlusterArgumentError } from './errors';

describe('canary commands', () => {
  it('pass every value as a quoted positional argument of a fixed script', () => {
    const cmd = canaryWriteCommand('mastervol', 'probe-0123abcd', 'deadbeefdeadbeef').command;
    expect(cmd.startsWith("'sh' '-c' 'set -u\n")).toBe(true);
    expect(cmd.endsWith(" 'georep-canary' 'mastervol' 'probe-0123abcd' 'deadbeefdeadbeef'")).toBe(true);
    expect(
      canaryCheckCommand('site2vol', 'probe-0123abcd', 'deadbeefdeadbeef', 30).command.endsWith(
        " 'site2vol' 'probe-0123abcd' 'deadbeefdeadbeef' '30'",
      ),
    ).toBe(true);
    expect(canaryRemoveCommand('mastervol', 'probe-0123abcd').command.endsWith(" 'mastervol' 'probe-0123abcd'")).toBe(
      true,
    );
    expect(touchVolumeRootCommand('mastervol').command).toMatch(
      /touch "\$d" \|\| exit 94\necho TOUCHED' 'georep-touch' 'mastervol' 'probe-unused'$/,
    );
    expect(() => touchVolumeRootCommand('x;reboot')).toThrow(GlusterArgumentError);
  });

  it('refuse hostile or malformed values before any string is made', () => {
    for (const build of [
      () => canaryWriteCommand('x;touch /tmp/pwned', 'probe-0123abcd', 'deadbeefdeadbeef'),
      () => canaryWriteCommand('mastervol', '../../etc/passwd', 'deadbeefdeadbeef'),
      () => canaryWriteCommand('mastervol', 'probe-0123abcd', '$(reboot)'),
      () => canaryCheckCommand('site2vol', 'probe-0123abcd', 'deadbeefdeadbeef', -1),
      () => canaryRemoveCommand('mastervol', 'probe;rm'),
    ]) {
      expect(build).toThrow(GlusterArgumentError);
    }
  });

  it('read the check outcome', () => {
    expect(parseCanaryCheck('MATCH\n')).toEqual({ outcome: 'match' });
    expect(parseCanaryCheck('NOMATCH missing\n')).toEqual({ outcome: 'missing' });
    expect(parseCanaryCheck('NOMATCH present 12\n')).toEqual({ outcome: 'present', size: 12 });
    expect(() => parseCanaryCheck('mount: permission denied')).toThrow(GlusterArgumentError);
  });

  it('the check script compares content and gives up at its deadline (run by a real sh, mount replaced by a bind of a temp dir)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-'));
    fs.mkdirSync(path.join(dir, '.georep-canary'));
    fs.writeFileSync(path.join(dir, '.georep-canary', 'probe-0123abcd'), 'deadbeefdeadbeef');
    // The script's words, with its mount line made to mount nothing and its directory pointed at ours.
    const words = (cmd: string) =>
      JSON.parse(
        `[${cmd
          .replace(/'\\''/g, "'")
          .split(/' '/)
          .map((w) => JSON.stringify(w.replace(/^'|'$/g, '')))
          .join(',')}]`,
      ) as string[];
    const run = (cmd: { command: string }) => {
      const [, , script, ...rest] = words(cmd.command);
      const local = script
        .replace(/d=\$\(mktemp[^\n]*/, `d=${dir}`)
        .replace(/trap [^\n]*/, ':')
        .replace(/mount -t glusterfs[^\n]*/, ':');
      return execFileSync('sh', ['-c', local, ...rest], { encoding: 'utf8' });
    };
    expect(parseCanaryCheck(run(canaryCheckCommand('site2vol', 'probe-0123abcd', 'deadbeefdeadbeef', 0)))).toEqual({
      outcome: 'match',
    });
    expect(parseCanaryCheck(run(canaryCheckCommand('site2vol', 'probe-0123abcd', 'deadbeefdeadbee0', 0)))).toEqual({
      outcome: 'present',
      size: 16,
    });
    expect(parseCanaryCheck(run(canaryCheckCommand('site2vol', 'probe-9999abcd', 'deadbeefdeadbeef', 0)))).toEqual({
      outcome: 'missing',
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
