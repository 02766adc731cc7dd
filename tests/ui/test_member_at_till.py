"""The member at the till: name, tier in the screen's language and points, once attached."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from edge.customers.members import points_balance, register_member
from edge.till.session import Till
from tests.ui.conftest import ScriptedPrompts
from tests.ui.test_till_flow import gtins, login, make_window
from ui.till.till_app import make_app


def test_member_name_translated_tier_and_points_show_once_attached(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, prompts: ScriptedPrompts) -> None:
    member = register_member(conn, "3001", "gold", "陈静", card_no="M8888")
    make_app("zh_CN")
    try:
        window = make_window(qtbot, till, None, prompts)
        login(qtbot, window)
        label = window.sale_screen.member_label
        assert label.text() == ""
        qtbot.keyClicks(window.sale_screen.entry, gtins(conn, 1)[0])
        qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
        prompts.texts.append("M8888")
        qtbot.keyClick(window, Qt.Key.Key_F5)
        assert label.text() == "会员 陈静 · 金卡 · 0 积分"
        assert till.sale is not None
        till.tender("cash", till.sale.total + 10_000)      # earns points
        window.next_customer()
        earned = points_balance(conn, member.id)
        assert earned > 0
        qtbot.keyClicks(window.sale_screen.entry, gtins(conn, 1)[0])
        qtbot.keyClick(window.sale_screen.entry, Qt.Key.Key_Return)
        assert label.text() == ""                          # a new sale: no member yet
        prompts.texts.append("M8888")
        qtbot.keyClick(window, Qt.Key.Key_F5)
        assert label.text() == f"会员 陈静 · 金卡 · {earned:,} 积分"
    finally:
        make_app("en")
