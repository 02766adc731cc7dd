"""Attempt records: the idempotent out_trade_no from store, terminal and a durable counter, the
payment code kept only masked, and final states that never change."""

from __future__ import annotations

import sqlite3

import pytest

from edge.payments.attempts import (
    create_attempt,
    finish_attempt,
    get_attempt,
    mask_code,
    open_attempts,
    out_trade_no_for,
)
from edge.payments.settings import provider_for_code


def test_out_trade_no_is_short_enough_for_wechat_and_only_letters_and_digits() -> None:
    assert out_trade_no_for("S001", "T01", 42) == "PS001T010000000042"
    long = out_trade_no_for("store-with-a-long-name", "terminal#12345", 10**10 - 1)
    assert len(long) <= 32 and long.isalnum()


def test_the_counter_survives_a_reopen_and_the_code_is_kept_masked(
        conn: sqlite3.Connection) -> None:
    first = create_attempt(conn, provider="wechat", sale_id="s1", amount=100,
                           code="134567890123456789", staff_id="1001", store_id="S001",
                           terminal_id="T01")
    second = create_attempt(conn, provider="alipay", sale_id="s1", amount=100,
                            code="2812345678901234", staff_id="1001", store_id="S001",
                            terminal_id="T01")
    assert (first.seq, second.seq) == (1, 2) and first.out_trade_no != second.out_trade_no
    assert first.code_hint == mask_code("134567890123456789") == "1345**********6789"
    assert "134567890123456789" not in str(conn.execute("SELECT * FROM payment_attempt"
                                                        ).fetchall())
    assert [a.out_trade_no for a in open_attempts(conn)] == [first.out_trade_no,
                                                              second.out_trade_no]
    finish_attempt(conn, first, "closed", provider_state="FAILED")
    with pytest.raises(ValueError, match="already final"):
        finish_attempt(conn, first, "paid", provider_state="SUCCESS")
    assert get_attempt(conn, first.out_trade_no).state == "closed"  # type: ignore[union-attr]


@pytest.mark.parametrize("code,provider", [
    ("134567890123456789", "wechat"), ("104567890123456789", "wechat"),
    ("2812345678901234", "alipay"), ("301234567890123456789012", "alipay"),
    ("6920000010370", None), ("164567890123456789", None), ("abc", None),
    ("1²4567890123456789", None), ("13456789012345678²", None)])
def test_the_provider_is_known_from_the_code(code: str, provider: str | None) -> None:
    assert provider_for_code(code) == provider
