"""Unit tests of the SDK's own logic (no server): `python3 tests/test_unit.py`. The end-to-end run
against a real server is tests/e2e.py, driven by api/tests/api/sdk.rs."""

import base64
import json
import pathlib
import sys
import time
from datetime import datetime, timezone

import httpx
from standardwebhooks import Webhook

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from zimage import (  # noqa: E402
    RetryingTransport,
    WebhookVerificationError,
    authorize_url,
    frames,
    pkce,
    verify_webhook,
)


class Scripted(httpx.BaseTransport):
    def __init__(self, answers):
        self.answers = list(answers)
        self.seen = []

    def handle_request(self, request):
        self.seen.append((request.method, request.headers.get("idempotency-key"), request.content))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_retries_keep_the_idempotency_key_and_honour_retry_after():
    inner = Scripted(
        [
            httpx.Response(503, headers={"retry-after": "0"}),
            httpx.Response(429, headers={"retry-after": "0"}),
            httpx.Response(202, json={"id": "t"}),
        ]
    )
    waits = []
    client = httpx.Client(transport=RetryingTransport(inner, sleep=waits.append))
    response = client.post(
        "http://example.test/v1/generations", headers={"Idempotency-Key": "k-1"}, content=b'{"p":1}'
    )
    assert response.status_code == 202
    assert inner.seen == [("POST", "k-1", b'{"p":1}')] * 3
    assert len(waits) == 2 and all(w < 0.2 for w in waits)


def test_asyncio_clients_retry_the_same_way():
    import asyncio

    from zimage import AsyncRetryingTransport

    class AsyncScripted(httpx.AsyncBaseTransport):
        def __init__(self, answers):
            self.answers = list(answers)
            self.keys = []

        async def handle_async_request(self, request):
            self.keys.append(request.headers.get("idempotency-key"))
            return self.answers.pop(0)

    inner = AsyncScripted(
        [httpx.Response(503, headers={"retry-after": "0"}), httpx.Response(202, json={"id": "t"})]
    )

    async def run():
        async with httpx.AsyncClient(transport=AsyncRetryingTransport(inner)) as client:
            return await client.post(
                "http://example.test/v1/generations", headers={"Idempotency-Key": "k-2"}, content=b"{}"
            )

    assert asyncio.run(run()).status_code == 202
    assert inner.keys == ["k-2", "k-2"]


def test_a_change_without_an_idempotency_key_is_never_sent_twice():
    inner = Scripted([httpx.Response(503, headers={"retry-after": "0"})])
    client = httpx.Client(transport=RetryingTransport(inner, sleep=lambda _: None))
    assert client.post("http://example.test/v1/prompts", content=b"{}").status_code == 503
    assert len(inner.seen) == 1


def test_lost_connections_are_retried_for_reads_up_to_the_limit():
    inner = Scripted([httpx.ConnectError("reset")] * 3)
    client = httpx.Client(transport=RetryingTransport(inner, max_retries=2, sleep=lambda _: None))
    try:
        client.get("http://example.test/v1/models")
        raise AssertionError("should have failed")
    except httpx.ConnectError:
        pass
    assert len(inner.seen) == 3


def test_event_streams_split_into_frames_wherever_the_text_is_cut():
    text = 'retry: 2000\n\n: keep-alive\n\nid: 1-2\nevent: task\ndata: {"a":1}\n\nid: 1-3\r\nevent: task\r\ndata: {"p":"灯"}\r\n\r\n'
    chunks = [text[i : i + 7] for i in range(0, len(text), 7)]
    assert list(frames(iter(chunks))) == [
        {"id": "1-2", "event": "task", "data": '{"a":1}'},
        {"id": "1-3", "event": "task", "data": '{"p":"灯"}'},
    ]


def test_webhooks_signed_by_the_official_library_verify_and_altered_ones_do_not():
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = json.dumps({"type": "credits.low", "timestamp": "2026-12-06T00:00:00Z", "data": {"available": 3, "threshold": 10}})
    now = datetime.now(tz=timezone.utc)
    msg_id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
    headers = {
        "Webhook-Id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, now, body),
    }
    assert verify_webhook(secret, headers, body)["data"]["available"] == 3
    for secret_, body_, at in [
        (secret, body.replace("3", "4"), None),
        ("whsec_" + base64.b64encode(b"another key").decode(), body, None),
        (secret, body, time.time() + 600),
    ]:
        try:
            verify_webhook(secret_, headers, body_, now=at)
            raise AssertionError("should have been refused")
        except WebhookVerificationError:
            pass
    # What we accept, the official library accepts.
    assert Webhook(secret).verify(body, {k.lower(): v for k, v in headers.items()}) == json.loads(body)


def test_a_wait_longer_than_the_backoff_is_answered_at_once():
    inner = Scripted([httpx.Response(429, headers={"retry-after": "3600"}, json={"code": "spend_limit_reached"})])
    client = httpx.Client(transport=RetryingTransport(inner, sleep=lambda _: None))
    response = client.post("http://example.test/v1/generations", headers={"Idempotency-Key": "k"}, content=b"{}")
    assert response.status_code == 429 and len(inner.seen) == 1


def test_odd_signature_headers_are_refused_not_crashed_on():
    headers = {"webhook-id": "m", "webhook-timestamp": str(int(time.time())), "webhook-signature": "v1,é"}
    try:
        verify_webhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", headers, "{}")
        raise AssertionError("should have been refused")
    except WebhookVerificationError:
        pass


def test_the_standard_webhooks_test_vector_verifies():
    headers = {
        "webhook-id": "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
        "webhook-timestamp": "1649367553",
        "webhook-signature": "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
    }
    body = '{"email":"test@example.com","username":"test_user"}'
    event = verify_webhook("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", headers, body, now=1649367553)
    assert event["email"] == "test@example.com"


def test_pkce_follows_the_rfc_7636_worked_example_and_makes_fresh_pairs():
    # RFC 7636, appendix B.
    _, challenge = pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
    assert challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    (a, ca), (b, _) = pkce(), pkce()
    assert a != b and len(a) == 43
    assert pkce(a)[1] == ca
    try:
        pkce("short")
        raise AssertionError("a short verifier was accepted")
    except ValueError:
        pass
    url = httpx.URL(
        authorize_url(
            "https://studio.example/",
            client_id="zic_x",
            redirect_uri="com.example.app:/cb",
            state="s",
            challenge=ca,
            scopes=["generations:read", "credits:read"],
        )
    )
    assert url.path == "/oauth/authorize"
    assert url.params["scope"] == "generations:read credits:read"
    assert url.params["code_challenge_method"] == "S256"


if __name__ == "__main__":
    tests = [(n, f) for n, f in sorted(globals().items()) if n.startswith("test_")]
    for name, test in tests:
        test()
        print(f"ok {name}")
    print(f"python sdk unit tests: {len(tests)} passed")
