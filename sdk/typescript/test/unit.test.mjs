// Unit tests of the SDK's own logic (no server): `node --test test/unit.test.mjs`. The end-to-end run
// against a real server is test/e2e.mjs, driven by api/tests/api/sdk.rs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Webhook } from "standardwebhooks";
import { authorizeUrl, frames, pkce, retryingFetch, verifyWebhook, WebhookVerificationError } from "../dist/index.js";

test("retries keep the Idempotency-Key and honour Retry-After", async () => {
  const seen = [];
  const answers = [
    new Response("{}", { status: 503, headers: { "retry-after": "0" } }),
    new Response("{}", { status: 429, headers: { "retry-after": "0" } }),
    new Response('{"id":"t"}', { status: 202 }),
  ];
  const fake = async (request) => {
    seen.push([request.method, request.headers.get("idempotency-key"), await request.text()]);
    return answers.shift();
  };
  const fetch = retryingFetch(fake, 3, 10);
  const response = await fetch("http://example.test/v1/generations", {
    method: "POST",
    headers: { "Idempotency-Key": "k-1" },
    body: '{"prompt":"p"}',
  });
  assert.equal(response.status, 202);
  assert.deepEqual(seen, [
    ["POST", "k-1", '{"prompt":"p"}'],
    ["POST", "k-1", '{"prompt":"p"}'],
    ["POST", "k-1", '{"prompt":"p"}'],
  ]);
});

test("a change without an Idempotency-Key is never sent twice", async () => {
  let calls = 0;
  const fetch = retryingFetch(async () => {
    calls++;
    return new Response("{}", { status: 503, headers: { "retry-after": "0" } });
  }, 3, 10);
  const response = await fetch("http://example.test/v1/prompts", { method: "POST", body: "{}" });
  assert.equal(response.status, 503);
  assert.equal(calls, 1);
});

test("lost connections are retried for reads, up to the limit", async () => {
  let calls = 0;
  const fetch = retryingFetch(async () => {
    calls++;
    throw new TypeError("connection reset");
  }, 2, 1);
  await assert.rejects(fetch("http://example.test/v1/models"), TypeError);
  assert.equal(calls, 3);
});

test("event streams split into frames wherever the bytes are cut", async () => {
  const text = "retry: 2000\n\n: keep-alive\n\nid: 1-2\nevent: task\ndata: {\"a\":1}\n\nid: 1-3\r\nevent: task\r\ndata: {\"p\":\"灯\"}\r\n\r\n";
  const bytes = new TextEncoder().encode(text);
  const body = new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 7) controller.enqueue(bytes.slice(i, i + 7));
      controller.close();
    },
  });
  const got = [];
  for await (const frame of frames(body)) got.push(frame);
  assert.deepEqual(got, [
    { id: "1-2", event: "task", data: '{"a":1}' },
    { id: "1-3", event: "task", data: '{"p":"灯"}' },
  ]);
});

test("webhooks signed by the official Standard Webhooks library verify; altered ones do not", async () => {
  const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  const body = JSON.stringify({ type: "credits.low", timestamp: new Date().toISOString(), data: { available: 3, threshold: 10 } });
  const now = new Date();
  const id = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";
  const signature = new Webhook(secret).sign(id, now, body);
  const headers = {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": signature,
  };
  const event = await verifyWebhook(secret, headers, body);
  assert.equal(event.type, "credits.low");
  assert.deepEqual(event.data, { available: 3, threshold: 10 });
  // Headers as a Fetch `Headers` object work the same.
  assert.equal((await verifyWebhook(secret, new Headers(headers), body)).type, "credits.low");
  await assert.rejects(verifyWebhook(secret, headers, body.replace("3", "4")), WebhookVerificationError);
  await assert.rejects(
    verifyWebhook("whsec_" + Buffer.from("another key").toString("base64"), headers, body),
    WebhookVerificationError,
  );
  await assert.rejects(
    verifyWebhook(secret, headers, body, { now: new Date(now.getTime() + 600_000) }),
    WebhookVerificationError,
  );
  // And the other way round: what we accept, the official library accepts.
  assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
});

test("the Standard Webhooks test vector verifies", async () => {
  const secret = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  const body = '{"email":"test@example.com","username":"test_user"}';
  const headers = {
    "webhook-id": "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
    "webhook-timestamp": "1649367553",
    "webhook-signature": "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
  };
  const event = await verifyWebhook(secret, headers, body, { now: new Date(1649367553 * 1000) });
  assert.equal(event.email, "test@example.com");
});

test("a wait longer than the backoff allows is answered at once (a spent credit cap)", async () => {
  let calls = 0;
  const fetch = retryingFetch(async () => {
    calls++;
    return new Response('{"code":"spend_limit_reached"}', { status: 429, headers: { "retry-after": "3600" } });
  }, 3, 30_000);
  const response = await fetch("http://example.test/v1/generations", {
    method: "POST",
    headers: { "Idempotency-Key": "k" },
    body: "{}",
  });
  assert.equal(response.status, 429);
  assert.equal(calls, 1);
});

test("a reader that stops early cancels the stream, and silence ends it", async () => {
  let cancelled = false;
  const body = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("event: task\ndata: {}\n\nevent: task\ndata: {}\n\n"));
    },
    cancel() {
      cancelled = true;
    },
  });
  for await (const frame of frames(body)) {
    assert.equal(frame.event, "task");
    break;
  }
  assert.ok(cancelled, "the connection is released");
  const silent = new ReadableStream({ start() {} });
  await assert.rejects(async () => {
    for await (const _ of frames(silent, 50)) void _;
  }, /no data for 50 ms/);
});

test("PKCE follows RFC 7636's worked example and makes fresh pairs", async () => {
  // RFC 7636, appendix B.
  const known = await pkce("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
  assert.equal(known.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const [a, b] = [await pkce(), await pkce()];
  assert.notEqual(a.verifier, b.verifier);
  assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal((await pkce(a.verifier)).challenge, a.challenge);
  await assert.rejects(pkce("short"), RangeError);
  const url = new URL(authorizeUrl("https://studio.example", {
    clientId: "zic_x", redirectUri: "com.example.app:/cb", scopes: ["generations:read", "credits:read"],
    state: "s", challenge: a.challenge,
  }));
  assert.equal(url.pathname, "/oauth/authorize");
  assert.equal(url.searchParams.get("scope"), "generations:read credits:read");
  assert.equal(url.searchParams.get("code_challenge_method"), "S256");
  const under = new URL(authorizeUrl("https://example.com/studio", {
    clientId: "zic_x", redirectUri: "https://app.example/cb", state: "s", challenge: a.challenge,
  }));
  assert.equal(under.pathname, "/studio/oauth/authorize");
});
