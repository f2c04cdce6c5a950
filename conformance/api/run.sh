#!/usr/bin/env bash
# schemathesis against a real calinvite on loopback: the server's own OpenAPI document
# (GET /api/v1/openapi.json) drives generated requests to every operation, with the demo
# API key, and every answer is checked against the document: no 5xx, documented status
# codes and content types, bodies that match their schemas.
#
# The demo server has no SMTP host, so invitations only queue: nothing leaves the machine
# by mail. Webhook deliveries are only made for answers and bounces, which generated
# messages do not produce.
#
# Logs go to target/conformance/api/; the summary is written to conformance/API-RESULTS.md;
# the exit status is non-zero on any failure. EXAMPLES (default 20) bounds the cases per
# operation and phase, MAX_TIME (default 150 s) the whole run.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/conformance/.venv-api"
out="$root/target/conformance/api"
mkdir -p "$out"

cargo build --quiet --manifest-path "$root/Cargo.toml" --bin calinvite || exit 1
bin="$root/target/debug/calinvite"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
data=$(mktemp -d)
base="http://127.0.0.1:$port"
"$bin" serve --demo --data "$data" --listen "127.0.0.1:$port" >"$out/server.out" 2>"$out/server.log" &
pid=$!
cleanup() { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  grep -q 'API key *: ' "$out/server.out" 2>/dev/null && curl -fs "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
key=$(sed -n 's/^ *API key *: *//p' "$out/server.out" | head -1)
if [ -z "$key" ]; then
  echo "api-conformance: the demo server printed no API key (see $out/server.out)"
  exit 1
fi

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
# From $out, so schemathesis keeps its working files (.schemathesis/) out of the tree.
cd "$out" || exit 1
SCHEMATHESIS_HOOKS="$root/conformance/api/hooks.py" "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" \
  --url "$base" \
  --header "Authorization: Bearer $key" \
  --checks "$checks" \
  --max-examples "${EXAMPLES:-20}" \
  --max-time "${MAX_TIME:-150}" \
  --workers 2 \
  --seed 1 \
  --no-color \
  --suppress-health-check all \
  --generation-database none \
  --report junit --report-junit-path "$out/junit.xml" \
  >"$out/schemathesis.log" 2>&1
status=$?

server_errors=$(grep -c 'request failed' "$out/server.log" || true)
{
  echo "# API conformance (schemathesis)"
  echo
  echo "Generated from \`conformance/api/run.sh\` (run by \`conformance/test-all.sh\`) on $started:"
  echo "schemathesis $("$venv/bin/schemathesis" --version | awk '{print $NF}') against \`calinvite serve --demo\`,"
  echo "driven by the server's own \`GET /api/v1/openapi.json\`, with the demo API key."
  echo
  echo "- checks: \`$checks\`"
  echo "- at most ${EXAMPLES:-20} generated cases per operation and phase, seed 1"
  echo "- exit status: $status ($([ "$status" -eq 0 ] && echo passed || echo FAILED))"
  echo "- 5xx answers logged by the server: $server_errors"
  echo
  echo "## Summary"
  echo
  echo '```'
  # The summary sections schemathesis prints after the per-phase progress.
  sed -n '/^=* *\(FAILURES\|ERRORS\|SUMMARY\|WARNINGS\)/,$p' "$out/schemathesis.log" | sed 's/Bearer [A-Za-z0-9_.-]*/Bearer ***/g'
  echo '```'
} >"$root/conformance/API-RESULTS.md"

echo "api-conformance: schemathesis exit $status (summary in conformance/API-RESULTS.md, log in $out/schemathesis.log)"
[ "$status" -eq 0 ]
