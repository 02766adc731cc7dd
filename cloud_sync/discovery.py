"""Finding the store broker on the LAN by zeroconf (`_mqtt._tcp.local.`), and announcing one.

Rule: discovery only proposes an address; TLS and credentials still decide whether it is trusted.
"""

from __future__ import annotations

import socket
import threading

from zeroconf import ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

SERVICE = "_mqtt._tcp.local."


def find_broker(timeout: float = 3.0, zc: Zeroconf | None = None) -> tuple[str, int] | None:
    """The first MQTT broker announced on the LAN within `timeout` seconds, as (host, port)."""
    own = zc is None
    zc = zc or Zeroconf()
    found: list[tuple[str, int]] = []
    event = threading.Event()

    def on_change(zeroconf: Zeroconf, service_type: str, name: str,
                  state_change: ServiceStateChange) -> None:
        if state_change is not ServiceStateChange.Added:
            return
        info = zeroconf.get_service_info(service_type, name, timeout=int(timeout * 1000))
        if info and info.parsed_addresses() and info.port:
            found.append((info.parsed_addresses()[0], info.port))
            event.set()

    browser = ServiceBrowser(zc, SERVICE, handlers=[on_change])
    try:
        event.wait(timeout)
    finally:
        browser.cancel()
        if own:
            zc.close()
    return found[0] if found else None


def announce_broker(zc: Zeroconf, name: str, address: str, port: int) -> ServiceInfo:
    """Register a store broker (what the store server does at boot, e.g. through Avahi)."""
    info = ServiceInfo(SERVICE, f"{name}.{SERVICE}", addresses=[socket.inet_aton(address)],
                       port=port, server=f"{name}.local.")
    zc.register_service(info)
    return info
