// Checks Standard Webhooks signatures (https://www.standardwebhooks.com) with WebCrypto, so it
// runs in browsers' service workers, Node 18+, Deno, edge runtimes and React Native with a
// `crypto.subtle` polyfill.
import type { components } from "./schema.js";

type Schemas = components["schemas"];

/** A verified event, by its `type`. */
export type WebhookEvent =
  | { type: "generation.succeeded"; timestamp: string; data: Schemas["GenerationSucceededData"] }
  | { type: "generation.failed"; timestamp: string; data: Schemas["GenerationFailedData"] }
  | { type: "credits.low"; timestamp: string; data: Schemas["CreditsLowData"] }
  | { type: string; timestamp: string; data: unknown };

export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

type Headers = Record<string, string | string[] | undefined> | { get(name: string): string | null };

function header(headers: Headers, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Compares in time independent of where the strings differ. */
function same(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Verifies a delivery and returns its event. `body` must be the raw body as received (not
 * parsed and serialised again); `secret` is the endpoint's `whsec_…` (or the account's request
 * secret for a `webhook_url`). Throws `WebhookVerificationError` when the signature does not
 * match or the timestamp is more than `toleranceSeconds` (default 300) from now.
 */
export async function verifyWebhook(
  secret: string,
  headers: Headers,
  body: string | Uint8Array,
  options: { toleranceSeconds?: number; now?: Date } = {},
): Promise<WebhookEvent> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature");
  }
  const seconds = Number(timestamp);
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (!Number.isInteger(seconds) || Math.abs(now - seconds) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError("the timestamp is too far from now");
  }
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    throw new WebhookVerificationError("pass the raw body as received (a string or bytes), not parsed JSON");
  }
  const text = typeof body === "string" ? body : new TextDecoder().decode(body);
  let keyBytes: Uint8Array<ArrayBuffer>;
  try {
    keyBytes = base64ToBytes(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret);
  } catch {
    throw new WebhookVerificationError("the secret is not a whsec_ secret (base64 after the prefix)");
  }
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${id}.${timestamp}.${text}`));
  const expected = bytesToBase64(new Uint8Array(mac));
  const matches = signatures
    .split(" ")
    .some((candidate) => candidate.startsWith("v1,") && same(candidate.slice(3), expected));
  if (!matches) throw new WebhookVerificationError("no signature matches");
  return JSON.parse(text) as WebhookEvent;
}
