"""The providers' answers as their public pages give them, through the adapters over real HTTP to
the simulator: both forms of WeChat's USERPAYING, "no such order" on a reverse (WeChat 404
ORDER_NOT_EXIST, Alipay's cancel without an action), and the keys that check answers chosen by
the serial an answer names (WeChat platform certificates and PUB_KEY_ID_ public keys, several at
once while they rotate; Alipay's alipay_cert_sn), an unknown serial refused."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from edge.config import ConfigError, StoreConfig
from edge.payments import provider as p
from providers.accounts import providers_from_config
from providers.alipay import Alipay, AlipayAccount
from providers.signing import new_key, pem_private, pem_public
from providers.simulator import (
    SIMULATOR_KEY_ID,
    UNRECORDED_ERROR,
    USERPAYING,
    Behaviour,
    ProviderSimulator,
    SimulatorKeys,
)
from providers.wechat_pay import WeChatPay, WeChatPayAccount
from tests.edge.payments.harness import ALIPAY_CODE, WECHAT_CODE, FakeClock, adapters, keys

CERT_SERIAL = 0x5157F09EFDC096DE15EBE81A47057A7232F1B8E1   # the shape of a WeChat platform serial


def request(out_trade_no: str, code: str, amount: int = 1234) -> p.PayRequest:
    return p.PayRequest(out_trade_no, code, amount, "Demo Store", "S001", "T01")


def wechat_with(sim: ProviderSimulator, clock: FakeClock,
                platform_keys: dict[str, rsa.RSAPublicKey]) -> WeChatPay:
    return WeChatPay(WeChatPayAccount(sim.url, "1900000109", "wxd930ea5d5a258f4f",
                                      "MERCHANTSERIAL", keys().merchant,  # type: ignore[arg-type]
                                      platform_keys, timeout_s=2.0), clock.now)


def signs_with(sim: ProviderSimulator, key: rsa.RSAPrivateKey, serial: str) -> None:
    sim.keys = SimulatorKeys(sim.keys.merchant_public, key, serial)


@pytest.mark.parametrize("form", ["trade_state", "code"])
def test_wechat_userpaying_in_either_form_means_query_again(sim: ProviderSimulator,
                                                            clock: FakeClock, form: str) -> None:
    sim.userpaying_form = form              # 202 {"trade_state": "USERPAYING"} | {"code": ...}
    sim.behaviour = Behaviour(USERPAYING, paying_s=10)
    wechat = adapters(sim.url, clock)["wechat"]
    status = wechat.pay(request("PS001T010000000101", WECHAT_CODE))
    assert status.state == p.USERPAYING and status.code == "USERPAYING"
    clock.sleep(11)
    assert wechat.query("PS001T010000000101").state == p.SUCCESS


def test_alipay_userpaying_is_code_10003(sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(USERPAYING, paying_s=10)
    status = adapters(sim.url, clock)["alipay"].pay(request("PS001T010000000102", ALIPAY_CODE))
    assert status.state == p.USERPAYING


def test_wechat_pay_error_before_recording_then_query_and_reverse_answer_no_such_order(
        sim: ProviderSimulator, clock: FakeClock) -> None:
    sim.behaviour = Behaviour(UNRECORDED_ERROR)
    wechat = adapters(sim.url, clock)["wechat"]
    paid = wechat.pay(request("PS001T010000000103", WECHAT_CODE))
    assert paid.state == p.UNKNOWN and paid.code == "SYSTEM_ERROR"       # 500: query, then see
    queried = wechat.query("PS001T010000000103")
    assert queried.state == p.NOT_FOUND and queried.code == "ORDER_NOT_EXIST"
    reversed_ = wechat.reverse("PS001T010000000103")
    assert reversed_.state == p.REVERSE_NOT_FOUND and reversed_.code == "ORDER_NOT_EXIST"
    assert reversed_.was_charged is False and sim.orders == {}


def test_alipay_cancel_of_a_trade_it_never_made_has_no_action(sim: ProviderSimulator,
                                                              clock: FakeClock) -> None:
    sim.behaviour = Behaviour(UNRECORDED_ERROR)
    alipay = adapters(sim.url, clock)["alipay"]
    assert alipay.pay(request("PS001T010000000104", ALIPAY_CODE)).state == p.UNKNOWN
    assert alipay.query("PS001T010000000104").state == p.NOT_FOUND   # ACQ.TRADE_NOT_EXIST
    cancelled = alipay.reverse("PS001T010000000104")
    assert cancelled.state == p.REVERSE_NOT_FOUND and cancelled.was_charged is False
    assert alipay.query("PS001T010000000104").state == p.NOT_FOUND
    # the cancel closed the number for good: a late pay with it is refused
    assert alipay.pay(request("PS001T010000000104", ALIPAY_CODE)).state == p.FAILED
    assert sim.charged() == {}


def test_wechat_answers_are_checked_with_the_key_their_serial_names(sim: ProviderSimulator,
                                                                    clock: FakeClock) -> None:
    old, new = keys().platform, new_key()
    wechat = wechat_with(sim, clock, {SIMULATOR_KEY_ID: old.public_key(),  # type: ignore[attr-defined]
                                      f"{CERT_SERIAL:X}": new.public_key()})
    assert wechat.query("PS001T010000000105").state == p.NOT_FOUND   # signed by PUB_KEY_ID_…
    signs_with(sim, new, f"{CERT_SERIAL:x}")       # WeChat rotates to the certificate's key
    assert wechat.query("PS001T010000000105").state == p.NOT_FOUND   # serial case does not matter
    signs_with(sim, new, SIMULATOR_KEY_ID)          # a serial naming another key than signed
    with pytest.raises(p.ProviderNoAnswer, match="does not verify"):
        wechat.query("PS001T010000000105")
    signs_with(sim, new_key(), "PUB_KEY_ID_0119000001092026120699999999")
    with pytest.raises(p.ProviderNoAnswer, match="does not hold"):
        wechat.query("PS001T010000000105")


def test_a_wechat_answer_naming_no_serial_is_not_believed(sim: ProviderSimulator,
                                                          clock: FakeClock) -> None:
    signs_with(sim, keys().platform, "")  # type: ignore[arg-type]
    with pytest.raises(p.ProviderNoAnswer, match="not signed"):
        adapters(sim.url, clock)["wechat"].query("PS001T010000000106")


def test_alipay_answers_naming_a_certificate_use_that_certificates_key(sim: ProviderSimulator,
                                                                       clock: FakeClock) -> None:
    platform = keys().platform
    alipay = Alipay(AlipayAccount(sim.url + "/gateway.do", "2021000000000001",
                                  keys().merchant, new_key().public_key(),  # type: ignore[arg-type]
                                  2.0, {"0D1A6B1B3A5F2A3E4C7F1E2D3C4B5A69":
                                        platform.public_key()}), clock.now)  # type: ignore[attr-defined]
    sim.alipay_cert_sn = "0d1a6b1b3a5f2a3e4c7f1e2d3c4b5a69"
    assert alipay.query("PS001T010000000107").state == p.NOT_FOUND
    sim.alipay_cert_sn = "ffffffffffffffffffffffffffffffff"
    with pytest.raises(p.ProviderNoAnswer, match="does not hold"):
        alipay.query("PS001T010000000107")


def certificate(key: rsa.RSAPrivateKey, serial: int) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Tenpay.com Root CA")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(serial).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=5 * 365)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def wechat_config(tmp_path: Path, **wechat: object) -> StoreConfig:
    merchant = tmp_path / "merchant.key"
    merchant.write_bytes(pem_private(keys().merchant))  # type: ignore[arg-type]
    section = {"base_url": "http://127.0.0.1:9", "mchid": "1900000109",
               "appid": "wxd930ea5d5a258f4f", "serial_no": "MERCHANTSERIAL",
               "private_key_file": str(merchant), **wechat}
    return StoreConfig(extra={"payments": {"wechat": section}})


def test_several_platform_keys_are_configured_by_serial(tmp_path: Path) -> None:
    cert_key, pub_key = new_key(), new_key()
    cert = tmp_path / "wechatpay_cert.pem"
    cert.write_bytes(certificate(cert_key, CERT_SERIAL))
    pub = tmp_path / "pub_key.pem"
    pub.write_bytes(pem_public(pub_key.public_key()))
    config = wechat_config(tmp_path, platform_keys={f"{CERT_SERIAL:X}": str(cert),
                                                    SIMULATOR_KEY_ID: str(pub)})
    wechat = providers_from_config(config)["wechat"]
    assert isinstance(wechat, WeChatPay)
    assert sorted(wechat.account.platform_keys) == sorted([f"{CERT_SERIAL:X}", SIMULATOR_KEY_ID])
    # one certificate file alone is known by its own serial
    single = providers_from_config(wechat_config(tmp_path, platform_public_key_file=str(cert)))
    assert list(single["wechat"].account.platform_keys) == [f"{CERT_SERIAL:X}"]  # type: ignore[attr-defined]
    # a certificate filed under another serial, or a bare key without its id, is refused
    with pytest.raises(ConfigError, match="is the certificate with serial"):
        providers_from_config(wechat_config(tmp_path, platform_keys={"ABCDEF": str(cert)}))
    with pytest.raises(ConfigError, match="platform_public_key_id"):
        providers_from_config(wechat_config(tmp_path, platform_public_key_file=str(pub)))
    with pytest.raises(ConfigError, match="needs platform_public_key_file or platform_keys"):
        providers_from_config(wechat_config(tmp_path))
