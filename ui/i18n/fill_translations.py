"""Fills ui/i18n/pos_zh_CN.ts from the table in ui/i18n/zh_CN_strings.py after pyside6-lupdate
has refreshed the sources: `python -m ui.i18n.fill_translations`. Missing entries are listed."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from ui.i18n.zh_CN_strings import ZH

TS = Path(__file__).with_name("pos_zh_CN.ts")


def fill(path: Path = TS) -> list[str]:
    tree = ET.parse(path)
    missing = []
    for message in tree.iter("message"):
        source = message.findtext("source") or ""
        translation = message.find("translation")
        if translation is None:
            translation = ET.SubElement(message, "translation")
        text = ZH.get(source)
        if text is None:
            missing.append(source)
            continue
        translation.attrib.pop("type", None)
        for child in list(translation):
            translation.remove(child)
        if message.get("numerus") == "yes":
            translation.text = None
            ET.SubElement(translation, "numerusform").text = text
        else:
            translation.text = text
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return missing


if __name__ == "__main__":
    left = fill()
    for source in left:
        print(f"untranslated: {source!r}", file=sys.stderr)
    sys.exit(1 if left else 0)
