"""`pos manager`: the manager's mode (manager PIN): stock count with the scanner or an RFID reader
(live counted vs expected, variance, recount, approve), goods receiving, price check, report
charts, and the shelf labels' status (stale labels, retry). Every change goes through edge.store_ops.stock.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from drivers.device import DeviceError
from edge.catalog import products as catalog
from edge.catalog.barcodes import BarcodeError, interpret
from edge.catalog.products import Product
from edge.config import StoreConfig
from edge.ledger.money import MoneyError, format_quantity, parse_quantity
from edge.ops_error import OpsError
from edge.staff import StaffError, StaffMember, authenticate
from edge.store_ops import stock
from ui.hardware.device_bridge import CallResult, DeviceBridge
from ui.hardware.devices import Devices
from ui.hardware.wedge_filter import WedgeFilter
from ui.manager.count_approval import CountApprovalDialog
from ui.manager.picking import PickingPanel
from ui.manager.sales_charts import SalesCharts, sales_by_category, sales_by_hour, tender_mix
from ui.manager.stock_count_model import NAME, StockCountModel
from ui.till.prompts import Prompter
from ui.widgets.catalog_text import category_label
from ui.widgets.error_messages import error_text
from ui.widgets.money_text import MoneyText
from ui.widgets.pin_pad import PinPad
from ui.widgets.scaling import factor_for, follow_scale_in_dialogs, rescale, restyle, scalable
from ui.widgets.screen_mode import ScreenOptions
from ui.widgets.status_bar import OfflineBanner, StatusStrip

COUNT, RECEIVING, PRICE, REPORTS, ESL = range(5)


def table(model: Any = None) -> QTableView:
    view = QTableView()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(36)
    scalable(view, "font-size: {px}px;", 16)
    if model is not None:
        view.setModel(model)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
    return view


def fit_columns_to_contents(view: QTableView) -> None:
    """Measure every column but the name again (it stretches): rows arriving or a new font do not
    make a ResizeToContents header measure, so SKU and quantities would stay cut ("P00…",
    "-0.8…") at the width of the empty table."""
    model = view.model()
    if model is None:
        return
    for column in range(model.columnCount()):
        if column != NAME:
            view.resizeColumnToContents(column)


def button(text: str) -> QPushButton:
    b = QPushButton(text)
    b.setMinimumHeight(48)
    scalable(b, "font-size: {px}px;", 16, 48)
    return b


class ManagerWindow(QMainWindow):
    def __init__(self, conn: sqlite3.Connection, config: StoreConfig,
                 devices: Devices | None = None) -> None:
        super().__init__()
        follow_scale_in_dialogs(self)
        self.conn = conn
        self.config = config
        self.devices = devices or Devices()
        self.prompt = Prompter(self)
        self.money = MoneyText(self.locale(), config.currency_symbol, config.minor_digits)
        self.locale_name = "zh_CN" if self.locale().name().startswith("zh") else "en"
        self.staff: StaffMember | None = None
        self.count_id: str | None = None
        self.received: list[tuple[Product, int]] = []
        self.setWindowTitle(self.tr("Manager · %1").replace("%1", config.store_name))

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = OfflineBanner()
        outer.addWidget(self.banner)
        self.pages = QStackedWidget()
        outer.addWidget(self.pages, 1)
        self.status = StatusStrip(conn)
        self.status.link_changed.connect(self.banner.show_state)
        outer.addWidget(self.status)
        self.setCentralWidget(central)

        login = QWidget()
        layout = QVBoxLayout(login)
        layout.addStretch(1)
        title = QLabel(self.tr("Manager mode"))
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        scalable(title, "font-size: {px}px; font-weight: bold;", 28)
        layout.addWidget(title)
        self.pad = PinPad()
        self.pad.setMaximumWidth(380)
        self.pad.submitted.connect(self.login)
        layout.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.pages.addWidget(login)

        self.tabs = QTabWidget()
        scalable(self.tabs, "QTabBar::tab { min-height: 40px; min-width: 130px; font-size: {px}px; }", 16)
        self.tabs.addTab(self._count_tab(), self.tr("Stock count"))
        self.tabs.addTab(self._receiving_tab(), self.tr("Goods receiving"))
        self.tabs.addTab(self._price_tab(), self.tr("Price check"))
        self.tabs.addTab(self._reports_tab(), self.tr("Reports"))
        self.tabs.addTab(self._esl_tab(), self.tr("Shelf labels"))
        self.picking = PickingPanel(conn, self.devices, lambda: self.staff,
                                    lambda code: self.product_for(code, self.picking.message),
                                    self.money, lambda: self.prompt)
        self.tabs.addTab(self.picking, self.tr("Online orders"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.pages.addWidget(self.tabs)

        self.bridge = DeviceBridge(self)
        self.bridge.connect_gui(self.device_event)
        for _, device in self.devices.all():
            device.add_listener(self.bridge.listener)
        self.status.show_devices(self.devices)
        self.status.refresh()
        self.wedge = WedgeFilter(self)
        self.wedge.code.connect(lambda text, _fast: self.scanned(text))
        from PySide6.QtWidgets import QApplication

        QApplication.instance().installEventFilter(self.wedge)  # type: ignore[union-attr]
        self._round: CallResult | None = None
        self.approval_dialog: CountApprovalDialog | None = None

    # --- login -------------------------------------------------------------------------------

    def login(self, staff_id: str, pin: str) -> None:
        try:
            staff = authenticate(self.conn, staff_id, pin)
        except StaffError as exc:
            self.pad.clear(error_text(exc))
            return
        if staff.role != "manager":
            self.pad.clear(self.tr("Manager mode needs a manager's PIN"))
            return
        self.staff = staff
        self.pages.setCurrentIndex(1)

    # --- stock count -------------------------------------------------------------------------

    def _count_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.count_buttons = {}
        for name, text, slot in (("start", self.tr("Start count"), self.start_count),
                                 ("rfid", self.tr("Read RFID"), self.rfid_round),
                                 ("recount", self.tr("Recount selected"), self.recount),
                                 ("approve", self.tr("Approve"), self.approve_count)):
            b = button(text)
            b.clicked.connect(slot)
            row.addWidget(b)
            self.count_buttons[name] = b
        layout.addLayout(row)
        self.count_summary = QLabel(self.tr("Start a count, then scan items or read the RFID tags"))
        scalable(self.count_summary, "font-size: {px}px;", 16)
        layout.addWidget(self.count_summary)
        self.count_model = StockCountModel(self.money, self)
        self.count_table = table(self.count_model)
        layout.addWidget(self.count_table, 1)
        self._count_buttons_state()
        return page

    def _count_buttons_state(self) -> None:
        open_count = self.count_id is not None
        self.count_buttons["start"].setEnabled(not open_count)
        self.count_buttons["rfid"].setEnabled(open_count and self.devices.rfid is not None)
        self.count_buttons["recount"].setEnabled(open_count)
        self.count_buttons["approve"].setEnabled(open_count)

    def _ops(self, call: Any, where: QLabel) -> Any:
        try:
            return call()
        except (OpsError, MoneyError, DeviceError) as exc:
            where.setText(error_text(exc))
            restyle(where, "font-size: {px}px; color: #c62828;")
            return None

    def start_count(self) -> None:
        assert self.staff is not None
        staff = self.staff
        self.count_id = self._ops(lambda: stock.start_count(self.conn, staff.id), self.count_summary)
        self._count_buttons_state()
        self.refresh_count()

    def refresh_count(self) -> None:
        if self.count_id is None:
            return
        lines = stock.variance(self.conn, self.count_id)
        column = "name_zh" if self.locale_name.startswith("zh") else "name_en"
        missing = [ln.sku for ln in lines if ln.sku not in self.count_model.names]
        if missing:
            marks = ",".join("?" * len(missing))
            self.count_model.names.update(self.conn.execute(
                f"SELECT sku, {column} FROM product WHERE sku IN ({marks})", missing).fetchall())
        self.count_model.update(lines)
        fit_columns_to_contents(self.count_table)
        counted = sum(1 for ln in lines if ln.counted is not None)
        value = sum(ln.value for ln in lines)
        restyle(self.count_summary, "font-size: {px}px;")
        self.count_summary.setText(self.tr("%1 of %2 items counted · variance value %3")
                                   .replace("%1", str(counted)).replace("%2", str(len(lines)))
                                   .replace("%3", self.money.minor(value)))

    def count_scan(self, code: str) -> None:
        if self.count_id is None or self.staff is None:
            return
        product = self.product_for(code, self.count_summary)
        if product is None:
            return
        count_id, staff = self.count_id, self.staff
        if self._ops(lambda: stock.count_item(self.conn, count_id, product.sku, 1000, staff.id),
                     self.count_summary) is not None:
            self.refresh_count()
            row = self.count_model.row_of(product.sku)
            if row is not None:
                self.count_table.selectRow(row)

    def rfid_round(self) -> None:
        reader = self.devices.rfid
        if reader is None or self.count_id is None:
            return
        self.count_summary.setText(self.tr("Reading RFID tags…"))
        call = CallResult(self)
        call.failed.connect(lambda exc: self._ops(lambda: (_ for _ in ()).throw(exc),
                                                  self.count_summary))
        self._round = call
        # The reader's InventoryEvent arrives through the bridge; the call only runs the round.
        call.run_in_thread(lambda: reader.inventory(duration_ms=300))

    def rfid_counted(self, per_gtin: dict[str, int]) -> None:
        """An RFID round is a complete read of the area: each GTIN's figure replaces the last."""
        if self.count_id is None or self.staff is None:
            return
        unknown = 0
        for gtin, qty in per_gtin.items():
            product = catalog.by_gtin(self.conn, gtin)
            if product is None:
                unknown += qty
                continue
            self._count_rfid_item(product.sku, qty)
        self.refresh_count()
        if unknown:
            self.count_summary.setText(self.count_summary.text() + " · " + self.tr(
                "%1 tags of unknown products").replace("%1", str(unknown)))

    def _count_rfid_item(self, sku: str, qty: int) -> None:
        count_id, staff = self.count_id, self.staff
        assert count_id is not None and staff is not None
        already = self.conn.execute("SELECT 1 FROM stock_count_entry WHERE count_id = ? AND sku = ?",
                                    (count_id, sku)).fetchone() is not None
        self._ops(lambda: stock.count_item(self.conn, count_id, sku, qty * 1000, staff.id,
                                           recount=already), self.count_summary)

    def recount(self) -> None:
        rows = self.count_table.selectionModel().selectedRows()
        if not rows or self.count_id is None or self.staff is None:
            return
        line = self.count_model.lines[rows[0].row()]
        text = self.prompt.text(self.tr("Recount"), self.tr("Counted quantity of %1")
                                .replace("%1", line.name))
        if text is None:
            return
        count_id, staff = self.count_id, self.staff
        recount = line.counted is not None
        if self._ops(lambda: stock.count_item(self.conn, count_id, line.sku,
                                              parse_quantity(text), staff.id, recount=recount),
                     self.count_summary) is not None:
            self.refresh_count()

    def approve_count(self) -> None:
        """Show the summary (counted, variance value, uncounted and their fate) first; the
        count is posted only when the manager approves it there."""
        if self.count_id is None or self.staff is None:
            return
        count_id = self.count_id
        summary = self._ops(lambda: stock.approval_summary(self.conn, count_id), self.count_summary)
        if summary is None:
            return
        column = "name_zh" if self.locale_name.startswith("zh") else "name_en"
        names = dict(self.conn.execute(f"SELECT sku, {column} FROM product").fetchall())
        dialog = CountApprovalDialog(summary, self.money, names, self)
        dialog.accepted.connect(lambda: self.post_count(dialog.choice()))
        self.approval_dialog = dialog
        dialog.open()

    def post_count(self, uncounted: str) -> None:
        if self.count_id is None or self.staff is None:
            return
        count_id, staff = self.count_id, self.staff
        posted = self._ops(lambda: stock.approve_count(self.conn, count_id, staff.id, staff.role,
                                                       uncounted), self.count_summary)
        if posted is not None:
            self.count_id = None
            self._count_buttons_state()
            text = self.tr("Count approved: %1 variance(s) posted").replace(
                "%1", str(sum(1 for ln in posted if ln.variance)))
            if uncounted == "zero":
                text += " · " + self.tr("uncounted items set to zero")
            self.count_summary.setText(text)

    # --- receiving ---------------------------------------------------------------------------

    def _receiving_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.supplier = QLineEdit()
        self.supplier.setPlaceholderText(self.tr("Supplier delivery note"))
        self.supplier.setMinimumHeight(40)
        layout.addWidget(self.supplier)
        self.receiving_message = QLabel(self.tr("Scan each item received"))
        scalable(self.receiving_message, "font-size: {px}px;", 16)
        layout.addWidget(self.receiving_message)
        self.receiving_table = QTableWidget(0, 3)
        self.receiving_table.setHorizontalHeaderLabels([self.tr("SKU"), self.tr("Item"), self.tr("Qty")])
        self.receiving_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.receiving_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.receiving_table, 1)
        post = button(self.tr("Post goods receipt"))
        post.clicked.connect(self.post_receipt)
        layout.addWidget(post)
        return page

    def receive_scan(self, code: str) -> None:
        product = self.product_for(code, self.receiving_message)
        if product is None:
            return
        for i, (p, qty) in enumerate(self.received):
            if p.sku == product.sku:
                self.received[i] = (p, qty + 1000)
                break
        else:
            self.received.append((product, 1000))
        self.receiving_table.setRowCount(len(self.received))
        for row, (p, qty) in enumerate(self.received):
            for column, text in enumerate((p.sku, self._name(p), format_quantity(qty))):
                self.receiving_table.setItem(row, column, QTableWidgetItem(text))

    def post_receipt(self) -> None:
        if not self.received or self.staff is None:
            return
        staff = self.staff
        items = [(p.sku, qty) for p, qty in self.received]
        seq = self._ops(lambda: stock.move(self.conn, staff.id, "receipt", items,
                                           reference=self.supplier.text().strip()),
                        self.receiving_message)
        if seq is not None:
            self.receiving_message.setText(self.tr("Goods receipt posted (%1 items)")
                                           .replace("%1", str(len(items))))
            self.received.clear()
            self.receiving_table.setRowCount(0)

    # --- price check -------------------------------------------------------------------------

    def _price_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.price_entry = QLineEdit()
        self.price_entry.setPlaceholderText(self.tr("Scan or type a barcode or PLU"))
        self.price_entry.setMinimumHeight(44)
        scalable(self.price_entry, "font-size: {px}px;", 20)
        self.price_entry.returnPressed.connect(lambda: self.price_check(self.price_entry.text()))
        layout.addWidget(self.price_entry)
        self.price_name = QLabel()
        scalable(self.price_name, "font-size: {px}px;", 26)
        self.price_value = QLabel()
        scalable(self.price_value, "font-size: {px}px; font-weight: bold; color: #1b5e20;", 48)
        self.price_detail = QLabel()
        scalable(self.price_detail, "font-size: {px}px;", 18)
        for label in (self.price_name, self.price_value, self.price_detail):
            layout.addWidget(label)
        layout.addStretch(1)
        return page

    def price_check(self, code: str) -> None:
        self.price_entry.clear()
        product = self.product_for(code.strip(), self.price_detail)
        if product is None:
            self.price_name.setText("")
            self.price_value.setText("")
            return
        unit = self.tr(" / kg") if product.unit == "kg" else ""
        self.price_name.setText(self._name(product))
        self.price_value.setText(self.money.minor(product.price) + unit)
        on_hand = stock.on_hand(self.conn, product.sku)
        restyle(self.price_detail, "font-size: {px}px;")
        self.price_detail.setText(self.tr("SKU %1 · on hand %2").replace("%1", product.sku)
                                  .replace("%2", format_quantity(abs(on_hand)) if on_hand >= 0
                                           else "-" + format_quantity(-on_hand)))

    # --- reports -----------------------------------------------------------------------------

    def _reports_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        self.report_summary = QLabel()
        scalable(self.report_summary, "font-size: {px}px;", 16)
        row.addWidget(self.report_summary, 1)
        refresh = button(self.tr("Refresh"))
        refresh.clicked.connect(lambda _checked=False: self.refresh_reports())  # not days=False
        row.addWidget(refresh)
        layout.addLayout(row)
        self.charts = SalesCharts()
        layout.addWidget(self.charts, 1)
        return page

    def refresh_reports(self, days: int = 1) -> None:
        since = (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S")
        hours = sales_by_hour(self.conn, since)
        categories = [(category_label(c or "?", self.locale_name), t)
                      for c, t in sales_by_category(self.conn, since)]
        tenders = tender_mix(self.conn, since)
        names = {"cash": self.tr("Cash"), "card": self.tr("Card"), "mobile": self.tr("Mobile pay"),
                 "stored_value": self.tr("Stored value"), "points": self.tr("Points")}
        self.charts.show_data(hours, categories, tenders, names)
        self.report_summary.setText(self.tr("Last 24 hours: takings %1")
                                    .replace("%1", self.money.minor(sum(hours))))

    # --- shelf labels ------------------------------------------------------------------------

    def _esl_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.esl_summary = QLabel()
        scalable(self.esl_summary, "font-size: {px}px;", 16)
        layout.addWidget(self.esl_summary)
        self.esl_table = QTableWidget(0, 4)
        self.esl_table.setHorizontalHeaderLabels([self.tr("Label"), self.tr("Wanted version"),
                                                  self.tr("Shown version"), self.tr("Waiting")])
        self.esl_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.esl_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.esl_table, 1)
        retry = button(self.tr("Retry stale labels"))
        retry.clicked.connect(self.retry_labels)
        layout.addWidget(retry)
        return page

    def refresh_esl(self) -> None:
        esl = self.devices.esl
        if esl is None:
            self.esl_summary.setText(self.tr("No shelf-label system configured"))
            self.esl_table.setRowCount(0)
            return
        stale = esl.stale_labels()
        self.esl_summary.setText(self.tr("%1 stale label(s)").replace("%1", str(len(stale))))
        self.esl_table.setRowCount(len(stale))
        for row, label in enumerate(stale):
            cells = (label.mac, str(label.wanted_version),
                     "—" if label.confirmed_version is None else str(label.confirmed_version),
                     self.tr("%1 s").replace("%1", str(int(label.age_s))))
            for column, text in enumerate(cells):
                self.esl_table.setItem(row, column, QTableWidgetItem(text))

    def retry_labels(self) -> None:
        esl = self.devices.esl
        if esl is None:
            return
        call = CallResult(self)
        call.done.connect(lambda _r: self.refresh_esl())
        call.failed.connect(lambda exc: self.esl_summary.setText(error_text(exc)))
        self._esl_call = call
        call.run_in_thread(lambda: esl.run_until_idle(timeout_s=5.0))

    # --- shared ------------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == REPORTS:
            self.refresh_reports()
        elif index == ESL:
            self.refresh_esl()
        elif self.tabs.widget(index) is self.picking:
            self.picking.refresh()

    def _name(self, product: Product) -> str:
        return product.name_zh if self.locale_name.startswith("zh") else product.name_en

    def product_for(self, code: str, where: QLabel) -> Product | None:
        if code.isdigit() and len(code) <= 5:
            product = catalog.by_plu(self.conn, code)
        else:
            try:
                scan = interpret(code, self.config)
            except BarcodeError as exc:
                where.setText(error_text(exc))
                return None
            product = (catalog.by_gtin(self.conn, scan.key) if scan.kind == "gtin"
                       else catalog.by_plu(self.conn, scan.key))
        if product is None:
            where.setText(self.tr("No product for %1").replace("%1", code[:40]))
        return product

    def scanned(self, code: str) -> None:
        if self.staff is None:
            return
        index = self.tabs.currentIndex()
        if index == COUNT:
            self.count_scan(code)
        elif index == RECEIVING:
            self.receive_scan(code)
        elif index == PRICE:
            self.price_check(code)
        elif self.tabs.widget(index) is self.picking:
            self.picking.scanned(code)

    def device_event(self, event: object) -> None:
        from drivers.rfid.reader import InventoryEvent
        from drivers.scanner.protocol import ScanEvent

        self.status.device_event(event)
        if isinstance(event, ScanEvent):
            self.scanned(event.symbology + event.data)
        elif isinstance(event, InventoryEvent):
            self.rfid_counted(dict(event.count.per_gtin))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        factor = factor_for(self.width(), self.height())
        rescale(self, factor)
        self.charts.scale(factor)
        for view in self.findChildren(QTableView):
            view.verticalHeader().setDefaultSectionSize(round(36 * factor))
            fit_columns_to_contents(view)

    def closeEvent(self, event: Any) -> None:
        from PySide6.QtWidgets import QApplication

        QApplication.instance().removeEventFilter(self.wedge)  # type: ignore[union-attr]
        super().closeEvent(event)


def run_manager_app(conn: sqlite3.Connection, config: StoreConfig, devices: Devices | None = None,
                    locale_name: str | None = None, screen: ScreenOptions | None = None) -> int:
    from ui.till.till_app import run_window

    return run_window(conn, config, lambda d: ManagerWindow(conn, config, d), devices, locale_name,
                      screen)
