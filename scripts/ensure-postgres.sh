#!/usr/bin/env bash
# Prints a reachable PostgreSQL URL for database $1 (default: zimage), creating the database if needed.
# Uses $DATABASE_URL's server when it answers; otherwise starts a private cluster under
# ${ZIMAGE_DATA_DIR:-./data}/postgres on port 55432 (installing PostgreSQL if missing).
# Progress goes to stderr; the URL is the only thing on stdout.
set -euo pipefail
db="${1:-zimage}"
url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$db}"
server="${url%/*}"
db="${url##*/}"; db="${db%%\?*}"
log() { echo "$@" >&2; }

reachable() { pg_isready -q -d "$1/postgres" -t 3 >/dev/null 2>&1; }

if ! reachable "$server"; then
    data_dir="$(realpath -m "${ZIMAGE_DATA_DIR:-./data}")"
    pgdata="$data_dir/postgres"
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [ -z "$bin" ]; then
        log "==> installing PostgreSQL"
        sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
        $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
        bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    fi
    # initdb refuses to run as root; the cluster then belongs to the postgres user.
    as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
    mkdir -p "$data_dir"
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        log "==> creating a private PostgreSQL cluster in $pgdata"
        mkdir -p "$pgdata"
        [ "$(id -u)" -eq 0 ] && chown postgres "$pgdata"
        as_owner "$bin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    server="postgres://postgres@127.0.0.1:55432"
    if ! reachable "$server"; then
        log "==> starting the private PostgreSQL cluster on 127.0.0.1:55432"
        as_owner "$bin/pg_ctl" -D "$pgdata" -o "-p 55432 -k $pgdata -c listen_addresses=127.0.0.1" \
            -l "$pgdata/server.log" -w start >/dev/null
    fi
fi

if [ "$db" != "postgres" ] && [ -z "$(psql "$server/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
    log "==> creating database $db"
    psql "$server/postgres" -qc "CREATE DATABASE \"$db\"" >/dev/null
fi
echo "$server/$db"
