"""End to end over real HTTP: price changes for 1,000 labels through the outbox to a simulated AP
that fails 20 % of requests (500s, dropped connections, uploads taken but answers lost)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from drivers.device import DeviceError
from drivers.esl import LabelFields, ShelfLabels, create_esl
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.simulator import SimulatedAP

pytestmark = pytest.mark.timeout(60)

MACS = [f"0000{0x021EDE000000 + i:012X}" for i in range(1000)]


def _labels(sim: SimulatedAP, db: Path, **extra: object) -> ShelfLabels:
    config = {
        "url": sim.url,
        "database": str(db),
        "backoff_base_s": 0.02,
        "backoff_cap_s": 0.2,
        "confirm_timeout_s": 2.0,
        "batch_size": 200,
        "timeout_s": 2.0,
        **extra,
    }
    labels = create_esl("esl-1", config)
    labels.size_override = (64, 32)  # small images keep a 1,000-label run fast
    labels.open()
    labels.claim()
    labels.enable()
    return labels


def _fields(i: int, price: int) -> LabelFields:
    return LabelFields(f"商品 {i}", price, unit_price_fen=price * 2, unit="kg")


def test_1000_price_changes_all_confirmed_despite_20_percent_failures(tmp_path: Path) -> None:
    with SimulatedAP(MACS, failure_rate=0.2, apply_delay_s=0.05, seed=42) as sim:
        labels = _labels(sim, tmp_path / "store.db")
        for i, mac in enumerate(MACS):
            labels.set_label(mac, _fields(i, 1000 + i), version=1)
        # A second price change arrives for a tenth of the labels before the first is out.
        for i, mac in enumerate(MACS[:100]):
            labels.set_label(mac, _fields(i, 900 + i), version=2)
        result = labels.run_until_idle(timeout_s=45)

        assert result.waiting == 0
        assert labels.stale_labels() == []
        assert sim.faults > 0
        for mac in MACS:
            tag = sim.tags[mac]
            assert tag.pending == 0
            assert tag.hash == hashlib.md5(tag.last_image).hexdigest()
        # The label shows the newest version, never the superseded one.
        for mac in MACS[:100]:
            assert labels.outbox.state_of(mac, 2) == "delivered"
            assert labels.outbox.state_of(mac, 1) in ("superseded", "delivered")
        newest = encode_jpeg(render_label(_fields(0, 900), (64, 32)))
        assert sim.tags[MACS[0]].hash == hashlib.md5(newest).hexdigest()
        labels.close()


def test_labels_the_ap_never_applies_show_in_the_stale_report(tmp_path: Path) -> None:
    with SimulatedAP(MACS[:3], apply_delay_s=3600) as sim:
        labels = _labels(sim, tmp_path / "store.db")
        for i, mac in enumerate(MACS[:3]):
            labels.set_label(mac, _fields(i, 500), version=7)
        result = labels.run_until_idle(timeout_s=0.3)
        assert result.waiting == 3
        stale = labels.stale_labels()
        assert [(s.mac, s.wanted_version, s.confirmed_version) for s in stale] == [
            (mac, 7, None) for mac in MACS[:3]
        ]
        assert all(s.age_s >= 0 for s in stale)
        assert labels.health().ok
        assert "3 labels" in labels.health().detail
        labels.close()


def test_factory_rejects_bad_config() -> None:
    with pytest.raises(DeviceError):
        create_esl("esl-x", {"url": "http://127.0.0.1:1"})
    with pytest.raises(DeviceError):
        create_esl("esl-x", {"system": "vusion", "url": "x", "database": "x"})
    with pytest.raises(DeviceError):
        create_esl("esl-x", {"url": "ftp://ap", "database": ":memory:"})
