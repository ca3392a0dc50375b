// The SDK against a real server (run by api/tests/api/sdk.rs, which starts one):
//   ZIMAGE_BASE_URL=http://127.0.0.1:PORT ZIMAGE_TOKEN=zimg_… node test/e2e.mjs
import assert from "node:assert/strict";
import { ZImage, ZImageError } from "../dist/index.js";

const client = new ZImage({ baseUrl: process.env.ZIMAGE_BASE_URL, token: process.env.ZIMAGE_TOKEN });

// Every operation is reachable, typed.
const { data: models } = await client.api.GET("/v1/models");
assert.ok(models.items.some((m) => m.id === "z-image-local"));

// Generate, then wait until it is final.
const request = { model: "z-image-local", prompt: "a glass lighthouse", width: 256, height: 256, metadata: { order: "A-17" } };
const task = await client.generate(request, { idempotencyKey: "sdk-e2e-1" });
assert.equal(task.status, "queued");
const again = await client.generate(request, { idempotencyKey: "sdk-e2e-1" });
assert.equal(again.id, task.id, "the same key makes one task");
const done = await client.wait(task.id, { intervalMs: 200, timeoutMs: 60_000 });
assert.equal(done.status, "succeeded");
assert.deepEqual(done.metadata, { order: "A-17" });
const bytes = await client.download(done.images[0].url);
assert.ok(bytes.byteLength > 100);

// Live status: the events of a new task, through to its final status.
const live = await client.generate({ model: "z-image-local", prompt: "followed live", width: 256, height: 256 });
const statuses = [];
for await (const event of client.events(live.id)) statuses.push(event.status);
assert.equal(statuses.at(-1), "succeeded", statuses.join(","));

// Problems are thrown with their code and field errors.
await assert.rejects(client.generate({ model: "z-image-local", prompt: "" }), (err) => {
  assert.ok(err instanceof ZImageError);
  assert.equal(err.status, 422);
  assert.equal(err.code, "validation_failed");
  assert.ok(err.errors.prompt?.length, JSON.stringify(err.errors));
  assert.ok(err.requestId);
  return true;
});
console.log("typescript sdk: ok");
