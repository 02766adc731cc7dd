"""The screen a till shows instead of its login when it must not start, in the store's language."""

from __future__ import annotations

from pytestqt.qtbot import QtBot


def test_the_refusal_screen_speaks_the_stores_language(qtbot: QtBot) -> None:
    from ui.till.startup_refusal import refusal_box
    from ui.till.till_app import make_app

    make_app("zh_CN")
    try:
        box = refusal_box("damaged", "quick_check: page 4 is never used")
        assert "数据库" in box.text() and "备份" in box.text()
        assert box.detailedText() == "quick_check: page 4 is never used"
        box = refusal_box("already_running", "pid 42")
        assert "已在运行" in box.text()
    finally:
        make_app("en")
    assert "damaged" in refusal_box("damaged", "x").text()
