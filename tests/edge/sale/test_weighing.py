"""The weighing discipline the till and the kiosk share (edge/sale/weighing.py)."""

from __future__ import annotations

import pytest

from edge.sale.weighing import WeighingDiscipline


def test_first_stable_weight_is_taken() -> None:
    scale = WeighingDiscipline(zero_band_g=4, change_band_g=10)
    assert scale.reading(856, stable=False) == "wait"
    assert scale.reading(856, stable=True) == "take"


def test_a_load_left_on_the_scale_is_never_taken_twice() -> None:
    scale = WeighingDiscipline(4, 10)
    assert scale.reading(856, True) == "take"
    scale.taken()
    assert scale.reading(856, True) == "lift_and_replace"
    assert scale.reading(860, True) == "lift_and_replace"     # within the change band: same load
    assert scale.reading(3, True) == "wait"                    # back near zero
    assert scale.reading(856, True) == "take"                  # placed again


def test_a_clearly_different_stable_weight_is_a_new_item() -> None:
    scale = WeighingDiscipline(4, 10)
    assert scale.reading(856, True) == "take"
    scale.taken()
    assert scale.reading(1_230, True) == "take"


def test_a_weight_not_taken_can_still_be_taken() -> None:
    scale = WeighingDiscipline(4, 10)
    assert scale.reading(500, True) == "take"       # the sale refused it: taken() never called
    assert scale.reading(500, True) == "take"


def test_lifting_below_zero_arms_the_next_take_even_while_moving() -> None:
    scale = WeighingDiscipline(4, 10)
    scale.reading(500, True)
    scale.taken()
    assert scale.reading(-20, stable=False) == "wait"
    assert scale.reading(500, True) == "take"


def test_taken_needs_a_weight_to_take() -> None:
    scale = WeighingDiscipline()
    with pytest.raises(RuntimeError):
        scale.taken()
    scale.reading(500, True)
    scale.taken()
    assert scale.reading(500, True) == "lift_and_replace"
    with pytest.raises(RuntimeError):
        scale.taken()
