"""The WeChat Pay v3 and Alipay adapters against the simulator over real HTTP: the request shapes
the providers document, signatures checked both ways, a clock off by more than 5 minutes refused,
an answer that fails its signature or never comes is never believed, and "never left" is told
apart from "no answer"."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from edge.payments import provider as p
from providers.alipay import Alipay, response_node, sign_content
from providers.signing import new_key, verify
from providers.simulator import ProviderSimulator
from providers.wechat_pay import WeChatPay
from tests.edge.payments.harness import ALIPAY_CODE, WECHAT_CODE, FakeClock, adapters


def request(out_trade_no: str, code: str, amount: int = 1234) -> p.PayRequest:
    return p.PayRequest(out_trade_no, code, amount, "Demo Store", "S001", "T01")


def test_wechat_authorization_signs_method_url_timestamp_nonce_body() -> None:
    wechat = adapters("http://127.0.0.1:9")["wechat"]
    assert isinstance(wechat, WeChatPay)
    header = wechat.authorization("POST", "/v3/pay/transactions/codepay", '{"a":1}', "1700000000",
                                  "abc")
    assert header.startswith('WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="abc",')
    signature = header.split('signature="')[1].split('"')[0]
    message = b'POST\n/v3/pay/transactions/codepay\n1700000000\nabc\n{"a":1}\n'
    assert verify(wechat.account.private_key.public_key(), message, signature)
    assert 'serial_no="MERCHANTSERIAL"' in header and 'timestamp="1700000000"' in header


def test_alipay_signs_the_sorted_parameters_with_rsa2() -> None:
    alipay = adapters("http://127.0.0.1:9")["alipay"]
    assert isinstance(alipay, Alipay)
    params = alipay.signed_params("alipay.trade.pay", {"out_trade_no": "P1", "scene": "bar_code"})
    assert params["sign_type"] == "RSA2" and params["charset"] == "utf-8"
    assert json.loads(params["biz_content"]) == {"out_trade_no": "P1", "scene": "bar_code"}
    content = sign_content(params)
    assert content.startswith("app_id=") and "&sign=" not in content
    assert content.split("&")[1].startswith("biz_content=")        # sorted by name
    assert verify(alipay.account.private_key.public_key(), content.encode(), params["sign"])


def test_alipay_answer_signature_covers_the_exact_node_text() -> None:
    text = '{"alipay_trade_pay_response": {"code":"10000", "msg":"Success"},"sign":"x"}'
    found = response_node(text, "alipay_trade_pay_response")
    assert found == ('{"code":"10000", "msg":"Success"}', {"code": "10000", "msg": "Success"})
    assert response_node(text, "alipay_trade_query_response") is None


@pytest.mark.parametrize("provider,code", [("wechat", WECHAT_CODE), ("alipay", ALIPAY_CODE)])
def test_pay_query_reverse_round_trip(sim: ProviderSimulator, clock: FakeClock, provider: str,
                                      code: str) -> None:
    client = adapters(sim.url, clock)[provider]
    paid = client.pay(request("PS001T010000000001", code))
    assert paid.state == p.SUCCESS and paid.transaction_id and paid.amount == 1234
    assert client.query("PS001T010000000001").state == p.SUCCESS
    assert client.query("PS001T010000000099").state == p.NOT_FOUND
    reversed_ = client.reverse("PS001T010000000001")
    assert reversed_.state == p.REVERSE_DONE
    after = client.query("PS001T010000000001")
    assert after.state in (p.REVOKED, p.CLOSED) and after.transaction_id  # it had been paid
    again = client.pay(request("PS001T010000000001", code))             # same out_trade_no
    assert again.state == p.FAILED and sim.charged() == {"PS001T010000000001": 0}


@pytest.mark.parametrize("provider,code", [("wechat", WECHAT_CODE), ("alipay", ALIPAY_CODE)])
def test_an_answer_signed_by_another_key_is_no_answer(sim: ProviderSimulator, clock: FakeClock,
                                                      provider: str, code: str) -> None:
    sim.keys = type(sim.keys)(sim.keys.merchant_public, new_key())     # an impostor's key
    client = adapters(sim.url, clock)[provider]
    with pytest.raises(p.ProviderNoAnswer, match="signature"):
        client.pay(request("PS001T010000000002", code))


@pytest.mark.parametrize("provider,code", [("wechat", WECHAT_CODE), ("alipay", ALIPAY_CODE)])
def test_a_request_signed_by_another_key_charges_nothing(sim: ProviderSimulator, clock: FakeClock,
                                                         provider: str, code: str) -> None:
    sim.keys = type(sim.keys)(new_key().public_key(), sim.keys.platform_private)
    client = adapters(sim.url, clock)[provider]
    status = client.pay(request("PS001T010000000003", code))
    assert status.state == p.FAILED and status.code in ("SIGN_ERROR", "isv.invalid-signature")
    assert sim.orders == {}


def test_a_wechat_request_more_than_five_minutes_off_is_refused(sim: ProviderSimulator,
                                                                clock: FakeClock) -> None:
    skewed = FakeClock(clock.now() + 301)
    client = adapters(sim.url, skewed)["wechat"]
    with pytest.raises(p.ProviderNoAnswer, match="5 minutes"):
        client.pay(request("PS001T010000000004", WECHAT_CODE))     # our side refuses its answer
    assert sim.orders == {}                                         # and WeChat refused the request


def test_nothing_listening_is_unreachable_and_silence_is_no_answer(clock: FakeClock) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(p.ProviderUnreachable):
        adapters(f"http://127.0.0.1:{closed_port}", clock)["wechat"].query("P1")
    with socket.socket() as silent:                  # accepts, reads, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        stop = threading.Event()

        def swallow() -> None:
            conn, _ = silent.accept()
            stop.wait(5)
            conn.close()

        threading.Thread(target=swallow, daemon=True).start()
        client = adapters(f"http://127.0.0.1:{silent.getsockname()[1]}", clock, timeout_s=0.2)
        with pytest.raises(p.ProviderNoAnswer):
            client["alipay"].pay(request("PS001T010000000005", ALIPAY_CODE))
        stop.set()
