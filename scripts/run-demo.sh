#!/usr/bin/env bash
# Starts the local Coupa-compatible sandbox on a free loopback port, then the app pointed at it.
# Closing the app stops the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "make run: no display to open the window on. On a headless machine: xvfb-run -a make run" >&2
  exit 1
fi

scratch=$(mktemp -d /tmp/connmgr-demo-XXXXXX)
target/debug/connmgr-sandbox --port 0 >"$scratch/sandbox.out" 2>"$scratch/sandbox.err" &
sandbox_pid=$!
cleanup() {
  kill "$sandbox_pid" 2>/dev/null || true
  wait "$sandbox_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

url=""
for _ in $(seq 100); do
  url=$(head -n 1 "$scratch/sandbox.out" 2>/dev/null || true)
  [ -n "$url" ] && break
  if ! kill -0 "$sandbox_pid" 2>/dev/null; then
    echo "make run: the sandbox did not start:" >&2
    cat "$scratch/sandbox.err" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "make run: the sandbox printed no URL within 10 s" >&2
  exit 1
fi
echo "Local Coupa sandbox: $url"
echo "Starting Connection Manager (close its window to stop the demo)"
CONNMGR_SANDBOX_URL="$url" target/debug/connmgr-app
