#!/usr/bin/env bash
# What one remote command costs over SSH on this machine, with and without bash sourcing root's
# ~/.bashrc (Debian's bash does that for every command sshd starts; on these machines ~/.bashrc runs
# `pyenv init`). A throw-away sshd on loopback with its own host key and authorized_keys file (no
# file of the machine is changed); `true` as the remote command. Run as root. Prints ms per command.
set -euo pipefail
runs=${RUNS:-10}
dir=$(mktemp -d /tmp/ssh-bench.XXXXXX)
trap '[ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null; rm -rf "$dir"' EXIT
ssh-keygen -q -t ed25519 -N '' -f "$dir/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$dir/key"
cp "$dir/key.pub" "$dir/authorized_keys"
mkdir -p /run/sshd
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
opts=(-i "$dir/key" -p "$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes)
mux=(-o ControlMaster=auto -o "ControlPath=$dir/mux" -o ControlPersist=60)
ms_per() { # COUNT CMD...: mean wall time in ms
  local n=$1 s e; shift; s=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null; done
  e=$(date +%s%N); echo $(((e - s) / n / 1000000))
}
echo "uptime: $(uptime)"
echo "local 'sh -c true': $(ms_per "$runs" sh -c true) ms"
for mode in bashrc shlvl; do
  {
    printf 'Port %s\nListenAddress 127.0.0.1\nHostKey %s/hostkey\nPidFile %s/pid\nAuthorizedKeysFile %s/authorized_keys\n' "$port" "$dir" "$dir" "$dir"
    printf 'StrictModes no\nUsePAM yes\nPermitRootLogin prohibit-password\nPasswordAuthentication no\nMaxSessions 50\n'
    [ "$mode" = shlvl ] && echo 'SetEnv SHLVL=1'
  } >"$dir/sshd_config"
  /usr/sbin/sshd -f "$dir/sshd_config"
  for _ in $(seq 50); do ssh "${opts[@]}" root@127.0.0.1 true 2>/dev/null && break; sleep 0.1; done
  ssh "${mux[@]}" "${opts[@]}" root@127.0.0.1 true
  label=$([ "$mode" = shlvl ] && echo "SetEnv SHLVL=1 (bash skips ~/.bashrc)" || echo "root's ~/.bashrc sourced")
  echo "$label: one connection, a command per channel: $(ms_per "$runs" ssh "${mux[@]}" "${opts[@]}" root@127.0.0.1 true) ms"
  echo "$label: a fresh ssh per command: $(ms_per "$runs" ssh "${opts[@]}" root@127.0.0.1 true) ms"
  ssh "${mux[@]}" -O exit "${opts[@]}" root@127.0.0.1 2>/dev/null || true
  kill "$(cat "$dir/pid")"; rm -f "$dir/pid"; sleep 0.3
done
