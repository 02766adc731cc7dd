"""Zero-configuration discovery on the store LAN (python-zeroconf): each terminal advertises
itself as `_pos-terminal._tcp`; terminals browse for printers, the store MQTT broker and peers.

Rule: discovery only informs. A device configured by name in store.toml is used as configured;
what zeroconf finds is shown (`pos devices list`) and offered, never silently substituted.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import ifaddr
from zeroconf import (
    InterfaceChoice,
    IPVersion,
    ServiceBrowser,
    ServiceInfo,
    ServiceListener,
    Zeroconf,
)

TERMINAL_TYPE = "_pos-terminal._tcp.local."
# What a till looks for, by the name `pos devices list` shows. PDL datastream (raw port 9100)
# and IPP printers are receipt/label printers; `_mqtt._tcp` is the store broker.
BROWSE_TYPES: dict[str, str] = {
    "terminal": TERMINAL_TYPE,
    "printer-raw": "_pdl-datastream._tcp.local.",
    "printer-lpd": "_printer._tcp.local.",
    "printer-ipp": "_ipp._tcp.local.",
    "mqtt": "_mqtt._tcp.local.",
}
_RESOLVE_MS = 1000


@dataclass(frozen=True)
class TerminalAdvert:
    """What a terminal tells the LAN about itself (the TXT record keys are these field names)."""

    store: str
    terminal: str
    version: str
    role: str  # "till", "kiosk", "manager", "scale-station"
    port: int
    addresses: tuple[str, ...] = ()  # empty: every IPv4 address of this machine

    @property
    def instance_name(self) -> str:
        return f"{self.store}-{self.terminal}.{TERMINAL_TYPE}"


@dataclass(frozen=True)
class FoundService:
    kind: str
    name: str
    addresses: tuple[str, ...]
    port: int
    properties: dict[str, str] = field(default_factory=dict, hash=False)


class _Collector(ServiceListener):
    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # service name → type
        self.lock = threading.Lock()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        with self.lock:
            self.names[name] = type_

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.add_service(zc, type_, name)

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        with self.lock:
            self.names.pop(name, None)


class Discovery:
    """One zeroconf engine for this process. `interfaces=["127.0.0.1"]` keeps tests off the LAN."""

    def __init__(self, interfaces: Sequence[str] | None = None) -> None:
        self._zc = Zeroconf(
            interfaces=list(interfaces) if interfaces else InterfaceChoice.All,
            ip_version=IPVersion.V4Only,
        )
        self._adverts: list[ServiceInfo] = []

    def advertise(self, advert: TerminalAdvert) -> str:
        """Register this terminal; returns the instance name actually used (renamed on clash)."""
        addresses = advert.addresses or _lan_addresses()
        info = ServiceInfo(
            TERMINAL_TYPE,
            advert.instance_name,
            addresses=[socket.inet_aton(a) for a in addresses],
            port=advert.port,
            properties={
                "store": advert.store,
                "terminal": advert.terminal,
                "version": advert.version,
                "role": advert.role,
            },
            server=f"pos-{advert.store}-{advert.terminal}.local.",
        )
        # A second till mistakenly given the same id must not crash: mDNS renames it, and the
        # name returned shows the clash.
        return self.register(info)

    def register(self, info: ServiceInfo) -> str:
        """Advertise any service (a simulator's printer, say) until `close()`."""
        self._zc.register_service(info, allow_name_change=True)
        self._adverts.append(info)
        return info.name

    def browse(
        self,
        timeout: float,
        kinds: Sequence[str] = tuple(BROWSE_TYPES),
        until: Callable[[list[FoundService]], bool] | None = None,
    ) -> list[FoundService]:
        """Services of the given kinds seen within `timeout` seconds (sooner once `until` holds)."""
        collector = _Collector()
        types = [BROWSE_TYPES[kind] for kind in kinds]
        kind_of = {BROWSE_TYPES[kind]: kind for kind in kinds}
        browser = ServiceBrowser(self._zc, types, collector)
        deadline = time.monotonic() + timeout
        found: dict[str, FoundService] = {}
        try:
            while True:
                with collector.lock:
                    pending = [(n, t) for n, t in collector.names.items() if n not in found]
                for name, type_ in pending:
                    service = self._resolve(kind_of[type_], type_, name)
                    if service is not None:
                        found[name] = service
                result = sorted(found.values(), key=lambda s: (s.kind, s.name))
                if (until is not None and until(result)) or time.monotonic() >= deadline:
                    return result
                time.sleep(0.05)
        finally:
            browser.cancel()

    def close(self) -> None:
        for info in self._adverts:
            self._zc.unregister_service(info)
        self._adverts.clear()
        self._zc.close()

    def _resolve(self, kind: str, type_: str, name: str) -> FoundService | None:
        info = self._zc.get_service_info(type_, name, timeout=_RESOLVE_MS)
        if info is None:
            return None
        properties = {
            key.decode("utf-8", "replace"): (value or b"").decode("utf-8", "replace")
            for key, value in info.properties.items()
        }
        return FoundService(kind, name, tuple(info.parsed_addresses()), info.port or 0, properties)


def _lan_addresses() -> tuple[str, ...]:
    """This machine's IPv4 addresses other than loopback (ifaddr comes with zeroconf)."""
    return tuple(
        ip.ip
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if isinstance(ip.ip, str) and not ip.ip.startswith("127.")
    )
