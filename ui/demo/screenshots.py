"""`python -m ui.demo.screenshots`: renders each main screen of the till, the kiosk and manager mode in
zh_CN and en, at 1024×768 (`NAME-LOCALE.png`) and 1920×1080 (`NAME-LOCALE-1080p.png`), from the
running apps (offscreen is fine) into docs/screenshots/. The store is the demo exactly as `pos
demo` starts it (catalog, staff, members, promotions, opening stock, store.toml's defaults), with
simulated devices and a few sales rung up through the till for the charts. A dialog is shot over
its whole window, as the screen shows it.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from edge.catalog.demo_store import seed_demo_store
from edge.config import DEFAULT_TOML, StoreConfig, config_from_dict
from edge.ledger.store import open_store
from edge.promotions.local_table import engine_for
from edge.store_ops.demo_opening import DEMO_MEMBERS, seed_demo_opening
from edge.till.session import Till

SIZE = (1024, 768)
SIZES = {"1024x768": (1024, 768), "1920x1080": (1920, 1080)}
# The file name's mark for a size; the 1024×768 shots keep the plain names the README shows.
SIZE_SUFFIX = {(1024, 768): "", (1920, 1080): "-1080p"}
UNKNOWN_GTIN = "4006381333931"  # a valid EAN-13 the demo store does not sell
SEARCH_QUERY = "nfsq"            # pinyin initials: 农夫山泉
MEMBER_QR = DEMO_MEMBERS[0][2]   # the demo's diamond member, by the QR a shopper shows


def settle(seconds: float = 0.2, until: Callable[[], bool] | None = None, timeout: float = 8.0) -> None:
    """Let Qt process events (device signals, paints) for a while, or until a condition holds."""
    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + (timeout if until else seconds)
    while time.monotonic() < end:
        app.processEvents()
        if until is not None and until():
            break
        time.sleep(0.01)
    app.processEvents()


def shoot(window: QWidget, out: Path, name: str, locale: str, dialog: QWidget | None = None) -> None:
    """The window as the screen shows it; with `dialog`, that dialog open over it (dimmed
    behind, as a modal dialog is seen)."""
    settle(0.15)
    path = out / f"{name}-{locale}{SIZE_SUFFIX.get(SIZE, f'-{SIZE[0]}x{SIZE[1]}')}.png"
    picture = window.grab()
    if dialog is not None:
        painter = QPainter(picture)
        painter.fillRect(picture.rect(), QColor(0, 0, 0, 70))
        painter.drawPixmap(dialog.frameGeometry().topLeft() - window.geometry().topLeft(),
                           dialog.grab())
        painter.end()
    picture.save(str(path))
    compact_png(path)
    print(path)


def compact_png(path: Path) -> None:
    """256 colours are plenty for a screen of flat colours and text, at under half the bytes."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def fill_history(till: Till, gtins: list[str], sales: int = 24) -> None:
    rng = random.Random(3)
    till.login("1001", "1234")
    for _ in range(sales):
        for code in rng.sample(gtins, rng.randint(2, 6)):
            till.scan(code)
        sale = till.sale
        assert sale is not None
        kind = rng.choice(["cash", "card", "mobile", "mobile"])
        if kind == "card":
            till.tender("card", sale.remaining, None, "A1B2C3", "622202******1234")
        elif kind == "mobile":
            till.tender("mobile", sale.remaining, "wechat:demo")
        else:
            till.tender("cash", -(-sale.remaining // 1000) * 1000)
    till.logout()


def run(out: Path, locales: list[str], sizes: list[tuple[int, int]] | None = None) -> None:
    """Every scene in every locale, once per size (SIZE is the size being shot)."""
    global SIZE
    for size in sizes or [SIZE]:
        SIZE = size
        run_at_size(out, locales)


def run_at_size(out: Path, locales: list[str]) -> None:
    from ui.demo.demo_devices import start_simulated_devices
    from ui.kiosk.kiosk_app import KioskWindow
    from ui.manager.manager_app import REPORTS, ManagerWindow
    from ui.till.till_app import TillWindow
    from ui.widgets.locale_setup import apply_font, install_locale
    from ui.widgets.refcount_guard import make_singletons_immortal

    make_singletons_immortal()
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        conn = open_store(Path(tmp) / "store.db")
        seed_demo_store(conn)       # as cli/demo.py's demo_store does
        seed_demo_opening(conn)
        import tomllib

        base = config_from_dict(tomllib.loads(DEFAULT_TOML))
        gtins = [r[0].lstrip("0") for r in conn.execute(
            "SELECT g.gtin FROM product_gtin g JOIN product p USING (sku) WHERE p.age_restricted = 0"
            " ORDER BY p.sku LIMIT 40")]
        alcohol = str(conn.execute("SELECT g.gtin FROM product_gtin g JOIN product p USING (sku)"
                                   " WHERE p.age_restricted = 1 LIMIT 1").fetchone()[0]).lstrip("0")
        fill_history(Till(conn, base, engine_for(conn, base)), gtins)
        sims = start_simulated_devices(conn, Path(tmp))
        try:
            for locale in locales:
                install_locale(locale)
                apply_font()
                config: StoreConfig = dataclasses.replace(base, locale=locale)
                till_screens(TillWindow(Till(conn, config, engine_for(conn, config)), sims.devices),
                             gtins, out, locale)
                kiosk_screens(KioskWindow(Till(conn, config, engine_for(conn, config)),
                                          sims.devices), sims, gtins, alcohol, out, locale)
                manager = ManagerWindow(conn, config, sims.devices)
                manager_screens(manager, out, locale, REPORTS)
        finally:
            close_windows()  # before the temporary store goes: nothing may read it afterwards
            sims.close()
            conn.close()
    app.processEvents()


def close_windows() -> None:
    """Close and delete every window (and dialog) now: a status strip's timer that outlived the
    temporary store would check the disk usage of a removed directory (FileNotFoundError)."""
    from PySide6.QtCore import QTimer

    for widget in QApplication.topLevelWidgets():
        for timer in widget.findChildren(QTimer):
            timer.stop()
        widget.close()  # closeEvent: the kiosk stops weighing, the apps drop their key filters
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def till_screens(window: QWidget, gtins: list[str], out: Path, locale: str) -> None:
    from ui.till.till_app import TillWindow

    assert isinstance(window, TillWindow)
    window.resize(*SIZE)
    window.show()
    shoot(window, out, "till-login", locale)
    window.login("1001", "1234")
    for code in (gtins[0], gtins[1], gtins[1], gtins[5], gtins[9], gtins[12]):
        window.enter_code(code)
    window.till.add(plu="2", qty="0.856")
    from ui.till.store_operations import identify_member

    identify_member(window.till, MEMBER_QR)
    window.refresh()
    window.sale_screen.say(window.tr("Member identified"))
    shoot(window, out, "till-sale", locale)
    window.enter_code(UNKNOWN_GTIN)        # the error banner: a barcode the store doesn't sell
    shoot(window, out, "till-error", locale)
    window.change_quantity()               # the selected line's quantity, edited in place
    shoot(window, out, "till-quantity", locale)
    window.sale_screen.entry.setFocus()    # Escape's effect: the editor closes unchanged
    window.go_to_tender()
    window.pay("card", 2000)
    shoot(window, out, "till-tender", locale)
    sale = window.till.sale
    assert sale is not None
    window.pay("cash", -(-sale.remaining // 5000) * 5000)
    shoot(window, out, "till-receipt", locale)
    window.next_customer()
    window.reprint()
    shoot(window, out, "till-reprint", locale)
    dialog_screens(window, out, locale)
    window.logout()
    window.close()


def dialog_screens(window: QWidget, out: Path, locale: str) -> None:
    """Each of the till's dialogs open over the till: product search, the X report, a line
    discount, an open price, a supervisor's approval."""
    from ui.till import store_operations as ops
    from ui.till.discount_dialog import DiscountDialog
    from ui.till.open_price_dialog import OpenPriceDialog
    from ui.till.product_search import ProductSearchDialog
    from ui.till.report_dialog import ReportDialog
    from ui.till.till_app import TillWindow
    from ui.widgets.pin_pad import OverrideDialog

    assert isinstance(window, TillWindow)
    search = ProductSearchDialog(window.till.conn, window.money, locale, window)
    search.query.setText(SEARCH_QUERY)
    report = ReportDialog(window.tr("X report"), ops.x_report(window.till), window.money,
                          window.tender_view.tender_name, window.print_document, window)
    discount = DiscountDialog(window.tr("Discount on line %1").replace("%1", "2"),
                              window.config.minor_digits, window)
    discount.value.setText("10%")
    unlisted = "无码商品" if locale.startswith("zh") else "Unlisted item"
    price = OpenPriceDialog(unlisted, "杂货 Sundries", window.config.minor_digits, window)
    price.value.setText("12.50")
    approval = OverrideDialog(window.tr("A Z report needs a supervisor"), window)
    for name, dialog in (("till-search", search), ("till-x-report", report),
                         ("till-discount", discount), ("till-open-price", price),
                         ("till-approval", approval)):
        dialog.show()
        shoot(window, out, name, locale, dialog)
        dialog.close()


def kiosk_screens(window: QWidget, sims: object, gtins: list[str], alcohol: str, out: Path,
                  locale: str) -> None:
    from ui.kiosk.kiosk_app import KioskWindow

    assert isinstance(window, KioskWindow)
    window.resize(*SIZE)
    window.show()
    window.open_lane("1001", "1234")
    shoot(window, out, "kiosk-attract", locale)
    for code in (gtins[2], gtins[3], gtins[3]):
        window.enter_code(code)
    window.show_produce()
    shoot(window, out, "kiosk-produce", locale)
    weighing_screens(window, sims, out, locale)
    window.picker.tiles["1"].click()
    settle(until=lambda: window.model.rowCount() == 3)
    shoot(window, out, "kiosk-basket", locale)
    window.enter_code(alcohol)
    window.open_attendant()
    window.attendant_login("2001", "5678")
    shoot(window, out, "kiosk-attendant", locale)
    window.approve_age()
    window.leave_attendant()
    window.go_pay()
    shoot(window, out, "kiosk-pay", locale)
    window.pay("card")
    shoot(window, out, "kiosk-done", locale)
    window.close()


def weighing_screens(window: QWidget, sims: object, out: Path, locale: str) -> None:
    """Live weight through the simulated scale: the load moving, then a stable reading on screen
    (the kiosk asks slowly here, so the shot falls between the two readings that settle it)."""
    from ui.kiosk.kiosk_app import KioskWindow

    assert isinstance(window, KioskWindow) and window.weighing is not None
    scale = sims.scale  # type: ignore[attr-defined]
    grams = scale.weight_grams
    scale.motion = True
    window.picker.tiles["1"].click()
    settle(until=lambda: window.weight_moving.isVisible())
    shoot(window, out, "kiosk-weighing-moving", locale)
    window.weighing.pause = 30.0
    scale.motion = False
    settle(until=lambda: window.live_weight.text().startswith(window.locale().toString(
        grams / 1000, "f", 3)))
    shoot(window, out, "kiosk-weighing", locale)
    window.leave_produce()
    window.weighing.pause = 0.1
    window.show_produce()


def manager_screens(window: QWidget, out: Path, locale: str, reports_tab: int) -> None:
    from ui.manager.manager_app import ManagerWindow

    assert isinstance(window, ManagerWindow)
    window.resize(*SIZE)
    window.show()
    window.login("3001", "9999")
    window.start_count()
    window.rfid_round()
    settle(until=lambda: any(ln.counted is not None for ln in window.count_model.lines))
    shoot(window, out, "manager-count", locale)
    window.approve_count()
    dialog = window.approval_dialog
    assert dialog is not None
    shoot(window, out, "manager-approve", locale, dialog)
    dialog.reject()
    window.tabs.setCurrentIndex(reports_tab)
    shoot(window, out, "manager-reports", locale)
    window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--locales", default="zh_CN,en")
    parser.add_argument("--sizes", default="1024x768,1920x1080",
                        help="window sizes to shoot, comma-separated (1024x768, 1920x1080)")
    args = parser.parse_args()
    run(Path(args.out), args.locales.split(","), [SIZES[s] for s in args.sizes.split(",")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
