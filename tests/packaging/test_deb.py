"""The .deb, built by `bash packaging/build-deb.sh` from a clean clone of this repository: what it
installs, with which owners and modes (read back with dpkg-deb -c / -I), and maintainer scripts
that create the `pos` user and give /etc/pos and /var/lib/pos to it. Installing it is
test_deb_install.py's job."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.packaging.units import ROOT, unit_files

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (not a Debian machine)")
    work = tmp_path_factory.mktemp("deb")
    clone = work / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=60)
    done = subprocess.run(["bash", "packaging/build-deb.sh", "--no-deps", "--out", str(work / "out")],
                          cwd=clone, env={"PATH": "/usr/bin:/bin", "HOME": str(work),
                                          "PYTHON": sys.executable},
                          capture_output=True, text=True, timeout=200)
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip().splitlines()[-1])
    return path if path.is_absolute() else clone / path


def contents(deb: Path) -> dict[str, tuple[str, str]]:
    """path → (mode string, owner/group) from `dpkg-deb -c`."""
    out = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    entries = {}
    for line in out.splitlines():
        mode, owner, _size, _date, _time, path, *_ = line.split()
        entries[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner)
    return entries


def field(deb: Path, name: str) -> str:
    return subprocess.run(["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_package_metadata_names_qt_libraries_and_the_version(deb: Path) -> None:
    assert field(deb, "Package") == "store-edge-pos"
    assert field(deb, "Version") == "0.1.0"
    depends = field(deb, "Depends")
    for needed in ("python3-venv", "adduser", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-cursor0"):
        assert needed in depends
    assert "cage, xwayland" in field(deb, "Recommends")


def test_every_file_is_root_owned_with_the_modes_the_issue_asks(deb: Path) -> None:
    files = contents(deb)
    assert {owner for _, owner in files.values()} == {"root/root"}
    assert files["/etc/pos"][0] == "drwxr-x---"
    for name in ("store.toml", "pos.env", "hq.env", "role"):
        assert files[f"/etc/pos/{name}"][0] == "-rw-r-----", name
    assert files["/var/lib/pos"][0] == "drwxr-x---"
    for unit in unit_files():
        assert files[f"/lib/systemd/system/{unit.name}"][0] == "-rw-r--r--", unit.name
    for path in ("/lib/udev/rules.d/99-pos-devices.rules", "/usr/share/pos/avahi/mqtt.service",
                 "/usr/share/pos/mosquitto/store.conf", "/usr/share/pos/mosquitto/acl",
                 "/etc/pam.d/pos-kiosk", "/usr/share/doc/store-edge-pos/operations.md"):
        assert files[path][0].startswith("-rw-r--r--"), path
    assert files["/usr/bin/pos"][0].startswith("l")
    wheels = [p for p in files if p.startswith("/opt/pos/releases/0.1.0/wheels/")]
    assert [Path(p).name for p in wheels] == ["store_edge_pos-0.1.0-py3-none-any.whl"]


def test_the_wheel_carries_migrations_and_compiled_translations(deb: Path, tmp_path: Path) -> None:
    subprocess.run(["dpkg-deb", "-x", str(deb), str(tmp_path)], check=True)
    wheel = next((tmp_path / "opt/pos/releases/0.1.0/wheels").glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ui/i18n/pos_zh_CN.qm" in names
    assert "migrations/edge/0001_core.sql" in names and "cli/backup.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_maintainer_scripts_make_the_user_and_give_it_config_and_data(deb: Path, tmp_path: Path) -> None:
    subprocess.run(["dpkg-deb", "-e", str(deb), str(tmp_path)], check=True)
    for script in ("postinst", "prerm", "postrm"):
        path = tmp_path / script
        assert path.stat().st_mode & 0o777 == 0o755
        subprocess.run(["sh", "-n", str(path)], check=True)
    postinst = (tmp_path / "postinst").read_text()
    assert "VERSION=0.1.0" in postinst and "@VERSION@" not in postinst
    assert "adduser --quiet --system --ingroup pos" in postinst
    assert 'chown root:pos "/etc/pos/$conf"' in postinst and 'chmod 0640 "/etc/pos/$conf"' in postinst
    assert "/etc/pos/*" not in postinst          # never re-mode an operator's 0600 secrets
    assert "install -d -m 0750 -o pos -g pos /var/lib/pos" in postinst
    assert "pos upgrade rollback" in postinst
    assert "/usr/bin/python3 -m venv" in postinst       # not a python3 only root can run
    assert (tmp_path / "conffiles").read_text().split() == [
        "/etc/pos/store.toml", "/etc/pos/pos.env", "/etc/pos/hq.env", "/etc/pos/role",
        "/etc/pam.d/pos-kiosk"]
    assert "/var/lib/pos" not in (tmp_path / "postrm").read_text().split("rm -rf")[1].split("\n")[0]
