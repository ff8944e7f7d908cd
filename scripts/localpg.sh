#!/usr/bin/env bash
# The project-local PostgreSQL of `make run`, `make test` and `make bench`.
#
#   scripts/localpg.sh [start]   start it (creating it on first use) and print its DATABASE_URL
#   scripts/localpg.sh stop      stop it; exits non-zero, saying why, when it cannot
#   scripts/localpg.sh status    print where it lives and whether it runs
#
# The data folder is git-ignored and reused; the port is chosen once and remembered.
# initdb refuses root, so as root the server runs as the "postgres" system user, in
# .pgdata/ when that user can write there and otherwise in a folder under /tmp; as an
# ordinary user it runs as that user in .pgdata/. stop and status find either folder.
set -euo pipefail

cmd=${1:-start}
root=$(cd "$(dirname "$0")/.." && pwd)
project_base="${TOGETHER_PGDIR:-$root/.pgdata}"
# Named after the checkout (or TOGETHER_PGDIR), so two checkouts never share one.
fallback_base="/tmp/together-pg-$(echo "${TOGETHER_PGDIR:-$root}" | md5sum | cut -c1-8)"
dbname="${TOGETHER_PGDB:-together}"

die() { echo "localpg: $*" >&2; exit 1; }

find_bin() {
  local name=$1 d
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  # Debian keeps the server tools out of PATH, in /usr/lib/postgresql/<version>/bin.
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/$name" ] && { echo "$d/$name"; return; }; done
  die "$name not found; install PostgreSQL's server package (Debian: apt-get install postgresql)"
}

# set_owner decides who runs the server's tools: the data folder's owner when it
# exists, else postgres under root and the caller otherwise. It stops here, loudly,
# when the caller cannot act as that user.
set_owner() {
  if [ -d "$data" ]; then owner=$(stat -c %U "$data"); elif [ "$(id -u)" = 0 ]; then owner=postgres; else owner=$(id -un); fi
  if [ "$owner" != "$(id -un)" ] && [ "$(id -u)" != 0 ]; then
    die "the server in $data belongs to $owner; run this as $owner or as root"
  fi
}

as_owner() {
  if [ "$owner" = "$(id -un)" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
}

# existing_base prints the folder holding a data folder, project folder first.
# (Only its owner can look inside it, so its presence is what counts.)
existing_base() {
  local b
  for b in "$project_base" "$fallback_base"; do
    [ -d "$b/data" ] && { echo "$b"; return; }
  done
  return 1
}

# free_port prints the first port from $1 (default 55432) to 55532 that nobody listens on.
free_port() {
  local p
  for p in $(seq "${1:-55432}" 55532); do
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return; fi
  done
  die "no free port in 55432-55532"
}

set_paths() { base=$1; data="$base/data"; sock="$base/run"; log="$base/server.log"; set_owner; }

pg_ctl=$(find_bin pg_ctl)

case "$cmd" in
stop)
  if ! b=$(existing_base); then
    echo "localpg: no local Postgres in $project_base or $fallback_base; nothing to stop" >&2; exit 0
  fi
  set_paths "$b"
  if ! as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
    echo "localpg: Postgres in $data is not running" >&2; exit 0
  fi
  as_owner "$pg_ctl" -D "$data" -w -t 60 stop -m fast >/dev/null || die "could not stop Postgres in $data (see $log)"
  echo "localpg: stopped Postgres in $data" >&2
  exit 0
  ;;
status)
  b=$(existing_base) || { echo "localpg: no local Postgres yet (make pg creates it in $project_base)"; exit 0; }
  set_paths "$b"
  if as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1; then state=running; else state=stopped; fi
  echo "localpg: $state, data $data, port $(cat "$base/port" 2>/dev/null || echo unknown)"
  exit 0
  ;;
start) ;;
*) die "unknown command \"$cmd\"; use start, stop or status" ;;
esac

initdb=$(find_bin initdb)
command -v psql >/dev/null 2>&1 || die "psql not found; install PostgreSQL's client (Debian: apt-get install postgresql-client)"

if b=$(existing_base); then
  set_paths "$b"
else
  set_paths "$project_base"
  mkdir -p "$base"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs the \"postgres\" system user (initdb refuses root); install PostgreSQL's server package or run as an ordinary user"
    chown postgres "$base"
    # postgres must be able to reach the folder; fall back to /tmp when the checkout is private.
    if ! runuser -u postgres -- test -w "$base"; then
      set_paths "$fallback_base"; mkdir -p "$base"; chown postgres "$base"
    fi
  fi
fi

if [ ! -s "$base/port" ]; then free_port >"$base/port"; fi
port=$(cat "$base/port")

if [ ! -f "$data/PG_VERSION" ]; then
  as_owner mkdir -p "$data" "$sock"
  as_owner "$initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1 ||
    { cat "$base/initdb.log" >&2; exit 1; }
fi
as_owner mkdir -p "$sock"

if ! as_owner "$pg_ctl" -D "$data" status >/dev/null 2>&1; then
  # A port taken by someone else since last time: pick a new one. Another server
  # may take the same free port at the same moment, so a start that loses the
  # race tries the next free port.
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then port=$(free_port); fi
  for attempt in 1 2 3 4 5; do
    echo "$port" >"$base/port"
    start_from=0; [ -f "$log" ] && start_from=$(wc -l <"$log")
    if as_owner "$pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      break
    fi
    if [ "$attempt" = 5 ] || ! tail -n +"$((start_from + 1))" "$log" | grep -q "Address already in use"; then
      tail -20 "$log" >&2; exit 1
    fi
    port=$(free_port "$((port + 1))")
  done
fi

psql_cmd=(psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAq)
if [ "$("${psql_cmd[@]}" -c "select 1 from pg_database where datname='$dbname'")" != 1 ]; then
  "${psql_cmd[@]}" -c "create database \"$dbname\"" >/dev/null
fi
echo "postgres://postgres@127.0.0.1:$port/$dbname?sslmode=disable"
