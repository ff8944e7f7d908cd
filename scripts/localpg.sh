#!/usr/bin/env bash
# Starts (creating on first use) a project-local PostgreSQL and prints its DATABASE_URL.
# The data folder is git-ignored and reused; the port is chosen once and remembered.
# Runs the server as the "postgres" user when invoked as root, because initdb refuses root.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
base="${TOGETHER_PGDIR:-$root/.pgdata}"
dbname="${TOGETHER_PGDB:-together}"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/$name" ] && { echo "$d/$name"; return; }; done
  echo "localpg: $name not found; install PostgreSQL (apt-get install postgresql)" >&2
  exit 1
}
initdb=$(find_bin initdb); pg_ctl=$(find_bin pg_ctl)

free_port() {
  local p
  for p in $(seq 55432 55532); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  echo "localpg: no free port in 55432-55532" >&2; exit 1
}

mkdir -p "$base"
if [ "$(id -u)" = 0 ]; then
  chown postgres "$base"
  # postgres must be able to reach the folder; fall back to /tmp when the checkout is private.
  if ! runuser -u postgres -- test -w "$base"; then
    base="/tmp/together-pg-$(echo "$root" | md5sum | cut -c1-8)"; mkdir -p "$base"; chown postgres "$base"
  fi
fi
data="$base/data"; sock="$base/run"; log="$base/server.log"

if [ ! -s "$base/port" ]; then free_port >"$base/port"; fi
port=$(cat "$base/port")

if [ ! -f "$data/PG_VERSION" ]; then
  as_pg mkdir -p "$data" "$sock"
  as_pg "$initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 ||
    { cat "$base/initdb.log" >&2; exit 1; }
fi
as_pg mkdir -p "$sock"

if ! as_pg "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
  # A port taken by someone else since last time: pick a new one.
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then port=$(free_port); echo "$port" >"$base/port"; fi
  as_pg "$pg_ctl" -D "$data" -l "$log" -w -t 60 \
    -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { tail -20 "$log" >&2; exit 1; }
fi

psql_cmd=(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq)
if [ "$("${psql_cmd[@]}" -c "select 1 from pg_database where datname='$dbname'")" != 1 ]; then
  "${psql_cmd[@]}" -c "create database \"$dbname\"" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"
