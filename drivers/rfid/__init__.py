"""RFID readers for stock counts: an LLRP 1.0.1 codec and client, SGTIN-96 decoding, a simulator."""

from __future__ import annotations

from typing import Any

from drivers.device import DeviceError
from drivers.rfid.reader import LLRP_PORT, InventoryEvent, LlrpReader

__all__ = ["InventoryEvent", "LlrpReader", "create_rfid_reader"]


def create_rfid_reader(name: str, config: dict[str, Any]) -> LlrpReader:
    """Registry factory. Config keys: protocol ("llrp"), host, port (5084), antennas (list,
    [0] = all), rssi_floor (dBm or null), timeout_s, keepalive_ms."""
    protocol = config.get("protocol", "llrp")
    if protocol != "llrp":
        raise DeviceError("unsupported", f"{name}: RFID protocol {protocol!r} is not supported")
    if "host" not in config:
        raise DeviceError("bad_config", f"{name}: RFID reader needs a host")
    return LlrpReader(
        name,
        str(config["host"]),
        int(config.get("port", LLRP_PORT)),
        antennas=tuple(int(a) for a in config.get("antennas", [0])),
        rssi_floor=config.get("rssi_floor"),
        timeout_s=float(config.get("timeout_s", 10.0)),
        keepalive_ms=int(config.get("keepalive_ms", 10_000)),
    )
