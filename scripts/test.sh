#!/usr/bin/env bash
# Runs every test against real services: starts PostgreSQL, Redis and a throwaway Dovecot
# when they are not already running (scripts/services.sh), installs dependencies, then runs
# the type check, the unit tests and the integration tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/services.sh up
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm test
