#!/usr/bin/env bash
# `make package-test`: installs the .deb that `make package` built with dpkg, starts the
# installed program under Xvfb with a private home and a private keyring, checks through
# WebDriver that its window shows the connection list, then removes the package (also when the
# check fails).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

deb=$(ls -t target/release/bundle/deb/*.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
  echo "package-test: no .deb in target/release/bundle/deb: run make package first" >&2
  exit 1
fi
name=$(dpkg-deb --field "$deb" Package)
echo "package-test: installing $deb ($name)"
$SUDO dpkg -i "$deb"
trap 'echo "package-test: removing $name"; $SUDO dpkg -r "$name" >/dev/null' EXIT

app=$(dpkg -L "$name" | grep -E '^/usr/bin/connmgr-app$')
cli=$(dpkg -L "$name" | grep -E '^/usr/bin/connmgr$')
echo "package-test: installed programs $app and $cli"
CONNMGR_APP="$app" CONNMGR_CLI="$cli" xvfb-run -a -s "-screen 0 1280x800x24" scripts/test-env.sh \
  node --test --test-concurrency=1 tests/package/
