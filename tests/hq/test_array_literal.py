"""Array literals read back by PostgreSQL as exactly the values sent."""

from __future__ import annotations

from datetime import date

import psycopg

from hq.storage.array_literal import plain_array, quoted_array

AWKWARD = ["", "plain", "with space", "a,b", '{"x"}', "back\\slash", 'quote"', "NULL", "null",
           "商品 一", " lead", "trail ", "\\\"", "tab\there", "new\nline", "}{", "'single'"]


def test_text_integers_and_dates_come_back_as_sent(pg_url: str) -> None:
    numbers = [0, -1, 2**62, 7]
    days = [date(2026, 1, 1), date(1999, 12, 31)]
    with psycopg.connect(pg_url) as pg:
        texts = [r[0] for r in pg.execute("SELECT unnest(%s::text[])",
                                          (quoted_array(AWKWARD),)).fetchall()]
        ints = [r[0] for r in pg.execute("SELECT unnest(%s::bigint[])",
                                         (plain_array(numbers),)).fetchall()]
        dates = [r[0] for r in pg.execute("SELECT unnest(%s::date[])",
                                          (plain_array(days),)).fetchall()]
        empty = pg.execute("SELECT cardinality(%s::text[]), cardinality(%s::bigint[])",
                           (quoted_array([]), plain_array([]))).fetchone()
    assert texts == AWKWARD
    assert ints == numbers
    assert dates == days
    assert empty == (0, 0)
