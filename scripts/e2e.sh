#!/usr/bin/env bash
# The end-to-end suite, then the sweep: every app home (the apps' own output included), the
# keyring's runtime folder, the suite's output and the text of every screenshot searched for every secret and token of the run,
# in every encoding (tests/e2e/sweep.mjs). Run inside scripts/test-env.sh (the test keyring) and Xvfb.
set -uo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d /tmp/connmgr-e2e-run-XXXXXX)
trap 'rm -rf "$work"' EXIT
export CONNMGR_E2E_LEDGER="$work/ledger"
# Every sandbox the suite starts writes each token, code and verifier it issues or receives
# here, for the sweep to search for.
export CONNMGR_SANDBOX_RECORD="$work/record"
# The text each screenshot shows, written beside it by the harness: a token on screen is a leak too.
export CONNMGR_E2E_SCREENS="$work/screens"
# Every app logs everything it can (its own and its libraries' trace), so the sweep would find
# a secret that any layer logs.
export CONNMGR_LOG="${CONNMGR_LOG:-trace}"
: >"$CONNMGR_E2E_LEDGER"

npm run --silent test:e2e 2>&1 | tee "$work/output"
status=${PIPESTATUS[0]}
node tests/e2e/sweep.mjs "$CONNMGR_E2E_LEDGER" "$work/output" "$CONNMGR_SANDBOX_RECORD" "$CONNMGR_E2E_SCREENS" || status=1
exit "$status"
