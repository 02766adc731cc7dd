"""The OpenEPaperLink AP's wire format and behaviour, checked against the AP firmware
(OpenEPaperLink repository, ESP32_AP-Flasher/src, commit 468f6b7):

- web.cpp, route "/imgupload": the request handler is `request->send(200)`, which replaces what
  `doImageUpload` answered ("Ok, saved", 400 "mac not found", 409 "Come back later"): the client
  always sees 200 with an empty body. `doImageUpload` reads `mac` (hex2mac: 12 or 16 hex digits)
  and `dither` (default 1) and, for a known tag, sets `modeConfigJson` to
  {"filename":"/temp/<mac>_<millis>.jpg",...}, `contentMode` 24 and `nextupdate` 0.
- web.cpp, route "/get_db": `uint8_t startPos = atoi(pos)`; `?mac=` with a bad MAC answers
  {"error": "malformatted parameter"}. tag_db.cpp `tagDBtoJson`: a 5000-byte ArduinoJson document,
  "continu" when the room left is under usage / (c + 1) + 500. `fillNode`: "hash" is the 16-byte
  md5 as 32 lower-case hex digits, "mac" 16 upper-case hex digits.
- newproto.cpp `prepareDataAvail`: an image whose md5's first 8 bytes equal the tag's is not
  queued; `processXferComplete`: the tag's md5 becomes the first 8 bytes of the md5 of the
  converted image, then 8 zero bytes; `pending` what is still queued.
- contentmanager.cpp `drawNew`, case 24: after `prepareDataAvail`, `nextupdate = 3216153600`.
"""

from __future__ import annotations

import hashlib
import http.client
import json

import pytest

from drivers.esl.openepaperlink import (
    EMPTY_HASH,
    NEVER,
    OpenEPaperLinkAP,
    delivery_check,
    imgupload_body,
    label_state,
    normalise_mac,
    parse_get_db,
)
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.simulator import SimulatedAP, hash_for, parse_multipart
from drivers.esl.system import EslRejectedError, EslTransientError, LabelFields, Verdict

pytestmark = pytest.mark.timeout(60)

FIELDS = LabelFields("可口可乐 330ml", 350)
MAC = "0000021EDE4D3B15"

# One tag as the firmware's fillNode() prints it (values made up, keys and formats real).
GET_DB_PAGE = b"""{"tags":[{"mac":"0000021EDE4D3B15","hash":"cb1f0dd9c44258f70000000000000000",
"lastseen":1700000000,"nextupdate":3216153600,"nextcheckin":1700000600,"pending":1,"alias":"",
"contentMode":24,"LQI":100,"RSSI":-58,"temperature":21,"batteryMv":2950,"hwType":1,
"wakeupReason":0,"capabilities":0,"modecfgjson":"","isexternal":false,"apip":"0.0.0.0",
"rotate":0,"lut":0,"invert":0,"updatecount":3,"updatelast":1700000000,"ch":11,"ver":0}],
"continu":8}"""


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _post(sim: SimulatedAP, mac: str, jpeg: bytes) -> tuple[int, bytes]:
    host, port = sim.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("POST", "/imgupload", imgupload_body(mac, jpeg, boundary="B"),
                     {"Content-Type": "multipart/form-data; boundary=B"})  # fmt: skip
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _jpeg(price: int = 350, size: tuple[int, int] = (296, 128)) -> bytes:
    return encode_jpeg(render_label(LabelFields("可口可乐 330ml", price), size))


def test_imgupload_multipart_golden_bytes() -> None:
    body = imgupload_body(MAC, b"\xff\xd8JPEG\xff\xd9", boundary="B")
    assert body == (
        b'--B\r\nContent-Disposition: form-data; name="mac"\r\n\r\n0000021EDE4D3B15\r\n'
        b'--B\r\nContent-Disposition: form-data; name="dither"\r\n\r\n0\r\n'
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="0000021EDE4D3B15.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n\xff\xd8JPEG\xff\xd9\r\n"
        b"--B--\r\n"
    )
    form = parse_multipart("multipart/form-data; boundary=B", body)
    assert form == {"mac": b"0000021EDE4D3B15", "dither": b"0", "file": b"\xff\xd8JPEG\xff\xd9"}


def test_get_db_golden_json_parses_to_label_states_and_the_next_page() -> None:
    [tag], nxt = parse_get_db(GET_DB_PAGE)
    assert (tag.label, tag.pending, tag.size) == (MAC, 1, (296, 128))
    assert tag.shown == "cb1f0dd9c44258f70000000000000000"
    assert tag.model == 'hwType 0x01, M2 2.9" (white/black/red)'
    assert json.loads(tag.raw)["nextupdate"] == NEVER
    assert nxt == 8
    assert parse_get_db(b'{"tags":[]}') == ([], None)
    with pytest.raises(ValueError):
        parse_get_db(b'{"error": "malformatted parameter"}')


def test_macs_are_normalised_like_the_firmware_prints_them() -> None:
    assert normalise_mac("02:1e:de:4d:3b:15") == MAC
    assert normalise_mac("0000021ede4d3b15") == MAC
    with pytest.raises(ValueError):
        normalise_mac("not-a-mac")


def test_imgupload_answers_a_bare_200_for_a_known_tag_an_unknown_one_and_a_stopped_ap() -> None:
    with SimulatedAP([MAC]) as sim:
        assert _post(sim, MAC, _jpeg()) == (200, b"")
        assert _post(sim, "00000000DEADBEEF", _jpeg()) == (200, b"")  # "mac not found", replaced
        sim.running = False
        assert _post(sim, MAC, _jpeg(999)) == (200, b"")  # "Come back later", replaced
        assert sim.tags[MAC].uploads == 1  # the stopped AP ignored the second upload


def test_a_taken_upload_shows_in_the_record_before_the_tag_fetches_it() -> None:
    clock = Clock()
    with SimulatedAP([MAC], convert_delay_s=1, apply_delay_s=30, clock=clock) as sim:
        ap = OpenEPaperLinkAP(sim.url)
        before = json.loads(ap.observe(MAC).raw)
        ap.push(MAC, _jpeg(), FIELDS, 1)
        taken = json.loads(ap.observe(MAC).raw)
        assert taken["modecfgjson"].startswith(f'{{"filename":"/temp/{MAC}_') and taken["nextupdate"] == 0
        assert taken["modecfgjson"] != before["modecfgjson"]
        clock.now += 1
        converted = ap.observe(MAC)
        assert (converted.pending, json.loads(converted.raw)["nextupdate"]) == (1, NEVER)
        clock.now += 30
        shown = ap.observe(MAC)
        assert shown.pending == 0


def test_the_hash_is_8_bytes_of_the_converted_images_md5_then_zeros_not_the_jpegs_md5() -> None:
    clock = Clock()
    jpeg = _jpeg()
    with SimulatedAP([MAC], clock=clock) as sim:
        ap = OpenEPaperLinkAP(sim.url)
        ap.push(MAC, jpeg, FIELDS, 1)
        shown = ap.observe(MAC).shown
    assert shown.endswith("0" * 16) and len(shown) == 32
    assert shown[:16] != hashlib.md5(jpeg).hexdigest()[:16]
    assert shown == hash_for(jpeg, 1)


def test_the_same_image_again_is_not_queued() -> None:
    clock = Clock()
    with SimulatedAP([MAC], clock=clock) as sim:
        ap = OpenEPaperLinkAP(sim.url)
        ap.push(MAC, _jpeg(), FIELDS, 1)
        first = ap.observe(MAC)
        ap.push(MAC, _jpeg(), FIELDS, 2)
        again = ap.observe(MAC)
    assert (again.shown, again.pending) == (first.shown, 0)
    assert sim.tags[MAC].updatecount == 1


def test_get_db_pos_is_a_uint8_so_paging_cannot_reach_past_position_255() -> None:
    macs = [f"00000000{i:08X}" for i in range(300)]
    with SimulatedAP(macs) as sim:
        host, port = sim.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", "/get_db?pos=260")
        tags, _ = parse_get_db(conn.getresponse().read())
        conn.close()
        assert tags[0].label == macs[4]  # 260 & 0xFF
        found, complete = OpenEPaperLinkAP(sim.url).tags()
        assert not complete
        assert [t.label for t in found] == macs[: len(found)] and 250 <= len(found) < 300
        assert all(request.startswith("pos=") for request in sim.get_db_requests)
        # Every one of the 300 is still reachable by MAC.
        ap = OpenEPaperLinkAP(sim.url)
        assert [ap.observe(mac).label for mac in macs[255:]] == macs[255:]


def test_a_page_holds_what_arduinojson_fits_in_5000_bytes() -> None:
    with SimulatedAP([f"00000000{i:08X}" for i in range(40)]) as sim:
        found, complete = OpenEPaperLinkAP(sim.url).tags()
    assert complete and len(found) == 40
    pages = [r for r in sim.get_db_requests if r.startswith("pos=")]
    assert 4 <= len(pages) <= 8  # roughly 7 nodes of ~600 bytes a page


def test_observe_of_an_unknown_mac_is_rejected_as_unknown() -> None:
    with SimulatedAP([]) as sim:
        with pytest.raises(EslRejectedError) as info:
            OpenEPaperLinkAP(sim.url).observe(MAC)
    assert info.value.reason == "unknown_mac"


def test_an_unknown_hw_type_has_no_size() -> None:
    with SimulatedAP([MAC], hw_type=0xBE) as sim:
        state = OpenEPaperLinkAP(sim.url).observe(MAC)
    assert state.size is None and state.model == "hwType 0xBE"


def test_ap_health_reads_the_radio_state_when_probed_and_never_blocks_otherwise() -> None:
    with SimulatedAP([MAC]) as sim:
        ap = OpenEPaperLinkAP(sim.url)
        assert ap.status().status == "unknown"  # not asked yet: status() makes no request
        assert sim.requests == 0
        assert ap.probe().ok and ap.status().status == "online"
        sim.apstate = 7
        assert ap.probe().status == "radio_noradio" and not ap.status().ok
    offline = OpenEPaperLinkAP(sim.url, timeout_s=1)
    with pytest.raises(EslTransientError):
        offline.observe(MAC)
    assert offline.status().status == "unreachable"  # what the last request showed
    assert offline.probe().status == "unreachable"


def _record(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {"mac": MAC, "hash": "a" * 16 + "0" * 16, "pending": 0, "hwType": 1,
                               "nextupdate": NEVER, "modecfgjson": '{"filename":"/temp/x_1.jpg"}',
                               "lastseen": 1, "nextcheckin": 61}  # fmt: skip
    return {**base, **changes}


@pytest.mark.parametrize(
    ("now", "verdict", "reason"),
    [
        # taken, converted, fetched: a new non-zero hash and nothing pending
        (_record(hash="b" * 16 + "0" * 16, modecfgjson="new"), Verdict.SHOWN, ""),
        # the AP said 200 and left the record alone: it ignored the upload (not running)
        (_record(hash="b" * 16 + "0" * 16), Verdict.NOT_TAKEN, "ap_not_running"),
        # taken, never converted: the content runner does not run
        (_record(modecfgjson="new", nextupdate=0), Verdict.WAITING, "ap_not_running"),
        # drawNew has started (nextupdate = now + 60): even a changed hash is not ours yet
        (_record(modecfgjson="new", nextupdate=1_700_000_060, hash="b" * 32), Verdict.WAITING, "converting"),
        # converted and queued; the tag has not fetched it
        (_record(modecfgjson="new", pending=1), Verdict.WAITING, "tag_asleep"),
        # converted, nothing queued, same hash: same image, or lost in a reboot
        (_record(modecfgjson="new"), Verdict.WAITING, "unchanged"),
        # the tag rebooted: its hash zeroed is not a delivery
        (_record(modecfgjson="new", hash=EMPTY_HASH), Verdict.WAITING, "unchanged"),
    ],
)
def test_delivery_rule(now: dict[str, object], verdict: Verdict, reason: str) -> None:
    check = delivery_check(_record(), now)
    assert (check.verdict, check.reason) == (verdict, reason)


def test_label_state_round_trips_through_json() -> None:
    state = label_state(json.loads(GET_DB_PAGE)["tags"][0])
    assert type(state).from_json(state.to_json()) == state
