#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on loopback for the test suite.
#   scripts/pgtest.sh start   -> prints the DATABASE URL on stdout
#   scripts/pgtest.sh stop
# Installs Debian's server when it is missing. As root, the cluster runs as the
# `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

PORT="${PGTEST_PORT:-54329}"
DIR="${PGTEST_DIR:-/tmp/eventsys-pgtest-$PORT}"
DB=eventsys_test

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

install_server() {
  echo "PostgreSQL server not found; installing Debian's postgresql package" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq postgresql >&2
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  BIN="$(find_bin)" || { install_server; BIN="$(find_bin)"; }
  if [ -f "$DIR/data/postmaster.pid" ] && as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
    return 0
  fi
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
  as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # Tuned for a disposable test database: speed over durability.
  as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w -o \
    "-c listen_addresses=127.0.0.1 -p $PORT -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
  as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
  echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/$DB"
}

stop() {
  BIN="$(find_bin)" || return 0
  if [ -d "$DIR/data" ]; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
