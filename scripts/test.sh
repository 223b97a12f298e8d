#!/usr/bin/env bash
# The full test suite: format, lints, docs, unit/integration tests, and the
# tests against real external programs (Prism mocks of the providers' specs,
# an S3 server, an IMAP server).
# Under CI=true a real part that cannot be installed or started is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
specs="${SPEND_SPECS:-$root/../shared/specs}"
tmp="$root/.ci/tmp"
mkdir -p "$tmp"

step() { printf '\n== %s\n' "$*"; }
need() {
  if [ "${CI:-}" = "true" ]; then echo "FAILED: $*" >&2; exit 1; fi
  echo "SKIPPED (not under CI=true): $*" >&2
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings

step "cargo doc"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features

step "Prism (mock servers of the providers' official specs)"
prism="$root/.ci/prism/node_modules/.bin/prism"
if [ ! -x "$prism" ]; then
  npm install --no-audit --no-fund --prefix "$root/.ci/prism" @stoplight/prism-cli@5 >"$tmp/npm.log" 2>&1 \
    || { cat "$tmp/npm.log" >&2; need "could not install @stoplight/prism-cli from npm"; }
fi
prism_pids=()  # every background server, killed on exit
pg_stop=()    # the PostgreSQL server's stop command, once started
cleanup() {
  for pid in "${prism_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ ${#pg_stop[@]} -gt 0 ]; then "${pg_stop[@]}" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# start_prism NAME SPEC VAR: mocks SPEC on a free port and exports VAR with its URL.
start_prism() {
  local name=$1 spec=$2 var=$3 port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$prism" mock --errors -h 127.0.0.1 -p "$port" "$spec" >"$tmp/prism-$name.log" 2>&1 &
  prism_pids+=($!)
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      export "$var=http://127.0.0.1:$port/"
      echo "prism $name listening on http://127.0.0.1:$port/"
      return 0
    fi
    sleep 0.5
  done
  cat "$tmp/prism-$name.log" >&2
  need "Prism ($name) did not start"
}

if [ -x "$prism" ]; then
  python3 "$root/.ci/prism-spec.py" "$specs/truelayer/data-api-v1.json" "$tmp/data-api.json"
  python3 "$root/.ci/merge-swagger.py" "$tmp/sp-api-v0.json" "$specs/amazon-sp-api/ordersV0.json" \
    "Tokens=$specs/amazon-sp-api/tokens_2021-03-01.json"
  start_prism truelayer "$tmp/data-api.json" PRISM_TRUELAYER_DATA_URL
  start_prism sp-api-v0 "$tmp/sp-api-v0.json" PRISM_SP_API_V0_URL
  start_prism sp-api-2026 "$specs/amazon-sp-api/orders_2026-01-01.json" PRISM_SP_API_2026_URL
fi

step "Python packages (moto, cryptography) from PyPI into .ci/venv"
venv="$root/.ci/venv"
py="$venv/bin/python"
if [ ! -x "$py" ]; then
  python3 -m venv "$venv" >"$tmp/venv.log" 2>&1 || { cat "$tmp/venv.log" >&2; need "could not create a virtualenv in .ci/venv"; }
fi
if [ -x "$py" ] && ! "$py" -c "import moto.server, cryptography" 2>/dev/null; then
  "$py" -m pip install -q "moto[server]" cryptography >"$tmp/pip.log" 2>&1 \
    || { cat "$tmp/pip.log" >&2; need "could not install moto[server] and cryptography from PyPI"; }
fi
if [ -x "$py" ] && "$py" -c "import cryptography" 2>/dev/null; then
  export SPEND_TEST_PYTHON="$py"
fi

step "S3 server (moto)"
if [ -x "$py" ] && "$py" -c "import moto.server" 2>/dev/null; then
  s3_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$py" -m moto.server -H 127.0.0.1 -p "$s3_port" >"$tmp/moto.log" 2>&1 &
  prism_pids+=($!)
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$s3_port/"; then break; fi
    sleep 0.5
  done
  if curl -s -o /dev/null "http://127.0.0.1:$s3_port/"; then
    export S3_TEST_ENDPOINT="http://127.0.0.1:$s3_port"
    echo "S3 server listening on $S3_TEST_ENDPOINT"
  else
    cat "$tmp/moto.log" >&2
    need "the S3 server did not start"
  fi
fi

step "IMAP server (Dovecot, from Debian's packages)"
if [ ! -x /usr/sbin/dovecot ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd; } >"$tmp/apt.log" 2>&1 \
    || { cat "$tmp/apt.log" >&2; need "could not install dovecot-imapd from Debian's packages"; }
fi
if [ -x /usr/sbin/dovecot ]; then
  if imap_env=$(bash "$root/.ci/imap-server.sh" "$tmp/imap"); then
    while IFS='=' read -r key value; do export "$key=$value"; done <<<"$imap_env"
    prism_pids+=("$IMAP_TEST_PID")
    echo "IMAP server listening on $IMAP_TEST_HOST:$IMAP_TEST_PORT (TLS)"
  else
    need "the IMAP server did not start"
  fi
fi

step "PostgreSQL server (from Debian's packages)"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pg_bin" ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } >"$tmp/apt-pg.log" 2>&1 \
    || { cat "$tmp/apt-pg.log" >&2; need "could not install postgresql from Debian's packages"; }
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -n "$pg_bin" ]; then
  if pg_url=$(bash "$root/.ci/postgres-server.sh" "$pg_bin" "$tmp/pg"); then
    export POSTGRES_TEST_URL="$pg_url"
    pg_stop=(runuser -u postgres -- "$pg_bin/pg_ctl" -D "$tmp/pg/data" -m fast stop)
    [ "$(id -u)" = 0 ] || pg_stop=("$pg_bin/pg_ctl" -D "$tmp/pg/data" -m fast stop)
    echo "PostgreSQL listening at ${pg_url%%\?*}"
  else
    need "the PostgreSQL server did not start"
  fi
fi

step "Chromium (from Debian's packages, for the HTML report)"
if [ ! -x /usr/bin/chromium ]; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$tmp/apt-chromium.log" 2>&1 \
    || { cat "$tmp/apt-chromium.log" >&2; need "could not install chromium from Debian's packages"; }
fi
if [ -x /usr/bin/chromium ]; then
  export SPEND_TEST_CHROMIUM=/usr/bin/chromium
  /usr/bin/chromium --version
fi
export SPEND_TEST_TMP="$tmp"

step "cargo test"
cargo test --workspace --all-features

step "contract figures"
set -o pipefail
{
  cargo test -p truelayer-client --all-features --test spec_examples --test prism -- --nocapture 2>&1
  cargo test -p amazon-sp-client --all-features --test sandbox_examples --test prism -- --nocapture 2>&1
  cargo test -p receipt-parsers --test vendor_catalogue -- --nocapture 2>&1
  cargo test -p spend-core --all-features --test conformance --test fernet --test vault --test storm --test enrich --test report -- --nocapture 2>&1
  cargo test -p spend-cli --test crash_resume -- --nocapture 2>&1
} | grep -E "spec examples:|sandbox examples:|vendor fixtures:|store conformance:|fernet interop:|vault race:|fault storm|crash-resume:|categorisation:|report:|html report:|prism|test result|panicked|FAILED"
