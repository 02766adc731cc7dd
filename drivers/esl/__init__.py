"""Electronic shelf labels: label rendering, a durable outbox, the OpenEPaperLink AP, a simulator."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from drivers.device import DeviceError
from drivers.esl.openepaperlink import OpenEPaperLinkAP
from drivers.esl.outbox import Backoff, EslOutbox
from drivers.esl.shelf_labels import ShelfLabels, require_keys
from drivers.esl.system import EslSystem, LabelFields

__all__ = ["EslSystem", "LabelFields", "ShelfLabels", "create_esl"]


def create_esl(
    name: str,
    config: dict[str, Any],
    *,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
) -> ShelfLabels:
    """Registry factory. Config keys: system ("openepaperlink"), url (http://ap-address),
    database (SQLite path of the outbox), batch_size, backoff_base_s, backoff_cap_s,
    check_base_s, confirm_timeout_s, timeout_s."""
    system_name = config.get("system", "openepaperlink")
    if system_name != "openepaperlink":
        raise DeviceError("unsupported", f"{name}: ESL system {system_name!r} is not supported")
    require_keys(name, config, "url", "database")
    try:
        system = OpenEPaperLinkAP(str(config["url"]), timeout_s=float(config.get("timeout_s", 5)))
    except ValueError as exc:
        raise DeviceError("bad_config", f"{name}: {exc}") from exc
    cap = float(config.get("backoff_cap_s", 300.0))
    outbox = EslOutbox(
        config["database"],
        clock=clock,
        backoff=Backoff(float(config.get("backoff_base_s", 2.0)), cap),
        check_backoff=Backoff(float(config.get("check_base_s", 10.0)), cap),
        rng=rng,
    )
    return ShelfLabels(
        name,
        system,
        outbox,
        batch_size=int(config.get("batch_size", 50)),
        confirm_timeout_s=float(config.get("confirm_timeout_s", 600.0)),
    )
