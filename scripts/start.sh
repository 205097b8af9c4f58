#!/usr/bin/env bash
# Starts AMS Unlock Desk on this machine with everything it needs: PostgreSQL, Redis and a
# local Dovecot mailbox (scripts/services.sh), a local SMTP sink that saves sent emails under
# .run/sent-mail, the npm dependencies, the build, the database schema, and then the service.
#
#   scripts/start.sh           start the service (Ctrl-C stops it cleanly)
#   scripts/start.sh --demo    also seed locked demo accounts and example emails
#
# Settings come from the environment, then from .env if present, then from local defaults
# (see .env.example). With a real mailbox and SMTP server configured, the local ones are unused.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

demo=""
for arg in "$@"; do
  case "$arg" in
    --demo) demo=1 ;;
    *) echo "usage: scripts/start.sh [--demo]" >&2; exit 2 ;;
  esac
done

if [ -f .env ]; then set -a; . ./.env; set +a; fi
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ams_unlock}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export IMAP_HOST=${IMAP_HOST:-127.0.0.1}
export IMAP_PORT=${IMAP_PORT:-1143}
export IMAP_USER=${IMAP_USER:-support}
export IMAP_PASSWORD=${IMAP_PASSWORD:-ams-local-imap}
export IMAP_TLS=${IMAP_TLS:-false}
export SMTP_URL=${SMTP_URL:-smtp://127.0.0.1:1025}
export SUPPORT_ADDRESS=${SUPPORT_ADDRESS:-support@ams-support.example}
if [ -n "$demo" ]; then export AUTHSERV_ID=${AUTHSERV_ID:-mx.ams-support.example}; fi

bash scripts/services.sh up
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent

# The local database is created on first start; a remote one must exist already.
db_name=${DATABASE_URL##*/}; db_name=${db_name%%\?*}
case "$DATABASE_URL" in
  *@127.0.0.1:*|*@localhost:*)
    psql "${DATABASE_URL%/*}/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" \
      | grep -q 1 || psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"$db_name\"" ;;
esac

if [ "$SMTP_URL" = "smtp://127.0.0.1:1025" ] && ! (exec 3<>/dev/tcp/127.0.0.1/1025) 2>/dev/null; then
  node dist/scripts/mail-sink.js 1025 "$root/.run/sent-mail" &
  sink=$!
  trap 'kill $sink 2>/dev/null || true' EXIT
fi

node dist/src/cli.js migrate
[ -n "$demo" ] && node dist/src/cli.js demo
echo "[start] AMS Unlock Desk is starting; agents use: node dist/src/cli.js requests list" >&2
node dist/src/cli.js start
