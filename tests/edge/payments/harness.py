"""Shared steps for payment tests: a fake clock that the flow, the adapters and the simulator all
read (so a 30 s timeout costs no real time), keys, the simulator on loopback, and a logged-in till
that takes payment codes through real HTTP."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from edge.config import StoreConfig
from edge.payments.provider import PaymentProvider
from edge.payments.settings import PaymentSettings
from edge.till.mobile_payment import MobilePayments
from edge.till.session import Till
from providers.alipay import Alipay, AlipayAccount
from providers.signing import new_key, pem_private, pem_public
from providers.simulator import SIMULATOR_KEY_ID, ProviderSimulator, SimulatorKeys
from providers.wechat_pay import WeChatPay, WeChatPayAccount

WECHAT_CODE = "134567890123456789"     # 18 digits, 10-15
ALIPAY_CODE = "2812345678901234"       # 16-24 digits, 25-30 (16: no scale rule claims it)
CODES = {"wechat": WECHAT_CODE, "alipay": ALIPAY_CODE}


class FakeClock:
    """Epoch seconds that move only when someone sleeps."""

    def __init__(self, start: float | None = None) -> None:
        self.t = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self.t

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.t += max(seconds, 0.0)


class RealClock(FakeClock):
    """The wall clock and real sleeps (a simulator in another process, or a live one)."""

    def now(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(seconds, 0.0))


@dataclass(frozen=True)
class Keys:
    merchant: object
    platform: object


_KEYS: list[Keys] = []


def keys() -> Keys:
    """Two RSA keys, made once per test process (2048-bit generation is slow)."""
    if not _KEYS:
        _KEYS.append(Keys(new_key(), new_key()))
    return _KEYS[0]


def simulator(clock: FakeClock | None = None) -> ProviderSimulator:
    k = keys()
    sim = ProviderSimulator(SimulatorKeys(k.merchant.public_key(), k.platform),  # type: ignore[attr-defined]
                            clock=clock.now if clock else time.time)
    sim.start()
    return sim


def adapters(base_url: str, clock: FakeClock | None = None,
             timeout_s: float = 2.0) -> dict[str, PaymentProvider]:
    k = keys()
    now = clock.now if clock else time.time
    return {
        "wechat": WeChatPay(WeChatPayAccount(base_url, "1900000109", "wxd930ea5d5a258f4f",
                                             "MERCHANTSERIAL", k.merchant,  # type: ignore[arg-type]
                                             {SIMULATOR_KEY_ID: k.platform.public_key()},  # type: ignore[attr-defined]
                                             timeout_s=timeout_s), now),
        "alipay": Alipay(AlipayAccount(base_url + "/gateway.do", "2021000000000001",
                                       k.merchant, k.platform.public_key(),  # type: ignore[arg-type,attr-defined]
                                       timeout_s=timeout_s), now),
    }


def paying_till(conn: sqlite3.Connection, providers: dict[str, PaymentProvider], clock: FakeClock,
                settings: PaymentSettings | None = None, login: bool = True) -> Till:
    config = StoreConfig()
    payments = MobilePayments(conn, config, providers, settings or PaymentSettings(),
                              now=clock.now, sleep=clock.sleep)
    till = Till(conn, config, payments=payments)
    if login:
        till.login("1001", "1234")
    return till


def configure(db_path: Path, url: str) -> None:
    """store.toml beside the database with both providers pointing at `url`, keys in files."""
    k = keys()
    key, platform = db_path.with_name("merchant.key"), db_path.with_name("platform.pub")
    key.write_bytes(pem_private(k.merchant))  # type: ignore[arg-type]
    key.chmod(0o600)
    platform.write_bytes(pem_public(k.platform.public_key()))  # type: ignore[attr-defined]
    db_path.with_name("store.toml").write_text(f"""
[payments]
timeout_s = 30

[payments.wechat]
base_url = "{url}"
mchid = "1900000109"
appid = "wxd930ea5d5a258f4f"
serial_no = "MERCHANTSERIAL"
private_key_file = "{key}"
platform_public_key_file = "{platform}"
platform_public_key_id = "{SIMULATOR_KEY_ID}"

[payments.alipay]
gateway_url = "{url}/gateway.do"
app_id = "2021000000000001"
private_key_file = "{key}"
alipay_public_key_file = "{platform}"
""", "utf-8")


@pytest.fixture
def clock() -> FakeClock:
    """The providers' and the till's clock, moved by hand."""
    return FakeClock()


@pytest.fixture
def sim(clock: FakeClock) -> Iterator[ProviderSimulator]:
    """Both providers' simulator over real HTTP, on `clock`."""
    sim = simulator(clock)
    yield sim
    sim.stop()

