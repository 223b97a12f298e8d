#!/usr/bin/env bash
# The full test suite: format, lints, docs, unit/integration tests, and the
# tests against real external programs (Prism mock of TrueLayer's spec).
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

step "Prism (mock server of the official TrueLayer spec)"
prism="$root/.ci/prism/node_modules/.bin/prism"
if [ ! -x "$prism" ]; then
  npm install --no-audit --no-fund --prefix "$root/.ci/prism" @stoplight/prism-cli@5 >"$tmp/npm.log" 2>&1 \
    || { cat "$tmp/npm.log" >&2; need "could not install @stoplight/prism-cli from npm"; }
fi
prism_pid=""
cleanup() { [ -n "$prism_pid" ] && kill "$prism_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [ -x "$prism" ]; then
  python3 "$root/.ci/prism-spec.py" "$specs/truelayer/data-api-v1.json" "$tmp/data-api.json"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "$prism" mock --errors -h 127.0.0.1 -p "$port" "$tmp/data-api.json" >"$tmp/prism.log" 2>&1 &
  prism_pid=$!
  for _ in $(seq 1 120); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/me"; then break; fi
    sleep 0.5
  done
  if curl -s -o /dev/null "http://127.0.0.1:$port/me"; then
    export PRISM_TRUELAYER_DATA_URL="http://127.0.0.1:$port/"
    echo "prism listening on $PRISM_TRUELAYER_DATA_URL"
  else
    cat "$tmp/prism.log" >&2
    need "Prism did not start"
  fi
fi

step "cargo test"
cargo test --workspace --all-features

step "contract figures"
set -o pipefail
cargo test -p truelayer-client --all-features --test spec_examples --test prism -- --nocapture 2>&1 \
  | grep -E "spec examples:|prism:|test result|panicked|FAILED"
