# Shared by scripts/start.sh, scripts/test.sh and .ci/run. Source it; it defines functions only.

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '[georep] %s\n' "$*" >&2; }

# Installs the given Debian packages when missing: as root with apt-get (one `apt-get update`),
# otherwise prints the exact command to run and fails.
ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    log "missing Debian packages: ${missing[*]}"
    log "install them with: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Every package listed in scripts/system-packages.txt.
system_packages() {
  grep -v '^\s*#' "$(repo_root)/scripts/system-packages.txt" | grep -v '^\s*$'
}

ensure_node_modules() {
  local root; root=$(repo_root)
  if [ ! -d "$root/node_modules" ] || [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
    log "installing npm packages"
    # Not `npm ci`: this registry serves only this platform's optional binaries (msgpackr-extract,
    # unrs-resolver), so the lock file lacks the others and `npm ci` refuses it; `npm install` honours the lock.
    (cd "$root" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

# Rebuilds dist/ when any source is newer than the last build.
ensure_build() {
  local root stamp; root=$(repo_root); stamp="$root/dist/.build-stamp"
  if [ ! -f "$stamp" ] || [ -n "$(cd "$root" && find src migrations package-lock.json tsconfig.json tsconfig.build.json -newer "$stamp" -print -quit)" ]; then
    log "building (tsc)"
    (cd "$root" && rm -rf dist && npx tsc -p tsconfig.build.json && touch "$stamp")
  fi
}
