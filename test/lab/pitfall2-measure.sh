#!/usr/bin/env bash
# pitfall2-measure.sh: measures how often a freshly started gsyncd worker stalls (pitfall 2,
# see README.md) under one lab variant. Needs the lab up (gluster-lab.sh up). Each trial stops the
# session, applies the variant, starts the session and runs one `gluster-lab.sh verify`; a brick
# counts as stalled when verify reports that its Active row's last_synced did not move.
#
#   pitfall2-measure.sh VARIANT TRIALS [SLAVEHOST SLAVEVOL]
#
# Variants:
#   base       nothing special (rollover-time 3, as `up` leaves it)
#   r15        changelog.rollover-time 15 (verify deadline raised to 45 s)
#   pin        every thread of each mastervol brick on CPU 0, and the brick's changelog connector
#              thread (glfs_clogecon) SCHED_FIFO: it finishes queueing a new worker connection
#              before the brick's epoll thread can handle that connection's CONNECT event
#   pinonly    only the CPU 0 pinning, default scheduling
#   tuner      what the lab does by default: the brick tuner started by `up` (gluster-lab.sh
#              tune-bricks) pins each brick to one CPU and makes its connector SCHED_FIFO
# Every variant but `tuner` pauses the lab's brick tuner while it runs (and restores it at the end).
# Creates the session when it is missing. Holds the jest lab lease meanwhile.
# Results: one TSV line per trial on stdout and in $GLAB_DIR/log/pitfall2.tsv.
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")" && pwd)
LAB=$here/gluster-lab.sh
variant=${1:?usage: $0 base|r15|pin|pinonly|tuner TRIALS [SLAVEHOST SLAVEVOL]}
trials=${2:?trials}
SH=${3:-10.200.0.2}
SV=${4:-site2vol}
M=mastervol
D=${GLAB_DIR:-/srv/gluster-lab}
out=$D/log/pitfall2.tsv
PAUSE=$D/run/tuner.paused
g() { timeout 120 gluster --mode=script "$@" 9>&-; }

brick_pids() { # pids of the mastervol brick processes
  local p
  for p in $(pgrep -x glusterfsd); do
    tr '\0' ' ' <"/proc/$p/cmdline" | grep -q -- "--volfile-id $M\." && echo "$p"
  done
  return 0
}

apply_variant() {
  local p t want_rollover=3
  [[ $variant == r15 ]] && want_rollover=15
  if [[ $(g volume get $M changelog.rollover-time | awk '$1 == "changelog.rollover-time" {print $2}') != "$want_rollover" ]]; then
    g volume set $M changelog.rollover-time "$want_rollover" >/dev/null
  fi
  [[ $variant == tuner ]] && { "$LAB" tune-bricks 9>&-; return 0; }
  for p in $(brick_pids); do
    case $variant in
      pin | pinonly) taskset -a -p 1 "$p" >/dev/null ;;
      *) taskset -a -p "$(printf '%x' $(((1 << $(nproc)) - 1)))" "$p" >/dev/null ;;
    esac
    for t in /proc/"$p"/task/*; do
      [[ $(cat "$t/comm" 2>/dev/null) == glfs_clogecon ]] || continue
      if [[ $variant == pin ]]; then chrt -f -p 10 "${t##*/}"; else chrt -o -p 0 "${t##*/}"; fi
    done
  done
}

URL=$SH::$SV
# the lab lease of test/support/gluster-lab.ts: jest lab tests (they purge sessions) wait meanwhile.
# fd 9 is closed for every child, so no daemon started below inherits the lock.
exec 9>/run/lock/gluster-lab.lease.lock
flock -x 9
if [[ -e $PAUSE ]]; then was_paused=1; else was_paused=0; fi
restore_tuner() { if ((was_paused)); then touch "$PAUSE"; else rm -f "$PAUSE"; fi; }
trap restore_tuner EXIT
if [[ $variant == tuner ]]; then rm -f "$PAUSE"; else touch "$PAUSE"; fi
g volume geo-replication $M "$URL" status >/dev/null 2>&1 || "$LAB" session-create $M "$SH" "$SV" push-pem >/dev/null 9>&-
vt=20
[[ $variant == r15 ]] && vt=45
mkdir -p "$(dirname "$out")"
for ((i = 1; i <= trials; i++)); do
  g volume geo-replication $M "$URL" stop force >/dev/null 2>&1 || true
  apply_variant
  t0=$(date +%s)
  g volume geo-replication $M "$URL" start >/dev/null
  rc=0
  log=$(GLAB_VERIFY_TIMEOUT=$vt "$LAB" verify $M "$SH" "$SV" 2>&1 9>&-) || rc=$?
  stalled=$(sed -n -e 's/.*last_synced did not move for: //p' -e 's/.*not moving: //p' <<<"$log" | tail -1)
  [[ $stalled == none ]] && stalled=
  n=$(wc -w <<<"$stalled")
  line=$(printf '%s\t%s\t%d\trc=%d\tstalled=%d\t%s\t%ds' "$(date +%FT%T)" "$variant" "$i" "$rc" "$n" "${stalled:--}" "$(($(date +%s) - t0))")
  echo "$line" | tee -a "$out"
done
g volume geo-replication $M "$URL" stop force >/dev/null 2>&1 || true
