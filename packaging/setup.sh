#!/usr/bin/env bash
# Sets up a fresh Debian machine for the POS: system packages (broker, database, CJK fonts,
# Qt's runtime libraries), a virtualenv in .venv with the project, and the compiled translations.
# Safe to run again: every step checks before it acts. `--dev` adds the test and lint tools.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

# Qt's runtime libraries (xcb and wayland plugins included): one list, shared with build-deb.sh.
mapfile -t qt_packages < <(grep -v '^#' packaging/qt-runtime-packages)
apt_packages=(mosquitto mosquitto-clients postgresql fonts-noto-cjk "${qt_packages[@]}")
# For the tests: a virtual display (the xcb plugin really loads), systemd-analyze for the units,
# cage, which the installed till and kiosk units run (verify checks their executables), the XKB
# data (libxkbcommon comes with Qt) the scanner keymaps are checked against (tests/drivers/scanner),
# and chromium + chromium-driver for the HQ console's browser tests (tests/hq/console/test_browser.py).
if [ $dev -eq 1 ]; then apt_packages+=(xvfb xauth systemd cage xkb-data chromium chromium-driver); fi
missing=()
for p in "${apt_packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi

# The tests start their own broker and database on free ports; the standard ones serve the demo.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start 2>/dev/null || true
fi

python=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$python" -m venv .venv
extras=""
[ $dev -eq 1 ] && extras="[dev]"
stamp=".venv/.installed$extras"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -e ".$extras"
    touch "$stamp"
fi

# Qt translations: .ts live in the repo, .qm are built here.
if ls ui/i18n/*.ts >/dev/null 2>&1; then
    .venv/bin/pyside6-lrelease -silent ui/i18n/*.ts 2>/dev/null \
        || for ts in ui/i18n/*.ts; do .venv/bin/pyside6-lrelease -silent "$ts" -qm "${ts%.ts}.qm"; done
fi
