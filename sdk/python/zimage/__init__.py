"""Z-Image Studio API client.

Every operation of the API is generated from the OpenAPI document by openapi-python-client
(``zimage.client``: ``zimage.client.api.<tag>.<operation_id>`` with ``sync``/``asyncio``
functions, models in ``zimage.client.models``). ``ZImage`` wraps it with what each integrator
would otherwise write: problems raised with their stable code, retries that are safe (an
``Idempotency-Key`` kept across attempts), waiting for a task, its live status as an iterator,
and webhook signature checks (``verify_webhook``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

from .client import AuthenticatedClient
from .client.models import CreateGenerationRequest, GenerationTask, TaskEvent

__all__ = [
    "ZImage",
    "ZImageError",
    "WebhookVerificationError",
    "verify_webhook",
    "RetryingTransport",
    "AsyncRetryingTransport",
    "pkce",
    "authorize_url",
]

FINAL = {"succeeded", "failed", "canceled"}
RETRYABLE = {429, 502, 503}


class ZImageError(Exception):
    """A problem answer (RFC 9457): switch on ``code``, never on the message."""

    def __init__(self, status: int, problem: Mapping[str, Any], retry_after: float | None = None):
        super().__init__(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        self.status = status
        #: The server's stable code; ``network_error`` when no answer came, ``timeout`` when
        #: ``wait()`` gave up, ``unknown`` for an answer without a problem body.
        self.code: str = problem.get("code") or ("network_error" if status == 0 else "unknown")
        #: Per field path (``prompt``, ``parameters.width``): what is wrong with it.
        self.errors: dict[str, list[str]] = problem.get("errors") or {}
        self.request_id: str | None = problem.get("request_id")
        #: Seconds to wait before trying again, when the server said (``Retry-After``).
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Whether the same request may succeed soon; a spent credit cap waits for its period's
        end and is not."""
        if self.code in ("spend_limit_reached", "timeout"):
            return False
        return self.status in RETRYABLE or self.status == 0

    @classmethod
    def from_response(cls, response: httpx.Response) -> ZImageError:
        try:
            problem = json.loads(response.content)
            if not isinstance(problem, dict):
                problem = {}
        except ValueError:
            problem = {"title": response.reason_phrase}
        return cls(response.status_code, problem, _retry_after(response))


def _retry_after(response: httpx.Response) -> float | None:
    try:
        seconds = float(response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class RetryingTransport(httpx.BaseTransport):
    """Retries what may succeed later: 429, 502 and 503 answers (after ``Retry-After``) and lost
    connections. Requests that change something are retried only when they carry an
    ``Idempotency-Key``, which stays the same on every attempt, so the server does the work once.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        max_retries: int = 3,
        max_backoff: float = 30.0,
        sleep=time.sleep,
    ):
        self.inner = inner or httpx.HTTPTransport()
        self.max_retries = max_retries
        self.max_backoff = max_backoff
        self.sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        safe = request.method in ("GET", "HEAD") or "idempotency-key" in request.headers
        request.read()
        attempt = 0
        while True:
            last = not safe or attempt >= self.max_retries
            try:
                response = self.inner.handle_request(request)
            except httpx.TransportError:
                if last:
                    raise
                self.sleep(min(self.max_backoff, 0.5 * 2**attempt))
                attempt += 1
                continue
            if last or response.status_code not in RETRYABLE:
                return response
            wait = _retry_after(response)
            wait = 0.5 * 2**attempt if wait is None else wait
            if wait > self.max_backoff:
                # Longer than retrying is worth (a spent daily cap): the caller decides.
                return response
            response.read()
            response.close()
            self.sleep(wait + random.random() * 0.1)
            attempt += 1

    def close(self) -> None:
        self.inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """``RetryingTransport`` for asyncio clients (the generated ``asyncio`` functions)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        max_retries: int = 3,
        max_backoff: float = 30.0,
    ):
        self.inner = inner or httpx.AsyncHTTPTransport()
        self.max_retries = max_retries
        self.max_backoff = max_backoff

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        safe = request.method in ("GET", "HEAD") or "idempotency-key" in request.headers
        await request.aread()
        attempt = 0
        while True:
            last = not safe or attempt >= self.max_retries
            try:
                response = await self.inner.handle_async_request(request)
            except httpx.TransportError:
                if last:
                    raise
                await asyncio.sleep(min(self.max_backoff, 0.5 * 2**attempt))
                attempt += 1
                continue
            if last or response.status_code not in RETRYABLE:
                return response
            wait = _retry_after(response)
            wait = 0.5 * 2**attempt if wait is None else wait
            if wait > self.max_backoff:
                return response
            await response.aread()
            await response.aclose()
            await asyncio.sleep(wait + random.random() * 0.1)
            attempt += 1

    async def aclose(self) -> None:
        await self.inner.aclose()


class _Bearer(httpx.Auth):
    """``Authorization: Bearer`` with the token as it is at each request (a callable may refresh
    an access token)."""

    def __init__(self, token: str | Callable[[], str]):
        self.token = token

    def auth_flow(self, request: httpx.Request):
        token = self.token() if callable(self.token) else self.token
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


class ZImage:
    """The client. ``api`` is the generated client every operation takes; the methods cover the
    common flows. ``token`` is an API key or access token, or a function returning the current
    one (called for every request, so it can refresh an expiring access token)."""

    def __init__(
        self,
        base_url: str,
        token: str | Callable[[], str],
        *,
        max_retries: int = 3,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.api = AuthenticatedClient(
            base_url=self.base_url,
            token="",
            timeout=httpx.Timeout(timeout),
            raise_on_unexpected_status=False,
        )
        # The clients the generated functions use (`sync…` and `asyncio…`), retrying safely.
        auth = _Bearer(token)
        self.api.set_httpx_client(
            httpx.Client(
                base_url=self.base_url,
                auth=auth,
                timeout=httpx.Timeout(timeout),
                transport=RetryingTransport(transport, max_retries=max_retries),
            )
        )
        self.api.set_async_httpx_client(
            httpx.AsyncClient(
                base_url=self.base_url,
                auth=auth,
                timeout=httpx.Timeout(timeout),
                transport=AsyncRetryingTransport(max_retries=max_retries),
            )
        )
        # Signed URLs carry their own signature: fetched without the token, which must not go
        # to wherever a URL points.
        self._plain = httpx.Client(
            timeout=httpx.Timeout(timeout),
            transport=RetryingTransport(max_retries=max_retries),
        )
        self.max_retries = max_retries

    def close(self) -> None:
        self.http.close()
        self._plain.close()

    def __enter__(self) -> ZImage:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def http(self) -> httpx.Client:
        """The authenticated httpx client underneath (base URL and token set)."""
        return self.api.get_httpx_client()

    def generate(
        self,
        request: CreateGenerationRequest | Mapping[str, Any],
        *,
        idempotency_key: str | None = None,
    ) -> GenerationTask:
        """Starts a generation. An ``Idempotency-Key`` is made when none is given and kept across
        retries: however often the request is sent, one task is made and charged."""
        # Sent as given (a mapping is not filtered through the model, so a misspelt field is
        # refused by the server, not dropped here).
        body = request.to_dict() if isinstance(request, CreateGenerationRequest) else dict(request)
        response = self.http.post(
            "/v1/generations",
            json=body,
            headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )
        return _task_from(response, (200, 202))

    def task(self, task_id: str) -> GenerationTask:
        """One task, as it is now."""
        return _task_from(self.http.get(f"/v1/generations/{task_id}"), (200,))

    def wait(self, task_id: str, *, interval: float = 1.0, timeout: float = 900.0) -> GenerationTask:
        """Waits until the task is final (succeeded, failed or canceled) and returns it. Polls
        with ``If-None-Match``, so an unchanged task costs the server a 304 and no body."""
        deadline = time.monotonic() + timeout
        etag: str | None = None
        task: GenerationTask | None = None
        status: str | None = None
        while True:
            headers = {"If-None-Match": etag} if etag and task else {}
            response = self.http.get(f"/v1/generations/{task_id}", headers=headers)
            if response.status_code == 200:
                etag = response.headers.get("etag")
                task = _task_from(response, (200,))
                status = response.json().get("status")
            elif response.status_code != 304:
                raise ZImageError.from_response(response)
            if task is not None and status in FINAL:
                return task
            if time.monotonic() + interval > deadline:
                raise ZImageError(0, {"code": "timeout", "title": f"task {task_id} is still {status}"})
            time.sleep(interval)

    def events(self, task_id: str | None = None) -> Iterator[TaskEvent]:
        """Live status as Server-Sent Events: of one task (ending after its final status) or,
        without an id, of all your tasks. Reconnects after a lost connection, resuming from the
        last event seen (``Last-Event-ID``)."""
        path = "/v1/events" if task_id is None else f"/v1/generations/{task_id}/events"
        last_id: str | None = None
        attempt = 0
        while True:
            headers = {"Accept": "text/event-stream"}
            if last_id:
                headers["Last-Event-ID"] = last_id
            # The server sends a keep-alive at least every 15 s: silence for longer is a lost
            # connection, even when the socket does not say so.
            idle = httpx.Timeout(30.0, read=45.0)
            try:
                with self.http.stream("GET", path, headers=headers, timeout=idle) as response:
                    if response.status_code != 200:
                        response.read()
                        raise ZImageError.from_response(response)
                    for frame in frames(response.iter_text()):
                        attempt = 0
                        if frame.get("id"):
                            last_id = frame["id"]
                        if frame.get("event") != "task":
                            continue
                        data = json.loads(frame["data"])
                        yield TaskEvent.from_dict(data)
                        if task_id is not None and data.get("status") in FINAL:
                            return
            except httpx.TransportError:
                pass
            # The connection was lost (or the server closed it while draining): resume.
            if attempt >= self.max_retries:
                raise ZImageError(0, {"title": "the live-status stream keeps breaking off"})
            time.sleep(min(30.0, 2**attempt))
            attempt += 1

    def download(self, url: str) -> bytes:
        """An image file by its signed ``url`` (fetched without the token)."""
        response = self._plain.get(url if "://" in url else self.base_url + url)
        if response.status_code != 200:
            raise ZImageError.from_response(response)
        return response.content


def _task_from(response: httpx.Response, ok: tuple[int, ...]) -> GenerationTask:
    """The task in a successful answer; a problem (or an answer this client cannot read) as
    ``ZImageError``."""
    if response.status_code not in ok:
        raise ZImageError.from_response(response)
    try:
        return GenerationTask.from_dict(response.json())
    except (ValueError, KeyError, TypeError) as err:
        raise ZImageError(
            response.status_code,
            {"code": "unknown", "title": f"an answer this client cannot read: {err}"},
        ) from err


def frames(chunks: Iterator[str]) -> Iterator[dict[str, str]]:
    """Splits an event stream into its frames (comments and ``retry:`` lines skipped)."""
    buffer = ""
    for chunk in chunks:
        buffer += chunk
        buffer = buffer.replace("\r\n", "\n")
        # A lone CR at the end may be half of a CRLF: wait for the next chunk.
        ready, held = (buffer[:-1], "\r") if buffer.endswith("\r") else (buffer, "")
        ready = ready.replace("\r", "\n")
        *blocks, rest = ready.split("\n\n")
        buffer = rest + held
        for block in blocks:
            frame: dict[str, str] = {"event": "message"}
            data = []
            for line in block.split("\n"):
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field in ("id", "event"):
                    frame[field] = value
                elif field == "data":
                    data.append(value)
            if data:
                frame["data"] = "\n".join(data)
                yield frame


class WebhookVerificationError(Exception):
    """The delivery's signature does not match, or its timestamp is too old."""


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: int = 300,
    now: float | None = None,
) -> dict[str, Any]:
    """Verifies a delivery (Standard Webhooks) and returns its event. ``body`` must be the raw
    body as received; ``secret`` is the endpoint's ``whsec_…`` (or the account's request secret
    for a ``webhook_url``). Raises ``WebhookVerificationError`` when the signature does not match
    or the timestamp is more than ``tolerance`` seconds from now."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id")
    timestamp = lower.get("webhook-timestamp")
    signatures = lower.get("webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent = int(timestamp)
    except ValueError as err:
        raise WebhookVerificationError("the timestamp is not a number") from err
    if abs((time.time() if now is None else now) - sent) > tolerance:
        raise WebhookVerificationError("the timestamp is too far from now")
    raw = body.encode() if isinstance(body, str) else body
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError as err:
        raise WebhookVerificationError("the secret is not a whsec_ secret") from err
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + raw, hashlib.sha256).digest()
    expected = base64.b64encode(mac)
    if not any(
        candidate.startswith("v1,")
        and hmac.compare_digest(candidate[3:].encode("utf-8", "replace"), expected)
        for candidate in signatures.split(" ")
    ):
        raise WebhookVerificationError("no signature matches")
    return json.loads(raw)


def pkce(verifier: str | None = None) -> tuple[str, str]:
    """A PKCE pair (RFC 7636, method S256) for the OAuth code flow: ``(verifier, challenge)``.

    Keep the verifier until the code comes back; send the challenge to the consent page. Pass a
    verifier to recompute its challenge.
    """
    import re
    import secrets

    v = verifier if verifier is not None else secrets.token_urlsafe(32)
    if not re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", v):
        raise ValueError("a PKCE verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~")
    digest = hashlib.sha256(v.encode("ascii")).digest()
    return v, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    base_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    challenge: str,
    scopes: list[str] | None = None,
) -> str:
    """The consent page to open in the user's browser (``/oauth/authorize`` with PKCE)."""
    from urllib.parse import urlencode

    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if scopes:
        params["scope"] = " ".join(scopes)
    return f"{base_url.rstrip('/')}/oauth/authorize?{urlencode(params)}"
