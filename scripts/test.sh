#!/usr/bin/env bash
# Everything CI checks, in order. Each step runs even when an earlier one failed (except where a
# step needs what an earlier one built); a summary is printed at the end and any failure makes
# the exit status non-zero.
set -uo pipefail
cd "$(dirname "$0")/.."

# A CI run builds everything once from nothing: incremental compilation's bookkeeping only
# costs time there. A developer's run keeps it, for quick rebuilds.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

failed=()
passed=()
step() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  local start=$SECONDS
  if "$@"; then
    passed+=("$name ($((SECONDS - start)) s)")
  else
    failed+=("$name ($((SECONDS - start)) s)")
  fi
}

step "cargo fmt --check" cargo fmt --all --check
step "UI build" npm run --silent build:ui
step "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "cargo test (keyring: a private gnome-keyring)" scripts/test-env.sh cargo test --workspace --locked
step "svelte-check" npm run --silent check
step "eslint" npm run --silent lint
step "vitest" npm run --silent test:unit -- --reporter=default
# The whole workspace with every target, so that features are unified as they were for the
# tests (the core's tests turn on tokio's test-util): the binaries then reuse what the tests
# built instead of rebuilding tokio and everything above it.
step "app build" cargo build --locked --workspace --all-targets
if [ -x target/debug/connmgr-app ]; then
  step "end-to-end (the app under Xvfb, WebDriver)" timeout 1200 \
    xvfb-run -a -s "-screen 0 1280x800x24" scripts/test-env.sh scripts/e2e.sh
else
  failed+=("end-to-end (not run: the app did not build)")
fi

printf '\n==> summary\n'
for s in "${passed[@]}"; do printf '  ok    %s\n' "$s"; done
for s in "${failed[@]}"; do printf '  FAIL  %s\n' "$s"; done
if [ ${#failed[@]} -gt 0 ]; then
  printf '%d step(s) failed\n' "${#failed[@]}"
  exit 1
fi
printf 'all %d steps passed\n' "${#passed[@]}"
