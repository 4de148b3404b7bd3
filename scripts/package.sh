#!/usr/bin/env bash
# `make package`: the release app and its .deb, through the Tauri bundler. Only the .deb is
# built: it needs nothing from the network (AppImage and the others download tools).
set -euo pipefail
cd "$(dirname "$0")/.."

# The command-line tool goes in the same package (tauri.conf.json, bundle.linux.deb.files),
# with its man page and bash completions, generated from its own definitions.
cargo build --release --locked -p connmgr-cli
target/release/connmgr man | gzip -9n >target/release/connmgr.1.gz
target/release/connmgr completions bash >target/release/connmgr.bash

# The bundler runs `npm run build:ui` itself (beforeBuildCommand) before the release build.
npx --no-install tauri build --ci --bundles deb
deb=$(ls -t target/release/bundle/deb/*.deb | head -n 1)
printf 'package: %s (%s)\n' "$deb" "$(du -h "$deb" | cut -f1)"
