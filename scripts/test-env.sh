#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with its own unlocked gnome-keyring (a real
# Secret Service), so keyring tests never touch the user's own keyring.
#   scripts/test-env.sh COMMAND [ARGS...]
set -euo pipefail

if [ -z "${CONNMGR_IN_TEST_ENV:-}" ]; then
  export CONNMGR_IN_TEST_ENV=1
  exec dbus-run-session -- "$0" "$@"
fi

scratch=$(mktemp -d /tmp/connmgr-keyring-XXXXXX)
chmod 700 "$scratch"
trap 'rm -rf "$scratch"' EXIT
# A fresh keyring folder every time: an old login keyring with another password would make the
# daemon try to prompt on a display that is not there.
export XDG_DATA_HOME="$scratch/data"
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
printf 'connmgr-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null
# Tests that need the keyring use this service name, never the app's own.
export CONNMGR_KEYRING_SERVICE="${CONNMGR_KEYRING_SERVICE:-Connection Manager (tests)}"

"$@"
