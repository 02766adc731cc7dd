"""`pos esl assign|run`: which product each shelf label shows, and the store's ESL loop — the
feed queues a label when its product's price changed (a price HQ published, once the till
applied it), the pump delivers it, and with --publish-health the terminal's health report goes
to HQ as soon as a label's state or an applied downlink version changed, so HQ's rollout page
sees a price reach the shelf within seconds instead of at the next `pos doctor` timer."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from cli._options import add_store_options, config_path
from cli.main import CommandError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("esl", help="shelf labels: which product each shows, and the "
                                             "loop that keeps them showing its price")
    sub = parser.add_subparsers(dest="esl_command", required=True, metavar="ESL_COMMAND")
    assign = sub.add_parser("assign", help="label MAC shows product SKU")
    assign.add_argument("mac", help="the label's MAC (hex)")
    assign.add_argument("sku", help="the product it shows")
    add_store_options(assign)
    assign.set_defaults(run=run_assign)
    run = sub.add_parser("run", help="feed, deliver and report the shelf labels until stopped")
    add_store_options(run)
    run.add_argument("--interval", type=float, default=1.0,
                     help="seconds between passes (default 1)")
    run.add_argument("--publish-health", action="store_true",
                     help="publish the health report (as pos doctor --publish --no-devices) "
                          "whenever a label's state or an applied version changed")
    run.set_defaults(run=run_loop)


def open_labels(args: argparse.Namespace) -> Any:
    """The store's shelf-label device from its config (the first `[devices.*]` of kind esl)."""
    from edge.config import ConfigError, load_config
    from ui.hardware.devices import configured_devices

    db = Path(args.db)
    try:
        extra = load_config(config_path(args)).extra
    except ConfigError as exc:
        raise CommandError(str(exc)) from None
    devices = configured_devices(extra, db.resolve().parent)
    if devices.esl is None:
        raise CommandError("no shelf-label system configured ([devices.NAME] kind = \"esl\")"
                           + "".join(f"; {n}: {r}" for n, r in devices.failures.items()))
    return devices.esl


def run_assign(args: argparse.Namespace) -> int:
    labels = open_labels(args)
    try:
        labels.outbox.assign(args.mac.upper(), args.sku)
    finally:
        labels.outbox.close()
    print(f"label {args.mac.upper()} shows {args.sku}")
    return 0


class LabelLoop:
    """One store's ESL loop: feed, pump, and report when what HQ's rollout shows changed."""

    def __init__(self, db: Path, config: Path, labels: Any, publish: bool) -> None:
        from drivers.esl.feed import PriceFeed

        self.db, self.config, self.labels, self.publish = db, config, labels, publish
        self.feed = PriceFeed(db, labels)
        self.reported: bytes | None = None

    def state(self) -> bytes:
        """What HQ's rollout reads of this terminal: applied versions and every label's state."""
        import msgspec

        from cloud_sync.doctor import check_downlink, check_labels

        return msgspec.json.encode((check_downlink(self.db).data,
                                    check_labels(Path(self.labels.outbox.path))[1]))

    def once(self) -> bool:
        """One pass; True when a report went out."""
        self.feed.feed()
        self.labels.pump()
        if not self.publish:
            return False
        now = self.state()
        if now == self.reported:
            return False
        from cli.doctor import build_report
        from cloud_sync.doctor import publish_report

        report, settings = build_report(self.db, self.config, self.db.resolve().parent / "backups",
                                        devices=False, esl_db=Path(self.labels.outbox.path))
        if settings is None:
            return False
        try:
            publish_report(settings, report)
        except OSError:
            return False            # asked again next pass: the state still differs
        self.reported = now
        return True


def run_loop(args: argparse.Namespace) -> int:
    labels = open_labels(args)
    loop = LabelLoop(Path(args.db), config_path(args), labels, args.publish_health)
    try:
        while True:
            loop.once()
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    finally:
        labels.outbox.close()
