"""The Mosquitto configs shipped in packaging/mosquitto/ work as written, run as the packaged
`mosquitto` user: HQ's broker (TLS, a listener for store bridges and terminals that pins client
id to username, one for HQ services) and a store broker bridged to it, with credentials made by
`pos hq enroll`'s code. Only what a site fills in (paths, ports, the bridge's address and secret)
is substituted."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.cloud_sync.harness import (
    BROKER_USER,
    MOSQUITTO,
    ROOT,
    SecureSite,
    _port_open,
    broker_user_dir,
    free_port,
    process_user,
    readable_by_broker,
    wait_until,
)
from tests.cloud_sync.test_security import Listener


def site_config(name: str, workdir: Path, ports: dict[str, int], user: str = "root",
                **fill: str) -> Path:
    """The packaged config with this site's paths, ports and secrets filled in. As root by
    default (mosquitto would drop to a user that cannot read pytest's tmp); with
    `user=BROKER_USER` as packaged, over a `broker_user_dir()` (persistence in a subdirectory that
    user owns, as /var/lib/mosquitto is)."""
    text = (ROOT / "packaging" / "mosquitto" / name).read_text()
    text = text.replace("/etc/mosquitto/pos/", f"{workdir}/")
    for listener, port in ports.items():
        text = text.replace(listener, f"listener {port} 127.0.0.1")
    state = workdir
    if user != "root":
        state = workdir / "lib"
        state.mkdir(mode=0o700, exist_ok=True)
        shutil.chown(state, user, user)
    text = text.replace("persistence_location /var/lib/mosquitto/",
                        f"persistence_location {state}/").replace("log_dest syslog", "log_dest stderr")
    for old, new in fill.items():
        text = text.replace(old, new)
    path = workdir / name
    path.write_text(f"user {user}\n" + text)
    if user != "root":
        readable_by_broker(path)  # a reload rereads it as that user
    return path


def start(conf: Path, port: int) -> subprocess.Popen[bytes]:
    # Its log to a file, not a pipe nobody drains (a full pipe would stall the broker).
    log = conf.with_suffix(".log")
    with log.open("ab") as out:
        proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                                stderr=out)
    wait_until(lambda: _port_open(port) or proc.poll() is not None, 10, f"{conf.name} to listen")
    if proc.poll() is not None:
        raise AssertionError(f"{conf.name} refused to start: {log.read_text()}")
    return proc


@pytest.mark.timeout(60)
def test_hq_and_bridged_store_brokers_carry_a_store_up_and_its_downlink_down(tmp_path: Path) -> None:
    with broker_user_dir() as etc:
        hq_and_store_as_their_packaged_user(etc)


def hq_and_store_as_their_packaged_user(etc: Path) -> None:
    """Both brokers as `mosquitto` over files an operator installs root:mosquitto 0640; the
    store's tills publish up through the bridge (the retain flag stripped on the way), HQ's
    ack comes down."""
    hq_dir, store_dir = etc / "hq", etc / "store"
    for folder in (hq_dir, store_dir):
        folder.mkdir()
        shutil.chown(folder, group=BROKER_USER)
        folder.chmod(0o750)
    hq_site = SecureSite(hq_dir, [("S001", None)]).for_broker_user()  # the bridge's, at HQ
    store_site = SecureSite(store_dir, [("S001", "T01")]).for_broker_user()  # the till's
    # make_tls wrote ca.crt, server.crt and server.key; a store server's have their own names.
    shutil.copy(store_site.cert, store_dir / "store-server.crt")
    shutil.copy(store_site.key, store_dir / "store-server.key")
    shutil.copy(hq_site.ca, store_dir / "hq-ca.crt")
    readable_by_broker(*(store_dir / n for n in ("store-server.crt", "store-server.key",
                                                  "hq-ca.crt")))
    hq_port, services_port, store_port = free_port(), free_port(), free_port()
    hq = start(site_config("hq.conf", hq_dir, {"listener 8883": hq_port,
                                               "listener 8884 127.0.0.1": services_port},
                           user=BROKER_USER), hq_port)
    store = start(site_config("store.conf", store_dir, {"listener 8883": store_port},
                              user=BROKER_USER, **{
                                  "hq.example.com:8883": f"127.0.0.1:{hq_port}",
                                  "BRIDGE-SECRET": hq_site.passwords["bridge-S001"]}),
                  store_port)
    try:
        assert process_user(hq.pid) == process_user(store.pid) == BROKER_USER
        at_hq = Listener(hq_site.settings(services_port, "hq-ingest"), "hq", ["pos/v1/+/+/up/#"])
        till = Listener(store_site.settings(store_port, "S001-T01"), "till",
                        ["pos/v1/S001/T01/down/#"])
        # The bridge connects on its own schedule: publish until HQ sees the till's event.
        wait_until(lambda: till.publish("pos/v1/S001/T01/up/events") or
                   "pos/v1/S001/T01/up/events" in at_hq.got, 20, "the till's event at HQ")
        wait_until(lambda: at_hq.publish("pos/v1/S001/T01/down/ack") or
                   "pos/v1/S001/T01/down/ack" in till.got, 20, "HQ's ack at the till")
        till.client.publish("pos/v1/S001/T01/up/presence", b"{}", qos=1,
                            retain=True).wait_for_publish(5)
        wait_until(lambda: "pos/v1/S001/T01/up/presence" in at_hq.got, 10, "presence at HQ")
        at_hq.close()
        till.close()
        # What the till left retained at its store broker never became retained at HQ.
        late = Listener(hq_site.settings(services_port, "hq-publish"), "late",
                        ["pos/v1/+/+/up/#"])
        time.sleep(0.5)
        late.close()
        assert late.got == []
    finally:
        for proc in (store, hq):
            proc.kill()
            proc.wait(5)
