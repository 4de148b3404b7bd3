#!/usr/bin/env bash
# Installs the system packages and tools that building, running and testing the app need on
# Debian 12. Idempotent: each step is skipped when what it installs is already there.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian packages: the Tauri Linux build deps, Xvfb, the WebKit WebDriver, a Secret Service
# (gnome-keyring) for the keyring tests, tools the e2e suite uses (xclip, ImageMagick), and git
# (the command-line tool speaks to it as a credential helper in its tests), and openssl (the
# tests make client keys and certificates with it, as an admin does), and mold (the linker
# .cargo/config.toml names: the test binaries link several times faster than with GNU ld).
PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev pkg-config
  xvfb xauth webkit2gtk-driver dbus-x11 dbus gnome-keyring libsecret-tools
  imagemagick x11-utils xclip iproute2 procps git openssl mold
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js 20.19 or newer builds the UI (Vite 8). Debian 12's own nodejs is 18, too old, so it
# must come with the machine (this one ships it) or from NodeSource.
node_ok=$(node -e 'const [a,b]=process.versions.node.split(".").map(Number);console.log(a>20||(a===20&&b>=19)?1:0)' 2>/dev/null || echo 0)
if [ "$node_ok" != 1 ]; then
  echo "setup: Node.js 20.19 or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi

# tauri-driver bridges WebDriver to the app's WebKitWebDriver for the end-to-end tests.
if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version 2.0.5 -q
fi
