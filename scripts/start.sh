#!/usr/bin/env bash
# `npm start`: installs what is missing, builds, and runs the service. With no DATABASE_URL/REDIS_URL
# it starts its own PostgreSQL and redis-server (the embedded default). Arguments: api | worker | all.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
if [ -z "${REDIS_URL:-}" ]; then ensure_debian_packages redis-server; fi
ensure_node_modules
ensure_build
exec node dist/src/main.js "$@"
