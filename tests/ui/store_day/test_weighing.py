"""Weighed items at the till with the scale simulator behind its pty: a load left on the scale
from the last item is never sold again (lift and place again), a new load after zero or a clearly
different weight is; a tare comes off. Books: the sale's lines in SQLite."""

from __future__ import annotations

from tests.ui.store_day.conftest import Counter


def lines_in_sqlite(c: Counter) -> list[int]:
    sale = c.till.last_sale
    assert sale is not None
    return [r[0] for r in c.conn.execute("SELECT qty_milli FROM sale_line WHERE sale_id = ?"
                                         " ORDER BY line_no", (sale.id,))]


def weighed_lines(c: Counter) -> list[int]:
    return [ln.qty_milli for ln in c.till.sale.lines] if c.till.sale else []


def pay(c: Counter) -> None:
    c.press("F12")
    c.press("F6")
    assert c.window.tender_view.done


def test_a_load_left_on_the_scale_asks_to_lift_and_place_again(counter: Counter) -> None:
    counter.scale.weight_grams = 856
    counter.type_code("1")                                  # bananas, weighed
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [856], timeout=5000)
    counter.type_code("2")                                  # tomatoes: the bananas still there
    lift = counter.window.tr("Lift the item off the scale and place it again")
    counter.qtbot.waitUntil(lambda: counter.message() == lift, timeout=5000)
    assert weighed_lines(counter) == [856]
    counter.scale.weight_grams = 0                          # lifted ...
    counter.qtbot.wait(300)
    counter.scale.weight_grams = 430                        # ... and the tomatoes placed
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [856, 430], timeout=5000)
    pay(counter)
    assert lines_in_sqlite(counter) == [856, 430]


def test_a_clearly_different_weight_is_the_next_item(counter: Counter) -> None:
    counter.scale.weight_grams = 856
    counter.type_code("1")
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [856], timeout=5000)
    counter.scale.weight_grams = 1_230                      # swapped without an empty scale
    counter.type_code("2")
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [856, 1_230], timeout=5000)
    pay(counter)
    assert lines_in_sqlite(counter) == [856, 1_230]


def test_a_load_never_lifted_sells_nothing(counter: Counter) -> None:
    counter.window.lift_wait_s = 0.5
    counter.scale.weight_grams = 856
    counter.type_code("1")
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [856], timeout=5000)
    counter.type_code("3")
    failed = counter.window.tr("The same weight is still on the scale: lift the item off and "
                               "place it again, then scan it again")
    counter.qtbot.waitUntil(lambda: failed in counter.message(), timeout=5000)
    assert weighed_lines(counter) == [856]
    pay(counter)
    assert lines_in_sqlite(counter) == [856]


def test_a_moving_load_is_weighed_once_it_settles(counter: Counter) -> None:
    counter.scale.weight_grams = 640
    counter.scale.motion = True
    counter.type_code("1")
    counter.qtbot.wait(300)
    assert weighed_lines(counter) == []
    counter.scale.motion = False
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [640], timeout=5000)


def test_a_preset_tare_comes_off_the_weight_once(counter: Counter) -> None:
    counter.prompts.choices.append(2)                       # the third preset: 30 g
    counter.press("Ctrl+T")
    counter.scale.weight_grams = 530
    counter.type_code("1")
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [500], timeout=5000)
    counter.scale.weight_grams = 0
    counter.qtbot.wait(200)
    counter.scale.weight_grams = 700                        # no tare for the next item
    counter.type_code("2")
    counter.qtbot.waitUntil(lambda: weighed_lines(counter) == [500, 700], timeout=5000)
    pay(counter)
    assert lines_in_sqlite(counter) == [500, 700]


def test_a_typed_tare_as_heavy_as_the_load_is_refused(counter: Counter) -> None:
    counter.prompts.choices.append(3)                       # "Type a tare…"
    counter.prompts.texts.append("0.600")
    counter.press("Ctrl+T")
    counter.scale.weight_grams = 530
    counter.type_code("1")
    counter.qtbot.waitUntil(lambda: counter.window.sale_screen.message_is_error, timeout=5000)
    assert counter.till.sale is None or not counter.till.sale.lines
