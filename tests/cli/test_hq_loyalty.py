"""`pos hq points` and `pos hq coupon` over a real HQ database (SQLite engine): the channel's side
of a member's points and coupons, as an operator types it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.main import main
from tests.hq.test_ownership import Hq


def test_points_and_coupons_from_the_command_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'hq.sqlite'}"
    hq = Hq(url)
    assert hq.send("S001", "member.registered", {
        "member_id": "MEM-A", "card_no": None, "phone": None, "qr_token": None, "name": None,
        "tier": "silver"}) is None
    hq.storage.close()

    def pos(*args: str) -> tuple[int, str, str]:
        code = main(["hq", *args, "--db", url])
        out, err = capsys.readouterr()
        return code, out, err

    assert pos("points", "earn", "--member", "MEM-A", "--points", "500", "--reference", "W1") \
        == (0, '{"member_id": "MEM-A", "balance": 500}\n', "")
    assert pos("points", "spend", "--member", "MEM-A", "--points", "200", "--reference", "W2"
               )[0] == 0
    code, out, _ = pos("points", "balance", "--member", "MEM-A")
    assert code == 0 and json.loads(out) == {"member_id": "MEM-A", "balance": 300, "held": 0,
                                             "available": 300}
    code, _, err = pos("points", "spend", "--member", "MEM-A", "--points", "301",
                       "--reference", "W3")
    assert code == 1 and "insufficient_points" in err
    code, out, _ = pos("coupon", "issue", "--member", "MEM-A", "--value", "20.00",
                       "--expires", "2099-12-31")
    coupon = out.strip()
    assert code == 0 and coupon.startswith("HQ-2000-20991231-")
    assert pos("coupon", "issue", "--member", "MEM-A", "--value", "20.00",
               "--expires", "31/12/2099")[0] == 1
    assert pos("coupon", "issue", "--member", "MEM-A", "--value", "abc",
               "--expires", "2099-12-31")[0] == 1
    assert pos("coupon", "redeem", coupon, "--reference", "W4") == \
        (0, json.dumps({"code": coupon, "value": 2000}) + "\n", "")
    code, _, err = pos("coupon", "redeem", coupon, "--reference", "W5")
    assert code == 1 and "coupon_redeemed" in err
    assert pos("coupon", "alerts") == (0, "", "")
