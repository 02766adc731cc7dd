"""Catalog names for the screen, in the screen's language."""

from __future__ import annotations


def category_label(category: str, locale_name: str) -> str:
    """Bilingual category names read "生鲜 Fresh": Chinese first, English after the space."""
    zh, _, en = category.partition(" ")
    if not en or zh.isascii():
        return category
    return zh if locale_name.startswith("zh") else en
