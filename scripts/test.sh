#!/usr/bin/env bash
# `npm test`: the whole suite. Unit tests, integration tests on a real PostgreSQL and redis-server,
# and (as root) the real-gluster lab tests. Extra arguments go to jest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
started=$(date +%s)
if [ "$(id -u)" -eq 0 ]; then
  mapfile -t packages < <(system_packages)
  ensure_debian_packages "${packages[@]}"
else
  ensure_debian_packages redis-server
  log "not root: the real-gluster lab tests will be SKIPPED (they need root for glusterd, sshd and network namespaces)"
fi
ensure_node_modules
ensure_build
results=$(mktemp)
status=0
npx jest --ci --json --outputFile="$results" "$@" || status=$?
# One plain closing line CI can read: "N passed, N failed, N skipped".
node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);' "$results" || true
rm -f "$results"
log "test suite finished in $(( $(date +%s) - started )) s"
exit "$status"
