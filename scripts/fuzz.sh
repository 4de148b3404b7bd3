#!/usr/bin/env bash
# `make fuzz`: the property tests with many more cases than `make test` runs (FUZZ_CASES each,
# a million by default), in release. Prints one line per target: how many properties ran, how
# many cases each, and the failures (the run stops at the first target that fails).
set -euo pipefail
cd "$(dirname "$0")/.."

cases=${FUZZ_CASES:-1000000}
# Each target: a module of `proptest!` properties in connmgr-core.
targets=(
  "redact::tests::properties"
  "oauth::redirect::properties"
  "oauth::properties"
  "model::validate::properties"
  "model::transfer::properties"
)

for target in "${targets[@]}"; do
  count=$(cargo test -q --release --locked -p connmgr-core --lib "$target" -- --list 2>/dev/null | grep -c ': test$' || true)
  started=$(date +%s)
  if PROPTEST_CASES=$cases cargo test -q --release --locked -p connmgr-core --lib "$target"; then
    echo "fuzz: $target: $count properties × $cases cases, 0 failures ($(( $(date +%s) - started )) s)"
  else
    echo "fuzz: $target: a property failed (the case is printed above)"
    exit 1
  fi
done
