"""Electronic shelf labels: label rendering, a durable outbox, the OpenEPaperLink AP, a simulator."""

from __future__ import annotations

import time
from typing import Any

from drivers.device import DeviceError
from drivers.esl.openepaperlink import OpenEPaperLinkAP
from drivers.esl.outbox import Backoff, EslOutbox
from drivers.esl.shelf_labels import ShelfLabels, require_keys
from drivers.esl.system import EslSystem, LabelFields

__all__ = ["EslSystem", "LabelFields", "ShelfLabels", "create_esl"]


def create_esl(name: str, config: dict[str, Any]) -> ShelfLabels:
    """Registry factory. Config keys: system ("openepaperlink"), url (http://ap-address),
    database (SQLite path for the outbox), batch_size, backoff_base_s, backoff_cap_s,
    confirm_timeout_s, default_size ([w, h]), timeout_s."""
    system_name = config.get("system", "openepaperlink")
    if system_name != "openepaperlink":
        raise DeviceError("unsupported", f"{name}: ESL system {system_name!r} is not supported")
    require_keys(name, config, "url", "database")
    try:
        system = OpenEPaperLinkAP(str(config["url"]), timeout_s=float(config.get("timeout_s", 5)))
    except ValueError as exc:
        raise DeviceError("bad_config", f"{name}: {exc}") from exc
    outbox = EslOutbox(
        config["database"],
        clock=time.time,
        backoff=Backoff(float(config.get("backoff_base_s", 2.0)), float(config.get("backoff_cap_s", 300.0))),
        confirm_timeout_s=float(config.get("confirm_timeout_s", 600.0)),
    )
    width, height = config.get("default_size", (296, 128))
    return ShelfLabels(
        name,
        system,
        outbox,
        default_size=(int(width), int(height)),
        batch_size=int(config.get("batch_size", 50)),
    )
