#!/usr/bin/env bash
# `make prod-check`: the production configuration on this machine. DEBUG off, PostgreSQL,
# Redis as the django-q2 broker and the shared cache, collectstatic's output served by WhiteNoise
# through gunicorn, and a q2 cluster. Ctrl-C stops both.
#
# Uses PostgreSQL and Redis on 127.0.0.1 (override DATABASE_URL and REDIS_URL), a database of its
# own (portal_prodcheck, created if missing) and a throwaway SECRET_KEY. It serves plain HTTP on
# 127.0.0.1:8001, so the HTTPS-only settings are relaxed for this run only; `check --deploy`
# first runs with them on, as a real deployment behind TLS has them.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin

export DEBUG=false
export SECRET_KEY="${SECRET_KEY:-$($bin/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_prodcheck}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/1}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export GUNICORN_BIND="${GUNICORN_BIND:-127.0.0.1:8001}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://$GUNICORN_BIND}"

db_name="${DATABASE_URL##*/}"
server_url="${DATABASE_URL%/*}/postgres"
if ! psql "$server_url" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db_name'" | grep -q 1; then
  psql "$server_url" -qc "CREATE DATABASE \"$db_name\""
fi

$bin/python manage.py check --deploy --fail-level WARNING
$bin/python manage.py migrate --noinput
$bin/python manage.py load_taxonomies --if-empty
$bin/python manage.py seed_demo --if-empty
$bin/python manage.py rebuild_snapshots
$bin/python manage.py register_schedules
$bin/python manage.py collectstatic --noinput -v0

export SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false
export SECURE_HSTS_SECONDS=0

# Both in the background, so that a signal reaches this script at once (bash runs traps only
# between commands) and the trap stops both, however the script ends. The cluster runs in its
# own session so that stopping it reaches its worker processes too; it gets 20 s to finish its
# tasks, as in runportal, then is killed.
setsid $bin/python manage.py qcluster &
cluster=$!
$bin/gunicorn -c config/gunicorn.conf.py &
web=$!
stop() {
  kill "$web" 2>/dev/null
  kill -TERM -- "-$cluster" 2>/dev/null
  for _ in $(seq 20); do
    kill -0 "$cluster" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$cluster" 2>/dev/null
  wait 2>/dev/null
}
trap stop EXIT
trap 'exit 130' INT TERM
echo "Production configuration: $PORTAL_BASE_URL/  (health: $PORTAL_BASE_URL/healthz)"
echo "Create a directory admin with: DATABASE_URL=$DATABASE_URL DEBUG=false SECRET_KEY=x $bin/python manage.py createsuperuser"
wait -n "$web" "$cluster"
