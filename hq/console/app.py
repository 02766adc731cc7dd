"""The one ASGI app for every HTTP endpoint HQ serves: the web console (PostgreSQL) and the
e-invoice request endpoint (either engine).

Rule: every page needs a session and shows only what the user's role and stores allow, in
HTML and in its JSON twin alike; every form post (login included) carries a CSRF token the
server checks before anything changes; every change is audited (hq/console/accounts.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import secrets
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from hq.console import accounts
from hq.console.i18n import LOCALES, MESSAGES, choose_locale, translate
from hq.console.invoice_api import InvoiceEndpoint
from hq.console.limits import Guard, Rate, TokenBuckets
from hq.console.live import LiveHub
from hq.console.pages import (
    DOWNLOADS,
    Action,
    Ctx,
    Download,
    Forbidden,
    NotFound,
    Page,
    load_pages,
    money,
    qty,
)
from hq.console.server import ServerLimits
from hq.invoices.book import InvoiceBook
from hq.orders.service import OrdersService, OrdersSettings
from hq.storage.interface import DEFAULT_TIMEZONE

HERE = Path(__file__).resolve().parent
ECHARTS = "vendor/echarts-6.1.0/echarts.min.js"
LOGIN_CSRF_COOKIE = "hq_login_csrf"
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'"
                               " 'unsafe-inline'; img-src 'self' data:; connect-src 'self';"
                               " frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


@dataclass(frozen=True)
class ConsoleSettings:
    db_url: str
    timezone: str = DEFAULT_TIMEZONE
    limits: ServerLimits = field(default_factory=ServerLimits)
    # Secure cookies need HTTPS (or a browser on the same machine: loopback counts as secure);
    # off only for a console reached over plain HTTP on a trusted network, by asking.
    secure_cookies: bool = True
    # Login tries, failed or not: per username 5, then one a minute; per address 20, then 1/3 s.
    login_per_user: Rate = field(default_factory=lambda: Rate(5 / 60, 5))
    login_per_client: Rate = field(default_factory=lambda: Rate(20 / 60, 20))
    clock: Callable[[], datetime] | None = None  # tests set HQ's clock
    # Publishing prices and promotions (/rollout): HQ's signing key, the keys the stores pin
    # (a version they would refuse is never stored) and the broker (cloud_sync BrokerSettings).
    signing_key: str = ""
    pinned: str = ""
    broker: Any = None
    # The online-order API (hq/orders/): HQ's signing key and broker; None: not served.
    orders: OrdersSettings | None = None

    @property
    def console(self) -> bool:
        return self.db_url.startswith(("postgresql://", "postgres://"))


class Console:
    def __init__(self, settings: ConsoleSettings) -> None:
        from psycopg_pool import ConnectionPool

        from hq.storage.postgres import PgStorage

        self.settings = settings
        self.zone = ZoneInfo(settings.timezone)
        self.storage = PgStorage(settings.db_url, self.zone)    # migrates HQ's schema
        self.storage_lock = threading.Lock()
        self.pool = ConnectionPool(settings.db_url, min_size=1, max_size=8, open=True,
                                   kwargs={"autocommit": True}, timeout=10)
        self.hub = LiveHub(settings.db_url)
        self.pages, self.actions = load_pages()
        self.login_users = TokenBuckets(settings.login_per_user)
        self.login_clients = TokenBuckets(settings.login_per_client)
        self.cookie = "__Host-hq_session" if settings.secure_cookies else "hq_session"
        self.jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                        autoescape=True, undefined=jinja2.StrictUndefined)
        self.jinja.globals.update(money=money, qty=qty, echarts=ECHARTS, locales=LOCALES)

    # ---- plumbing ---------------------------------------------------------------------------

    def now(self) -> datetime:
        clock = self.settings.clock
        return (clock() if clock else datetime.now(self.zone)).astimezone(self.zone)

    def close(self) -> None:
        self.hub.stop()
        self.pool.close()
        self.storage.close()

    def _who(self, token: str | None) -> tuple[accounts.User, str] | None:
        if not token:
            return None
        with self.pool.connection() as conn:
            return accounts.session(conn, token)

    async def who(self, request: Request) -> tuple[accounts.User, str] | None:
        return await run_in_threadpool(self._who, request.cookies.get(self.cookie))

    def locale(self, request: Request, user: accounts.User | None) -> str:
        return choose_locale(user.locale if user else request.cookies.get("hq_locale"),
                             request.headers.get("accept-language", ""))

    def render(self, request: Request, template: str, status: int = 200,
               user: accounts.User | None = None, csrf: str = "", **data: Any) -> HTMLResponse:
        locale = self.locale(request, user)

        def t(key: str) -> str:
            return translate(locale, key)

        nav = [p for p in self.pages if p.nav and user and user.role in p.roles]
        html = self.jinja.get_template(template).render(
            t=t, locale=locale, user=user, csrf=csrf, nav=nav, path=request.url.path,
            query=str(request.url.query), **data)
        return HTMLResponse(html, status, headers=SECURITY_HEADERS)

    def error(self, request: Request, status: int, key: str, as_json: bool,
              user: accounts.User | None = None, csrf: str = "") -> Response:
        if as_json:
            return JSONResponse({"error": key.removeprefix("error."),
                                 "message": MESSAGES[key][0]}, status)
        return self.render(request, "error.html", status, user, csrf, message_key=key)

    def ctx(self, conn: Any, user: accounts.User, request: Request) -> Ctx:
        return Ctx(conn, user, dict(request.query_params), dict(request.path_params), self.zone,
                   self.now(), _StorageView(self.storage, self.storage_lock), self.settings)

    # ---- pages, their JSON twins, actions ---------------------------------------------------

    def page_routes(self, page: Page) -> list[Route]:
        async def show(request: Request) -> Response:
            as_json = request.url.path.endswith(".json")
            who = await self.who(request)
            if who is None:
                if as_json:
                    return JSONResponse({"error": "login_required",
                                         "message": "log in at /login"}, 401)
                return RedirectResponse(f"/login?next={quote(request.url.path)}", 303)
            user, csrf = who
            if user.role not in page.roles:
                return self.error(request, 403, "error.forbidden", as_json, user, csrf)

            def load() -> dict[str, Any]:
                with self.pool.connection() as conn:
                    return page.load(self.ctx(conn, user, request))
            try:
                data = await run_in_threadpool(load)
            except Forbidden:
                return self.error(request, 403, "error.forbidden", as_json, user, csrf)
            except NotFound:
                return self.error(request, 404, "error.not_found", as_json, user, csrf)
            if as_json:
                return JSONResponse(data)
            return self.render(request, page.template, 200, user, csrf, page=page, data=data,
                               data_json=json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"))
        twin = page.path.replace("}", "}.json") if page.path.endswith("}") \
            else page.path + ".json"
        return [Route(twin, show, methods=["GET"]), Route(page.path, show, methods=["GET"])]

    def download_route(self, down: Download) -> Route:
        async def get(request: Request) -> Response:
            who = await self.who(request)
            if who is None:
                return JSONResponse({"error": "login_required", "message": "log in at /login"}, 401)

            def make() -> tuple[str, str, bytes]:
                with self.pool.connection() as conn:
                    return down.make(self.ctx(conn, who[0], request))
            try:
                name, media, body = await run_in_threadpool(make)
            except Forbidden:
                return self.error(request, 403, "error.forbidden", True)
            return Response(body, 200, media_type=media, headers={
                **SECURITY_HEADERS, "content-disposition": f'attachment; filename="{name}"'})
        return Route(down.path, get, methods=["GET"])

    def action_route(self, act: Action) -> Route:
        async def run(request: Request) -> Response:
            who = await self.who(request)
            if who is None:
                return self.error(request, 401, "error.forbidden", True)
            user, csrf = who
            form = {k: (await v.read()).decode("utf-8", "replace") if isinstance(v, UploadFile)
                    else str(v) for k, v in (await request.form()).items()}
            sent = form.get("csrf") or request.headers.get("x-csrf-token", "")
            if not hmac.compare_digest(sent.encode(), csrf.encode()):
                return self.error(request, 403, "error.csrf", False, user, csrf)
            if user.role == "analyst":
                return self.error(request, 403, "error.read_only", False, user, csrf)

            def go() -> str:
                with self.pool.connection() as conn:
                    return act.run(self.ctx(conn, user, request), form)
            try:
                where = await run_in_threadpool(go)
            except Forbidden:
                return self.error(request, 403, "error.forbidden", False, user, csrf)
            except NotFound:
                return self.error(request, 404, "error.not_found", False, user, csrf)
            return RedirectResponse(where, 303)
        return Route(act.path, run, methods=["POST"])

    # ---- live updates -----------------------------------------------------------------------

    async def live_stream(self, request: Request) -> Response:
        who = await self.who(request)
        if who is None:
            return JSONResponse({"error": "login_required", "message": "log in at /login"}, 401)
        page = next(p for p in self.pages if p.path == "/live")
        token = request.cookies.get(self.cookie)

        def load() -> dict[str, Any] | None:
            with self.pool.connection() as conn:
                found = accounts.session(conn, token or "")
                if found is None:
                    return None       # logged out or disabled meanwhile: the stream ends
                return page.load(self.ctx(conn, found[0], request))
        try:
            first = await run_in_threadpool(load)
        except Forbidden:
            return self.error(request, 403, "error.forbidden", True)
        queue = self.hub.subscribe()

        async def events() -> AsyncIterator[str]:
            last = None
            data = first
            try:
                while data is not None:
                    text = json.dumps(data, ensure_ascii=False)
                    if text != last:
                        yield f"event: live\ndata: {text}\n\n"
                        last = text
                    try:
                        await asyncio.wait_for(queue.get(), 15)
                    except TimeoutError:
                        yield ": still here\n\n"
                    if self.hub.closing:
                        return
                    data = await run_in_threadpool(load)
            finally:
                self.hub.unsubscribe(queue)
        return StreamingResponse(events(), media_type="text/event-stream",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})

    # ---- login, logout, language ------------------------------------------------------------

    async def login_form(self, request: Request, status: int = 200, message: str = "") -> Response:
        token = secrets.token_urlsafe(32)
        response = self.render(request, "login.html", status, None, token,
                               message_key=message, next=_local(request.query_params.get("next")))
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                            secure=self.settings.secure_cookies, path="/login")
        return response

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return await self.login_form(request)
        form = await request.form()
        sent, kept = str(form.get("csrf", "")), request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
            return self.error(request, 403, "error.csrf", False)
        username, password = str(form.get("username", ""))[:64], str(form.get("password", ""))
        client = (request.client.host if request.client else "")
        if not (self.login_clients.take(client) and self.login_users.take(username)):
            return await self.login_form(request, 429, "login.slow")

        def check() -> tuple[str, str] | None:
            with self.pool.connection() as conn:
                user = accounts.authenticate(conn, username, password)
                if user is None:
                    with conn.transaction(), conn.cursor() as cur:
                        accounts.audit(cur, "anonymous", "login_failed", username,
                                       {"client": client})
                    return None
                return accounts.open_session(conn, user, client)
        opened = await run_in_threadpool(check)
        if opened is None:
            return await self.login_form(request, 401, "login.failed")
        response = RedirectResponse(_local(str(form.get("next", ""))) or "/live", 303)
        response.set_cookie(self.cookie, opened[0], max_age=int(accounts.SESSION_TTL.total_seconds()),
                            httponly=True, samesite="strict", secure=self.settings.secure_cookies,
                            path="/")
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    async def logout(self, request: Request) -> Response:
        return await self._own_change(request, lambda conn, user, token, form:
                                      accounts.close_session(conn, token, user), "/login",
                                      forget=True)

    async def set_locale(self, request: Request) -> Response:
        def change(conn: Any, user: accounts.User, token: str, form: dict[str, str]) -> None:
            if form.get("locale") in LOCALES:
                accounts.set_locale(conn, user, form["locale"])
        response = await self._own_change(request, change, None)
        locale = (await request.form()).get("locale")
        if response.status_code == 303 and locale in LOCALES:
            # Kept in the browser too, so the login page after a logout speaks it.
            response.set_cookie("hq_locale", str(locale), max_age=365 * 86400, httponly=True,
                                samesite="strict", secure=self.settings.secure_cookies)
        return response

    async def _own_change(self, request: Request, change: Callable[..., None],
                          where: str | None, forget: bool = False) -> Response:
        """A change to the user's own session or settings (any role): CSRF-checked, audited."""
        who = await self.who(request)
        if who is None:
            return RedirectResponse("/login", 303)
        user, csrf = who
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not hmac.compare_digest(form.get("csrf", "").encode(), csrf.encode()):
            return self.error(request, 403, "error.csrf", False, user, csrf)
        token = request.cookies.get(self.cookie, "")

        def run() -> None:
            with self.pool.connection() as conn:
                change(conn, user, token, form)
        await run_in_threadpool(run)
        response = RedirectResponse(where or _local(form.get("next")) or "/live", 303)
        if forget:
            response.delete_cookie(self.cookie, path="/", secure=self.settings.secure_cookies,
                                   httponly=True, samesite="strict")
        return response

    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = [
            Route("/", lambda request: RedirectResponse("/live", 303)),
            Route("/login", self.login, methods=["GET", "POST"]),
            Route("/logout", self.logout, methods=["POST"]),
            Route("/locale", self.set_locale, methods=["POST"]),
            Route("/live/stream", self.live_stream, methods=["GET"]),
        ]
        for page in self.pages:
            routes += self.page_routes(page)
        routes += [self.action_route(a) for a in self.actions]
        routes += [self.download_route(d) for d in DOWNLOADS]
        routes.append(Mount("/static", StaticFiles(directory=HERE / "static"), name="static"))
        return routes


class _StorageView:
    """HQ's storage for the views that take one (hq/fleet.py), one caller at a time."""

    def __init__(self, db: Any, lock: threading.Lock) -> None:
        self.db = db
        self.lock = lock


def _local(target: str | None) -> str:
    """A redirect target only within this site."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return ""


def create_app(settings: ConsoleSettings) -> Guard:
    """The app, behind the request guard (rate limits, bounded bodies). With a SQLite URL only
    the invoice endpoint is served: the console needs PostgreSQL."""
    book = InvoiceBook(settings.db_url)
    invoices = InvoiceEndpoint(book)
    console = Console(settings) if settings.console else None
    orders = OrdersService(settings.db_url, settings.orders) \
        if settings.console and settings.orders is not None else None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if console is not None:
            console.hub.start(asyncio.get_running_loop())
        if orders is not None:
            orders.start()                  # the webhook delivery loop, beside the app
        try:
            yield
        finally:
            if orders is not None:
                orders.close()
            if console is not None:
                console.close()
            book.close()

    routes: list[BaseRoute] = list(invoices.routes())
    handlers: dict[Any, Any] = {404: _not_found, 405: _not_allowed}
    if orders is not None:
        routes += orders.routes()
        handlers.update(orders.exception_handlers)
    if console is not None:
        routes += console.routes()
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers=handlers)
    guarded = Guard(app, settings.limits)
    if console is not None:
        guarded.stopping.append(console.hub.close_streams)
    return guarded


async def _not_found(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "not_found", "message": "no such page or endpoint"}, 404)


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "method_not_allowed", "message": "not with this method"}, 405)
