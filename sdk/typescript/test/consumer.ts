// What a user of the built package compiles: the published types (dist/*.d.ts) must carry the
// API's types, not `any`. scripts/check-sdks.sh compiles this against dist/ with lib checks on.
import { ZImage, ZImageError, verifyWebhook, type GenerationTask } from "../dist/index.js";

const client = new ZImage({ baseUrl: "http://127.0.0.1:8080", token: () => "zimg_example" });

export async function sample(): Promise<string> {
  const task: GenerationTask = await client.generate({ model: "z-image-local", prompt: "typed" });
  const done = await client.wait(task.id);
  const { data } = await client.api.GET("/v1/models");
  // @ts-expect-error: an operation the API does not have (this line fails if types were `any`)
  await client.api.GET("/v1/not-a-path");
  // @ts-expect-error: a task is not a number
  const wrong: GenerationTask = 42;
  void wrong;
  try {
    await verifyWebhook("whsec_x", { "webhook-id": "m" }, "{}");
  } catch (err) {
    if (err instanceof ZImageError) return err.code;
  }
  return `${done.status} ${data?.items.length ?? 0}`;
}
