"""Kiosk weighing through the scale simulator's real Toledo 8217 bytes on a pty: the live weight
while the load moves (never an error, however long), alerts that go away when their cause does
(a silent scale, an unexpected weight, an age check), and the pay button coming back with them;
each weight and age alert a `kiosk.alert` fact for HQ when it goes."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pytestqt.qtbot import QtBot

from drivers.scale.simulator import ScaleSimulator
from edge.till.session import Till
from tests.ui.test_kiosk_flow import alcohol_gtin, open_lane
from tests.ui.test_till_flow import gtins
from ui.hardware.devices import Devices
from ui.kiosk.kiosk_app import BASKET, PRODUCE


def alert_facts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return [json.loads(p) for (p,) in conn.execute(
        "SELECT payload FROM outbox WHERE type = 'kiosk.alert' ORDER BY seq")]


def test_a_moving_load_shows_as_moving_for_as_long_as_it_moves_then_the_weight_is_taken(
        qtbot: QtBot, till: Till, devices: Devices, scale_sim: ScaleSimulator) -> None:
    window = open_lane(qtbot, till, devices)
    window.start()
    window.buttons["produce"].click()
    scale_sim.weight_grams = 1234
    scale_sim.motion = True
    window.picker.tiles["1"].click()
    qtbot.waitUntil(lambda: window.weight_moving.isVisible(), timeout=3000)
    # Longer than the 3 s after which the kiosk used to give up with an alert.
    qtbot.wait(3500)
    assert window.weight_moving.isVisible() and window.alert.isHidden()
    assert window.stack.currentIndex() == PRODUCE and window.model.rowCount() == 0
    assert "hold still" in window.produce_message.text()

    scale_sim.motion = False
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=3000)
    assert window.model.lines[0]["qty"] == "1.234"
    assert window.live_weight.text() == "1.234 kg"
    assert window.stack.currentIndex() == BASKET and window.alert.isHidden()
    assert window.buttons["pay"].isEnabled()


def test_live_weight_follows_the_load_until_it_settles(
        qtbot: QtBot, till: Till, devices: Devices, scale_sim: ScaleSimulator) -> None:
    window = open_lane(qtbot, till, devices)
    window.start()
    window.show_produce()
    window.picker.tiles["2"].click()
    qtbot.waitUntil(lambda: "on the scale" in window.produce_message.text(), timeout=3000)
    assert window.model.rowCount() == 0  # an empty platter is waited on, not an error
    scale_sim.weight_grams = 856
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=3000)
    assert window.model.lines[0]["qty"] == "0.856" and window.alert.isHidden()


def test_a_silent_scale_calls_the_attendant_and_the_alert_goes_when_it_answers(
        qtbot: QtBot, till: Till, devices: Devices, scale_sim: ScaleSimulator) -> None:
    window = open_lane(qtbot, till, devices)
    window.start()
    window.show_produce()
    scale_sim.silent = True
    window.picker.tiles["1"].click()
    qtbot.waitUntil(lambda: window.alert.isVisible(), timeout=5000)
    assert "scale" in window.alert.text() and "_" not in window.alert.text()
    assert not window.buttons["pay"].isEnabled()

    scale_sim.weight_grams = 500
    scale_sim.silent = False
    qtbot.waitUntil(lambda: window.alert.isHidden(), timeout=5000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=3000)
    assert window.attendant_reasons == {} and window.buttons["pay"].isEnabled()


def test_an_unexpected_weight_alert_clears_when_the_platter_is_cleared_even_after_going_back(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection, devices: Devices,
        scale_sim: ScaleSimulator) -> None:
    window = open_lane(qtbot, till, devices)
    window.enter_code(gtins(conn, 1)[0])
    window.show_produce()
    scale_sim.over_capacity = True
    window.picker.tiles["2"].click()
    qtbot.waitUntil(lambda: window.alert.isVisible(), timeout=5000)
    assert "weight" in window.alert.text().lower()
    window.leave_produce()
    assert window.stack.currentIndex() == BASKET and not window.buttons["pay"].isEnabled()

    scale_sim.over_capacity = False
    qtbot.waitUntil(lambda: window.alert.isHidden(), timeout=5000)
    assert window.buttons["pay"].isEnabled()
    assert window.model.rowCount() == 1  # going back dropped the weighing: nothing was added
    assert not window.weighing.running  # type: ignore[union-attr]
    [fact] = alert_facts(conn)          # the weight went by itself: cleared by nobody
    assert (fact["kind"], fact["cleared"], fact["cleared_by"]) == ("weight", "resolved", None)
    assert fact["sale_id"] == till.sale.id and fact["raised_at"] <= fact["cleared_at"]  # type: ignore[union-attr]


def test_approving_the_age_clears_its_alert_and_leaves_the_help_call(
        qtbot: QtBot, till: Till, conn: sqlite3.Connection) -> None:
    window = open_lane(qtbot, till, None)
    window.enter_code(alcohol_gtin(conn))
    window.buttons["help"].click()
    assert window.alert.isVisible()
    window.open_attendant()
    window.attendant_pad.submitted.emit("2001", "5678")
    assert "Age" in window.attendant_reason.text() and "Help" in window.attendant_reason.text()
    window.attendant_buttons["age"].click()
    assert "Age" not in window.attendant_reason.text()
    assert [(f["kind"], f["cleared"], f["cleared_by"]) for f in alert_facts(conn)] == [
        ("age", "age_approved", "2001")]
    window.attendant_buttons["done"].click()
    assert window.alert.isVisible() and "Age" not in window.alert.text()
    assert not window.buttons["pay"].isEnabled()

    window.open_attendant()
    window.attendant_pad.submitted.emit("2001", "5678")
    window.attendant_buttons["clear"].click()
    window.attendant_buttons["done"].click()
    assert window.alert.isHidden() and window.buttons["pay"].isEnabled()
    assert len(alert_facts(conn)) == 1   # a help call is no loss-prevention alert
