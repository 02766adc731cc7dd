"""The weighing discipline: a load is sold once; the same load left on the scale is lifted and
placed again; a return to zero or a clearly different stable weight arms the next weighing."""

from __future__ import annotations

import pytest

from edge.sale.weighing import WeighingDiscipline


def discipline() -> WeighingDiscipline:
    return WeighingDiscipline(zero_band_g=10, change_band_g=20)


def test_a_first_stable_load_is_taken_even_if_it_was_placed_before_the_item_was_chosen() -> None:
    weighing = discipline()
    assert weighing.reading(856, stable=True) == "take"


def test_a_moving_load_waits() -> None:
    weighing = discipline()
    assert weighing.reading(856, stable=False) == "wait"
    assert weighing.reading(0, stable=True) == "wait"


def test_the_load_left_on_the_scale_is_never_taken_twice() -> None:
    """The bug: 0.856 kg charged as bananas, then tomatoes, then cucumbers."""
    weighing = discipline()
    assert weighing.reading(856, stable=True) == "take"
    weighing.taken()
    for _ in range(3):
        assert weighing.reading(856, stable=True) == "lift_and_replace"
    # within the change band (the scale's last digit, a finger on the platter): the same load
    assert weighing.reading(870, stable=True) == "lift_and_replace"
    assert weighing.reading(840, stable=False) == "wait"
    assert weighing.reading(856, stable=True) == "lift_and_replace"


def test_lifted_and_placed_again_it_is_taken() -> None:
    weighing = discipline()
    weighing.reading(856, stable=True)
    weighing.taken()
    assert weighing.reading(5, stable=True) == "wait"          # inside the zero band
    assert weighing.reading(856, stable=True) == "take"


def test_a_lifted_platter_below_zero_arms_too() -> None:
    weighing = discipline()
    weighing.reading(856, stable=True)
    weighing.taken()
    assert weighing.reading(-40, stable=False) == "wait"
    assert weighing.reading(856, stable=True) == "take"


def test_a_clearly_different_stable_weight_is_a_new_load() -> None:
    weighing = discipline()
    weighing.reading(856, stable=True)
    weighing.taken()
    assert weighing.reading(1234, stable=True) == "take"
    weighing.taken()
    assert weighing.reading(1234, stable=True) == "lift_and_replace"
    assert weighing.last_taken == 1234


def test_a_take_not_sold_leaves_the_scale_armed() -> None:
    weighing = discipline()
    assert weighing.reading(856, stable=True) == "take"
    assert weighing.reading(856, stable=True) == "take"   # the caller did not sell it


def test_taken_needs_a_reading_that_said_take() -> None:
    weighing = discipline()
    with pytest.raises(RuntimeError):
        weighing.taken()
    weighing.reading(856, stable=True)
    weighing.reading(856, stable=False)     # the offer went with the next reading
    with pytest.raises(RuntimeError):
        weighing.taken()


def test_bands_are_not_negative() -> None:
    with pytest.raises(ValueError):
        WeighingDiscipline(-1, 20)
