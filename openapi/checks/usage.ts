// What a TypeScript integrator writes against types generated from openapi.json by
// openapi-typescript, calling through openapi-fetch. scripts/check-openapi.sh generates
// `api.d.ts` beside this file and compiles both with `tsc --strict`: an operation, body, header
// or download that the document stops describing fails the build here.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Schemas = components["schemas"];

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:8080" });

export async function generate(prompt: string): Promise<Schemas["GenerationTask"] | Schemas["Problem"]> {
  const { data, error, response } = await api.POST("/v1/generations", {
    body: { prompt, model: "z-image-turbo", num_images: 1 },
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });
  if (error) {
    // Problems are typed, with the stable code and the per-field errors.
    const code: Schemas["ErrorCode"] = error.code;
    const fields: Record<string, string[]> | null | undefined = error.errors;
    void code;
    void fields;
    return error;
  }
  const location: string | null = response.headers.get("Location");
  void location;
  return data;
}

export async function firstPage(): Promise<Schemas["GenerationTask"][]> {
  const { data } = await api.GET("/v1/generations", { params: { query: { limit: 20 } } });
  const next: string | null | undefined = data?.next_cursor;
  void next;
  return data?.items ?? [];
}

export async function oneTask(id: string): Promise<Schemas["TaskStatus"] | undefined> {
  const { data } = await api.GET("/v1/generations/{id}", { params: { path: { id } } });
  return data?.status;
}

// Downloads are binary bodies of concrete image types, read as a Blob.
type ImageFile = paths["/v1/images/{id}/file"]["get"]["responses"][200]["content"]["image/png"];
type Thumbnail = paths["/v1/images/{id}/thumbnail"]["get"]["responses"][200]["content"]["image/webp"];
type Archive = paths["/v1/privacy/requests/{id}/download"]["get"]["responses"][200]["content"]["application/zip"];
export type Downloads = [ImageFile, Thumbnail, Archive];

export async function download(id: string): Promise<Blob | undefined> {
  const { data } = await api.GET("/v1/images/{id}/file", {
    params: { path: { id } },
    parseAs: "blob",
  });
  return data;
}

// Live status is a text stream; each event's data is a TaskEvent.
type Stream = paths["/v1/events"]["get"]["responses"][200]["content"]["text/event-stream"];
type StreamEvent = Exclude<Stream, string>;
export function frame(event: StreamEvent): Schemas["TaskEvent"] {
  const id: string | undefined = event.id;
  void id;
  return JSON.parse(event.data) as Schemas["TaskEvent"];
}

// Rate limits and request ids are declared response headers.
type SignupHeaders = paths["/v1/auth/signup"]["post"]["responses"][201]["headers"];
export type Declared = [SignupHeaders["RateLimit-Remaining"], SignupHeaders["x-request-id"], SignupHeaders["Location"]];
