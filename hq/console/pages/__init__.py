"""The console's pages: each is a function that loads a dict for the signed-in user, shown as
HTML by its template and as JSON at the same path + `.json` (Datasette style); actions are form
posts, every one CSRF-checked by the app before it runs.

Adding a page: a module here with a `@page(...)` loader, a template in ../templates/, a `nav.*`
key in ../i18n.py — and its import in `load_pages()` below. See docs/hq-console.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from hq.console.accounts import User

MODULES = ("live", "fleet", "stock", "loss", "money", "rollout", "dead_letters", "audit")


class Forbidden(Exception):
    """The user may not see or do this (403)."""


class NotFound(Exception):
    """No such thing (404)."""


@dataclass
class Ctx:
    conn: psycopg.Connection[Any]
    user: User
    query: dict[str, str]
    path: dict[str, Any]
    zone: ZoneInfo
    now: datetime          # HQ's clock, in `zone`
    storage: Any           # hq.storage.postgres.PgStorage, for the HQ views that take one
    settings: Any = None   # hq.console.app.ConsoleSettings (the signing key, the broker)

    @property
    def today(self) -> date:
        return self.now.date()

    def store_param(self) -> str | None:
        """?store=S: a store the user may see, or Forbidden; None: every store they see."""
        store = self.query.get("store") or None
        if store is not None and not self.user.sees(store):
            raise Forbidden(store)
        return store


@dataclass(frozen=True)
class Page:
    path: str
    template: str
    title: str              # message key
    load: Callable[[Ctx], dict[str, Any]]
    nav: bool = True
    roles: tuple[str, ...] = ("admin", "analyst", "manager")


@dataclass(frozen=True)
class Action:
    path: str
    run: Callable[[Ctx, dict[str, str]], str]   # returns where to go next


@dataclass(frozen=True)
class Download:
    """A file made for the user (an export): same session and permissions as a page."""
    path: str
    make: Callable[[Ctx], tuple[str, str, bytes]]   # (file name, media type, bytes)


PAGES: list[Page] = []
ACTIONS: list[Action] = []
DOWNLOADS: list[Download] = []


def download(path: str) -> Callable[[Callable[[Ctx], tuple[str, str, bytes]]],
                                    Callable[[Ctx], tuple[str, str, bytes]]]:
    def register(fn: Callable[[Ctx], tuple[str, str, bytes]]
                 ) -> Callable[[Ctx], tuple[str, str, bytes]]:
        DOWNLOADS.append(Download(path, fn))
        return fn
    return register


def page(path: str, template: str, title: str, nav: bool = True,
         roles: tuple[str, ...] = ("admin", "analyst", "manager")
         ) -> Callable[[Callable[[Ctx], dict[str, Any]]], Callable[[Ctx], dict[str, Any]]]:
    def register(fn: Callable[[Ctx], dict[str, Any]]) -> Callable[[Ctx], dict[str, Any]]:
        PAGES.append(Page(path, template, title, fn, nav, roles))
        return fn
    return register


def action(path: str) -> Callable[[Callable[[Ctx, dict[str, str]], str]],
                                  Callable[[Ctx, dict[str, str]], str]]:
    def register(fn: Callable[[Ctx, dict[str, str]], str]) -> Callable[[Ctx, dict[str, str]], str]:
        ACTIONS.append(Action(path, fn))
        return fn
    return register


def load_pages() -> tuple[list[Page], list[Action]]:
    for name in MODULES:
        importlib.import_module(f"hq.console.pages.{name}")
    return PAGES, ACTIONS


def money(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def qty(milli: int | None) -> str:
    """A quantity in thousandths as units: whole when it is, else to the gram (3 places)."""
    if milli is None:
        return "–"
    return str(milli // 1000) if milli % 1000 == 0 else f"{milli / 1000:.3f}"
