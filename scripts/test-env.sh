#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with its own unlocked gnome-keyring (a real
# Secret Service), so keyring tests never touch the user's own keyring.
#   scripts/test-env.sh COMMAND [ARGS...]
#
# The private bus starts the keyring on demand through a service file of its own, unlocked with
# the test password and kept in this run's scratch folder. gnome-keyring-daemon can abort when
# many short-lived clients open sessions at once (an upstream race: "assertion 'client'
# failed" in aes_negotiate); the bus then starts the same unlocked keyring again, with every
# item it held, instead of the system's locked one under the user's home.
set -euo pipefail

if [ -n "${CONNMGR_IN_TEST_ENV:-}" ]; then
  exec "$@"
fi

scratch=$(mktemp -d /tmp/connmgr-keyring-XXXXXX)
chmod 700 "$scratch"
trap 'rm -rf "$scratch"' EXIT
# A fresh keyring folder every time: an old login keyring with another password would make the
# daemon try to prompt on a display that is not there.
export XDG_DATA_HOME="$scratch/data"
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" "$scratch/services"
chmod 700 "$XDG_RUNTIME_DIR"

# The keyring, as the bus starts it: in the foreground (the bus watches it), unlocked.
cat >"$scratch/keyring" <<EOF
#!/bin/sh
echo "test keyring started" >>"$scratch/keyring.log"
printf 'connmgr-test' | exec gnome-keyring-daemon --foreground --unlock --components=secrets \\
  >>"$scratch/keyring.log" 2>&1
EOF
chmod 700 "$scratch/keyring"
cat >"$scratch/services/org.freedesktop.secrets.service" <<EOF
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=$scratch/keyring
EOF
# The session bus's own configuration with this folder of services first: the first folder
# that names a service wins over the system's.
sed "s|<standard_session_servicedirs */>|<servicedir>$scratch/services</servicedir><standard_session_servicedirs/>|" \
  /usr/share/dbus-1/session.conf >"$scratch/bus.conf"
grep -q "$scratch/services" "$scratch/bus.conf" || {
  echo "test-env: cannot add a service folder to /usr/share/dbus-1/session.conf" >&2
  exit 1
}

# Tests that need the keyring use this service name, never the app's own.
export CONNMGR_KEYRING_SERVICE="${CONNMGR_KEYRING_SERVICE:-Connection Manager (tests)}"
export CONNMGR_IN_TEST_ENV=1
rc=0
# The keyring is started before the command, so the first test does not wait for it.
dbus-run-session --config-file="$scratch/bus.conf" -- bash -c '
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null &&
  exec "$@"' test-env "$@" || rc=$?
# How often the keyring had to be started: once is the normal case.
starts=$(grep -c "^test keyring started" "$scratch/keyring.log" 2>/dev/null || true)
if [ "${starts:-0}" -gt 1 ]; then
  echo "test-env: the test keyring stopped and was started again $((starts - 1)) time(s):" >&2
  grep -E "CRITICAL|ERROR" "$scratch/keyring.log" | sed "s/^[^:]*: [A-Z]* \*\*: [0-9:.]*: //" | sort | uniq -c >&2 || true
fi
exit $rc
