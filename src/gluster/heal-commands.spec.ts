import { ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { GlusterArgumentError } from './errors';
import { parseWorkerRestart, restartWorkerCommand } from './heal-commands';

const run = promisify(execFile);

describe('restartWorkerCommand', () => {
  it('passes every value as an argument of a fixed python3 script', () => {
    const cmd = restartWorkerCommand('mastervol', '/srv/bricks/master1', '10.200.0.2', 'site2vol', 30);
    expect(cmd.argv.slice(0, 3)).toEqual(['python3', '-I', '-c']);
    expect(cmd.argv.slice(4)).toEqual(['mastervol', '/srv/bricks/master1', '10.200.0.2::site2vol', '30']);
    expect(cmd.command.endsWith(" 'mastervol' '/srv/bricks/master1' '10.200.0.2::site2vol' '30'")).toBe(true);
  });

  it('refuses hostile values before any string is made', () => {
    for (const build of [
      () => restartWorkerCommand('x;reboot', '/b', 'h', 'v'),
      () => restartWorkerCommand('m', '/b/../etc', 'h', 'v'),
      () => restartWorkerCommand('m', '/b', 'h$(id)', 'v'),
      () => restartWorkerCommand('m', '/b', 'h', "v'"),
      () => restartWorkerCommand('m', '/b', 'h', 'v', -1),
    ]) {
      expect(build).toThrow(GlusterArgumentError);
    }
  });
});

describe('parseWorkerRestart', () => {
  it('reads each outcome', () => {
    expect(parseWorkerRestart('NOWORKER\n')).toEqual({ outcome: 'no_worker' });
    expect(parseWorkerRestart('OLD 41\nRESTARTED 97\n')).toEqual({
      outcome: 'restarted',
      oldPids: [41],
      newPid: 97,
      killed: [],
    });
    expect(parseWorkerRestart('OLD 41 42\nKILLED 42\nNORESPAWN\n')).toEqual({
      outcome: 'not_respawned',
      oldPids: [41, 42],
      killed: [42],
    });
  });

  it('refuses anything else', () => {
    expect(() => parseWorkerRestart('')).toThrow(GlusterArgumentError);
    expect(() => parseWorkerRestart('Traceback (most recent call last):')).toThrow(GlusterArgumentError);
    expect(() => parseWorkerRestart('RESTARTED 97')).toThrow(GlusterArgumentError);
  });
});

/**
 * The script run for real by python3 against stand-in gsyncd processes (a file named gsyncd.py with
 * gsyncd's worker command line) under a respawning loop like gsyncd's monitor.
 */
describe('the restart script against real processes', () => {
  const VOLUME = 'healspecvol';
  // A brick of each test's own: a stand-in a previous test left behind can never be taken for this test's.
  let tests = 0;
  let BRICK: string;
  let dir: string;
  const loops: ChildProcess[] = [];

  beforeEach(() => {
    BRICK = `/bricks/healspec-${process.pid}-${++tests}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'heal-spec-'));
    fs.writeFileSync(
      path.join(dir, 'gsyncd.py'),
      [
        'import os, signal, time',
        'here = os.path.dirname(os.path.abspath(__file__))',
        'if os.path.exists(os.path.join(here, "ignore-term")):',
        '    signal.signal(signal.SIGTERM, signal.SIG_IGN)',
        'if os.path.exists(os.path.join(here, "fork")) and os.fork() == 0:',
        '    with open(os.path.join(here, "children"), "a") as f:',
        '        f.write("%d\\n" % os.getpid())',
        '    time.sleep(600)',
        'with open(os.path.join(here, "pids"), "a") as f:',
        '    f.write("%d\\n" % os.getpid())',
        'time.sleep(600)',
      ].join('\n'),
    );
  });

  /** Live processes whose command line names this test's directory (its loops, workers and helpers). */
  const standIns = (): number[] =>
    fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(dir) && alive(Number(p));
        } catch {
          return false;
        }
      })
      .map(Number);

  afterEach(async () => {
    for (const loop of loops.splice(0)) {
      try {
        process.kill(-(loop.pid as number), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    // A process forked while the group was being killed escapes it: end each one left, until none is.
    const deadline = Date.now() + 10_000;
    for (let left = standIns(); left.length > 0; left = standIns()) {
      if (Date.now() > deadline) throw new Error(`stand-in processes would not end: ${left.join(' ')}`);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const worker = () => [
    'python3',
    path.join(dir, 'gsyncd.py'),
    'worker',
    VOLUME,
    'root@slave.example::healspecslave',
    '--feedback-fd',
    '7',
    '--local-path',
    BRICK,
  ];
  /** The pids a stand-in wrote to a file of `dir`; only whole lines (one may have opened the file and not yet written). */
  const pidsIn = (name: string) => {
    const file = path.join(dir, name);
    return fs.existsSync(file) ? (fs.readFileSync(file, 'utf8').match(/^\d+(?=\n)/gm) ?? []).map(Number) : [];
  };
  const pids = () => pidsIn('pids');
  const start = (respawn: boolean) => {
    const argv = worker()
      .map((w) => `'${w}'`)
      .join(' ');
    const loop = spawn('bash', ['-c', respawn ? `while :; do ${argv}; sleep 0.2; done` : argv], {
      detached: true,
      stdio: 'ignore',
    });
    loops.push(loop);
  };
  /** The n-th stand-in worker's pid, once it has written it (the script may see its command line first). */
  const nthWorker = async (n: number): Promise<number> => {
    const deadline = Date.now() + 20_000;
    while (pids().length < n) {
      if (Date.now() > deadline) throw new Error(`stand-in worker ${n} did not start`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return pids()[n - 1];
  };
  const firstWorker = () => nthWorker(1);
  const alive = (pid: number) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
    } catch {
      return false;
    }
  };
  const restart = async (brick: string, wait: number) =>
    (await run('sh', ['-c', restartWorkerCommand(VOLUME, brick, 'slave.example', 'healspecslave', wait).command]))
      .stdout;

  it('ends a SIGSTOPped worker and reports the one the monitor starts instead', async () => {
    start(true);
    const old = await firstWorker();
    process.kill(old, 'SIGSTOP');
    const result = parseWorkerRestart(await restart(BRICK, 20));
    expect(result).toEqual({ outcome: 'restarted', oldPids: [old], newPid: await nthWorker(2), killed: [] });
    expect(alive(old)).toBe(false);
    expect(alive(pids()[1])).toBe(true);
  }, 40_000);

  it('names only the worker, not the helper it forked with its own command line, and ends both', async () => {
    fs.writeFileSync(path.join(dir, 'fork'), '');
    start(true);
    const old = await firstWorker();
    const deadline = Date.now() + 20_000;
    while (pidsIn('children').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const child = pidsIn('children')[0];
    expect(alive(child)).toBe(true);
    const result = parseWorkerRestart(await restart(BRICK, 20));
    expect(result).toEqual({ outcome: 'restarted', oldPids: [old], newPid: await nthWorker(2), killed: [] });
    expect(alive(child)).toBe(false);
  }, 40_000);

  it('SIGKILLs a worker that ignores SIGTERM', async () => {
    fs.writeFileSync(path.join(dir, 'ignore-term'), '');
    start(true);
    const old = await firstWorker();
    const result = parseWorkerRestart(await restart(BRICK, 20));
    expect(result).toEqual({ outcome: 'restarted', oldPids: [old], newPid: await nthWorker(2), killed: [old] });
    expect(alive(old)).toBe(false);
  }, 60_000);

  it('touches no worker of another brick, and says when no new worker came', async () => {
    start(false);
    const old = await firstWorker();
    expect(parseWorkerRestart(await restart('/bricks/other', 1))).toEqual({ outcome: 'no_worker' });
    expect(alive(old)).toBe(true);
    expect(parseWorkerRestart(await restart(BRICK, 1))).toEqual({
      outcome: 'not_respawned',
      oldPids: [old],
      killed: [],
    });
    expect(alive(old)).toBe(false);
  }, 40_000);
});
