"""The .deb installed on this machine: built by `bash packaging/build-deb.sh` from a clean clone
(with every dependency's wheel, so postinst installs offline), installed with `dpkg -i` as a till,
then checked: files, owners and modes, the `pos` user, the installed `pos` run as that user, and
`systemd-analyze verify` on the installed units; purged, it leaves only what docs/operations.md
says it keeps (/var/lib/pos and the `pos` user). A second install as a store server checks the
broker and Avahi files postinst copies, and that a purge takes them away.

Installed on the machine itself, not in a container or chroot: CI machines are like this one
(root, Debian 12, systemd not PID 1), no container runtime is here, and a chroot would need a
second Debian base (debootstrap, network) that would cost minutes. So the test is careful with the
machine: one run at a time (a lock), and it purges only an installation a previous run of this
test left (a marker file); any other installation of store-edge-pos makes it fail, untouched.
"""

from __future__ import annotations

import fcntl
import grp
import json
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.packaging.units import ROOT, instance_name, unit_files

pytestmark = pytest.mark.timeout(420)

PACKAGE = "store-edge-pos"
LOCK = Path("/run/lock/store-edge-pos-install-test.lock")
MARKER = Path("/var/tmp/store-edge-pos-install-test")   # survives a run that died
DATA = Path("/var/lib/pos")
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def run(*args: str, env: dict[str, str] | None = None, check: bool = True, timeout: float = 240,
        cwd: Path | None = None, only_env: bool = False) -> subprocess.CompletedProcess[str]:
    """Run a command in its own process group, all of it killed if it overruns (a timed-out
    build must not leave its dpkg-deb or pip behind). `env` is added to ours, or with
    `only_env` is the whole environment."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=(env or {}) if only_env else {**os.environ, **(env or {})},
                            cwd=cwd, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise
    done = subprocess.CompletedProcess(args, proc.returncode, out, err)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


def package_state() -> str:
    done = run("dpkg-query", "-W", "-f=${db:Status-Status}", PACKAGE, check=False)
    return done.stdout.strip() if done.returncode == 0 else "not-installed"


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def purge() -> None:
    if package_state() != "not-installed":
        # A run killed during dpkg -i can leave it half-installed: purge anyway.
        run("dpkg", "--purge", "--force-remove-reinstreq", PACKAGE)


def remove_what_purge_keeps() -> None:
    """What docs/operations.md says to remove by hand once HQ has everything."""
    shutil.rmtree(DATA, ignore_errors=True)
    if user_exists("pos"):
        run("deluser", "--quiet", "--system", "pos")
    with_group = run("getent", "group", "pos", check=False)
    if with_group.returncode == 0:
        run("delgroup", "--quiet", "--system", "pos")


@dataclass(frozen=True)
class Built:
    deb: Path
    build_s: float
    listed: dict[str, tuple[str, str]]  # path -> (mode string, owner) from dpkg-deb -c


@pytest.fixture(scope="module")
def machine() -> Iterator[bool]:
    """This machine, ready for an install: root, nothing of ours installed, one run at a time.
    Yields whether the `pos` user existed before (then it is left in place afterwards)."""
    if os.geteuid() != 0:
        if os.environ.get("CI"):
            pytest.fail("the install test needs root (dpkg -i); CI runs it as root")
        pytest.skip("installing the package needs root (CI runs this test as root)")
    LOCK.parent.mkdir(parents=True, exist_ok=True)
    with LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ours = MARKER.exists()
        if (package_state() != "not-installed" or DATA.exists()) and not ours:
            pytest.fail(f"{PACKAGE} (or {DATA}) is on this machine and was not installed by this "
                        "test: it is not the test's to purge; remove it by hand to run the test")
        if ours:                                  # a previous run died before its clean-up
            purge()
            remove_what_purge_keeps()
        user_before = user_exists("pos")
        MARKER.write_text(f"{os.getpid()}\n")
        try:
            yield user_before
        finally:
            purge()
            if user_before:
                shutil.rmtree(DATA, ignore_errors=True)
            else:
                remove_what_purge_keeps()
            MARKER.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def built(machine: bool, tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("deb-install")
    clone = work / "clone"
    run("git", "clone", "--quiet", str(ROOT), str(clone))
    started = time.monotonic()
    # A clean environment (no developer's PATH or virtualenv); pip reads the machine's own
    # configuration (/etc/pip.conf: the package index or mirror CI uses) for the wheels.
    done = run("bash", "packaging/build-deb.sh", "--out", str(work / "out"), cwd=clone,
               env={"PATH": "/usr/bin:/bin", "HOME": str(work), "PYTHON": sys.executable},
               only_env=True, timeout=300)
    deb = Path(done.stdout.strip().splitlines()[-1])
    deb = deb if deb.is_absolute() else clone / deb
    listed = {}
    for line in run("dpkg-deb", "-c", str(deb)).stdout.splitlines():
        mode, owner, _size, _date, _time, path, *_ = line.split()
        listed[path.removeprefix(".").rstrip("/") or "/"] = (mode, owner)
    return Built(deb, time.monotonic() - started, listed)


def install(deb: Path, role: str) -> float:
    unmet = [p.strip().split()[0] for p in
             run("dpkg-deb", "-f", str(deb), "Depends").stdout.split(",")
             if package_state_of(p.strip().split()[0]) != "installed"]
    assert not unmet, f"Depends not installed (bash packaging/setup.sh --dev installs them): {unmet}"
    started = time.monotonic()
    run("dpkg", "-i", str(deb), env={"POS_ROLE": role})
    return time.monotonic() - started


def package_state_of(name: str) -> str:
    done = run("dpkg-query", "-W", "-f=${db:Status-Status}", name, check=False)
    return done.stdout.strip() if done.returncode == 0 else "not-installed"


@pytest.fixture(scope="module")
def till(built: Built) -> float:
    """Installed as a till; the seconds `dpkg -i` took (postinst builds the virtualenv)."""
    seconds = install(built.deb, "till")
    print(f"\nbuild-deb.sh {built.build_s:.1f} s, {built.deb.stat().st_size / 2**20:.0f} MB; "
          f"dpkg -i {seconds:.1f} s")
    return seconds


def owner_mode(path: Path) -> tuple[str, str, int]:
    st = path.lstat()
    return pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)


def as_pos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["runuser", "-u", "pos", "--", *args], capture_output=True, text=True,
                          timeout=60, cwd="/")


def test_install_makes_the_pos_user_and_gives_it_config_and_data(till: float) -> None:
    assert package_state() == "installed"
    user = pwd.getpwnam("pos")
    assert user.pw_uid < 1000 and grp.getgrgid(user.pw_gid).gr_name == "pos"   # a system user
    assert (user.pw_dir, user.pw_shell) == ("/var/lib/pos", "/usr/sbin/nologin")
    assert owner_mode(Path("/etc/pos")) == ("root", "pos", 0o750)
    for name in ("store.toml", "pos.env", "hq.env", "role"):
        assert owner_mode(Path("/etc/pos") / name) == ("root", "pos", 0o640), name
    assert Path("/etc/pos/role").read_text().split()[-1] == "till"
    for data in (DATA, DATA / "publish"):
        assert owner_mode(data) == ("pos", "pos", 0o750), data
    assert owner_mode(DATA / "backups") == ("pos", "pos", 0o700)


def test_install_puts_the_release_units_rules_and_broker_files_in_place(till: float) -> None:
    release = Path(f"/opt/pos/releases/{VERSION}")
    assert os.readlink("/opt/pos/current") == str(release)
    assert not Path("/opt/pos/previous").exists()
    assert os.readlink("/usr/bin/pos") == "/opt/pos/current/venv/bin/pos"
    # The program belongs to root: the `pos` user runs it and cannot change it.
    for path in (release / "venv", release / "venv/bin", release / "venv/bin/pos",
                 release / "venv/lib"):
        user, _group, mode = owner_mode(path)
        assert user == "root" and not mode & 0o022, path
    for unit in unit_files():
        assert owner_mode(Path("/lib/systemd/system") / unit.name) == ("root", "root", 0o644)
        assert (Path("/lib/systemd/system") / unit.name).read_bytes() == unit.read_bytes()
    for path in ("/lib/udev/rules.d/99-pos-devices.rules", "/etc/pam.d/pos-kiosk",
                 "/usr/share/pos/mosquitto/store.conf", "/usr/share/pos/mosquitto/hq.conf",
                 "/usr/share/pos/mosquitto/acl", "/usr/share/pos/avahi/mqtt.service"):
        assert owner_mode(Path(path)) == ("root", "root", 0o644), path
    assert Path("/lib/udev/rules.d/99-pos-devices.rules").read_bytes() == \
        (ROOT / "packaging/udev/99-pos-devices.rules").read_bytes()
    # A till gets no store broker config; that is the store server's (below).
    assert not Path("/etc/mosquitto/conf.d/pos-store.conf").exists()


def test_the_installed_pos_runs_as_the_pos_user(till: float) -> None:
    version = as_pos("/usr/bin/pos", "--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"pos {VERSION}"), version.stderr
    db = ["--db", str(DATA / "store.db")]
    init = as_pos("pos", "init", *db, "--config", "/etc/pos/store.toml")
    assert init.returncode == 0, init.stderr
    backup = as_pos("pos", "backup", *db, "--to", str(DATA / "backups"))
    assert backup.returncode == 0 and backup.stdout.startswith("backup ok:"), backup.stderr
    assert owner_mode(DATA / "store.db")[:2] == ("pos", "pos")
    doctor = as_pos("pos", "doctor", "--json", "--no-devices", *db, "--config",
                    "/etc/pos/store.toml", "--backup-dir", str(DATA / "backups"))
    report = json.loads(doctor.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert (report["store"], report["terminal"], report["version"]) == ("S001", "T01", VERSION)
    assert checks["database"]["status"] == "ok" and checks["backup"]["status"] == "ok"
    assert checks["disk"]["status"] != "fail" and checks["backlog"]["data"]["pending"] == 0
    # No broker is configured for this till yet (the sample config's): exit 1 says so.
    assert "broker" in checks
    failing = any(c["status"] == "fail" for c in report["checks"])
    assert doctor.returncode == (1 if failing else 0), doctor.stderr


def test_systemd_analyze_verify_passes_on_the_installed_units(till: float) -> None:
    names = [instance_name(u) for u in unit_files()]
    done = run("systemd-analyze", "verify", *names, check=False, timeout=60)
    # Against the real /lib/systemd/system and the real executables (the venv, cage): any
    # warning is a failure.
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def shipped_paths(built: Built) -> list[Path]:
    return [Path(p) for p in built.listed if p != "/"]


def test_purge_leaves_only_the_data_and_the_user(till: float, built: Built) -> None:
    existed = {p for p in shipped_paths(built) if p.is_dir() and not str(p).startswith(
        ("/opt/pos", "/etc/pos", "/var/lib/pos", "/usr/share/pos", "/usr/share/doc/store-edge-pos"))}
    run("dpkg", "--purge", PACKAGE)
    assert package_state() == "not-installed"
    left = [p for p in shipped_paths(built) if p.exists() or p.is_symlink()]
    # Kept: the data directory (the store's unsynced sales), and directories other packages
    # own (/etc, /lib/systemd/system, ...).
    assert sorted(set(left) - existed) == [DATA], left
    assert not Path("/opt/pos").exists()                  # the virtualenvs postinst built
    assert (DATA / "store.db").exists() and list((DATA / "backups").glob("store-*.db"))
    assert user_exists("pos")


def test_a_store_server_gets_the_broker_and_avahi_files_and_loses_them_on_purge(
        built: Built) -> None:
    purge()
    install(built.deb, "store-server")
    assert Path("/etc/pos/role").read_text().split()[-1] == "store-server"
    conf, acl = Path("/etc/mosquitto/conf.d/pos-store.conf"), Path("/etc/mosquitto/pos/acl")
    avahi = Path("/etc/avahi/services/pos-mqtt.service")
    # The broker reads them as `mosquitto` (also on reload); the conf holds the bridge's secret.
    assert owner_mode(conf) == ("root", "mosquitto", 0o640)
    assert conf.read_bytes() == (ROOT / "packaging/mosquitto/store.conf").read_bytes()
    assert owner_mode(acl) == ("root", "mosquitto", 0o640)
    assert owner_mode(Path("/etc/mosquitto/pos")) == ("root", "mosquitto", 0o750)
    assert owner_mode(avahi) == ("root", "root", 0o644)
    assert "_mqtt._tcp" in avahi.read_text()
    run("dpkg", "--purge", PACKAGE)
    for path in (conf, acl, avahi, Path("/etc/mosquitto/pos")):
        assert not path.exists(), path
