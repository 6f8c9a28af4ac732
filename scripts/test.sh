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
results_dir=$(mktemp -d)
status=0
if [ $# -gt 0 ]; then
  npx jest --ci --json --outputFile="$results_dir/selected.json" "$@" || status=$?
else
  # The lab project holds the machine-wide gluster lab one file at a time, mostly waiting on gluster;
  # the unit and integration projects need no lab, so they run beside it in a second jest.
  npx jest --ci --json --outputFile="$results_dir/lab.json" --selectProjects lab --maxWorkers=1 &
  lab_pid=$!
  npx jest --ci --json --outputFile="$results_dir/rest.json" --selectProjects unit integration --maxWorkers=1 || status=$?
  wait "$lab_pid" || status=$?
fi
# Where the time went (the slowest files), then one plain closing line CI can read: "N passed, N failed, N skipped".
node -e 'const fs = require("fs"), path = require("path");
  const runs = fs.readdirSync(process.argv[1]).map((f) => JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8")));
  const sum = (k) => runs.reduce((n, r) => n + r[k], 0);
  const files = runs.flatMap((r) => r.testResults).map((t) => ({ s: (t.endTime - t.startTime) / 1000, f: path.relative(process.cwd(), t.name) }));
  for (const { s, f } of files.sort((a, b) => b.s - a.s).slice(0, 15)) console.error(`[georep] ${s.toFixed(0).padStart(5)} s  ${f}`);
  console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);' "$results_dir" || true
rm -rf "$results_dir"
log "test suite finished in $(( $(date +%s) - started )) s"
exit "$status"
