"""Rewrite one benchmark's section of docs/performance.md, between its markers."""

from __future__ import annotations

import platform
import statistics
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "performance.md"


def write_section(name: str, body: str) -> None:
    begin, end = f"<!-- section: {name} -->", f"<!-- end: {name} -->"
    text = DOC.read_text("utf-8")
    if begin not in text:
        text = text.rstrip("\n") + f"\n\n{begin}\n{end}\n"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{begin}\n{body.strip()}\n{end}{tail}", "utf-8")


def machine() -> str:
    import os
    return f"CPython {platform.python_version()}, {os.cpu_count()} CPUs"


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (0-100) of the samples, nearest-rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


__all__ = ["machine", "ms", "percentile", "statistics", "write_section"]
