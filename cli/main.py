"""The `pos` command line: a thin layer over the Python API. Each command group is a module in
`cli/` with a `register(commands)` function, found by name (`_` modules are shared parts, and
this module is the entry point).
Heavy imports (Qt, MQTT, PostgreSQL) happen inside the command that needs them, so
`pos till --headless` never loads Qt.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence

import cli


def installed_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("store-edge-pos")
    except PackageNotFoundError:
        return "unknown (not installed)"


class CommandError(Exception):
    """A user-facing failure: printed as one line on stderr, exit status 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pos", description="Store-edge point of sale")
    parser.add_argument("--version", action="version", version=f"pos {installed_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(cli.__path__), key=lambda m: m.name):
        if module.name.startswith("_") or module.name == "main":
            continue
        importlib.import_module(f"cli.{module.name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result = args.run(args)
    except CommandError as exc:
        print(f"pos: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `pos ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return int(result or 0)


if __name__ == "__main__":
    # Run the imported `cli.main`, not this `__main__` copy, so CommandError is one class.
    from cli.main import main as imported_main

    sys.exit(imported_main())
