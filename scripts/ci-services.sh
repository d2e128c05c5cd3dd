#!/usr/bin/env bash
# CI only: install (Debian packages), start and check a throwaway PostgreSQL and Redis on 127.0.0.1,
# then print the `export` lines for the URLs the tests read. Idempotent: safe to run again on a machine
# where they already run. Needs root (CI runs as root). Usage: eval "$(bash scripts/ci-services.sh)"
set -euo pipefail
log() { echo "ci-services: $*" >&2; }

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >&2
fi

# --- PostgreSQL: Debian's cluster, listening on 127.0.0.1 only; a role and database for the tests.
version=$(ls /etc/postgresql | sort -V | tail -1)
conf="/etc/postgresql/$version/main/postgresql.conf"
if ! grep -q "^listen_addresses = '127.0.0.1'" "$conf"; then
  sed -i "s/^#\?listen_addresses = .*/listen_addresses = '127.0.0.1'/" "$conf"
  grep -q "^listen_addresses" "$conf" || echo "listen_addresses = '127.0.0.1'" >> "$conf"
  pg_ctlcluster "$version" main restart >&2 2>&1 || true
fi
pg_ctlcluster "$version" main status >/dev/null 2>&1 || pg_ctlcluster "$version" main start >&2
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
pg_isready -h 127.0.0.1 -p 5432 >&2
psql_as_postgres() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtAc \"$1\""; }
if [ "$(psql_as_postgres "SELECT 1 FROM pg_roles WHERE rolname='viva'")" != "1" ]; then
  psql_as_postgres "CREATE ROLE viva LOGIN PASSWORD 'viva' CREATEDB" >&2
fi
if [ "$(psql_as_postgres "SELECT 1 FROM pg_database WHERE datname='viva_test'")" != "1" ]; then
  su postgres -c "createdb -O viva viva_test" >&2
fi
log "PostgreSQL $version ready on 127.0.0.1:5432"

# --- Redis: a throwaway server on 127.0.0.1:6379 without persistence.
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes \
    --logfile /tmp/viva-ci-redis.log >&2
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >&2
log "Redis ready on 127.0.0.1:6379"

echo "export VIVA_TEST_POSTGRES_URL=postgresql+asyncpg://viva:viva@127.0.0.1:5432/viva_test"
echo "export VIVA_TEST_REDIS_URL=redis://127.0.0.1:6379/0"
