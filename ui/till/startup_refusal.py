"""What a till or kiosk shows instead of its login screen when it must not start: a damaged store
database (restore the latest backup) or a second copy of the same terminal. In the screen's
language, with what to do, and nothing else on screen."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox

from ui.till.till_app import make_app


def refusal_box(kind: str, detail: str) -> QMessageBox:
    """`kind` is `damaged` or `already_running`; `detail` the technical reason, shown below."""
    if kind == "damaged":
        title = QCoreApplication.translate("StartupRefusal", "The store database is damaged")
        advice = QCoreApplication.translate(
            "StartupRefusal",
            "Do not sell on this till. Restore the latest backup (pos restore) or call support.")
    else:
        title = QCoreApplication.translate("StartupRefusal", "This till is already running")
        advice = QCoreApplication.translate(
            "StartupRefusal", "Close the other window for this terminal, then start again.")
    box = QMessageBox(QMessageBox.Icon.Critical, title, f"{title}\n\n{advice}")
    box.setDetailedText(detail)
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


def show_refusal(kind: str, detail: str, locale_name: str) -> int:
    make_app(locale_name)
    refusal_box(kind, detail).exec()
    return 1
