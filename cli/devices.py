"""`pos devices list | test NAME | doctor`: the store's configured devices, what zeroconf finds on
the LAN, and a health check per device. A thin layer over `drivers.config` and `drivers.registry`.
"""

from __future__ import annotations

import argparse

from cli.main import CommandError
from drivers.config import ConfigError, DeviceConfig, load_devices
from drivers.registry import Diagnosis, check, diagnose

DEFAULT_CONFIG = "store.toml"


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("devices", help="scanners, scales, displays, printers, ESL, RFID")
    actions = parser.add_subparsers(dest="action", required=True)

    listing = actions.add_parser("list", help="configured devices and devices found on the LAN")
    listing.add_argument("--browse", type=float, default=2.0, metavar="SECONDS",
                         help="how long to look for network devices (0: do not look)")  # fmt: skip
    listing.set_defaults(run=run_list)

    test = actions.add_parser("test", help="open one device and check its health")
    test.add_argument("name", help="the device's logical name, as in [devices.NAME]")
    test.set_defaults(run=run_test)

    doctor = actions.add_parser("doctor", help="check every enabled device, one line each")
    doctor.set_defaults(run=run_doctor)

    for sub in (listing, test, doctor):
        sub.add_argument("--config", default=DEFAULT_CONFIG,
                         help=f"the store's TOML config (default: {DEFAULT_CONFIG})")  # fmt: skip


def _devices(args: argparse.Namespace) -> dict[str, DeviceConfig]:
    try:
        return load_devices(args.config)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def run_list(args: argparse.Namespace) -> int:
    devices = _devices(args)
    print("Configured devices:")
    if not devices:
        print("  (none: add [devices.NAME] tables to the config, see docs/devices.md)")
    for config in devices.values():
        state = "" if config.enabled else "  (disabled)"
        print(f"  {config.name:<16} {config.kind:<8} {config.transport:<7} {config.address}{state}")
    if args.browse > 0:
        from drivers.discovery import Discovery

        discovery = Discovery()
        try:
            found = discovery.browse(timeout=args.browse)
        finally:
            discovery.close()
        print("Found on the network:")
        if not found:
            print("  (nothing answered)")
        for service in found:
            address = ", ".join(service.addresses)
            print(f"  {service.kind:<12} {service.name}  {address}:{service.port}")
    return 0


def run_test(args: argparse.Namespace) -> int:
    devices = _devices(args)
    config = devices.get(args.name)
    if config is None:
        known = ", ".join(devices) or "none"
        raise CommandError(f"no device called {args.name!r} in {args.config} (configured: {known})")
    health = check(config)
    print(Diagnosis(config, health).line())
    return 0 if health.ok else 1


def run_doctor(args: argparse.Namespace) -> int:
    devices = _devices(args)
    if not devices:
        print(f"no devices configured in {args.config}: add [devices.NAME] tables (docs/devices.md)")
        return 1
    results = diagnose(devices)
    for result in results:
        print(result.line())
    return 1 if any(result.failed for result in results) else 0
