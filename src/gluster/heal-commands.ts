import { GlusterCommand, plainCommand } from './command-builder';
import { GlusterArgumentError } from './errors';
import { validateBrickPath, validateHost, validateVolumeName } from './validators';

/**
 * Restarting one stalled gsyncd worker (LAB.md pitfall 2: killing the stuck worker cures it; gsyncd's
 * monitor respawns it). A fixed python3 script (gsyncd itself is python3, so every master host has it)
 * that takes every value as an argument. It finds the worker of the brick by its command line
 * (`gsyncd.py worker <mastervol> [ssh://][user@]<slavehost>::<slavevol> … --local-path <brick>`; the
 * worker's forked helpers carry the same command line and are ended with it),
 * sends SIGTERM and SIGCONT (a SIGSTOPped worker acts on the TERM only once it runs again; gluster's
 * own pause uses SIGSTOP), SIGKILLs it after 15 s, ends what is left in the worker's private mount
 * namespace (a killed worker leaks its aux-mount glusterfs process there), then waits for the
 * monitor's new worker. Prints OLD <pids>, KILLED <pid> when it had to, and one last line:
 * NOWORKER, RESTARTED <new pid> or NORESPAWN.
 */
const RESTART_WORKER = `
import os, signal, sys, time
mvol, brick, secondary, wait = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def stat(pid):
    try:
        with open("/proc/%s/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return ["X", "0"]

def state(pid):
    return stat(pid)[0]

def alive(pid):
    return state(pid) not in ("Z", "X")

def argv(pid):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\\0") if a]
    except OSError:
        return []

def mntns(pid):
    try:
        return os.readlink("/proc/%s/ns/mnt" % pid)
    except OSError:
        return None

def plain(sec):
    if sec.startswith("ssh://"):
        sec = sec[6:]
    at = sec.find("@")
    if at >= 0 and ":" not in sec[:at]:
        sec = sec[at + 1:]
    return sec

def processes():
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or not alive(pid):
            continue
        a = argv(pid)
        if not any(x.endswith("/gsyncd.py") for x in a) or "worker" not in a or "--local-path" not in a:
            continue
        i, j = a.index("worker"), a.index("--local-path")
        if i + 2 < len(a) and j + 1 < len(a) and a[i + 1] == mvol and plain(a[i + 2]) == secondary and a[j + 1] == brick:
            found.append(int(pid))
    return found

def workers():
    # the worker forks helpers with its own command line (its aux mount): the worker is the one whose parent is not one of them
    found = processes()
    return [p for p in found if int(stat(p)[1]) not in found]

def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except OSError:
            pass

def wait_dead(pids, seconds):
    end = time.time() + seconds
    while any(alive(p) for p in pids) and time.time() < end:
        time.sleep(0.2)
    return [p for p in pids if alive(p)]

old = workers()
if not old:
    print("NOWORKER")
    sys.exit(0)
print("OLD " + " ".join(map(str, old)))
family = processes()
# only the worker's private mount namespace is swept: never ours, init's or its monitor's
keep = set([mntns(os.getpid()), mntns(1)] + [mntns(stat(p)[1]) for p in old])
spaces = set(ns for ns in (mntns(p) for p in family) if ns is not None and ns not in keep)
signal_all(family, signal.SIGTERM)
signal_all(family, signal.SIGCONT)
for p in wait_dead(family, 15):
    if p in old:
        print("KILLED %d" % p)
    signal_all([p], signal.SIGKILL)
wait_dead(family, 5)
left = [int(q) for q in os.listdir("/proc") if q.isdigit() and alive(q) and mntns(q) in spaces]
signal_all(left, signal.SIGTERM)
signal_all(wait_dead(left, 5), signal.SIGKILL)
end = time.time() + wait
while time.time() < end:
    new = [p for p in workers() if p not in old]
    if new:
        print("RESTARTED %d" % new[0])
        sys.exit(0)
    time.sleep(1)
print("NORESPAWN")
`;

/** How long the script waits for gsyncd's monitor to start a new worker (it waits about 10 s after one dies). */
export const WORKER_RESPAWN_WAIT_SECONDS = 60;

/** On the brick's host: restart the gsyncd worker that serves `brickPath` for this session. */
export function restartWorkerCommand(
  masterVolume: string,
  brickPath: string,
  slaveHost: string,
  slaveVolume: string,
  waitSeconds = WORKER_RESPAWN_WAIT_SECONDS,
): GlusterCommand {
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0 || waitSeconds > 600)
    throw new GlusterArgumentError('wait', 'must be 0-600 seconds');
  const secondary = `${validateHost(slaveHost, 'slaveHost')}::${validateVolumeName(slaveVolume, 'slaveVolume')}`;
  const argv = [
    'python3',
    '-I',
    '-c',
    RESTART_WORKER,
    validateVolumeName(masterVolume, 'masterVolume'),
    validateBrickPath(brickPath, 'brickPath'),
    secondary,
    String(waitSeconds),
  ];
  return plainCommand(argv);
}

export type WorkerRestart =
  | { outcome: 'no_worker' }
  | { outcome: 'restarted'; oldPids: number[]; newPid: number; killed: number[] }
  | { outcome: 'not_respawned'; oldPids: number[]; killed: number[] };

/** Reads what the restart script printed. */
export function parseWorkerRestart(stdout: string): WorkerRestart {
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const last = lines[lines.length - 1] ?? '';
  if (last === 'NOWORKER') return { outcome: 'no_worker' };
  const oldLine = lines.find((l) => l.startsWith('OLD '));
  const oldPids = oldLine ? oldLine.slice(4).split(' ').map(Number) : [];
  const killed = lines.filter((l) => /^KILLED \d+$/.test(l)).map((l) => Number(l.slice(7)));
  const restarted = /^RESTARTED (\d+)$/.exec(last);
  if (oldPids.length > 0 && oldPids.every((p) => Number.isInteger(p) && p > 0)) {
    if (restarted) return { outcome: 'restarted', oldPids, newPid: Number(restarted[1]), killed };
    if (last === 'NORESPAWN') return { outcome: 'not_respawned', oldPids, killed };
  }
  throw new GlusterArgumentError(
    'heal',
    `unexpected output of the worker restart: ${JSON.stringify(last.slice(0, 200))}`,
  );
}
