#!/usr/bin/env bash
# Runs the official MCP conformance suite (server mode) against `queryless mcp --http`:
#   1. installs Node 22 (npm package `node`) and @modelcontextprotocol/conformance into a private
#      prefix outside the project (the suite needs Node 22; the project stays on Node >= 20),
#   2. builds the project if needed and starts the server on a free loopback port with a bundle,
#   3. runs the suite with the committed expected-failures baseline,
#   4. stops the server (SIGTERM, expects a clean exit 0) and exits non-zero on any unexpected
#      failure, stale baseline entry, or a must-pass scenario listed as expected to fail.
# Environment: CONFORMANCE_VERSION, CONFORMANCE_NODE_VERSION, CONFORMANCE_PREFIX (install dir),
# CONFORMANCE_BUNDLE (default: test/fixtures/mini-bundle), CONFORMANCE_OUT (results dir),
# CONFORMANCE_BASELINE (default: .ci/conformance/expected-failures.yml), CONFORMANCE_BUILD=0 (skip tsc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/.ci/conformance"
BASELINE="${CONFORMANCE_BASELINE:-$HERE/expected-failures.yml}"
SUITE_VERSION="${CONFORMANCE_VERSION:-0.1.16}"
NODE_MAJOR="${CONFORMANCE_NODE_VERSION:-22}"
PREFIX="${CONFORMANCE_PREFIX:-${TMPDIR:-/tmp}/queryless-conformance-$SUITE_VERSION}"
BUNDLE="${CONFORMANCE_BUNDLE:-$ROOT/test/fixtures/mini-bundle}"
OUT="${CONFORMANCE_OUT:-${TMPDIR:-/tmp}/queryless-conformance-results}"
MUST_PASS=(server-initialize ping tools-list logging-set-level dns-rebinding-protection)

say() { printf '[conformance] %s\n' "$*" >&2; }

# A must-pass scenario in the baseline would hide a regression: refuse it.
for s in "${MUST_PASS[@]}"; do
  if grep -Eq "^[[:space:]]*-[[:space:]]*$s([[:space:]]|#|$)" "$BASELINE"; then
    say "$BASELINE lists $s, which must pass; remove it"
    exit 1
  fi
done

# 1. Node 22 and the suite, in their own prefix (never the project's package.json).
if [[ ! -x "$PREFIX/node_modules/.bin/conformance" || ! -x "$PREFIX/node_modules/.bin/node" ]]; then
  say "installing node@$NODE_MAJOR and @modelcontextprotocol/conformance@$SUITE_VERSION into $PREFIX"
  mkdir -p "$PREFIX"
  npm install --prefix "$PREFIX" --no-save --no-audit --no-fund --loglevel=error \
    "node@$NODE_MAJOR" "@modelcontextprotocol/conformance@$SUITE_VERSION" >&2
fi
NODE22="$PREFIX/node_modules/.bin/node"
SUITE="$PREFIX/node_modules/@modelcontextprotocol/conformance/dist/index.js"
say "suite runs on node $("$NODE22" --version)"

# 2. Build (tsc emits even when another module has type errors) and start the server.
if [[ ! -f "$ROOT/dist/src/mcp/server.js" || "${CONFORMANCE_BUILD:-1}" == 1 ]]; then
  (cd "$ROOT" && npx tsc -p tsconfig.json >&2) || say "tsc reported errors (output still emitted); continuing"
fi
[[ -f "$ROOT/dist/src/mcp/server.js" ]] || { say "build failed: dist/src/mcp/server.js missing"; exit 1; }

PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT/mcp"
LOG="$(mktemp "${TMPDIR:-/tmp}/queryless-mcp-XXXXXX.log")"
# No token: the suite sends none. Hosts/origins: defaults only (what dns-rebinding-protection checks).
env -u QUERYLESS_HTTP_TOKEN -u QUERYLESS_HTTP_ALLOWED_HOSTS -u QUERYLESS_HTTP_ALLOWED_ORIGINS LOG_LEVEL=warn \
  node "$ROOT/bin/queryless.js" mcp --http "127.0.0.1:$PORT" --bundle "$BUNDLE" 2>"$LOG" &
SERVER_PID=$!
stop_server() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then kill -TERM "$SERVER_PID" 2>/dev/null || true; fi
}
trap stop_server EXIT

for _ in $(seq 1 150); do
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://127.0.0.1:$PORT/healthz"; then break; fi
  kill -0 "$SERVER_PID" 2>/dev/null || { say "server exited early:"; cat "$LOG" >&2; exit 1; }
  sleep 0.2
done
say "server up at $URL (bundle $BUNDLE)"

# 3. The suite (active scenarios), against the baseline.
mkdir -p "$OUT"
set +e
"$NODE22" "$SUITE" server --url "$URL" --expected-failures "$BASELINE" -o "$OUT" 2>&1 | tee "$OUT/summary.txt" | sed -n '/=== SUMMARY ===/,$p'
SUITE_STATUS=${PIPESTATUS[0]}
set -e

# 4. Graceful shutdown must end with exit 0.
trap - EXIT
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
SERVER_STATUS=$?
set -e

for s in "${MUST_PASS[@]}"; do
  grep -Eq "✓ $s:" "$OUT/summary.txt" || { say "must-pass scenario $s did not pass"; SUITE_STATUS=1; }
done
if [[ $SERVER_STATUS -ne 0 ]]; then
  say "server exited with $SERVER_STATUS after SIGTERM (expected 0); its log:"
  cat "$LOG" >&2
  exit 1
fi
if [[ $SUITE_STATUS -ne 0 ]]; then
  say "FAILED: unexpected failures or stale baseline entries (details in $OUT)"
  exit 1
fi
say "OK: results in $OUT"
