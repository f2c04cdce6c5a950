#!/usr/bin/env bash
# The whole test suite, as the README documents it: installs what the tests need, checks
# formatting and lints, runs every Rust test (unit, store contract, the real binary on
# loopback), then the third-party conformance runs against a real server.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

bash conformance/setup.sh

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace --quiet 2>&1 | tee target/cargo-test.log
if [ -x conformance/caldav/run.sh ]; then
  echo "== CalDAV conformance"
  bash conformance/caldav/run.sh
fi
echo "== API conformance (schemathesis against /api/v1/openapi.json)"
bash conformance/api/run.sh
