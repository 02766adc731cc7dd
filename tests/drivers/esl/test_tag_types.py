"""Tag types as the OpenEPaperLink AP serves them, over real HTTP to the simulated AP.

From the AP firmware and repository (OpenEPaperLink, commit cdd1cfa, August 2026):
- web.cpp: `server.serveStatic("/tagtypes", *contentFS, "/tagtypes/").setCacheControl("max-age=300")`;
- tag_db.cpp `getHwType`: the AP converts with "/tagtypes/%02X.json" (`width`, `height`,
  `rotatebuffer`, `bpp`, `colortable` as colour name → [r, g, b]); wwwroot/main.js `getTagtype`
  asks for 'tagtypes/' + two upper-case hex digits + '.json' and, on a 404, fetches the file from
  resources/tagtypes on GitHub;
- resources/tagtypes/81.json: "Chroma Aeon 74 7.4\"", 800 × 480, bpp 2, white/black/red;
  resources/tagtypes/BA.json: "Gicisky BLE TFT 2.13\"", 250 × 136, bpp 1, white/black.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from drivers.device import DeviceEvent, ErrorEvent
from drivers.esl import LabelFields, create_esl
from drivers.esl.openepaperlink import TAG_TYPE_TTL_S, OpenEPaperLinkAP
from drivers.esl.render import encode_jpeg, render_label
from drivers.esl.simulator import SimulatedAP, hash_for
from drivers.esl.system import EslTransientError
from drivers.esl.tag_types import BW, BWR, TAG_TYPES, TagType, parse_tag_type

pytestmark = pytest.mark.timeout(60)

MAC = "0000021EDE4D3B15"
# A type no built-in table has (the repository's table ends at 0xFA with gaps; 0xC3 is free),
# written as the repository writes its files: tabs, a version, a colour table, content ids.
NEW_TYPE = 0xC3
NEW_TYPE_FILE = b"""{
\t"version": 1,
\t"name": "M4 3.7\\" BWR",
\t"width": 416,
\t"height": 240,
\t"rotatebuffer": 1,
\t"bpp": 2,
\t"colortable": {
\t\t"white": [255, 255, 255],
\t\t"black": [0, 0, 0],
\t\t"red": [255, 0, 0]
\t},
\t"shortlut": 0,
\t"contentids": [ 22, 23, 1, 4, 5 ]
}"""


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_repository_tag_type_file_parses_to_size_and_colours() -> None:
    assert parse_tag_type(NEW_TYPE_FILE) == TagType('M4 3.7" BWR', 416, 240, 2, BWR)
    # The AP's web UI reads the numbers with parseInt: digits in strings are numbers too.
    assert parse_tag_type(b'{"name":"x","width":"250","height":"136","bpp":"1",'
                          b'"colortable":{"white":[255,255,255],"black":[0,0,0]}}') == TagType(
        "x", 250, 136, 1, BW
    )  # fmt: skip


@pytest.mark.parametrize(
    "payload",
    [b"<html>", b"[]", b'{"width": 10, "height": 10}', b'{"width": "a", "height": 1, "bpp": 1}',
     b'{"width": 99999, "height": 1, "bpp": 1}', b'{"width": 1, "height": 1, "bpp": 1, "colortable": []}'],
)  # fmt: skip
def test_a_file_that_is_not_a_tag_type_is_refused(payload: bytes) -> None:
    with pytest.raises(ValueError):
        parse_tag_type(payload)


def test_the_built_in_table_is_the_repositorys_of_august_2026() -> None:
    # Issue 21: 0x81 got a 296 × 128 image and 0xBA was 132 high (a July 2024 copy).
    assert TAG_TYPES[0x81] == TagType('Chroma Aeon 74 7.4"', 800, 480, 2, BWR)
    assert TAG_TYPES[0xBA] == TagType('Gicisky BLE TFT 2.13"', 250, 136, 1, BW)
    assert len(TAG_TYPES) == 98  # 101 files; 0xBE, 0xF0, 0xFA draw no image
    assert all(t.shows_label for t in TAG_TYPES.values())
    assert not {0xBE, 0xF0, 0xFA} & TAG_TYPES.keys()


def test_a_type_only_the_ap_knows_gets_its_size_from_the_aps_tagtypes_file() -> None:
    assert NEW_TYPE not in TAG_TYPES
    with SimulatedAP([MAC], hw_type=NEW_TYPE) as sim:
        sim.tag_type_files[NEW_TYPE] = NEW_TYPE_FILE
        state = OpenEPaperLinkAP(sim.url).observe(MAC)
        assert sim.tag_type_requests == ["/tagtypes/C3.json"]
    assert state.size == (416, 240)
    assert state.model == 'hwType 0xC3, M4 3.7" BWR (white/black/red)'


def test_the_aps_definition_is_read_once_per_max_age() -> None:
    clock = Clock()
    with SimulatedAP([MAC], hw_type=NEW_TYPE) as sim:
        sim.tag_type_files[NEW_TYPE] = NEW_TYPE_FILE
        ap = OpenEPaperLinkAP(sim.url, clock=clock)
        for _ in range(5):
            ap.observe(MAC)
            clock.now += TAG_TYPE_TTL_S / 10
        assert len(sim.tag_type_requests) == 1
        clock.now += TAG_TYPE_TTL_S
        sim.tag_type_files[NEW_TYPE] = NEW_TYPE_FILE.replace(b"416", b"480")  # the AP updated it
        assert ap.observe(MAC).size == (480, 240)
        assert len(sim.tag_type_requests) == 2


def test_the_aps_own_file_wins_over_the_built_in_table() -> None:
    # The AP converts with its own file (tag_db.cpp getHwType), so that is the size to render at:
    # an AP still holding the old 0x81 file converts for 296 × 128.
    with SimulatedAP([MAC], hw_type=0x81) as sim:
        sim.tag_type_files[0x81] = json.dumps(
            {"name": "Chroma29 2.9\" (UC8154)", "width": 296, "height": 128, "bpp": 2,
             "colortable": {"white": [255, 255, 255], "black": [0, 0, 0], "red": [255, 0, 0]}}
        ).encode()  # fmt: skip
        assert OpenEPaperLinkAP(sim.url).observe(MAC).size == (296, 128)


def test_without_the_aps_file_the_built_in_table_answers() -> None:
    with SimulatedAP([MAC], hw_type=0x81) as sim:
        del sim.tag_type_files[0x81]  # 404, as on an AP whose web UI never fetched it
        assert OpenEPaperLinkAP(sim.url).observe(MAC).size == (800, 480)
        sim.tag_type_files[0x81] = b"{not json"
        assert OpenEPaperLinkAP(sim.url).observe(MAC).size == (800, 480)


def test_a_type_neither_knows_has_no_size_and_one_the_ap_cannot_say_now_is_asked_again() -> None:
    with SimulatedAP([MAC], hw_type=NEW_TYPE) as sim:
        state = OpenEPaperLinkAP(sim.url).observe(MAC)
        assert state.size is None and state.model == "hwType 0xC3"
        sim.tag_type_files[NEW_TYPE] = NEW_TYPE_FILE
        ap = OpenEPaperLinkAP(sim.url)
        sim.failing_paths.add("/tagtypes/")
        with pytest.raises(EslTransientError, match=r"tagtypes/C3\.json: HTTP 500"):
            ap.observe(MAC)
        sim.failing_paths.clear()
        assert ap.observe(MAC).size == (416, 240)


def test_a_label_on_a_new_tag_type_is_rendered_at_the_aps_size_and_delivered(tmp_path: Path) -> None:
    clock = Clock(1_700_000_000.0)
    with SimulatedAP([MAC], hw_type=NEW_TYPE, clock=clock) as sim:
        sim.tag_type_files[NEW_TYPE] = NEW_TYPE_FILE
        config = {"url": sim.url, "database": str(tmp_path / "store.db"), "timeout_s": 2}
        labels = create_esl("esl-1", config, clock=clock, rng=random.Random(5))
        events: list[DeviceEvent] = []
        labels.add_listener(events.append)
        labels.open()
        labels.claim()
        labels.enable()
        fields = LabelFields("苹果 富士", 1299, unit_price_fen=2598, unit="kg")
        labels.set_label(MAC, fields, version=1)
        for _ in range(30):
            if not labels.pump().waiting:
                break
            clock.now += 1
        assert labels.outbox.state_of(MAC, 1) == "delivered"
        assert not [e for e in events if isinstance(e, ErrorEvent)]
        tag_type = parse_tag_type(NEW_TYPE_FILE)
        assert sim.tags[MAC].hash == hash_for(encode_jpeg(render_label(fields, (416, 240))), tag_type)
        labels.close()
