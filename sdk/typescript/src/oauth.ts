// OAuth 2.1 helpers for third-party apps: a PKCE pair and the consent page's address. The
// token endpoint itself is an ordinary form POST (see the developer guide).

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A PKCE pair (RFC 7636, method S256): keep `verifier` until the code comes back, send
 * `challenge` to the consent page. Pass a verifier to recompute its challenge. Needs Web Crypto
 * (browsers, Node 20+, or a polyfill such as react-native-quick-crypto).
 */
export async function pkce(verifier?: string): Promise<{ verifier: string; challenge: string }> {
  const v = verifier ?? base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(v)) {
    throw new RangeError("a PKCE verifier is 43 to 128 characters of A-Z a-z 0-9 - . _ ~");
  }
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(v));
  return { verifier: v, challenge: base64url(new Uint8Array(digest)) };
}

export interface AuthorizeOptions {
  clientId: string;
  redirectUri: string;
  /** Scopes, e.g. `["generations:read", "generations:write"]`; none reads only the profile. */
  scopes?: string[];
  /** A random value to compare with the one that comes back. */
  state: string;
  /** From {@link pkce}. */
  challenge: string;
}

/**
 * The consent page to open in the user's browser. An installation served under a path
 * (`https://example.com/studio`) keeps it.
 */
export function authorizeUrl(baseUrl: string, options: AuthorizeOptions): string {
  const url = new URL("oauth/authorize", baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", options.clientId);
  url.searchParams.set("redirect_uri", options.redirectUri);
  if (options.scopes?.length) url.searchParams.set("scope", options.scopes.join(" "));
  url.searchParams.set("state", options.state);
  url.searchParams.set("code_challenge", options.challenge);
  url.searchParams.set("code_challenge_method", "S256");
  return url.toString();
}
