// End-to-end check of provider.mjs with plain fetch (no OIDC client library).
// Usage: node client.mjs            -> spawns provider.mjs itself (PORT=0) and drives it
//        ISSUER=http://127.0.0.1:N CLIENT_ID=.. CLIENT_SECRET=.. REDIRECT_URI=.. node client.mjs
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify as cryptoVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLIENT_ID = process.env.CLIENT_ID || 'rust-rp';
const CLIENT_SECRET = process.env.CLIENT_SECRET || 'rust-rp-secret';
const REDIRECT_URI = process.env.REDIRECT_URI || 'http://127.0.0.1:9/callback'; // never contacted

const b64u = (buf) => Buffer.from(buf).toString('base64url');
const decodePart = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
const show = (label, value) => console.log(`${label}:`, JSON.stringify(value, null, 2));
function check(cond, msg) {
  if (!cond) throw new Error(`CHECK FAILED: ${msg}`);
  console.log(`ok - ${msg}`);
}

// ------------------------------------------------------------------ start provider (optional)
let child;
async function startProvider() {
  const accountsFile = join(tmpdir(), `oidc-accounts-${process.pid}.json`);
  writeFileSync(accountsFile, JSON.stringify({
    alice: { email: 'alice@example.test', email_verified: true, name: 'Alice Example' },
    bob: { email: 'bob@example.test', email_verified: false, name: 'Bob Example' },
  }));
  child = spawn(process.execPath, [fileURLToPath(new URL('./provider.mjs', import.meta.url))], {
    env: {
      ...process.env, PORT: '0', CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
      ACCOUNTS_FILE: accountsFile, EXIT_ON_STDIN_EOF: '1',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout });
  for await (const line of rl) {
    if (line.startsWith('READY ')) return line.slice('READY '.length).trim();
  }
  throw new Error('provider exited before READY');
}

// ------------------------------------------------------------------ tiny cookie jar
class CookieJar {
  #cookies = new Map(); // name -> { value, path }

  store(res) {
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v] = a.split('=');
        if (k.toLowerCase() === 'path') path = v;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      if (expired) this.#cookies.delete(name); else this.#cookies.set(name, { value, path });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.#cookies].filter(([, c]) => pathname.startsWith(c.path))
      .map(([n, c]) => `${n}=${c.value}`).join('; ');
  }

  names() { return [...this.#cookies.keys()]; }
}

// ------------------------------------------------------------------ the flow
async function authorize(meta, { loginHint, jar, withPkce = true }) {
  const verifier = b64u(randomBytes(32));
  const challenge = b64u(createHash('sha256').update(verifier).digest());
  const state = b64u(randomBytes(12));
  const nonce = b64u(randomBytes(12));
  const authUrl = new URL(meta.authorization_endpoint);
  authUrl.search = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URI,
    scope: 'openid email profile', state, nonce,
    ...(loginHint ? { login_hint: loginHint } : {}),
    ...(withPkce ? { code_challenge: challenge, code_challenge_method: 'S256' } : {}),
  });

  let url = authUrl.href;
  const hops = [];
  for (let i = 0; i < 10; i += 1) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(res);
    const location = res.headers.get('location');
    hops.push(`${res.status} ${new URL(url).pathname} -> ${location ? location.split('?')[0] : '(none)'}`);
    if (!location) throw new Error(`no redirect from ${url}: ${res.status} ${await res.text()}`);
    const next = new URL(location, url).href;
    if (next.startsWith(REDIRECT_URI)) {
      const params = Object.fromEntries(new URL(next).searchParams);
      return { params, verifier, state, nonce, hops };
    }
    url = next;
  }
  throw new Error('too many redirects');
}

async function token(meta, code, verifier, { auth = 'basic' } = {}) {
  const body = new URLSearchParams({
    grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier,
  });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  if (auth === 'basic') {
    // RFC 6749 2.3.1: form-urlencode id and secret before base64
    const enc = (s) => encodeURIComponent(s);
    headers.authorization = `Basic ${Buffer.from(`${enc(CLIENT_ID)}:${enc(CLIENT_SECRET)}`).toString('base64')}`;
  } else {
    body.set('client_id', CLIENT_ID);
    body.set('client_secret', CLIENT_SECRET);
  }
  const res = await fetch(meta.token_endpoint, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json() };
}

async function verifyIdToken(meta, idToken) {
  const [h, p, s] = idToken.split('.');
  const header = decodePart(h);
  const payload = decodePart(p);
  const jwks = await (await fetch(meta.jwks_uri)).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`kid ${header.kid} not in JWKS`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const ok = header.alg === 'ES256'
    ? cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig)
    : cryptoVerify('sha256', data, key, sig);
  return { header, payload, signatureValid: ok };
}

async function login(meta, loginHint, opts = {}) {
  const jar = opts.jar ?? new CookieJar();
  const a = await authorize(meta, { loginHint, jar });
  console.log(`hops (${loginHint ?? 'no login_hint'}):\n  ${a.hops.join('\n  ')}`);
  check(a.params.state === a.state, 'state echoed back');
  check(a.params.iss === meta.issuer, 'RFC 9207 iss parameter in authorization response');
  check(typeof a.params.code === 'string', 'authorization code received');
  return { ...a, jar };
}

async function main() {
  const issuer = process.env.ISSUER || await startProvider();
  console.log(`issuer: ${issuer}`);

  // 1. discovery
  const meta = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  show('discovery (subset)', Object.fromEntries(['issuer', 'authorization_endpoint', 'token_endpoint',
    'jwks_uri', 'userinfo_endpoint', 'id_token_signing_alg_values_supported',
    'code_challenge_methods_supported', 'token_endpoint_auth_methods_supported']
    .map((k) => [k, meta[k]])));
  const jwks1 = await (await fetch(meta.jwks_uri)).json();
  show('jwks kids before rotation', jwks1.keys.map((k) => `${k.kid} (${k.alg})`));

  // 2. authorize as alice
  const a1 = await login(meta, 'alice');

  // 3a. wrong PKCE verifier is rejected
  const bad = await token(meta, a1.params.code, b64u(randomBytes(32)));
  show('token with wrong code_verifier', bad);
  check(bad.status === 400 && bad.json.error === 'invalid_grant', 'wrong code_verifier -> invalid_grant');
  const retry = await token(meta, a1.params.code, a1.verifier);
  console.log(`same code, correct verifier after a failed attempt -> HTTP ${retry.status}`);

  // 3b. fresh code, correct verifier, client_secret_basic
  const a2 = await login(meta, 'alice', { jar: a1.jar });
  const t1 = await token(meta, a2.params.code, a2.verifier, { auth: 'basic' });
  check(t1.status === 200 && t1.json.id_token, 'token exchange (client_secret_basic) returned id_token');
  const v1 = await verifyIdToken(meta, t1.json.id_token);
  show('id_token #1 header', v1.header);
  show('id_token #1 payload', v1.payload);
  check(v1.signatureValid, 'id_token #1 signature verifies against JWKS');
  check(v1.payload.nonce === a2.nonce && v1.payload.aud === CLIENT_ID && v1.payload.iss === issuer
    && v1.payload.sub === 'alice' && v1.payload.email === 'alice@example.test'
    && v1.payload.email_verified === true, 'id_token #1 claims (nonce, aud, iss, sub, email, email_verified)');

  // userinfo
  const ui = await (await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t1.json.access_token}` } })).json();
  show('userinfo', ui);
  check(ui.sub === 'alice' && ui.email === 'alice@example.test', 'userinfo returns alice');

  // 3c. code replay is rejected, and (RFC 6749 4.1.2) revokes what the code had issued
  const replay = await token(meta, a2.params.code, a2.verifier);
  check(replay.status === 400 && replay.json.error === 'invalid_grant', 'code replay -> invalid_grant');
  const ui2 = await fetch(meta.userinfo_endpoint, { headers: { authorization: `Bearer ${t1.json.access_token}` } });
  check(ui2.status === 401 || ui2.status === 400, `access token revoked after code replay (userinfo ${ui2.status})`);

  // 4. no PKCE / unknown account -> error redirects
  const noPkce = await authorize(meta, { loginHint: 'alice', jar: new CookieJar(), withPkce: false });
  show('authorize without code_challenge', noPkce.params);
  check(noPkce.params.error === 'invalid_request', 'PKCE required');
  const unknown = await authorize(meta, { loginHint: 'mallory', jar: new CookieJar() });
  show('authorize with unknown login_hint', unknown.params);
  check(unknown.params.error === 'access_denied', 'unknown account -> access_denied');

  // 5. get a code BEFORE rotation, redeem it AFTER rotation
  const pre = await login(meta, 'bob', { jar: a1.jar }); // same jar: proves login_hint wins over old session

  const rot = await (await fetch(`${issuer}/__rotate`, { method: 'POST' })).json();
  show('POST /__rotate', rot);
  const jwks2 = await (await fetch(meta.jwks_uri)).json();
  show('jwks kids after rotation', jwks2.keys.map((k) => `${k.kid} (${k.alg})`));

  const t2 = await token(meta, pre.params.code, pre.verifier, { auth: 'post' });
  check(t2.status === 200, 'code issued before rotation redeemed after rotation (client_secret_post)');
  const v2 = await verifyIdToken(meta, t2.json.id_token);
  show('id_token #2 header', v2.header);
  show('id_token #2 payload', v2.payload);
  check(v2.signatureValid, 'id_token #2 signature verifies against refreshed JWKS');
  check(v2.header.kid !== v1.header.kid, `kid changed: ${v1.header.kid} -> ${v2.header.kid}`);
  check(!jwks1.keys.some((k) => k.kid === v2.header.kid), 'new kid was not in the pre-rotation JWKS');
  check(v2.payload.sub === 'bob' && v2.payload.email_verified === false, 'id_token #2 is for bob');

  // 6. full login after rotation
  const a3 = await login(meta, 'alice');
  const t3 = await token(meta, a3.params.code, a3.verifier);
  const v3 = await verifyIdToken(meta, t3.json.id_token);
  check(v3.header.kid === rot.signing[v3.header.alg], `post-rotation login signed with ${v3.header.kid}`);

  // 6b. RP that cannot send login_hint: pick the account via the admin endpoint
  const def = await (await fetch(`${issuer}/__default_account?id=bob`, { method: 'POST' })).json();
  show('POST /__default_account?id=bob', def);
  const a4 = await login(meta, undefined);
  const t4 = await token(meta, a4.params.code, a4.verifier);
  const v4 = await verifyIdToken(meta, t4.json.id_token);
  check(v4.payload.sub === 'bob', 'no login_hint -> default account bob');
  await fetch(`${issuer}/__default_account`, { method: 'POST' });
  const none = await authorize(meta, { loginHint: undefined, jar: new CookieJar() });
  check(none.params.error === 'access_denied', 'no login_hint and no default -> access_denied');

  // 7. rotate again dropping old keys
  const rot2 = await (await fetch(`${issuer}/__rotate?retain=0`, { method: 'POST' })).json();
  show('POST /__rotate?retain=0', rot2);
  check(rot2.jwks_kids.length === 2, 'old keys dropped from JWKS');

  console.log('\nALL CHECKS PASSED');
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  child?.stdin.end(); // EXIT_ON_STDIN_EOF=1 -> provider exits
}
