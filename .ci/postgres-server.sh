#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server: initdb in DIR, a free loopback port,
# trust authentication, a database `spend_test`. Prints the connection URL;
# `pg_ctl -D DIR/data stop` (as the server's user) stops it.
# Usage: postgres-server.sh PG_BIN_DIR DIR
set -euo pipefail
bin=$1 dir=$2
rm -rf "$dir" && mkdir -p "$dir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# PostgreSQL refuses to run as root: run it as the `postgres` user the package made.
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null \
  || { cat "$dir/server.log" >&2; exit 1; }
"${as_pg[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres spend_test
echo "postgres://postgres@127.0.0.1:$port/spend_test"
