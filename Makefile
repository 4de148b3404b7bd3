# Connection Manager: `make run` builds and starts the app with the local sandbox as a demo;
# `make test` runs every check CI runs. Both install what is missing first and are idempotent.
SHELL := /bin/bash
.DEFAULT_GOAL := help

NPM_STAMP := node_modules/.package-lock.json

.PHONY: help setup run test bench fuzz bindings screenshots package package-test bare-app app ui clean

help:
	@echo "make run          build and start the app with the local sandbox (a ready demo)"
	@echo "make test         every check CI runs: format, lint, types, unit, integration, end-to-end"
	@echo "make bench        print performance figures (ratios to a baseline measured in the same run)"
	@echo "make fuzz         the property tests with a million cases each (FUZZ_CASES to change)"
	@echo "make bindings     regenerate ui/src/backend/bindings.ts from the Rust commands"
	@echo "make screenshots  run the end-to-end suite and refresh the screenshots in docs/"
	@echo "make package      build the release app and its .deb (target/release/bundle/deb/)"
	@echo "make package-test install that .deb, check the installed app's window, remove it"

## System packages, tauri-driver and Node modules (each skipped when present).
setup: $(NPM_STAMP)
	@scripts/setup-system.sh

$(NPM_STAMP): package.json package-lock.json
	@scripts/setup-system.sh
	npm ci --no-audit --no-fund
	@touch $(NPM_STAMP)

ui: setup
	npm run --silent build:ui

app: ui
	cargo build --locked -p connmgr-app -p connmgr-sandbox -p connmgr-cli

run: app
	@scripts/run-demo.sh

test: setup
	@scripts/test.sh

## Figures, not verdicts, one line each (`bench: NAME: VALUE UNIT vs BASELINE UNIT = RATIOx`):
## token round trips through the engine vs raw reqwest, listener start-up, the connection list
## with 10,000 connections against 10, and the release app's start-up and memory against a bare
## Tauri 2 + Vite window.
bench: app package bare-app
	cargo bench --locked -p connmgr-core --bench token_roundtrip
	xvfb-run -a -s "-screen 0 1280x800x24" scripts/test-env.sh node tests/bench/list-10k.mjs
	xvfb-run -a -s "-screen 0 1280x800x24" scripts/test-env.sh node tests/bench/launch.mjs
	scripts/test-env.sh node tests/bench/cli-token.mjs

## The property tests (parsers, redaction) with many more cases than `make test` runs.
fuzz: setup
	@scripts/fuzz.sh

## The start-up and memory baseline: a bare Tauri 2 + Vite window, built in release.
bare-app: setup
	npx --no-install vite build tests/bench/bare-app --emptyOutDir --logLevel warn
	cargo build --release --locked --manifest-path tests/bench/bare-app/src-tauri/Cargo.toml --target-dir target

bindings: ui
	UPDATE_BINDINGS=1 cargo test --locked -p connmgr-app bindings_are_current

screenshots: app
	UPDATE_DOCS=1 xvfb-run -a -s "-screen 0 1280x800x24" scripts/test-env.sh npm run --silent test:e2e

## The release app and a .deb through the Tauri bundler; then the installed package checked.
package: setup
	@scripts/package.sh

package-test: package
	@scripts/package-test.sh

clean:
	cargo clean
	rm -rf dist node_modules tests/artifacts
