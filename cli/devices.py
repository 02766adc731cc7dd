"""`pos devices list | test NAME | doctor`: the store's configured devices, what zeroconf finds on
the LAN, and a health check per device. A thin layer over `drivers.config` and `drivers.registry`.
`pos devices test scanner` (when no device is called "scanner") asks for one scan from a
keyboard-wedge scanner and says which keyboard layout it types (`drivers.scanner.keymap`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.main import CommandError
from drivers.config import ConfigError, DeviceConfig, load_devices
from drivers.registry import Diagnosis, check, diagnose
from drivers.scanner.keymap import DEFAULT_LAYOUT, layouts_typing
from drivers.scanner.layouts import LAYOUTS

DEFAULT_CONFIG = "store.toml"
# The layout test code: typed without AltGr in every layout known, and read differently in each
# (docs/devices.md shows it as a Code 128 to scan).
LAYOUT_PROBE = 'QAZWY1-/."^'


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("devices", help="scanners, scales, displays, printers, ESL, RFID")
    actions = parser.add_subparsers(dest="action", required=True)

    listing = actions.add_parser("list", help="configured devices and devices found on the LAN")
    listing.add_argument("--browse", type=float, default=2.0, metavar="SECONDS",
                         help="how long to look for network devices (0: do not look)")  # fmt: skip
    listing.set_defaults(run=run_list)

    test = actions.add_parser("test", help="open one device and check its health")
    test.add_argument("name", help="the device's logical name, as in [devices.NAME]; 'scanner': "
                      "which keyboard layout a keyboard-wedge scanner types (scan into this terminal)")
    test.add_argument("--expect", default=LAYOUT_PROBE, metavar="TEXT",
                      help=f"what the code scanned for 'test scanner' holds (default: {LAYOUT_PROBE})")
    test.add_argument("--read-as", default=DEFAULT_LAYOUT, choices=tuple(LAYOUTS), metavar="LAYOUT",
                      help="the keyboard layout this terminal reads keys in (default: us)")
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
    if args.name == "scanner" and (not Path(args.config).exists() or "scanner" not in _devices(args)):
        return run_layout_check(args)
    devices = _devices(args)
    config = devices.get(args.name)
    if config is None:
        known = ", ".join(devices) or "none"
        raise CommandError(f"no device called {args.name!r} in {args.config} (configured: {known})")
    health = check(config)
    print(Diagnosis(config, health).line())
    return 0 if health.ok else 1


def run_layout_check(args: argparse.Namespace) -> int:
    """One scan typed into this terminal: which layouts type `--expect` so, and whether
    `[scanner] keyboard_layout` names one of them."""
    from edge.config import ConfigError as StoreConfigError
    from edge.config import load_config

    try:
        configured = load_config(args.config).scanner_keyboard_layout
    except StoreConfigError as exc:
        raise CommandError(str(exc)) from None
    print(f"Scan a code holding {args.expect} with the keyboard-wedge scanner (docs/devices.md):",
          flush=True)  # fmt: skip
    line = sys.stdin.readline()
    read = line.rstrip("\r\n")
    if not read:
        print("FAIL  scanner  nothing was scanned")
        return 1
    found = layouts_typing(args.expect, read, read_as=args.read_as)
    if not found:
        print(f"FAIL  scanner  read {read!r}: no known layout ({', '.join(LAYOUTS)}) types"
              f" {args.expect!r} so; check the code scanned and --read-as")  # fmt: skip
        return 1
    types = " or ".join(found)
    if configured in found:
        print(f"OK    scanner  types the {types} layout; [scanner] keyboard_layout is {configured!r}")
        return 0
    print(f"FAIL  scanner  types the {types} layout, but [scanner] keyboard_layout is {configured!r}:"
          f' set keyboard_layout = "{found[0]}" under [scanner] in {args.config}'
          " (or set the scanner to that layout)")  # fmt: skip
    return 1


def run_doctor(args: argparse.Namespace) -> int:
    devices = _devices(args)
    if not devices:
        print(f"no devices configured in {args.config}: add [devices.NAME] tables (docs/devices.md)")
        return 1
    results = diagnose(devices)
    for result in results:
        print(result.line())
    return 1 if any(result.failed for result in results) else 0
