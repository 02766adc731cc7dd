"""The OpenEPaperLink AP wire format, checked against the firmware (OpenEPaperLink repository,
ESP32_AP-Flasher/src/web.cpp and tag_db.cpp):

- /imgupload: doImageUpload() reads the form params `mac` (hex2mac: 12 or 16 hex digits) and
  `dither` (default 1), the file arrives as the multipart upload part; success is 200
  "Ok, saved", an unknown tag 400 "mac not found".
- /get_db: tagDBtoJson() returns {"tags": [fillNode...]} and "continu": <next pos> once the JSON
  passes 5000 bytes; fillNode() writes "mac" (mac2hex: 16 upper-case hex digits), "hash"
  (md5 as 32 lower-case hex), "pending" (pendingCount), "hwType", "lastseen", ...
"""

from __future__ import annotations

import hashlib

import pytest

from drivers.esl.openepaperlink import (
    OpenEPaperLinkAP,
    imgupload_body,
    normalise_mac,
    parse_get_db,
)
from drivers.esl.simulator import SimulatedAP, parse_multipart
from drivers.esl.system import EslRejectedError, LabelFields, LabelStatus

pytestmark = pytest.mark.timeout(30)

FIELDS = LabelFields("可口可乐 330ml", 350)

# One tag as the firmware's fillNode() prints it (values made up, keys and formats real).
GET_DB_PAGE = b"""{"tags":[{"mac":"0000021EDE4D3B15","hash":"5D41402ABC4B2A76B9719D911017C592",
"lastseen":1700000000,"nextupdate":0,"nextcheckin":1700000600,"pending":1,"alias":"",
"contentMode":24,"LQI":100,"RSSI":-58,"temperature":21,"batteryMv":2950,"hwType":1,
"wakeupReason":0,"capabilities":0,"modecfgjson":"","isexternal":false,"apip":"0.0.0.0",
"rotate":0,"lut":0,"invert":0,"updatecount":3,"updatelast":1700000000,"ch":11,"ver":0}],
"continu":8}"""


def test_imgupload_multipart_golden_bytes() -> None:
    body = imgupload_body("0000021EDE4D3B15", b"\xff\xd8JPEG\xff\xd9", boundary="B")
    assert body == (
        b'--B\r\nContent-Disposition: form-data; name="mac"\r\n\r\n0000021EDE4D3B15\r\n'
        b'--B\r\nContent-Disposition: form-data; name="dither"\r\n\r\n0\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="0000021EDE4D3B15.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8JPEG\xff\xd9\r\n"
        b"--B--\r\n"
    )
    form = parse_multipart("multipart/form-data; boundary=B", body)
    assert form == {"mac": b"0000021EDE4D3B15", "dither": b"0", "file": b"\xff\xd8JPEG\xff\xd9"}


def test_get_db_golden_json_parses_to_statuses_and_next_page() -> None:
    tags, nxt = parse_get_db(GET_DB_PAGE)
    assert tags == [LabelStatus("0000021EDE4D3B15", "5d41402abc4b2a76b9719d911017c592", 1, hw_type=1)]
    assert nxt == 8


def test_get_db_last_page_has_no_continu() -> None:
    assert parse_get_db(b'{"tags": []}') == ([], None)
    with pytest.raises(ValueError):
        parse_get_db(b'{"error": "malformatted parameter"}')


def test_macs_are_normalised_like_the_firmware_prints_them() -> None:
    assert normalise_mac("02:1e:de:4d:3b:15") == "0000021EDE4D3B15"
    assert normalise_mac("0000021ede4d3b15") == "0000021EDE4D3B15"
    with pytest.raises(ValueError):
        normalise_mac("not-a-mac")


def test_upload_then_pending_then_applied_hash_equals_the_upload() -> None:
    clock = [0.0]
    mac = "0000021EDE4D3B15"
    with SimulatedAP([mac], apply_delay_s=5.0, clock=lambda: clock[0]) as sim:
        ap = OpenEPaperLinkAP(sim.url)
        token = ap.push(mac, b"jpeg-bytes", FIELDS, 1)
        assert token == hashlib.md5(b"jpeg-bytes").hexdigest()
        assert ap.tag_statuses()[mac].pending == 1
        assert ap.confirm({mac: token}) == set()
        clock[0] = 5.0
        assert ap.confirm({mac: token}) == {mac}
        assert ap.label_size(mac) == (296, 128)
        assert ap.status().ok


def test_get_db_is_read_page_by_page() -> None:
    macs = [f"00000000{i:08X}" for i in range(120)]
    with SimulatedAP(macs, page_budget_bytes=1000) as sim:
        statuses = OpenEPaperLinkAP(sim.url).tag_statuses()
        assert sorted(statuses) == macs
        assert sim.requests > 5  # it really was paged


def test_unknown_tag_is_rejected_not_retried() -> None:
    with SimulatedAP([]) as sim:
        with pytest.raises(EslRejectedError):
            OpenEPaperLinkAP(sim.url).push("0000021EDE4D3B15", b"x", FIELDS, 1)


def test_unreachable_ap_reports_unhealthy() -> None:
    sim = SimulatedAP([])
    url = sim.url
    sim.stop()  # never started: the port is closed
    ap = OpenEPaperLinkAP(url, timeout_s=1.0, page_retries=1)
    assert ap.confirm({"0000021EDE4D3B15": "x"}) == set()
    assert not ap.status().ok
