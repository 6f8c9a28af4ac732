import { spawnSync } from 'node:child_process';
import { announcingPid, killProcessGroupCommand, PidAnnouncementReader } from './remote-process';

function readAll(nonce: string, chunks: string[]): { stderr: string; processGroup?: number } {
  const reader = new PidAnnouncementReader(nonce);
  const kept = chunks.map((c) => reader.take(Buffer.from(c)).toString());
  kept.push(reader.flush().toString());
  return { stderr: kept.join(''), processGroup: reader.processGroup };
}

describe('PID announcement', () => {
  it('prefixes the command with an echo of the shell PID to stderr', () => {
    const { command, nonce } = announcingPid('echo hi; echo oops >&2');
    expect(nonce).toMatch(/^[0-9a-f]{12}$/);
    const run = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8' });
    expect(run.stdout).toBe('hi\n');
    const reader = new PidAnnouncementReader(nonce);
    const stderr = reader.take(Buffer.from(run.stderr)).toString() + reader.flush().toString();
    expect(stderr).toBe('oops\n');
    expect(reader.processGroup).toBe(run.pid);
  });

  it('finds the announcement split across chunks', () => {
    expect(readAll('abc', ['georep-ssh-', 'pid:abc:12', '34\nreal ', 'error\n'])).toEqual({
      stderr: 'real error\n',
      processGroup: 1234,
    });
  });

  it('passes through what startup files print before it', () => {
    expect(readAll('abc', ['bashrc says hi\n', 'georep-ssh-pid:abc:77\nerr'])).toEqual({
      stderr: 'bashrc says hi\nerr',
      processGroup: 77,
    });
  });

  it('ignores an announcement with another nonce', () => {
    expect(readAll('abc', ['georep-ssh-pid:xyz:77\n', 'georep-ssh-pid:abc:78\n'])).toEqual({
      stderr: 'georep-ssh-pid:xyz:77\n',
      processGroup: 78,
    });
  });

  it('leaves stderr alone when no announcement comes', () => {
    expect(readAll('abc', ['no newline at all'])).toEqual({ stderr: 'no newline at all', processGroup: undefined });
    const long = 'x'.repeat(10_000);
    expect(readAll('abc', [long, '\ngeorep-ssh-pid:abc:5\n'])).toEqual({
      stderr: `${long}\ngeorep-ssh-pid:abc:5\n`,
      processGroup: undefined,
    });
  });

  it('never takes PID 0 or 1 as a process group', () => {
    expect(readAll('abc', ['georep-ssh-pid:abc:1\n']).processGroup).toBeUndefined();
    expect(() => killProcessGroupCommand(1)).toThrow(RangeError);
    expect(() => killProcessGroupCommand(0)).toThrow(RangeError);
    expect(killProcessGroupCommand(4242)).toBe('kill -s KILL -- -4242');
  });
});
