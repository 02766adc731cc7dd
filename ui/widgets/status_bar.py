"""Always-visible status: the link to HQ (online or offline, events waiting and the age of the
oldest, last contact), a warning when this till's clock is off HQ's by more than a minute, and
each device's condition; and the offline banner.

Rule: offline is a banner, never a modal; nothing here can stop a sale. The sync agent runs in
its own process and writes its status into the store database (cloud_sync.status); this polls
that row once a second on the GUI thread (one indexed read, well under a millisecond).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

from cloud_sync.hq_clock import clock_is_off
from drivers.device import DeviceEvent, ErrorEvent, StatusEvent
from ui.hardware.devices import Devices
from ui.widgets.scaling import scalable


class ElidedLabel(QLabel):
    """A label that takes the room left and ends in "…" when its text is longer (the full text
    in its tooltip): the link's text never pushes the window wider than the screen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, super().minimumSizeHint().height())

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
            self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(Qt.AlignmentFlag.AlignLeft
                                                     | Qt.AlignmentFlag.AlignVCenter),
                                  self.palette(), self.isEnabled(), text, self.foregroundRole())


@dataclass(frozen=True)
class LinkState:
    online: bool
    configured: bool
    pending: int = 0
    oldest_age_s: float | None = None
    last_contact: str | None = None
    clock_offset_s: float | None = None   # this clock minus HQ's, as the agent last measured it


def read_link_state(conn: sqlite3.Connection) -> LinkState:
    try:
        from cloud_sync.status import read_status
        status = read_status(conn)
    except (ImportError, sqlite3.Error):  # no sync tables yet, or the store is closing
        return LinkState(False, False)
    # read_status already counts a stale report (a dead agent) as offline: edge/ledger/hq_link.py
    return LinkState(status.connected, True, status.pending, status.oldest_pending_age_s,
                     status.last_ack_at, status.clock_offset_s)


class OfflineBanner(QFrame):
    """A yellow strip across the top while HQ is unreachable; selling carries on below it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("offlineBanner")
        scalable(self, "#offlineBanner { background: #f5c518; } QLabel { color: #222; "
                       "font-size: {px}px; font-weight: bold; }", 15)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 4, 12, 4)
        self.label = QLabel()
        layout.addWidget(self.label)
        self.hide()

    def show_state(self, state: LinkState) -> None:
        if state.online or not state.configured:
            self.hide()
            return
        text = self.tr("Offline: selling continues; %n sale event(s) will be sent when the link "
                       "returns", "", state.pending)
        self.label.setText(text)
        self.show()


class StatusStrip(QFrame):
    """The strip at the bottom: link state and one label per device."""

    link_changed = Signal(object)

    def __init__(self, conn: sqlite3.Connection, parent: QWidget | None = None,
                 poll_ms: int = 1000, storage_state: Callable[[], str] | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.storage_state = storage_state
        self.setObjectName("statusStrip")
        scalable(self, "#statusStrip { background: #263238; } QLabel { color: #eceff1; "
                       "font-size: {px}px; padding: 0 6px; }", 13)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(6, 2, 6, 2)
        self.link_label = ElidedLabel()
        self.link_label.setObjectName("link")
        self._layout.addWidget(self.link_label, 1)
        self.storage_label = QLabel()
        self.storage_label.setObjectName("storage")
        self.storage_label.setStyleSheet("color: #ffab91; font-weight: bold;")
        self._layout.addWidget(self.storage_label)
        self.clock_label = QLabel()
        self.clock_label.setObjectName("clock")
        self.clock_label.setStyleSheet("color: #ffab91; font-weight: bold;")
        self._layout.addWidget(self.clock_label)
        self.devices: dict[str, QLabel] = {}
        self.device_state: dict[str, str] = {}
        self.state = LinkState(False, False)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(poll_ms)
        self.refresh()

    def refresh(self) -> None:
        self.state = read_link_state(self.conn)
        self.link_label.setText(self._link_text(self.state))
        self.link_changed.emit(self.state)
        self.clock_label.setText(self.clock_text(self.state.clock_offset_s))
        if self.storage_state is not None:
            self.storage_label.setText(self.storage_text(self.storage_state()))

    def storage_text(self, state: str) -> str:
        if state == "critical":
            return self.tr("Disk full: no new sale can start, call support")
        if state == "low":
            return self.tr("Disk almost full: call support")
        return ""

    def clock_text(self, offset_s: float | None) -> str:
        if offset_s is None or not clock_is_off(offset_s):
            return ""
        off = self.duration_text(round(abs(offset_s)))
        if offset_s > 0:
            return self.tr("Clock %1 ahead of HQ: set the time, payments fail beyond 5 min"
                           ).replace("%1", off)
        return self.tr("Clock %1 behind HQ: set the time, payments fail beyond 5 min"
                       ).replace("%1", off)

    def _link_text(self, s: LinkState) -> str:
        if not s.configured:
            return self.tr("HQ link: not set up")
        head = self.tr("● Online") if s.online else self.tr("○ Offline")
        parts = [head, self.tr("%n event(s) waiting", "", s.pending)]
        if s.oldest_age_s is not None and s.pending:
            parts.append(self.tr("oldest %1").replace("%1", self.duration_text(s.oldest_age_s)))
        if s.last_contact:
            when = datetime.fromisoformat(s.last_contact).astimezone().strftime("%H:%M:%S")
            parts.append(self.tr("last contact %1").replace("%1", when))
        else:
            parts.append(self.tr("no contact yet"))
        return " · ".join(parts)

    def duration_text(self, seconds: float) -> str:
        if seconds < 60:
            return self.tr("%n s", "", int(seconds))
        if seconds < 3600:
            return self.tr("%n min", "", int(seconds // 60))
        return self.tr("%n h", "", int(seconds // 3600))

    # --- devices -----------------------------------------------------------------------------

    def kind_name(self, kind: str) -> str:
        names = {"scanner": self.tr("Scanner"), "printer": self.tr("Printer"), "scale": self.tr("Scale"),
                 "rfid": self.tr("RFID"), "esl": self.tr("Shelf labels"),
                 "display": self.tr("Customer display")}
        return names.get(kind, kind)

    def show_devices(self, devices: Devices) -> None:
        for kind, device in devices.all():
            health = device.health()
            self.add_device(device.name, self.kind_name(kind),
                            "online" if health.ok else health.status)
        for name in devices.failures:
            self.add_device(name, name, "closed")

    def add_device(self, name: str, kind_label: str, condition: str = "online") -> None:
        label = QLabel()
        label.setProperty("kind_label", kind_label)
        self._layout.addWidget(label)
        self.devices[name] = label
        self.set_device(name, condition)

    def set_device(self, name: str, condition: str) -> None:
        label = self.devices.get(name)
        if label is None:
            return
        self.device_state[name] = condition
        ok = condition in ("online", "paper_near_end", "drawer_open", "drawer_closed")
        # "✔ Scanner" when all is well (the tick says ready: six devices fit 1024 px in English);
        # any other condition is spelled out.
        kind = label.property("kind_label")
        label.setText(f"✔ {kind}" if condition == "online" else
                      f"{'✔' if ok else '✖'} {kind}: {self.condition_text(condition)}")
        label.setStyleSheet("" if ok else "color: #ff8a80; font-weight: bold;")

    def condition_text(self, condition: str) -> str:
        texts = {
            "online": self.tr("ready"),
            "paper_out": self.tr("paper out"),
            "paper_near_end": self.tr("paper low"),
            "cover_open": self.tr("cover open"),
            "offline": self.tr("offline"),
            "error": self.tr("error"),
            "link_lost": self.tr("disconnected"),
            "closed": self.tr("not connected"),
            "motion": self.tr("weight moving"),
            "over_capacity": self.tr("overloaded"),
        }
        return texts.get(condition, condition)

    def device_event(self, event: object) -> None:
        """A device event, already on the GUI thread (via DeviceBridge)."""
        if not isinstance(event, DeviceEvent):
            return
        if isinstance(event, StatusEvent):
            if event.status in ("drawer_open", "drawer_closed"):
                return
            self.set_device(event.device, event.status)
        elif isinstance(event, ErrorEvent) and event.code in ("link_lost", "offline"):
            self.set_device(event.device, "link_lost")
