#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL 15 server on 127.0.0.1, with
# DOCKET_DATABASE_URL pointing at it. Installs the server first when run as root.
set -euo pipefail

PGBIN=/usr/lib/postgresql/15/bin
if [ ! -x "$PGBIN/initdb" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "PostgreSQL 15 is not installed. Run:  sudo apt-get install -y postgresql-15" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
fi

PGDATA=$(mktemp -d /tmp/docket-pg.XXXXXX)
PORT=${DOCKET_TEST_PG_PORT:-54329}
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA/db" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
}
trap cleanup EXIT

as_pg "$PGBIN/initdb" -D "$PGDATA/db" -U docket --auth=trust -E UTF8 >/dev/null
# A throw-away server: the tests kill Docket's processes, never PostgreSQL, so its own flushes
# to disk would only slow the suite (a real deployment keeps fsync on).
as_pg "$PGBIN/pg_ctl" -D "$PGDATA/db" -l "$PGDATA/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null
as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U docket docket

export DOCKET_DATABASE_URL="postgres://docket@127.0.0.1:$PORT/docket"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
