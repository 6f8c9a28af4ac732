#!/usr/bin/env bash
# gluster-lab.sh: a two-site GlusterFS 10.x geo-replication lab on one Debian 12 machine,
# for the real-gluster tests of georep-api. See test/lab/README.md.
#
#   site 1: the machine itself (host $(hostname), 127.0.0.1): glusterd, sshd on 22/2222 (key)
#           and 2022 (root password), volumes mastervol (replica 2) and slavevol.
#   site 2: network namespace glab2 at 10.200.0.2 with a private mount namespace (tmpfs /run)
#           held by a "holder" process: its own glusterd, sshd on 22, volumes site2vol and site2full.
#
# Sub-commands: install up down purge status env site2 session-create session-start verify
#               heal session-purge wipe glusterd-restart. Run without arguments for usage.
#
# Knobs (environment): GLAB_DIR (default /srv/gluster-lab), GLAB_VERIFY_TIMEOUT (s, default 20),
# GLAB_HEAL_ROUNDS (default 10), GLAB_KEYS_TIMEOUT (s, default 30), GLAB_READY_TIMEOUT (s, default 90),
# GLAB_TUNE_BRICKS (default 1; 0 = `up` leaves the brick tuner paused, so pitfall 2 happens at its
# natural rate).
set -euo pipefail
export LC_ALL=C
umask 022

GLAB_DIR=${GLAB_DIR:-/srv/gluster-lab}
VERIFY_TIMEOUT=${GLAB_VERIFY_TIMEOUT:-20}
HEAL_ROUNDS=${GLAB_HEAL_ROUNDS:-10}
KEYS_TIMEOUT=${GLAB_KEYS_TIMEOUT:-30}
READY_TIMEOUT=${GLAB_READY_TIMEOUT:-90}

D=$GLAB_DIR
RUN=$D/run
LOGD=$D/log
SSHD_DIR=$D/ssh
BRICKS=$D/bricks
MNT=$D/mnt
S2=$D/site2
NETNS=glab2
VETH1=veth-glab1
VETH2=veth-glab2
SITE1_ADDR=127.0.0.1
SITE2_ADDR=10.200.0.2
# a second address of site 2 whose sshd (port 22) takes root's password: an "unmanaged" slave host
# for the service's slave_root_password (it installs its key over port 22)
SITE2_PW_ADDR=10.200.0.3
VETH1_ADDR=10.200.0.1
# Site 1 as site 2 reaches it (the veth's root-side address): its own key sshd on port 22, and the name
# of site 1's bricks ($(hostname)) resolves to it inside site 2 (a private /etc/hosts), so site 2's
# glusterd and gsyncd can run a session back to site 1 (a failback's reverse session).
SITE1_WAN_ADDR=$VETH1_ADDR
PORT_KEY=22
PORT_ALT=2222
PORT_PW=2022
KEY=$SSHD_DIR/id_lab_ed25519
KEY_TAG=gluster-lab-client
ROOTID_TAG=gluster-lab-root-identity
PWFILE=$RUN/root-password
SHADOW_SAVE=$RUN/root-shadow.saved
GEOUSER=georep
GEOGROUP=geogroup
GEOUSER_GECOS="gluster-lab geo-rep user"
HOSTS_TAG="# gluster-lab"
HOLDER_NAME=gluster-lab-holder
# /etc is shared by both sites: the mount-broker options (`gluster system:: execute mountbroker ...`)
# that a non-root session writes on site 2 land in site 1's glusterd.vol too. `up` keeps a pristine
# copy; `session-purge`, `purge` and `up` put it back.
GLUSTERD_VOL=/etc/glusterfs/glusterd.vol
GLUSTERD_VOL_PRISTINE=/var/lib/misc/gluster-lab.glusterd.vol.pristine
MB_ROOT=/var/mountbroker-root
GD_ENV=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8)
PY=/usr/bin/python3
PKGS=(glusterfs-server glusterfs-client openssh-server rsync attr iproute2 util-linux psmisc)
H1=$(hostname)

MASTER_BRICKS=("$BRICKS/master1" "$BRICKS/master2")
SLAVE_BRICK=$BRICKS/slave1
SITE2VOL_BRICK=$S2/bricks/site2vol
SITE2FULL_BRICK=$S2/bricks/site2full
MASTER_MNT=$MNT/site1/mastervol
FULL_MARKER=lab-not-empty.txt

T0=${EPOCHREALTIME/./}

# ---------------------------------------------------------------- helpers

log() { printf '[glab %6.1fs] %s\n' "$(elapsed)" "$*" >&2; }
die() { printf '[glab] ERROR: %s\n' "$*" >&2; exit 1; }
elapsed() { local n=${EPOCHREALTIME/./}; printf '%d.%d' $(((n - T0) / 1000000)) $(((n - T0) % 1000000 / 100000)); }
now_us() { echo "${EPOCHREALTIME/./}"; }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }

check_lab_dir() {
  [[ $D == /* && $D != *[[:space:]]* ]] || die "GLAB_DIR must be an absolute path without spaces: '$D'"
  case ${D%/} in
    '' | /run* | /var/run* | /tmp | /tmp/* | /var/lib/glusterd* | /var/log/glusterfs* | /root | /home | /etc* | /usr* | /var | /srv)
      die "GLAB_DIR=$D is not allowed (it must be a dedicated directory outside /run, /tmp, /etc, /usr and gluster's own dirs)" ;;
  esac
}

# wait_until TIMEOUT_S DESCRIPTION CMD...: poll CMD every 0.2 s until it succeeds or the deadline passes.
wait_until() {
  local timeout=$1 desc=$2 end
  shift 2
  end=$(($(now_us) + timeout * 1000000))
  while :; do
    if "$@"; then return 0; fi
    if (($(now_us) >= end)); then
      log "timed out after ${timeout}s waiting for: $desc"
      return 1
    fi
    sleep 0.2
  done
}

# alive PID [COMM]: the process exists, is not a zombie and (optionally) has that comm.
alive() {
  local pid=${1:-} want=${2:-} st
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  st=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  st=${st##*) }
  st=${st%% *}
  [[ $st != Z && $st != X ]] || return 1
  [[ -z $want ]] || [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$want" ]]
}
dead() { ! alive "$@"; }
pidf() { cat "$1" 2>/dev/null || true; }

# kill_wait PID [COMM]: SIGTERM, wait up to 10 s, then SIGKILL. Zombies count as dead.
kill_wait() {
  local pid=$1 comm=${2:-}
  alive "$pid" "$comm" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_until 10 "pid $pid ($comm) to exit after SIGTERM" dead "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    wait_until 5 "pid $pid to exit after SIGKILL" dead "$pid" || log "WARNING: pid $pid survived SIGKILL"
  fi
}

# stop_pidfile FILE COMM: kill the process named in FILE (if it is alive with that comm), remove FILE.
stop_pidfile() {
  local f=$1 comm=$2 pid
  pid=$(pidf "$f")
  if alive "$pid" "$comm"; then
    log "stopping $comm pid $pid ($(basename "$f"))"
    kill_wait "$pid" "$comm"
  fi
  rm -f "$f"
}

# procs_by_comm COMM: PIDs of live (non-zombie) processes with that comm, any namespace.
procs_by_comm() {
  local p c
  for p in /proc/[0-9]*; do
    c=$(cat "$p/comm" 2>/dev/null) || continue
    [[ $c == "$1" ]] || continue
    alive "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}

# procs_cmdline_has STRING: PIDs of live processes whose NUL-separated command line contains STRING.
procs_cmdline_has() {
  local p cl
  for p in /proc/[0-9]*; do
    [[ ${p#/proc/} == "$$" || ${p#/proc/} == "$BASHPID" ]] && continue
    cl=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    [[ $cl == *"$1"* ]] || continue
    alive "${p#/proc/}" && echo "${p#/proc/}"
  done
  return 0
}

same_netns_as_me() { [[ $(readlink "/proc/$1/ns/net" 2>/dev/null) == "$(readlink /proc/self/ns/net)" ]]; }

# write a file atomically with mode 0600
write_secret() {
  local f=$1 content=$2
  (umask 077 && printf '%s\n' "$content" >"$f.tmp") && mv -f "$f.tmp" "$f"
}

# Small XML / /proc parser. The gluster CLI's XML is parsed with the packaged python3
# (glusterfs-common depends on it; gsyncd needs it).
PYPARSE='
import os, sys, time, xml.etree.ElementTree as ET
mode = sys.argv[1]
def txt(e, *names):
    for n in names:
        x = e.find(n)
        if x is not None:
            return (x.text or "").strip()
    return ""
def epoch(s):
    try:
        return str(int(time.mktime(time.strptime(s, "%Y-%m-%d %H:%M:%S"))))
    except ValueError:
        return "0"
def load():
    try:
        return ET.fromstring(sys.stdin.read())
    except ET.ParseError:
        sys.exit(2)
if mode == "rows":            # geo-rep status detail: brick status crawl last_synced_epoch node
    r = load()
    for p in r.iter("pair"):
        print("\t".join([txt(p, "primary_brick", "master_brick"), txt(p, "status") or "-",
                         txt(p, "crawl_status") or "-", epoch(txt(p, "last_synced")),
                         txt(p, "primary_node", "master_node") or "-"]))
elif mode == "sessions":      # global geo-rep status: primary_volume [user@]host::volume
    r = load()
    for v in r.iter("volume"):
        name = txt(v, "name")
        for s in v.iter("session"):
            ss = txt(s, "session_secondary", "session_slave")
            url = ss.split("ssh://", 1)[-1]
            head = url.rsplit(":", 1)[0]
            if "::" in head:
                url = head
            user = ""
            for p in s.iter("pair"):
                user = txt(p, "secondary_user", "slave_user")
                break
            if user and user != "root" and "@" not in url:
                url = user + "@" + url
            print(name + "\t" + url)
elif mode == "vols":          # volume info: name status brick,brick,...
    r = load()
    for v in r.iter("volume"):
        bricks = [txt(b, "name") for b in v.iter("brick")]
        print("\t".join([txt(v, "name"), txt(v, "statusStr"), ",".join(bricks)]))
elif mode == "bricks":        # volume status: path online pid (bricks only)
    r = load()
    for n in r.iter("node"):
        path = txt(n, "path")
        if path.startswith("/"):
            print("\t".join([path, txt(n, "status"), txt(n, "pid")]))
elif mode == "gsyncd":        # gsyncd processes: pid role primary secondary local_path
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
            with open("/proc/%s/stat" % pid) as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    continue
        except OSError:
            continue
        # the installed gsyncd only: the unit tests run stand-ins named gsyncd.py beside the lab
        if not any(a.endswith("/syncdaemon/gsyncd.py") for a in argv):
            continue
        role, prim, sec, lp = "other", "-", "-", "-"
        for r in ("worker", "monitor"):
            if r in argv:
                i = argv.index(r)
                role = r
                if i + 2 < len(argv):
                    prim, sec = argv[i + 1], argv[i + 2]
                break
        if "--local-path" in argv:
            i = argv.index("--local-path")
            if i + 1 < len(argv):
                lp = argv[i + 1]
        print("\t".join([pid, role, prim, sec, lp]))
'
pyparse() { env -u TZ "$PY" -I -c "$PYPARSE" "$@"; }

# ---------------------------------------------------------------- gluster / site access

g1() { timeout 120 gluster --mode=script "$@"; }
holder_pid() {
  local pid
  pid=$(pidf "$RUN/holder.pid")
  alive "$pid" sleep || return 1
  [[ -e /run/netns/$NETNS ]] || return 1
  [[ $(readlink "/proc/$pid/ns/net") == "net:[$(stat -L -c %i "/run/netns/$NETNS")]" ]] || return 1
  echo "$pid"
}
s2() {
  local h
  h=$(holder_pid) || die "site 2 is not running (no holder process); run: $0 up"
  nsenter -t "$h" -n -m -- "$@"
}
g2() { s2 timeout 120 gluster --mode=script "$@"; }
# gsite SITE ARGS...: gluster CLI on site 1 or 2
gsite() { local s=$1; shift; if [[ $s == 2 ]]; then g2 "$@"; else g1 "$@"; fi; }
# onsite SITE CMD...: run CMD in site 1 (here) or inside site 2's namespaces
onsite() { local s=$1; shift; if [[ $s == 2 ]]; then s2 "$@"; else "$@"; fi; }

g1_ready() { g1 peer status >/dev/null 2>&1; }
g2_ready() { g2 peer status >/dev/null 2>&1; }
site_up() { if [[ $1 == 2 ]]; then holder_pid >/dev/null && g2_ready; else g1_ready; fi; }

SSH_OPTS=(-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o LogLevel=ERROR -o ConnectTimeout=5 -o IdentitiesOnly=yes -i "$KEY")
ssh_ok() { # user host port
  timeout 20 ssh "${SSH_OPTS[@]}" -p "$3" "$1@$2" true </dev/null >/dev/null 2>&1
}
pw_ssh_ok() {
  [[ -s $PWFILE ]] || return 1
  SSH_ASKPASS="$RUN/askpass.sh" SSH_ASKPASS_REQUIRE=force DISPLAY=none \
    timeout 20 ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o ConnectTimeout=5 -o PubkeyAuthentication=no -o PreferredAuthentications=password,keyboard-interactive \
    -o NumberOfPasswordPrompts=1 -p "${2:-$PORT_PW}" "root@${1:-$SITE1_ADDR}" true </dev/null >/dev/null 2>&1
}

# ---------------------------------------------------------------- pitfall 2: brick tuner

# A brick's changelog connector thread (glfs_clogecon) connects back to a new gsyncd worker and then
# queues the connection on a wait list; the brick's epoll thread moves it to the active list when the
# CONNECT event arrives. When the epoll thread wins that race the connection stays on the wait list
# and the worker never gets a changelog event (see README.md, "Pitfall 2 measurements").
# The tuner makes the connector win: every thread of the brick shares one CPU and the connector is
# SCHED_FIFO, so the epoll thread cannot run between the connect and the queueing.
TUNER_PAUSE=$RUN/tuner.paused

# tid_sched TID: prints "policy rt_priority" of a thread (from /proc/<tid>/stat fields 41 and 40)
tid_sched() {
  local st fields
  read -r st 2>/dev/null <"/proc/$1/stat" || return 1
  st=${st##*) }
  read -r -a fields <<<"$st"
  echo "${fields[38]:-?} ${fields[37]:-?}"
}

# brick_connector PID: the TID of the brick's changelog connector thread (none while changelog is off)
brick_connector() {
  local t c
  for t in /proc/"$1"/task/*; do
    read -r c 2>/dev/null <"$t/comm" || continue
    if [[ $c == glfs_clogecon ]]; then echo "${t##*/}"; return 0; fi
  done
  return 1
}

# cpus_allowed PID: the CPUs the process may run on, one per line
cpus_allowed() {
  local list part a b
  list=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
  for part in ${list//,/ }; do
    a=${part%-*}
    b=${part#*-}
    for ((; a <= b; a++)); do echo "$a"; done
  done
}

# tune_bricks: tunes every brick process (any site) that has a changelog connector and is not tuned yet
tune_bricks() {
  local p c tid sched n=0 cpus cpu
  for p in /proc/[0-9]*; do
    read -r c 2>/dev/null <"$p/comm" || continue
    [[ $c == glusterfsd ]] || continue
    p=${p#/proc/}
    tid=$(brick_connector "$p") || continue
    n=$((n + 1))
    sched=$(tid_sched "$tid") || continue
    [[ ${sched%% *} == 1 ]] && continue # SCHED_FIFO already
    mapfile -t cpus < <(cpus_allowed "$p")
    ((${#cpus[@]})) || continue
    cpu=${cpus[$(((n - 1) % ${#cpus[@]}))]} # spread the bricks over the CPUs
    if taskset -a -c -p "$cpu" "$p" >/dev/null 2>&1 && chrt -f -p 10 "$tid" 2>/dev/null; then
      log "tuned brick pid $p ($(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -A1 -x -- --brick-name | tail -1)): threads on CPU $cpu, connector $tid SCHED_FIFO"
    else
      log "WARNING: could not tune brick pid $p (taskset/chrt failed)"
    fi
  done
  return 0
}

# tune_now: tune the bricks at once rather than at the tuner's next tick (unless paused)
tune_now() { [[ -e $TUNER_PAUSE ]] || tune_bricks; }

cmd_tuner_loop() {
  need_root
  write_secret "$RUN/tuner.pid" "$BASHPID"
  log "brick tuner started (pid $BASHPID)"
  while [[ $(pidf "$RUN/tuner.pid") == "$BASHPID" ]]; do
    [[ -e $TUNER_PAUSE ]] || tune_bricks
    sleep 1
  done
}

tuner_pid() {
  local pid
  pid=$(pidf "$RUN/tuner.pid")
  alive "$pid" && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"gluster-lab.sh _tuner "* ]] && echo "$pid"
}

start_tuner() {
  if [[ ${GLAB_TUNE_BRICKS:-1} == 0 ]]; then
    [[ -e $TUNER_PAUSE ]] || log "GLAB_TUNE_BRICKS=0: brick tuner paused (pitfall 2 at its natural rate)"
    touch "$TUNER_PAUSE"
  else
    rm -f "$TUNER_PAUSE"
  fi
  tuner_pid >/dev/null && return 0
  rm -f "$RUN/tuner.pid"
  setsid "$(readlink -f "$0")" _tuner </dev/null >>"$LOGD/tuner.log" 2>&1 &
  wait_until 10 "brick tuner to start" tuner_pid >/dev/null || die "brick tuner did not start; see $LOGD/tuner.log"
}

# ---------------------------------------------------------------- install

cmd_install() {
  need_root
  local p s missing=()
  for p in "${PKGS[@]}"; do
    s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
    [[ $s == ii* ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "install: all packages present (${PKGS[*]})"
    return 0
  fi
  log "install: missing ${missing[*]}; apt-get update + install"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >"/tmp/gluster-lab-apt.$$.log" 2>&1 ||
    { tail -30 "/tmp/gluster-lab-apt.$$.log" >&2; die "apt-get install failed (log /tmp/gluster-lab-apt.$$.log)"; }
  rm -f "/tmp/gluster-lab-apt.$$.log"
  log "install: done"
}

require_packages() {
  local b
  for b in glusterd gluster sshd ssh rsync getfattr nsenter unshare ip findmnt; do
    command -v "$b" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "$b" >/dev/null 2>&1 ||
      die "$b is missing; run: $0 install"
  done
  [[ -x $PY ]] || die "$PY is missing; run: $0 install"
}

# ---------------------------------------------------------------- ssh material and sshd

ensure_hostname() {
  if ! getent hosts "$H1" >/dev/null; then
    log "host name $H1 does not resolve; adding it to /etc/hosts"
    printf '127.0.0.1 %s %s\n' "$H1" "$HOSTS_TAG" >>/etc/hosts
  fi
}

# ensure_line FILE LINE: append LINE if it is not there (exact match)
ensure_line() { grep -qxF -- "$2" "$1" 2>/dev/null || printf '%s\n' "$2" >>"$1"; }

ensure_ssh_material() {
  install -d -m 755 /run/sshd # privilege separation dir of site 1 (site 2 has its own in its /run)
  mkdir -p "$SSHD_DIR" "$SSHD_DIR/hostkeys-site1" "$SSHD_DIR/hostkeys-site2"
  chmod 700 "$SSHD_DIR"
  [[ -s $KEY && -s $KEY.pub ]] || { rm -f "$KEY" "$KEY.pub"; ssh-keygen -q -t ed25519 -N '' -C "$KEY_TAG" -f "$KEY"; }
  local s
  for s in site1 site2; do
    [[ -s $SSHD_DIR/hostkeys-$s/ssh_host_ed25519_key ]] ||
      ssh-keygen -q -t ed25519 -N '' -C "gluster-lab-$s-host" -f "$SSHD_DIR/hostkeys-$s/ssh_host_ed25519_key"
  done
  # root's own default identity: glusterd's push-pem hook and gverify.sh ssh to the secondary
  # with the default identity of root (no -i), so root must have one the lab sshds accept.
  install -d -m 700 /root/.ssh
  local id have=0
  for id in /root/.ssh/id_rsa /root/.ssh/id_ecdsa /root/.ssh/id_ed25519; do [[ -s $id ]] && have=1; done
  if ((have == 0)); then
    log "root has no default ssh identity; creating /root/.ssh/id_ed25519 (comment $ROOTID_TAG)"
    ssh-keygen -q -t ed25519 -N '' -C "$ROOTID_TAG" -f /root/.ssh/id_ed25519
  fi
  touch /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
  local type b64 rest
  read -r type b64 rest <"$KEY.pub"
  ensure_line /root/.ssh/authorized_keys "$type $b64 $KEY_TAG"
  for id in /root/.ssh/id_rsa.pub /root/.ssh/id_ecdsa.pub /root/.ssh/id_ed25519.pub; do
    [[ -s $id ]] || continue
    read -r type b64 rest <"$id"
    ensure_line /root/.ssh/authorized_keys "$type $b64 $ROOTID_TAG"
  done
  cat >"$RUN/askpass.sh" <<EOF
#!/bin/sh
cat '$PWFILE'
EOF
  chmod 700 "$RUN/askpass.sh"
}

ensure_georep_user() {
  getent group "$GEOGROUP" >/dev/null || groupadd "$GEOGROUP"
  if ! getent passwd "$GEOUSER" >/dev/null; then
    useradd -m -g "$GEOGROUP" -s /bin/bash -c "$GEOUSER_GECOS" "$GEOUSER"
  fi
  local home type b64 rest
  home=$(getent passwd "$GEOUSER" | cut -d: -f6)
  install -d -m 700 -o "$GEOUSER" -g "$GEOGROUP" "$home/.ssh"
  [[ -e $home/.ssh/authorized_keys ]] || install -m 600 -o "$GEOUSER" -g "$GEOGROUP" /dev/null "$home/.ssh/authorized_keys"
  read -r type b64 rest <"$KEY.pub"
  ensure_line "$home/.ssh/authorized_keys" "$type $b64 $KEY_TAG"
}

# sshd_conf NAME LISTEN PORT HOSTKEYDIR MODE(key|password)
sshd_conf() {
  local name=$1 listen=$2 port=$3 hk=$4 mode=$5 f=$SSHD_DIR/sshd-$1.conf
  {
    echo "# generated by gluster-lab.sh"
    echo "Port $port"
    echo "ListenAddress $listen"
    echo "HostKey $SSHD_DIR/$hk/ssh_host_ed25519_key"
    echo "PidFile $RUN/sshd-$name.pid"
    echo "UsePAM yes"
    echo "AuthorizedKeysFile .ssh/authorized_keys"
    echo "StrictModes yes"
    echo "X11Forwarding no"
    echo "PrintMotd no"
    echo "AcceptEnv LANG LC_*"
    # Debian's bash sources ~/.bashrc for every command sshd starts when it is the top-level shell
    # (SHLVL < 2). Root's ~/.bashrc on these machines runs `pyenv init` (1-5 s per command); a real
    # gluster server has no such start-up. SHLVL=1 makes bash a nested shell, so it skips ~/.bashrc.
    echo "SetEnv SHLVL=1"
    echo "MaxStartups 100:30:200"
    echo "MaxSessions 50"
    echo "LogLevel INFO"
    echo "Subsystem sftp /usr/lib/openssh/sftp-server"
    if [[ $mode == password ]]; then
      # Password logins for the host-registration test (root_password installs the service key),
      # and keys too, so the host registered on this port works with the installed key afterwards.
      echo "PermitRootLogin yes"
      echo "PubkeyAuthentication yes"
      echo "PasswordAuthentication yes"
      echo "KbdInteractiveAuthentication yes"
    else
      echo "PermitRootLogin prohibit-password"
      echo "PubkeyAuthentication yes"
      echo "PasswordAuthentication no"
      echo "KbdInteractiveAuthentication no"
    fi
  } >"$f.tmp"
  mv -f "$f.tmp" "$f"
}

listening() { # SITE ADDR PORT
  onsite "$1" ss -Hltn "sport = :$3" 2>/dev/null | grep -qF " $2:$3 "
}

not_listening() { ! listening "$@"; }

# start_sshd NAME SITE LISTEN PORT HOSTKEYDIR MODE
start_sshd() {
  local name=$1 site=$2 listen=$3 port=$4 pid
  sshd_conf "$name" "$listen" "$port" "$5" "$6"
  pid=$(pidf "$RUN/sshd-$name.pid")
  if alive "$pid" sshd && listening "$site" "$listen" "$port"; then return 0; fi
  alive "$pid" sshd && kill_wait "$pid" sshd
  rm -f "$RUN/sshd-$name.pid"
  if listening "$site" "$listen" "$port"; then
    die "port $listen:$port (site $site) is already used by a process the lab did not start: $(onsite "$site" ss -Hltnp "sport = :$port" | head -1)"
  fi
  /usr/sbin/sshd -t -f "$SSHD_DIR/sshd-$name.conf" || die "sshd config $SSHD_DIR/sshd-$name.conf is invalid"
  onsite "$site" /usr/sbin/sshd -f "$SSHD_DIR/sshd-$name.conf" -E "$LOGD/sshd-$name.log" ||
    die "sshd $name failed to start (see $LOGD/sshd-$name.log)"
  wait_until 10 "sshd $name to listen on $listen:$port" listening "$site" "$listen" "$port" ||
    die "sshd $name does not listen (see $LOGD/sshd-$name.log)"
  alive "$(pidf "$RUN/sshd-$name.pid")" sshd || die "sshd $name: no live pid in $RUN/sshd-$name.pid"
}

pw_enable() {
  if [[ ! -s $SHADOW_SAVE ]]; then
    local line
    line=$(getent shadow root) || die "cannot read root's shadow entry"
    write_secret "$SHADOW_SAVE" "$line"
  fi
  if [[ -s $PWFILE ]] && alive "$(pidf "$RUN/sshd-site1-$PORT_PW.pid")" sshd && pw_ssh_ok; then return 0; fi
  local pw
  pw=$(head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
  write_secret "$PWFILE" "$pw"
  printf 'root:%s\n' "$pw" | chpasswd || die "chpasswd failed"
  start_sshd "site1-$PORT_PW" 1 "$SITE1_ADDR" "$PORT_PW" hostkeys-site1 password
  wait_until 10 "root password login on $SITE1_ADDR:$PORT_PW" pw_ssh_ok ||
    die "root password login on port $PORT_PW does not work (see $LOGD/sshd-site1-$PORT_PW.log)"
}

pw_disable() {
  stop_pidfile "$RUN/sshd-site1-$PORT_PW.pid" sshd
  if [[ -s $SHADOW_SAVE ]]; then
    local _u hash lastchg _rest
    IFS=: read -r _u hash lastchg _rest <"$SHADOW_SAVE"
    usermod -p "$hash" root || die "could not restore root's password hash"
    if [[ $lastchg =~ ^[0-9]+$ ]]; then chage -d "$lastchg" root; else chage -d -1 root; fi
    log "restored root's original password state"
    rm -f "$SHADOW_SAVE"
  fi
  rm -f "$PWFILE"
}

# ---------------------------------------------------------------- glusterd, netns, volumes

start_glusterd1() {
  local pid
  pid=$(pidf "$RUN/glusterd1.pid")
  if alive "$pid" glusterd && g1_ready; then return 0; fi
  alive "$pid" glusterd && kill_wait "$pid" glusterd
  rm -f "$RUN/glusterd1.pid"
  log "starting site-1 glusterd"
  "${GD_ENV[@]}" glusterd -p "$RUN/glusterd1.pid" || die "glusterd (site 1) failed to start; see /var/log/glusterfs/glusterd.log"
  wait_until 30 "site-1 glusterd to answer the CLI" g1_ready || die "site-1 glusterd does not answer; see /var/log/glusterfs/glusterd.log"
}

# glustereventsd of site 1: gluster's events API (gsyncd's GEOREP_* events, the CLI's, glusterd's). Its own
# pid file is removed right after it starts (its `with PidFile` block ends), so the lab keeps the pid. Its
# webhooks.json is emptied before it starts: webhooks of earlier runs point at test servers that are gone.
EVENTSD=/usr/sbin/glustereventsd
EVENTSD_WEBHOOKS=/var/lib/glusterd/events/webhooks.json
eventsd_pid() {
  local pid
  pid=$(pidf "$RUN/glustereventsd1.pid")
  alive "$pid" && [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *"$EVENTSD"* ]] && echo "$pid"
}
eventsd_listening() { [[ -n $(ss -Hlun "sport = :$(eventsd_port)" 2>/dev/null) ]]; }
eventsd_port() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' /etc/glusterfs/eventsconfig.json 2>/dev/null || echo 24009; }
start_eventsd1() {
  eventsd_pid >/dev/null && return 0
  stop_eventsd
  install -d -m 755 "$(dirname "$EVENTSD_WEBHOOKS")"
  echo '{}' >"$EVENTSD_WEBHOOKS"
  log "starting site-1 glustereventsd"
  setsid env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$EVENTSD" </dev/null >>"$LOGD/glustereventsd1.log" 2>&1 &
  write_secret "$RUN/glustereventsd1.pid" "$!"
  wait_until 10 "glustereventsd to listen on udp $(eventsd_port)" eventsd_listening ||
    die "glustereventsd did not start; see $LOGD/glustereventsd1.log"
}
# every glustereventsd of this machine (only site 1 runs one; the webhook process it forks included)
stop_eventsd() {
  local pid
  for pid in $(procs_cmdline_has "$EVENTSD"); do
    [[ $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) == *python* ]] && { log "stopping glustereventsd $pid"; kill_wait "$pid"; }
  done
  rm -f "$RUN/glustereventsd1.pid"
}

# the pristine glusterd.vol: copied once, while it holds no mount-broker option
save_glusterd_vol() {
  [[ -s $GLUSTERD_VOL_PRISTINE ]] && return 0
  if grep -qE '^[[:space:]]*option[[:space:]]+(mountbroker-|geo-replication-log-group)' "$GLUSTERD_VOL"; then
    log "WARNING: $GLUSTERD_VOL holds mount-broker options and no pristine copy exists; stripping them instead"
    strip_mountbroker_opts
  fi
  install -D -m 644 "$GLUSTERD_VOL" "$GLUSTERD_VOL_PRISTINE"
}

strip_mountbroker_opts() {
  grep -vE '^[[:space:]]*option[[:space:]]+(mountbroker-|geo-replication-log-group|rpc-auth-allow-insecure)' "$GLUSTERD_VOL" >"$GLUSTERD_VOL.glab.tmp" || true
  cat "$GLUSTERD_VOL.glab.tmp" >"$GLUSTERD_VOL"
  rm -f "$GLUSTERD_VOL.glab.tmp"
}

# put the pristine glusterd.vol back (a running glusterd keeps what it read at its start);
# returns 0 when the file changed
restore_glusterd_vol() {
  [[ -s $GLUSTERD_VOL_PRISTINE ]] || return 1
  # georep-api's copy from before it normalised the option lines (see README.md, non-root sessions)
  rm -f "$GLUSTERD_VOL.georep-api.orig" "$GLUSTERD_VOL.georep-api.tmp" "${GLUSTERD_VOL}_tmp"
  cmp -s "$GLUSTERD_VOL_PRISTINE" "$GLUSTERD_VOL" && return 1
  log "restoring the pristine $GLUSTERD_VOL (mount-broker options removed)"
  cat "$GLUSTERD_VOL_PRISTINE" >"$GLUSTERD_VOL"
  return 0
}

# which site this process runs in: 2 inside site 2's network namespace (e.g. over ssh root@10.200.0.2)
my_site() {
  local h
  h=$(pidf "$RUN/holder.pid")
  if alive "$h" sleep && [[ $(readlink "/proc/$h/ns/net") == "$(readlink /proc/self/ns/net)" ]]; then echo 2; else echo 1; fi
}

# glusterd-restart [1|2]: restart one site's glusterd the way `up` starts it (clean environment, the
# lab's pid file), then wait until it answers the CLI. Without an argument: the site this runs in,
# so `ssh root@10.200.0.2 gluster-lab.sh glusterd-restart` restarts site 2's (what the service's
# GEOREP_GLUSTERD_RESTART_COMMAND does on a slave host). Bricks keep running, as with systemd's
# KillMode=process.
cmd_glusterd_restart() {
  need_root
  check_lab_dir
  local here site pid pidfile t0
  here=$(my_site)
  site=${1:-$here}
  [[ $site == 1 || $site == 2 ]] || die "usage: $0 glusterd-restart [1|2]"
  pidfile=$RUN/glusterd$site.pid
  t0=$(now_us)
  pid=$(pidf "$pidfile")
  if alive "$pid" glusterd; then
    log "stopping site-$site glusterd pid $pid"
    kill_wait "$pid" glusterd
  fi
  rm -f "$pidfile"
  if [[ $site == "$here" ]]; then
    # already in the site's namespaces (site 2 over ssh has no /run/netns: its /run is private)
    "${GD_ENV[@]}" glusterd -p "$pidfile" </dev/null >/dev/null 2>&1 || die "glusterd (site $site) failed to start"
    wait_until 60 "site-$site glusterd to answer the CLI" g1_ready || die "site-$site glusterd does not answer after the restart"
  elif [[ $site == 2 ]]; then
    s2 "${GD_ENV[@]}" glusterd -p "$pidfile" </dev/null >/dev/null 2>&1 || die "glusterd (site 2) failed to start"
    wait_until 60 "site-2 glusterd to answer the CLI" g2_ready || die "site-2 glusterd does not answer after the restart"
  else
    die "site 1's glusterd cannot be restarted from inside site 2"
  fi
  echo "site-$site glusterd restarted in $(((($(now_us) - t0) / 1000))) ms"
}

ensure_netns() {
  [[ -e /run/netns/$NETNS ]] || ip netns add "$NETNS"
  if ! ip link show "$VETH1" >/dev/null 2>&1 || ! ip netns exec "$NETNS" ip link show "$VETH2" >/dev/null 2>&1; then
    ip link del "$VETH1" 2>/dev/null || true
    ip link add "$VETH1" type veth peer name "$VETH2"
    ip link set "$VETH2" netns "$NETNS"
  fi
  ip addr replace "$VETH1_ADDR/24" dev "$VETH1"
  ip link set "$VETH1" up
  ip netns exec "$NETNS" sh -c "ip link set lo up && ip addr replace $SITE2_ADDR/24 dev $VETH2 && ip addr replace $SITE2_PW_ADDR/24 dev $VETH2 && ip link set $VETH2 up"
}

ensure_holder() {
  holder_pid >/dev/null && return 0
  rm -f "$RUN/holder.pid"
  mkdir -p "$S2/lib" "$S2/run" "$S2/log" "$S2/misc" /var/lib/misc/gluster
  if [[ ! -d $S2/lib/hooks ]]; then
    cp -a /var/lib/glusterd/groups /var/lib/glusterd/hooks "$S2/lib/"
  fi
  log "starting site-2 holder (netns $NETNS, private mount namespace)"
  # The holder is `sleep infinity` renamed to gluster-lab-holder (argv0), inside the netns and a
  # private mount namespace with its own /run (glusterd's socket is /var/run/glusterd.socket).
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid ip netns exec "$NETNS" unshare -m --propagation private bash -c '
    set -e
    findmnt -rn -t fuse.glusterfs -o TARGET | while read -r m; do umount -l "$m"; done
    mount -t tmpfs -o mode=0755 tmpfs /run
    mkdir -p /run/gluster /run/sshd /run/lock
    mount --bind "$1/run" /run/gluster
    mount --bind "$1/lib" /var/lib/glusterd
    mount --bind "$1/log" /var/log/glusterfs
    mount --bind "$1/misc" /var/lib/misc/gluster
    echo $$ >"$2.tmp"
    mv "$2.tmp" "$2"
    exec -a "$3" sleep infinity' holder "$S2" "$RUN/holder.pid" "$HOLDER_NAME" \
    </dev/null >>"$LOGD/holder.log" 2>&1 &
  wait_until 10 "site-2 holder to come up" holder_pid >/dev/null || die "site-2 holder did not start; see $LOGD/holder.log"
}

# Site 2's own /etc/hosts (bind-mounted in its mount namespace; /etc itself is shared): the name of
# site 1's bricks is site 1's veth address there, not site 2's own loopback.
ensure_site2_hosts() {
  local f=$S2/hosts
  {
    printf '%s %s\n' "$SITE1_WAN_ADDR" "$H1"
    awk -v h="$H1" '{ for (i = 2; i <= NF; i++) if ($i == h) next } 1' /etc/hosts
  } >"$f.new"
  # rewritten in place: the bind mount holds the inode
  cmp -s "$f.new" "$f" || cat "$f.new" >"$f"
  rm -f "$f.new"
  s2 findmnt -n /etc/hosts >/dev/null || s2 mount --bind "$f" /etc/hosts || die "could not give site 2 its own /etc/hosts"
  [[ $(s2 getent hosts "$H1" | awk '{print $1; exit}') == "$SITE1_WAN_ADDR" ]] ||
    die "inside site 2, $H1 does not resolve to $SITE1_WAN_ADDR"
}

start_glusterd2() {
  local pid u1 u2
  pid=$(pidf "$RUN/glusterd2.pid")
  if alive "$pid" glusterd && g2_ready; then return 0; fi
  alive "$pid" glusterd && kill_wait "$pid" glusterd
  rm -f "$RUN/glusterd2.pid"
  log "starting site-2 glusterd"
  s2 "${GD_ENV[@]}" glusterd -p "$RUN/glusterd2.pid" || die "glusterd (site 2) failed to start; see $S2/log/glusterd.log"
  wait_until 30 "site-2 glusterd to answer the CLI" g2_ready || die "site-2 glusterd does not answer; see $S2/log/glusterd.log"
  u1=$(g1 system:: uuid get | awk '{print $2}')
  u2=$(g2 system:: uuid get | awk '{print $2}')
  [[ -n $u2 && $u1 != "$u2" ]] || die "site-2 gluster CLI reaches site 1's glusterd (uuid $u1): the private /run is not working"
}

# vol_line SITE VOL: "name<TAB>statusStr<TAB>bricks" or nothing when the volume does not exist
vol_line() { gsite "$1" --xml volume info "$2" 2>/dev/null | pyparse vols 2>/dev/null || true; }

brick_volid() { # hex without 0x, or nothing
  getfattr --absolute-names -n trusted.glusterfs.volume-id -e hex "$1" 2>/dev/null |
    sed -n 's/^trusted\.glusterfs\.volume-id=0x//p' || true
}
info_volid() { sed -n 's/^volume-id=//p' "$1" 2>/dev/null | tr -d '-' || true; }

# ensure_volume SITE VOL HOST "replica N"|"" BRICK...
ensure_volume() {
  local site=$1 vol=$2 host=$3 rep=$4 line status want b
  shift 4
  want=$(for b in "$@"; do printf '%s:%s,' "$host" "$b"; done)
  want=${want%,}
  line=$(vol_line "$site" "$vol")
  if [[ -z $line ]]; then
    for b in "$@"; do
      if [[ -n $(brick_volid "$b") ]]; then
        log "brick $b carries a stale volume-id of a volume that no longer exists; wiping it"
        rm -rf --one-file-system "$b"
      fi
      mkdir -p "$b"
    done
    log "creating volume $vol on site $site"
    local args=()
    for b in "$@"; do args+=("$host:$b"); done
    # shellcheck disable=SC2086 # $rep is "replica N" or empty on purpose
    gsite "$site" volume create "$vol" $rep "${args[@]}" force >/dev/null || die "volume create $vol (site $site) failed"
    line=$(vol_line "$site" "$vol")
  fi
  [[ $(cut -f3 <<<"$line") == "$want" ]] ||
    die "volume $vol on site $site has bricks '$(cut -f3 <<<"$line")', expected '$want' (run: $0 purge)"
  status=$(cut -f2 <<<"$line")
  if [[ $status != Started ]]; then
    log "starting volume $vol on site $site"
    gsite "$site" volume start "$vol" >/dev/null || die "volume start $vol (site $site) failed"
  fi
  wait_until 30 "bricks of $vol (site $site) online" bricks_online "$site" "$vol" || {
    log "bricks of $vol not all online; volume start force"
    gsite "$site" volume start "$vol" force >/dev/null || die "volume start $vol force (site $site) failed"
    wait_until 30 "bricks of $vol (site $site) online" bricks_online "$site" "$vol" || die "bricks of $vol (site $site) do not come online"
  }
}

bricks_online() {
  local out
  out=$(gsite "$1" --xml volume status "$2" 2>/dev/null | pyparse bricks 2>/dev/null) || return 1
  [[ -n $out ]] && ! awk -F'\t' '$2 != "1"' <<<"$out" | grep -q .
}

# ---------------------------------------------------------------- FUSE mounts

mounted() { onsite "$1" findmnt -rn -M "$2" -t fuse.glusterfs >/dev/null 2>&1; }

# ensure_mount SITE HOST VOL DIR
ensure_mount() {
  local site=$1 host=$2 vol=$3 dir=$4
  mkdir -p "$dir"
  if mounted "$site" "$dir"; then
    onsite "$site" timeout 10 stat -t "$dir/." >/dev/null 2>&1 && return 0
    log "mount $dir (site $site) is stale; lazy unmount"
    onsite "$site" umount -l "$dir" || true
  fi
  onsite "$site" timeout 60 mount -t glusterfs "$host:/$vol" "$dir" || die "mount $host:/$vol on $dir (site $site) failed"
  wait_until 15 "$vol mounted on $dir (site $site)" mounted "$site" "$dir" || die "mount of $vol on $dir did not appear"
}

# unmount_under SITE DIR...: unmount every FUSE gluster mount at or under the given dirs
unmount_under() {
  local site=$1 m d
  shift
  for d in "$@"; do
    while read -r m; do
      [[ -n $m ]] || continue
      [[ $m == "$d" || $m == "$d"/* ]] || continue
      onsite "$site" umount "$m" 2>/dev/null || onsite "$site" umount -l "$m" 2>/dev/null || log "WARNING: could not unmount $m (site $site)"
    done < <(onsite "$site" findmnt -rn -t fuse.glusterfs -o TARGET 2>/dev/null | sort -r)
  done
}

# ---------------------------------------------------------------- state checks

# prints a reason and returns 0 when the machine holds leftovers that `up` cannot reuse
inconsistent() {
  local pid g1pid g2pid hpid p
  g1pid=$(pidf "$RUN/glusterd1.pid")
  g2pid=$(pidf "$RUN/glusterd2.pid")
  for pid in $(procs_by_comm glusterd); do
    if [[ $pid != "$g1pid" && $pid != "$g2pid" ]]; then echo "a glusterd (pid $pid) the lab did not start is running"; return 0; fi
  done
  if dead "$g1pid" glusterd; then
    for p in glusterfsd glusterfs; do
      for pid in $(procs_by_comm $p); do
        same_netns_as_me "$pid" && { echo "site-1 glusterd is down but $p pid $pid is still running"; return 0; }
      done
    done
  fi
  hpid=$(pidf "$RUN/holder.pid")
  if [[ -e /run/netns/$NETNS ]] && ! holder_pid >/dev/null; then
    if [[ -n $(ip netns pids "$NETNS" 2>/dev/null) ]] || [[ -n $hpid ]]; then
      echo "netns $NETNS exists but its holder process is gone"; return 0
    fi
  fi
  if alive "$hpid" sleep && [[ ! -e /run/netns/$NETNS ]]; then echo "holder pid $hpid runs but netns $NETNS is gone"; return 0; fi
  if [[ -n $(procs_cmdline_has "$HOLDER_NAME") ]] && ! holder_pid >/dev/null; then echo "a stray site-2 holder is running"; return 0; fi
  # volume state vs brick xattrs
  local v b id bid
  for v in mastervol:"${MASTER_BRICKS[0]}" mastervol:"${MASTER_BRICKS[1]}" slavevol:"$SLAVE_BRICK" \
    "@site2vol:$SITE2VOL_BRICK" "@site2full:$SITE2FULL_BRICK"; do
    local info=/var/lib/glusterd/vols
    if [[ $v == @* ]]; then v=${v#@}; info=$S2/lib/vols; fi
    b=${v#*:}
    v=${v%%:*}
    id=$(info_volid "$info/$v/info")
    bid=$(brick_volid "$b")
    if [[ -n $id && $id != "$bid" ]]; then echo "volume $v exists but brick $b has volume-id '${bid:-none}' (want $id)"; return 0; fi
    if [[ -z $id && -n $bid && -e $info/$v ]]; then echo "volume $v state is incomplete"; return 0; fi
  done
  return 1
}

# ---------------------------------------------------------------- up / down / purge

cmd_up() {
  need_root
  check_lab_dir
  cmd_install
  require_packages
  local why
  if why=$(inconsistent); then
    log "inconsistent state: $why; purging first"
    do_purge
  fi
  mkdir -p "$RUN" "$LOGD" "$BRICKS" "$MNT/site1" "$MNT/site2" "$S2/bricks"
  chmod 700 "$RUN"
  ensure_hostname
  ensure_ssh_material
  ensure_georep_user
  start_sshd "site1-$PORT_KEY" 1 "$SITE1_ADDR" "$PORT_KEY" hostkeys-site1 key
  start_sshd "site1-$PORT_ALT" 1 "$SITE1_ADDR" "$PORT_ALT" hostkeys-site1 key
  pw_enable
  save_glusterd_vol
  restore_glusterd_vol || true
  start_glusterd1
  start_eventsd1
  start_tuner
  ensure_volume 1 mastervol "$H1" "replica 2" "${MASTER_BRICKS[@]}"
  if [[ $(g1 volume get mastervol changelog.rollover-time | awk '$1 == "changelog.rollover-time" {print $2}') != 3 ]]; then
    g1 volume set mastervol changelog.rollover-time 3 >/dev/null || die "could not set changelog.rollover-time"
  fi
  ensure_volume 1 slavevol "$H1" "" "$SLAVE_BRICK"
  ensure_mount 1 "$H1" mastervol "$MASTER_MNT"
  # site 2
  ensure_netns
  ensure_holder
  ensure_site2_hosts
  start_glusterd2
  start_sshd "site2-$PORT_KEY" 2 "$SITE2_ADDR" "$PORT_KEY" hostkeys-site2 key
  start_sshd "site2pw-$PORT_KEY" 2 "$SITE2_PW_ADDR" "$PORT_KEY" hostkeys-site2 password
  start_sshd "site1wan-$PORT_KEY" 1 "$SITE1_WAN_ADDR" "$PORT_KEY" hostkeys-site1 key
  ensure_volume 2 site2vol "$SITE2_ADDR" "" "$SITE2VOL_BRICK"
  ensure_volume 2 site2full "$SITE2_ADDR" "" "$SITE2FULL_BRICK"
  if [[ ! -e $SITE2FULL_BRICK/$FULL_MARKER ]]; then
    local m=$MNT/site2/site2full
    ensure_mount 2 "$SITE2_ADDR" site2full "$m"
    s2 sh -c "echo 'this volume is not empty on purpose (gluster-lab)' >'$m/$FULL_MARKER'" || die "could not write into site2full"
    s2 umount "$m" || true
  fi
  # logins the tests rely on
  local t i checks=("root $SITE1_ADDR $PORT_KEY" "root $SITE1_ADDR $PORT_ALT" "root $SITE2_ADDR $PORT_KEY"
    "$GEOUSER $SITE2_ADDR $PORT_KEY" "$GEOUSER $SITE1_ADDR $PORT_KEY" "root $SITE1_WAN_ADDR $PORT_KEY") cpids=()
  for t in "${checks[@]}"; do
    # shellcheck disable=SC2086 # word splitting of the triple is intended
    wait_until 15 "ssh login $t" ssh_ok $t &
    cpids+=($!)
  done
  for i in "${!cpids[@]}"; do
    wait "${cpids[$i]}" || die "ssh login with the lab key failed: ${checks[$i]}"
  done
  wait_until 10 "root password login on $SITE2_PW_ADDR:$PORT_KEY (site 2)" pw_ssh_ok "$SITE2_PW_ADDR" "$PORT_KEY" ||
    die "root password login on $SITE2_PW_ADDR:$PORT_KEY does not work (see $LOGD/sshd-site2pw-$PORT_KEY.log)"
  local id2
  id2=$(timeout 20 ssh "${SSH_OPTS[@]}" "root@$SITE2_ADDR" 'gluster system:: uuid get' </dev/null 2>/dev/null | awk '{print $2}')
  [[ -n $id2 && $id2 == "$(g2 system:: uuid get | awk '{print $2}')" ]] ||
    die "ssh root@$SITE2_ADDR does not land in site 2 (uuid '$id2')"
  local id1
  id1=$(s2 timeout 20 ssh "${SSH_OPTS[@]}" "root@$H1" 'gluster system:: uuid get' </dev/null 2>/dev/null | awk '{print $2}')
  [[ -n $id1 && $id1 == "$(g1 system:: uuid get | awk '{print $2}')" ]] ||
    die "from site 2, ssh root@$H1 does not land in site 1 (uuid '$id1'); see $S2/hosts"
  echo "lab up in $(elapsed) s"
}

# stop every running geo-rep session of a site (keeps them; `down` must be able to stop volumes)
stop_sessions() {
  local site=$1 m url st
  while IFS=$'\t' read -r m url; do
    [[ -n $m ]] || continue
    st=$(session_rows_site "$site" "$m" "$url" | cut -f2 | sort -u | tr '\n' ' ')
    case " $st " in
      *" Active "* | *" Passive "* | *" Initializing... "* | *" Faulty "* | *" Paused "*)
        log "stopping geo-rep session $m -> $url (site $site)"
        gsite "$site" volume geo-replication "$m" "$url" stop force >/dev/null || log "WARNING: stop of $m -> $url failed" ;;
    esac
  done < <(list_sessions "$site")
}

stop_volumes() {
  local site=$1 name status rest
  while IFS=$'\t' read -r name status rest; do
    [[ $status == Started ]] || continue
    log "stopping volume $name (site $site)"
    gsite "$site" volume stop "$name" >/dev/null || gsite "$site" volume stop "$name" force >/dev/null ||
      log "WARNING: could not stop volume $name (site $site)"
  done < <(gsite "$site" --xml volume info 2>/dev/null | pyparse vols 2>/dev/null || true)
}

# kill brick / self-heal processes left by a glusterd, by the pid files glusterd wrote
kill_from_gluster_pidfiles() {
  local dir=$1 f pid comm
  [[ -d $dir ]] || return 0
  while read -r f; do
    pid=$(pidf "$f")
    for comm in glusterfsd glusterfs; do
      if alive "$pid" "$comm"; then log "killing leftover $comm pid $pid ($f)"; kill_wait "$pid" "$comm"; fi
    done
  done < <(find "$dir" -name '*.pid' 2>/dev/null)
}

cmd_down() {
  need_root
  check_lab_dir
  do_down
  echo "lab down in $(elapsed) s"
}

do_down() {
  # site 1 first: its sessions reach into site 2
  if alive "$(pidf "$RUN/glusterd1.pid")" glusterd && g1_ready; then
    stop_sessions 1
  fi
  unmount_under 1 "$MNT"
  if holder_pid >/dev/null; then
    unmount_under 2 "$MNT"
    if alive "$(pidf "$RUN/glusterd2.pid")" glusterd && g2_ready; then
      stop_sessions 2
      stop_volumes 2
    fi
  fi
  if alive "$(pidf "$RUN/glusterd1.pid")" glusterd && g1_ready; then
    stop_volumes 1
  fi
  stop_eventsd
  stop_pidfile "$RUN/glusterd1.pid" glusterd
  stop_pidfile "$RUN/glusterd2.pid" glusterd
  kill_from_gluster_pidfiles /run/gluster
  kill_from_gluster_pidfiles "$S2/run"
  stop_pidfile "$RUN/sshd-site2-$PORT_KEY.pid" sshd
  stop_pidfile "$RUN/sshd-site2pw-$PORT_KEY.pid" sshd
  stop_pidfile "$RUN/sshd-site1-$PORT_KEY.pid" sshd
  stop_pidfile "$RUN/sshd-site1-$PORT_ALT.pid" sshd
  stop_pidfile "$RUN/sshd-site1wan-$PORT_KEY.pid" sshd
  pw_disable
  # anything still inside the lab's netns is the lab's (fuse clients, gsyncd of slave side, ...)
  local pid
  if [[ -e /run/netns/$NETNS ]]; then
    for pid in $(ip netns pids "$NETNS" 2>/dev/null); do
      [[ $pid == "$(pidf "$RUN/holder.pid")" ]] && continue
      alive "$pid" && { log "killing leftover site-2 process $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"; kill_wait "$pid"; }
    done
  fi
  stop_pidfile "$RUN/holder.pid" sleep
  local tp
  if tp=$(tuner_pid); then
    log "stopping brick tuner pid $tp"
    kill_wait "$tp"
  fi
  rm -f "$RUN/tuner.pid"
  if [[ -e /run/netns/$NETNS ]]; then ip netns del "$NETNS" || log "WARNING: ip netns del $NETNS failed"; fi
  ip link del "$VETH1" 2>/dev/null || true
  # FUSE clients of lab mounts and gsyncd aux mounts that outlived their mount (e.g. pinned by the
  # private mount namespace of a crashed worker): selected by their mount point argument
  for pid in $(procs_by_comm glusterfs); do
    local last
    last=$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | tail -1)
    if [[ $last == "$MNT"/* || $last == /tmp/gsyncd-aux-mount-* ]]; then
      log "killing leftover FUSE client $pid ($last)"
      kill_wait "$pid" glusterfs
    fi
  done
  local left
  left=$(for c in glusterd glusterfsd glusterfs; do procs_by_comm "$c"; done | tr '\n' ' ')
  [[ -z ${left// /} ]] || log "WARNING: gluster processes still running after down: $left (use purge)"
}

# cmd_sshd stop|start [alt|wan]: site 1's second key sshd (127.0.0.1:2222, the default) or the one site 2
# reaches it by ($SITE1_WAN_ADDR:22)
cmd_sshd() {
  need_root
  check_lab_dir
  local name addr port
  case ${2:-alt} in
    alt) name=site1-$PORT_ALT addr=$SITE1_ADDR port=$PORT_ALT ;;
    wan) name=site1wan-$PORT_KEY addr=$SITE1_WAN_ADDR port=$PORT_KEY ;;
    *) die "usage: $0 sshd-$1 [alt|wan]" ;;
  esac
  if [[ $1 == stop ]]; then
    # like a machine going away: the open connections drop too, not only the listener
    local pid child
    pid=$(pidf "$RUN/sshd-$name.pid")
    if alive "$pid" sshd; then
      for child in $(pgrep -P "$pid" || true); do kill_wait "$child" || true; done
    fi
    stop_pidfile "$RUN/sshd-$name.pid" sshd
    wait_until 10 "$addr:$port to close" not_listening 1 "$addr" "$port" || die "$addr:$port still listens"
  else
    start_sshd "$name" 1 "$addr" "$port" hostkeys-site1 key
  fi
}

# remove authorized_keys lines added by geo-rep (push-pem / add_secret_pub) and, with "all", the lab's own
clean_authorized_keys() {
  local f pat='^(command="[^"]*gsyncd"|command="tar )'
  for f in /root/.ssh/authorized_keys "$(getent passwd "$GEOUSER" | cut -d: -f6)/.ssh/authorized_keys"; do
    [[ -f $f ]] || continue
    if [[ ${1:-} == all ]]; then
      grep -vE "$pat| ($KEY_TAG|$ROOTID_TAG|georep-api)\$" "$f" >"$f.glab.tmp" || true
    else
      grep -vE "$pat" "$f" >"$f.glab.tmp" || true
    fi
    if ! cmp -s "$f" "$f.glab.tmp"; then
      cat "$f.glab.tmp" >"$f" # keep owner and mode
    fi
    rm -f "$f.glab.tmp"
  done
}

cmd_purge() {
  need_root
  check_lab_dir
  do_purge
  echo "lab purged in $(elapsed) s"
}

do_purge() {
  log "purge: stopping everything"
  if alive "$(pidf "$RUN/glusterd1.pid")" glusterd && g1_ready; then stop_sessions 1; fi
  do_down 2>&1 | sed 's/^/  /' >&2 || true
  pw_disable
  # stray processes of earlier (crashed) runs, in any namespace
  local pid c
  for pid in $(procs_cmdline_has "$SSHD_DIR/sshd-"); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sshd ]] && { log "killing stray lab sshd $pid"; kill_wait "$pid" sshd; }
  done
  for pid in $(pyparse gsyncd | cut -f1); do log "killing stray gsyncd $pid"; kill_wait "$pid"; done
  # unmount before killing the FUSE clients: lab mounts and gsyncd aux mounts
  unmount_under 1 "$D" /tmp
  for c in glusterfs glusterfsd glusterd; do
    for pid in $(procs_by_comm "$c"); do log "killing stray $c $pid"; kill_wait "$pid" "$c"; done
  done
  for pid in $(procs_cmdline_has "gluster-lab.sh _tuner "); do log "killing stray brick tuner $pid"; kill_wait "$pid"; done
  for pid in $(procs_cmdline_has "$HOLDER_NAME"); do
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == sleep ]] && { log "killing stray holder $pid"; kill_wait "$pid" sleep; }
  done
  if [[ -e /run/netns/$NETNS ]]; then
    for pid in $(ip netns pids "$NETNS" 2>/dev/null); do kill_wait "$pid"; done
    ip netns del "$NETNS" || true
  fi
  ip link del "$VETH1" 2>/dev/null || true
  # lazily detached mounts of killed FUSE clients disappear with them; anything left is fatal for rm
  unmount_under 1 "$D" /tmp
  if findmnt -rn -o TARGET | grep -qE "^($D(/|\$)|/tmp/gsyncd-)"; then
    die "mounts remain under $D or /tmp/gsyncd-*; refusing to delete: $(findmnt -rn -o TARGET | grep -E "^($D(/|\$)|/tmp/gsyncd-)" | tr '\n' ' ')"
  fi
  log "purge: deleting state"
  restore_glusterd_vol || true
  rm -f "$GLUSTERD_VOL_PRISTINE"
  # the mount-broker root a non-root session set up (its per-user dirs are empty once site 2 is gone)
  if [[ -d $MB_ROOT ]]; then
    find "$MB_ROOT" -mindepth 1 -depth -type d -empty -delete 2>/dev/null || true
    rmdir "$MB_ROOT" 2>/dev/null || log "WARNING: $MB_ROOT is not empty; left in place"
  fi
  if [[ -d /var/lib/glusterd ]]; then
    find /var/lib/glusterd -mindepth 1 -maxdepth 1 ! -name groups ! -name hooks -exec rm -rf --one-file-system {} +
  fi
  rm -rf --one-file-system /var/lib/misc/gluster/gsyncd
  [[ -d /var/log/glusterfs ]] && find /var/log/glusterfs -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} +
  find /tmp -maxdepth 1 -name 'gsyncd-*' -exec rm -rf --one-file-system {} + 2>/dev/null || true
  find /tmp -maxdepth 1 -name 'gverify.sh.*' -exec rm -rf --one-file-system {} + 2>/dev/null || true
  rm -rf --one-file-system "$D"
  clean_authorized_keys all
  # root identity the lab created, known_hosts entries of the lab's addresses
  if [[ -f /root/.ssh/id_ed25519.pub ]] && grep -q " $ROOTID_TAG\$" /root/.ssh/id_ed25519.pub; then
    rm -f /root/.ssh/id_ed25519 /root/.ssh/id_ed25519.pub
  fi
  if [[ -f /root/.ssh/known_hosts ]]; then
    local h
    for h in "$SITE2_ADDR" "$SITE2_PW_ADDR" "[$SITE1_ADDR]:$PORT_ALT" "[$SITE1_ADDR]:$PORT_PW" "[$SITE2_ADDR]:$PORT_KEY"; do
      ssh-keygen -q -R "$h" -f /root/.ssh/known_hosts >/dev/null 2>&1 || true
    done
    rm -f /root/.ssh/known_hosts.old
  fi
  if getent passwd "$GEOUSER" | cut -d: -f5 | grep -qxF "$GEOUSER_GECOS"; then
    for pid in $(pgrep -u "$GEOUSER" 2>/dev/null || true); do kill_wait "$pid"; done
    userdel -r "$GEOUSER" 2>/dev/null || userdel "$GEOUSER" || log "WARNING: userdel $GEOUSER failed"
  fi
  if getent group "$GEOGROUP" >/dev/null && [[ -z $(getent group "$GEOGROUP" | cut -d: -f4) ]]; then
    groupdel "$GEOGROUP" 2>/dev/null || true
  fi
  if grep -qF "$HOSTS_TAG" /etc/hosts; then
    grep -vF "$HOSTS_TAG" /etc/hosts >/etc/hosts.glab.tmp || true
    cat /etc/hosts.glab.tmp >/etc/hosts
    rm -f /etc/hosts.glab.tmp
  fi
}

# ---------------------------------------------------------------- status / env

cmd_status() {
  local n f pid comm
  echo "== lab processes ($RUN)"
  for n in glusterd1:glusterd glusterd2:glusterd holder:sleep "sshd-site1-$PORT_KEY:sshd" "sshd-site1-$PORT_ALT:sshd" "sshd-site1wan-$PORT_KEY:sshd" \
    "sshd-site1-$PORT_PW:sshd" "sshd-site2-$PORT_KEY:sshd" "sshd-site2pw-$PORT_KEY:sshd"; do
    f=$RUN/${n%%:*}.pid
    comm=${n#*:}
    pid=$(pidf "$f")
    if alive "$pid" "$comm"; then echo "  ${n%%:*}: running (pid $pid)"; else echo "  ${n%%:*}: not running"; fi
  done
  if pid=$(tuner_pid); then
    echo "  brick tuner: running (pid $pid)$([[ -e $TUNER_PAUSE ]] && echo ', PAUSED')"
  else
    echo "  brick tuner: not running"
  fi
  local p tid
  for p in $(procs_by_comm glusterfsd); do
    tid=$(brick_connector "$p") || continue
    echo "    brick pid $p: CPUs $(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$p/status"), connector $tid policy/prio $(tid_sched "$tid") (policy 1 = SCHED_FIFO)"
  done
  echo "== gluster processes (all namespaces)"
  ps -eo pid,stat,comm,args --no-headers | awk '$3 ~ /^gluster/ || $0 ~ /gsyncd\.py/' | cut -c1-200 | sed 's/^/  /' || true
  echo "== netns"
  ip netns list | sed 's/^/  /'
  echo "== FUSE mounts site 1"
  findmnt -rn -t fuse.glusterfs -o TARGET,SOURCE | sed 's/^/  /' || true
  if holder_pid >/dev/null; then
    echo "== FUSE mounts site 2"
    s2 findmnt -rn -t fuse.glusterfs -o TARGET,SOURCE | sed 's/^/  /' || true
  fi
  local s
  for s in 1 2; do
    if site_up "$s"; then
      echo "== site $s volumes"
      gsite "$s" --xml volume info 2>/dev/null | pyparse vols | sed 's/^/  /' || true
      echo "== site $s geo-replication"
      gsite "$s" volume geo-replication status 2>&1 | sed 's/^/  /' || true
    else
      echo "== site $s: glusterd not running"
    fi
  done
}

cmd_env() {
  cat <<EOF
GLAB_DIR=$D
GLAB_RUN_DIR=$RUN
GLAB_SITE1_HOST=$H1
GLAB_SITE1_ADDR=$SITE1_ADDR
GLAB_SITE1_WAN_ADDR=$SITE1_WAN_ADDR
GLAB_SITE2_HOST=$SITE2_ADDR
GLAB_SITE2_ADDR=$SITE2_ADDR
GLAB_SITE2_PASSWORD_ADDR=$SITE2_PW_ADDR
GLAB_SITE2_NETNS=$NETNS
GLAB_SSH_PORT=$PORT_KEY
GLAB_SSH_ALT_PORT=$PORT_ALT
GLAB_SSH_PASSWORD_PORT=$PORT_PW
GLAB_SSH_USER=root
GLAB_SSH_KEY=$KEY
GLAB_SSH_PUBKEY=$KEY.pub
GLAB_SSH_HOSTKEY_SITE1=$SSHD_DIR/hostkeys-site1/ssh_host_ed25519_key.pub
GLAB_SSH_HOSTKEY_SITE2=$SSHD_DIR/hostkeys-site2/ssh_host_ed25519_key.pub
GLAB_ROOT_PASSWORD_FILE=$PWFILE
GLAB_NONROOT_USER=$GEOUSER
GLAB_NONROOT_GROUP=$GEOGROUP
GLAB_MASTER_VOL=mastervol
GLAB_MASTER_BRICKS="$H1:${MASTER_BRICKS[0]} $H1:${MASTER_BRICKS[1]}"
GLAB_SITE1_SLAVE_VOL=slavevol
GLAB_SITE1_SLAVE_BRICK=$H1:$SLAVE_BRICK
GLAB_SITE2_VOL=site2vol
GLAB_SITE2_VOL_BRICK=$SITE2_ADDR:$SITE2VOL_BRICK
GLAB_SITE2_FULL_VOL=site2full
GLAB_SITE2_FULL_BRICK=$SITE2_ADDR:$SITE2FULL_BRICK
GLAB_MNT_DIR=$MNT
GLAB_MASTER_MNT=$MASTER_MNT
GLAB_LAB_SCRIPT=$(readlink -f "$0")
EOF
}

cmd_site2() {
  need_root
  (($#)) || die "usage: $0 site2 <command> [args...]"
  local h
  h=$(holder_pid) || die "site 2 is not running (no holder); run: $0 up"
  exec nsenter -t "$h" -n -m -- "$@"
}

# ---------------------------------------------------------------- geo-rep sessions

valid_name() { [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$ ]] || die "invalid name: '$1'"; }

# parse_slave "[user@]host": sets SUSER SHOST SSITE SHOME
parse_slave() {
  local s=$1
  if [[ $s == *@* ]]; then SUSER=${s%%@*}; SHOST=${s#*@}; else SUSER=root; SHOST=$s; fi
  [[ $SUSER =~ ^[a-z_][a-z0-9_-]*$ ]] || die "invalid slave user '$SUSER'"
  case $SHOST in
    "$SITE2_ADDR" | "$SITE2_PW_ADDR") SSITE=2 ;;
    "$SITE1_ADDR" | localhost | "$H1" | "$SITE1_WAN_ADDR") SSITE=1 ;;
    *) die "unknown slave host '$SHOST' (lab hosts: $H1, $SITE1_ADDR, $SITE1_WAN_ADDR, $SITE2_ADDR, $SITE2_PW_ADDR)" ;;
  esac
  SHOME=$(getent passwd "$SUSER" | cut -d: -f6) || die "no user $SUSER"
}

list_sessions() { gsite "$1" --xml volume geo-replication status 2>/dev/null | pyparse sessions 2>/dev/null || true; }
session_rows_site() { gsite "$1" --xml volume geo-replication "$2" "$3" status detail 2>/dev/null | pyparse rows 2>/dev/null || true; }
session_rows() { session_rows_site 1 "$M" "$URL"; }
session_exists() { list_sessions 1 | grep -qxF "$M"$'\t'"$URL"; }

# session_args MASTERVOL SLAVE SLAVEVOL: sets M URL SVOL and the slave variables
session_args() {
  (($# >= 3)) || die "usage: $0 <session-command> <mastervol> <[user@]slavehost> <slavevol>"
  valid_name "$1"
  valid_name "$3"
  M=$1
  SVOL=$3
  parse_slave "$2"
  URL="$2::$3"
  site_up 1 || die "site-1 glusterd is not running; run: $0 up"
  [[ $SSITE == 1 ]] || site_up 2 || die "site 2 is not running; run: $0 up"
}

monitor_running() {
  pyparse gsyncd | awk -F'\t' -v m="$M" '$2 == "monitor" && $3 == m' | cut -f4 | norm_secondary | grep -qxF "$SHOST::$SVOL"
}
# normalise gsyncd's secondary argument to host::vol
norm_secondary() { sed -e 's#^ssh://##' -e 's#^[^@:]*@##'; }

worker_pid_for() { # brick
  pyparse gsyncd | awk -F'\t' -v m="$M" -v b="$1" '$2 == "worker" && $3 == m && $5 == b {print $1 "\t" $4}' |
    while IFS=$'\t' read -r pid sec; do
      [[ $(norm_secondary <<<"$sec") == "$SHOST::$SVOL" ]] && echo "$pid"
    done
  return 0
}

keys_installed() {
  local line f=$SHOME/.ssh/authorized_keys
  [[ -s /var/lib/glusterd/geo-replication/common_secret.pem.pub ]] || return 1
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    grep -qxF -- "$line" "$f" 2>/dev/null || return 1
  done </var/lib/glusterd/geo-replication/common_secret.pem.pub
}

cmd_session_create() {
  need_root
  session_args "$@"
  local mode=${4:-push-pem} force=${5:-}
  [[ $mode == push-pem || $mode == no-verify ]] || die "mode must be push-pem or no-verify"
  [[ -z $force || $force == force ]] || die "5th argument may only be 'force'"
  local fargs=()
  [[ -n $force ]] && fargs=(force)
  log "gsec_create"
  g1 system:: execute gsec_create >/dev/null || die "gsec_create failed"
  if session_exists; then
    log "session $M -> $URL exists already; not creating it again"
  elif [[ $mode == push-pem ]]; then
    log "create push-pem $M -> $URL"
    g1 volume geo-replication "$M" "$URL" create push-pem "${fargs[@]}" || die "create push-pem failed"
    if [[ $SUSER != root ]]; then
      # non-root: the hook copies the keys to the user's home; root on the slave installs them
      wait_until "$KEYS_TIMEOUT" "push-pem hook to copy ${M}_${SVOL}_common_secret.pem.pub to $SHOME" \
        test -s "$SHOME/${M}_${SVOL}_common_secret.pem.pub" || die "push-pem hook did not copy the keys to $SHOME"
      onsite "$SSITE" /usr/lib/x86_64-linux-gnu/glusterfs/set_geo_rep_pem_keys.sh "$SUSER" "$M" "$SVOL" >/dev/null ||
        die "set_geo_rep_pem_keys.sh failed on site $SSITE"
    fi
  else
    log "installing common_secret.pem.pub into $SHOME/.ssh/authorized_keys, then create no-verify"
    local line f=$SHOME/.ssh/authorized_keys
    while IFS= read -r line; do
      [[ -n $line ]] && ensure_line "$f" "$line"
    done </var/lib/glusterd/geo-replication/common_secret.pem.pub
    g1 volume geo-replication "$M" "$URL" create no-verify "${fargs[@]}" || die "create no-verify failed"
  fi
  # pitfall 3: create push-pem returns before the hook has installed the keys on the secondary
  wait_until "$KEYS_TIMEOUT" "geo-rep keys (common_secret.pem.pub) in $SHOME/.ssh/authorized_keys" keys_installed ||
    die "the keys of /var/lib/glusterd/geo-replication/common_secret.pem.pub did not reach $SHOME/.ssh/authorized_keys within ${KEYS_TIMEOUT}s (push-pem hook: see /var/log/glusterfs/glusterd.log)"
  log "geo-rep keys are in $SHOME/.ssh/authorized_keys"
  # pitfall 1: rsync 3.5.0 + lazily unmounted aux mount copies nothing
  g1 volume geo-replication "$M" "$URL" config secondary-access-mount true >/dev/null ||
    die "config secondary-access-mount true failed"
  echo "session $M -> $URL created in $(elapsed) s"
}

# wait until every row is Active or Passive; start force when the monitor never came up (pitfall 3)
wait_rows_ready() {
  local end rows st forced=0 since
  end=$(($(now_us) + READY_TIMEOUT * 1000000))
  since=$(now_us)
  while :; do
    rows=$(session_rows)
    st=$(cut -f2 <<<"$rows" | sort -u | tr '\n' ' ')
    # ready = every row Active or Passive, at least one Active, every Active row in Changelog Crawl
    if [[ -n $rows ]] && ! cut -f2 <<<"$rows" | grep -qvE '^(Active|Passive)$' &&
      grep -q $'\tActive\t' <<<"$rows" && ! awk -F'\t' '$2 == "Active" && $3 != "Changelog Crawl"' <<<"$rows" | grep -q .; then
      return 0
    fi
    case " $st " in
      *" Paused "*) die "session $M -> $URL is paused; resume it first" ;;
    esac
    if ((forced == 0 && $(now_us) - since > 20000000)) && ! monitor_running; then
      case " $st " in
        *" Created "* | *" Stopped "*)
          log "session shows '$st' and no gsyncd monitor runs after 20 s; start force"
          g1 volume geo-replication "$M" "$URL" start force >/dev/null || log "WARNING: start force failed"
          forced=1 ;;
      esac
    fi
    if (($(now_us) >= end)); then
      log "rows: $(tr '\n' ';' <<<"$rows")"
      return 1
    fi
    # each status call makes glusterd run gsyncd (python) per brick: poll gently, the CPU load of
    # tight polling seemed to make the changelog registration race (pitfall 2) more likely
    sleep 3
  done
}

slave_mount_dir() { echo "$MNT/site$SSITE/$SVOL"; }

# verify_once: one probe round. rc 0 ok, 3 replicated but some Active worker stalled, 1 not replicated.
# Sets STALLED to the bricks whose worker did not move.
verify_once() {
  STALLED=()
  wait_rows_ready || { log "session $M -> $URL is not Active within ${READY_TIMEOUT}s"; return 1; }
  ensure_mount 1 "$H1" "$M" "$MNT/site1/$M"
  local smnt
  smnt=$(slave_mount_dir)
  ensure_mount "$SSITE" "$SHOST" "$SVOL" "$smnt"
  local -A l0=()
  local rows brick st ls
  rows=$(session_rows)
  while IFS=$'\t' read -r brick _ _ ls _; do l0[$brick]=$ls; done <<<"$rows"
  local name content t end arrived=0 moved
  name=.glab-probe-$(date +%s)-$RANDOM$RANDOM
  content="gluster-lab probe $name $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  t=$(date +%s)
  printf '%s\n' "$content" >"$MNT/site1/$M/$name" || { log "cannot write the probe into $MNT/site1/$M"; return 1; }
  end=$(($(now_us) + VERIFY_TIMEOUT * 1000000))
  while :; do
    if ((arrived == 0)) && [[ $(onsite "$SSITE" timeout 10 cat "$smnt/$name" 2>/dev/null) == "$content" ]]; then
      arrived=1
      log "probe $name arrived on $URL with the same content"
    fi
    rows=$(session_rows)
    STALLED=()
    while IFS=$'\t' read -r brick st _ ls _; do
      [[ $st == Active ]] || continue
      # gsyncd sets stime (last_synced) to the changelog's timestamp - 1, so a changelog rolled over
      # after the write gives last_synced >= t - 1; it must also have moved since before the write.
      if ((ls <= ${l0[$brick]:-0} || ls < t - 1)); then STALLED+=("$brick"); fi
    done <<<"$rows"
    moved=$((${#STALLED[@]} == 0))
    if ((arrived && moved)); then break; fi
    (($(now_us) < end)) || break
    sleep 2
  done
  rm -f "$MNT/site1/$M/$name"
  if ((arrived && moved)); then
    log "verify ok: every Active worker's last_synced moved past the write"
    return 0
  fi
  log "rows: $(tr '\n' ';' <<<"$rows")"
  if ((arrived)); then
    log "probe replicated, but last_synced did not move for: ${STALLED[*]}"
    return 3
  fi
  log "probe $name did not arrive on $URL within ${VERIFY_TIMEOUT}s; not moving: ${STALLED[*]:-none}"
  return 1
}

# kill_workers BRICK...: kill the gsyncd worker of each brick, then wait until the monitor has
# respawned all of them (it waits about 10 s after a worker dies).
# SIGTERM lets the worker unmount its aux mount; a SIGKILLed worker leaks its aux-mount glusterfs
# process, which keeps the worker's private mount namespace (and copies of other mounts) alive,
# so whatever still lives in the dead worker's mount namespace is killed too.
kill_workers() {
  local b pid ns p
  local -A old=() oldns=()
  for b in "$@"; do
    pid=$(worker_pid_for "$b" | head -1)
    if [[ -z $pid ]]; then log "no gsyncd worker found for brick $b"; continue; fi
    tune_now
    log "killing stalled gsyncd worker pid $pid (brick $b); the monitor respawns it"
    oldns[$b]=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    old[$b]=$pid
  done
  for b in "${!old[@]}"; do
    if ! wait_until 15 "worker ${old[$b]} to exit" dead "${old[$b]}"; then kill -KILL "${old[$b]}" 2>/dev/null || true; fi
    ns=${oldns[$b]}
    if [[ -n $ns && $ns != "$(readlink /proc/self/ns/mnt)" ]]; then
      for p in /proc/[0-9]*; do
        [[ $(readlink "$p/ns/mnt" 2>/dev/null) == "$ns" ]] || continue
        alive "${p#/proc/}" || continue
        log "killing leftover pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)) of the dead worker's mount namespace"
        kill_wait "${p#/proc/}"
      done
    fi
  done
  local end
  end=$(($(now_us) + 60000000))
  for b in "${!old[@]}"; do
    until worker_respawned "$b" "${old[$b]}"; do
      (($(now_us) < end)) || { log "no new gsyncd worker for brick $b after 60 s"; return 1; }
      sleep 1
    done
  done
}
worker_respawned() { local p; p=$(worker_pid_for "$1" | head -1); [[ -n $p && $p != "$2" ]]; }

# heal: verify; on a stalled worker kill it and verify again; bounded rounds
do_heal() {
  local round rc
  for ((round = 1; round <= HEAL_ROUNDS; round++)); do
    rc=0
    verify_once || rc=$?
    ((rc == 0)) && return 0
    if ((${#STALLED[@]} == 0)); then
      log "round $round: replication failed without a stalled Active worker; nothing to heal"
      return 1
    fi
    log "round $round/$HEAL_ROUNDS: healing ${STALLED[*]}"
    kill_workers "${STALLED[@]}" || true
  done
  log "could not heal session $M -> $URL in $HEAL_ROUNDS rounds"
  return 1
}

cmd_session_start() {
  need_root
  session_args "$@"
  session_exists || die "no session $M -> $URL; run: $0 session-create $M ${URL%::*} $SVOL"
  local st
  st=$(session_rows | cut -f2 | sort -u | tr '\n' ' ')
  case " $st " in
    *" Paused "*) log "session is paused; resume"; g1 volume geo-replication "$M" "$URL" resume >/dev/null || die "resume failed" ;;
    *" Created "* | *" Stopped "*) tune_now; log "start $M -> $URL"; g1 volume geo-replication "$M" "$URL" start >/dev/null || die "start failed" ;;
    *) log "session already running ($st)" ;;
  esac
  do_heal || die "session $M -> $URL does not replicate (see /var/log/glusterfs/geo-replication/)"
  echo "session $M -> $URL started and verified in $(elapsed) s"
}

cmd_verify() {
  need_root
  session_args "$@"
  session_exists || die "no session $M -> $URL"
  local rc=0
  verify_once || rc=$?
  case $rc in
    0) echo "verify ok: $M -> $URL replicates, every Active worker moves" ;;
    3) echo "verify: replicated, but stalled worker(s): ${STALLED[*]}" ;;
    *) echo "verify FAILED: $M -> $URL does not replicate" ;;
  esac
  exit "$rc"
}

cmd_heal() {
  need_root
  session_args "$@"
  session_exists || die "no session $M -> $URL"
  do_heal || die "could not heal $M -> $URL"
  echo "heal ok: $M -> $URL replicates in $(elapsed) s"
}

# wipe SITE VOL: empty a lab volume through a FUSE mount (keeps site2full's marker), reset read-only
wipe_volume() {
  local site=$1 vol=$2 host dir line
  if [[ $site == 2 ]]; then host=$SITE2_ADDR; else host=$H1; fi
  line=$(vol_line "$site" "$vol")
  [[ $(cut -f2 <<<"$line") == Started ]] || { log "volume $vol (site $site) is not started; not wiping"; return 0; }
  gsite "$site" volume reset "$vol" features.read-only >/dev/null 2>&1 || true
  # what a failover turns on on a slave volume (georep-api's failover action), and what gluster sets
  # on it while a failback's reverse session makes it a master
  local opt info
  info=$(gsite "$site" volume info "$vol" 2>/dev/null || true)
  for opt in geo-replication.indexing geo-replication.ignore-pid-check changelog.changelog; do
    # gluster protects the geo-replication.* options of a former geo-rep master: reset needs force
    grep -q "^$opt: on" <<<"$info" && { gsite "$site" volume reset "$vol" "$opt" force >/dev/null 2>&1 || true; }
  done
  dir=$MNT/site$site/$vol
  ensure_mount "$site" "$host" "$vol" "$dir"
  onsite "$site" find "$dir" -mindepth 1 -maxdepth 1 ! -name .trashcan ! -name "$FULL_MARKER" -exec rm -rf {} + ||
    die "could not empty $vol (site $site)"
}

cmd_session_purge() {
  need_root
  check_lab_dir
  local site m url rc=0
  for site in 1 2; do
    site_up "$site" || continue
    while IFS=$'\t' read -r m url; do
      [[ -n $m ]] || continue
      log "deleting geo-rep session $m -> $url (site $site)"
      gsite "$site" volume geo-replication "$m" "$url" stop force >/dev/null 2>&1 || true
      gsite "$site" volume geo-replication "$m" "$url" delete >/dev/null || { log "ERROR: delete $m -> $url failed"; rc=1; }
    done < <(list_sessions "$site")
  done
  clean_authorized_keys
  # mount-broker options of a non-root session (shared /etc); the running glusterds keep them until restarted
  restore_glusterd_vol || true
  local home
  home=$(getent passwd "$GEOUSER" | cut -d: -f6 || true)
  [[ -n $home ]] && rm -f "$home"/*_common_secret.pem.pub
  # bring the lab's secondary volumes back to the state `up` leaves them in
  site_up 1 && wipe_volume 1 slavevol
  site_up 2 && { wipe_volume 2 site2vol; wipe_volume 2 site2full; }
  ((rc == 0)) || die "some sessions could not be deleted"
  echo "sessions purged in $(elapsed) s"
}

cmd_wipe() {
  need_root
  if (($# != 2)) || [[ $1 != 1 && $1 != 2 ]]; then die "usage: $0 wipe <1|2> <volume>"; fi
  valid_name "$2"
  site_up "$1" || die "site $1 is not running"
  wipe_volume "$1" "$2"
  echo "volume $2 (site $1) emptied"
}

usage() {
  cat <<EOF
usage: $0 <command> [args]
  install                       apt-get install the packages that are missing
  up                            bring the two-site lab up from any state (purges leftovers first if needed)
  down                          stop sessions, unmount, stop volumes, kill lab daemons by pid, delete the netns
  purge                         down + full reset of gluster state, bricks, keys, users and lab dir
  status                        processes, mounts, volumes and geo-rep status of both sites
  env                           shell-sourceable variables for the tests
  site2 <cmd...>                run a command inside site 2 (netns $NETNS + its mount namespace)
  session-create M [user@]H S [push-pem|no-verify] [force]
  session-start  M [user@]H S   start (or resume) and verify replication, healing stalled workers
  verify         M [user@]H S   one probe round: rc 0 ok, 3 replicated but a worker is stalled, 1 failed
  heal           M [user@]H S   verify + kill stalled workers, up to GLAB_HEAL_ROUNDS rounds
  session-purge                 stop force + delete every geo-rep session, clean geo-rep keys, empty lab slave volumes
  wipe <1|2> <vol>              empty a volume through a FUSE mount; reset features.read-only (and the failover options)
  sshd-stop | sshd-start [alt|wan]  stop / start site 1's second key sshd ($SITE1_ADDR:$PORT_ALT, the default) or
                                 the one site 2 reaches it by ($SITE1_WAN_ADDR:$PORT_KEY), for failover tests
  glusterd-restart [1|2]        restart a site's glusterd as `up` starts it (default: the site it runs in)
  tune-bricks                   apply the pitfall-2 mitigation to the brick processes now (up starts a tuner that does it every second)
EOF
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  case $cmd in
    install) cmd_install ;;
    up) cmd_up ;;
    down) cmd_down ;;
    purge) cmd_purge ;;
    status) cmd_status ;;
    env) cmd_env ;;
    site2 | nsexec) cmd_site2 "$@" ;;
    _tuner) cmd_tuner_loop ;;
    tune-bricks) need_root; tune_bricks ;;
    glusterd-restart) cmd_glusterd_restart "$@" ;;
    session-create) cmd_session_create "$@" ;;
    session-start) cmd_session_start "$@" ;;
    verify) cmd_verify "$@" ;;
    heal) cmd_heal "$@" ;;
    session-purge) cmd_session_purge "$@" ;;
    wipe) cmd_wipe "$@" ;;
    sshd-stop) cmd_sshd stop "$@" ;;
    sshd-start) cmd_sshd start "$@" ;;
    -h | --help | help | '') usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
