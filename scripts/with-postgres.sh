#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server on loopback, and removes the server after.
#
#   scripts/with-postgres.sh swift test
#
# The command sees NURI_TEST_POSTGRES_URL (the server's URL) and NURI_REQUIRE_POSTGRES=1, so
# the store tests run against PostgreSQL as well as SQLite. If NURI_TEST_POSTGRES_URL is already
# set, that server is used and none is started. Needs Debian's postgresql package (.ci/run
# installs it).
set -euo pipefail

if [[ -n "${NURI_TEST_POSTGRES_URL:-}" ]]; then
    export NURI_REQUIRE_POSTGRES=1
    exec "$@"
fi

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
    [[ -x "$candidate/initdb" ]] && bindir="$candidate"
done
if [[ -z "$bindir" ]]; then
    echo "with-postgres: PostgreSQL is not installed; run: apt-get install -y postgresql" >&2
    exit 1
fi

# PostgreSQL refuses to run as root: run it as the 'postgres' user when we are root.
as_pg=()
if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    as_pg=(runuser -u postgres --)
fi

dir=$(mktemp -d /tmp/nuri-pg.XXXXXX)
chmod 755 "$dir"
[[ ${#as_pg[@]} -gt 0 ]] && chown postgres "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')

cleanup() {
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U nuri --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
"${as_pg[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U nuri nuri_test

export NURI_TEST_POSTGRES_URL="postgres://nuri@127.0.0.1:$port/nuri_test?sslmode=disable"
export NURI_REQUIRE_POSTGRES=1
echo "with-postgres: PostgreSQL $(basename "$(dirname "$bindir")") on 127.0.0.1:$port" >&2
"$@"
