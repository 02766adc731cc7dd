#!/usr/bin/env bash
# Builds the store-edge-pos .deb from this checkout with dpkg-deb: the project's wheel (and, unless
# --no-deps, every dependency's wheel, so the install needs no network), the systemd units, udev
# rules, broker and Avahi configs, sample config in /etc/pos, and the maintainer scripts that make
# the `pos` user, the release's virtualenv under /opt/pos, and switch /opt/pos/current.
#   bash packaging/build-deb.sh [--no-deps] [--out DIR] [--version V]
#       → DIR/store-edge-pos_VERSION_ARCH.deb (VERSION from pyproject.toml unless --version)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 022

deps=1
out=dist
version=""
while [ $# -gt 0 ]; do
    case "$1" in
        --no-deps) deps=0 ;;
        --out) out="$2"; shift ;;
        --version) version="$2"; shift ;;
        *) echo "usage: $0 [--no-deps] [--out DIR] [--version V]" >&2; exit 2 ;;
    esac
    shift
done

# Any Python with the project's dependencies (PySide6 for lrelease); a clean clone borrows one.
python=${PYTHON:-.venv/bin/python}
[ -x "$python" ] || { echo "run bash packaging/setup.sh first (it makes .venv), or set PYTHON" >&2; exit 1; }
lrelease=$(dirname "$python")/pyside6-lrelease
[ -n "$version" ] || version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
arch=$(dpkg --print-architecture)
[ $deps -eq 0 ] && arch=all            # only our pure-Python wheel inside
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/pkg
rel=$stage/opt/pos/releases/$version

# The translations are built files (.qm), shipped inside the wheel.
if ls ui/i18n/*.ts >/dev/null 2>&1; then
    for ts in ui/i18n/*.ts; do "$lrelease" -silent "$ts" -qm "${ts%.ts}.qm"; done
fi
mkdir -p "$rel/wheels"
"$python" -m pip wheel --quiet --no-deps --wheel-dir "$rel/wheels" .
if [ $deps -eq 1 ]; then
    "$python" -m pip wheel --quiet --wheel-dir "$rel/wheels" "$rel"/wheels/store_edge_pos-*.whl
fi

install -d "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/lib/udev/rules.d" \
    "$stage/usr/share/pos/mosquitto" "$stage/usr/share/pos/avahi" "$stage/usr/share/doc/store-edge-pos" \
    "$stage/etc/pos" "$stage/etc/pam.d" "$stage/var/lib/pos" "$stage/DEBIAN"
ln -s /opt/pos/current/venv/bin/pos "$stage/usr/bin/pos"
install -m 0644 packaging/systemd/pos-* "$stage/lib/systemd/system/"
install -m 0644 packaging/udev/99-pos-devices.rules "$stage/lib/udev/rules.d/"
install -m 0644 packaging/mosquitto/store.conf packaging/mosquitto/hq.conf packaging/mosquitto/acl \
    "$stage/usr/share/pos/mosquitto/"
install -m 0644 packaging/mosquitto/mqtt.service "$stage/usr/share/pos/avahi/"
install -m 0644 README.md docs/*.md "$stage/usr/share/doc/store-edge-pos/"
"$python" -c 'from edge.config import DEFAULT_TOML; print(DEFAULT_TOML, end="")' > "$stage/etc/pos/store.toml"
install -m 0640 packaging/deb/pos.env packaging/deb/hq.env packaging/deb/role "$stage/etc/pos/"
chmod 0640 "$stage/etc/pos/store.toml"
chmod 0750 "$stage/etc/pos" "$stage/var/lib/pos"
install -m 0644 packaging/deb/pos-kiosk.pam "$stage/etc/pam.d/pos-kiosk"

for script in postinst prerm postrm; do
    sed "s/@VERSION@/$version/g" "packaging/deb/$script" > "$stage/DEBIAN/$script"
    chmod 0755 "$stage/DEBIAN/$script"
done
install -m 0644 packaging/deb/conffiles "$stage/DEBIAN/conffiles"
qt=$(grep -v '^#' packaging/qt-runtime-packages | paste -sd, - | sed 's/,/, /g')
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@QT_PACKAGES@/$qt/" -e "s/@SIZE@/$size/" \
    packaging/deb/control.in > "$stage/DEBIAN/control"

mkdir -p "$out"
deb="$out/store-edge-pos_${version}_${arch}.deb"
# Every file root:root in the archive; postinst gives /etc/pos and /var/lib/pos to the `pos`
# group and user, which do not exist before it runs. Not compressed again: the payload is
# wheels, already zip files (xz -6 took 3 min on 2 cores to save 2 % of 276 MB).
dpkg-deb --root-owner-group -Znone --build "$stage" "$deb" >/dev/null
echo "$deb"
