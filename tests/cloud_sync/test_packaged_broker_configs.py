"""The Mosquitto configs shipped in packaging/mosquitto/ work as written: HQ's broker (TLS,
per-store passwords, the %u ACLs) and a store broker bridged to it. Only what a site fills in
(paths, ports, the bridge's address and password) is substituted."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cloud_sync.settings import BrokerSettings
from tests.cloud_sync.harness import (
    MOSQUITTO,
    ROOT,
    _port_open,
    free_port,
    make_tls,
    password_file,
    wait_until,
)
from tests.cloud_sync.test_security import USERS, Listener


def site_config(name: str, workdir: Path, port: int, **fill: str) -> Path:
    """The packaged config with this site's paths, port and secrets filled in."""
    text = (ROOT / "packaging" / "mosquitto" / name).read_text()
    text = text.replace("/etc/mosquitto/pos/", f"{workdir}/").replace("listener 8883",
                                                                      f"listener {port} 127.0.0.1")
    text = text.replace("persistence_location /var/lib/mosquitto/",
                        f"persistence_location {workdir}/").replace("log_dest syslog", "log_dest stderr")
    for old, new in fill.items():
        text = text.replace(old, new)
    path = workdir / name
    path.write_text("user root\n" + text)  # as root, mosquitto would drop to a user that cannot read tmp
    return path


def start(conf: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    wait_until(lambda: _port_open(port) or proc.poll() is not None, 10, f"{conf.name} to listen")
    if proc.poll() is not None:
        why = proc.stderr.read().decode() if proc.stderr else ""
        raise AssertionError(f"{conf.name} refused to start: {why}")
    return proc


def client(port: int, ca: Path, user: str) -> BrokerSettings:
    return BrokerSettings(port=port, tls=True, ca_file=str(ca), username=user, password=USERS[user],
                          keepalive=2)


@pytest.mark.timeout(60)
def test_hq_and_bridged_store_brokers_carry_a_store_up_and_its_downlink_down(tmp_path: Path) -> None:
    hq_dir, store_dir = tmp_path / "hq", tmp_path / "store"
    hq_dir.mkdir()
    store_dir.mkdir()
    ca, cert, key = make_tls(tmp_path)
    for directory, prefix in ((hq_dir, ""), (store_dir, "store-")):
        shutil.copy(ca, directory / "ca.crt")
        shutil.copy(cert, directory / f"{prefix}server.crt")
        shutil.copy(key, directory / f"{prefix}server.key")
        shutil.copy(ROOT / "packaging" / "mosquitto" / "acl", directory / "acl")
        written = password_file(directory, USERS)
        if written != directory / "passwd":
            shutil.copy(written, directory / "passwd")
    shutil.copy(ca, store_dir / "hq-ca.crt")
    hq_port, store_port = free_port(), free_port()
    hq = start(site_config("hq.conf", hq_dir, hq_port), hq_port)
    store = start(site_config("store.conf", store_dir, store_port, **{
        "hq.example.com:8883": f"127.0.0.1:{hq_port}", "CHANGE-ME": USERS["S001"]}), store_port)
    try:
        at_hq = Listener(client(hq_port, ca, "hq-ingest"), "hq", ["pos/v1/+/+/up/#"])
        till = Listener(client(store_port, ca, "S001"), "till", ["pos/v1/S001/T01/down/#"])
        # The bridge connects on its own schedule: publish until HQ sees the till's event.
        wait_until(lambda: till.publish("pos/v1/S001/T01/up/events") or
                   "pos/v1/S001/T01/up/events" in at_hq.got, 20, "the till's event at HQ")
        wait_until(lambda: at_hq.publish("pos/v1/S001/T01/down/ack") or
                   "pos/v1/S001/T01/down/ack" in till.got, 20, "HQ's ack at the till")
        at_hq.close()
        till.close()
    finally:
        for proc in (store, hq):
            proc.kill()
            proc.wait(5)
