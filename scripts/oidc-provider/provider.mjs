// The OpenID provider that the sign-in tests of issue 26 (OpenID Connect) run against; `node
// client.mjs` checks it end to end (`npm ci` here first).
//
// Local, non-interactive OpenID Connect provider for automated relying-party tests.
//
// Built on panva's certified `oidc-provider` (pinned to 8.8.1, the last major that supports
// Node.js 20; 9.x requires Node.js >= 22). Written so that it also runs unchanged on 9.x.
//
// Environment:
//   PORT            listen port on 127.0.0.1, 0 = pick a free one            (default 0)
//   CLIENT_ID       confidential client id                                   (required)
//   CLIENT_SECRET   its secret (client_secret_basic or client_secret_post)   (required)
//   REDIRECT_URI    exact redirect URI (comma-separate to register several)  (required)
//   ACCOUNTS_FILE   JSON: { "<account-id>": { "email", "email_verified", "name", ... } } (required)
//   ID_TOKEN_ALG    RS256 | ES256, alg for the client's id_tokens           (default RS256)
//   ID_TOKEN_TTL    id_token lifetime in seconds                              (default 3600)
//   CODE_TTL        authorization code lifetime in seconds                    (default 60)
//   DEFAULT_ACCOUNT account used when the authorization request has no login_hint (default none)
//   EXIT_ON_STDIN_EOF=1  exit when stdin closes (lets a parent test process own our lifetime)
//
// stdout carries exactly one line, `READY <issuer>`, once listening. Everything else goes to stderr.
//
// Non-standard test routes (served before oidc-provider sees the request):
//   GET  /interaction/:uid   auto-completes login + consent for the account in `login_hint`
//   POST /__rotate           new signing keys (new kids); `?retain=0` drops the old keys from JWKS
//   POST /__default_account?id=<account-id>   set (or, without id, clear) DEFAULT_ACCOUNT at runtime

import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

// oidc-provider prints its NOTICE lines with console.info, which writes to stdout. Send them to
// stderr so the READY line stays the only thing on stdout. (The import is dynamic so this
// patch is in place before the library's module-level code runs.)
console.info = console.error;
console.log = console.error;
const { default: Provider } = await import('oidc-provider');

// ---------------------------------------------------------------------------------------------
// configuration from the environment
// ---------------------------------------------------------------------------------------------
function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`provider.mjs: missing required env ${name}`);
    process.exit(2);
  }
  return value;
}

const PORT = Number.parseInt(process.env.PORT ?? '0', 10);
const CLIENT_ID = requiredEnv('CLIENT_ID');
const CLIENT_SECRET = requiredEnv('CLIENT_SECRET');
const REDIRECT_URIS = requiredEnv('REDIRECT_URI').split(',').map((s) => s.trim()).filter(Boolean);
const ACCOUNTS_FILE = requiredEnv('ACCOUNTS_FILE');
const ID_TOKEN_ALG = process.env.ID_TOKEN_ALG || 'RS256';
const ID_TOKEN_TTL = Number.parseInt(process.env.ID_TOKEN_TTL ?? '3600', 10);
const CODE_TTL = Number.parseInt(process.env.CODE_TTL ?? '60', 10);
let defaultAccount = process.env.DEFAULT_ACCOUNT || undefined;

if (!['RS256', 'ES256'].includes(ID_TOKEN_ALG)) {
  console.error('provider.mjs: ID_TOKEN_ALG must be RS256 or ES256');
  process.exit(2);
}

// Re-read on every lookup so a test may edit the file without restarting the provider.
function loadAccounts() {
  return JSON.parse(readFileSync(ACCOUNTS_FILE, 'utf8'));
}
loadAccounts(); // fail fast on a missing / malformed file

function lookupAccount(id) {
  const accounts = loadAccounts();
  return typeof id === 'string' && Object.hasOwn(accounts, id) ? accounts[id] : undefined;
}

// ---------------------------------------------------------------------------------------------
// storage shared by every Provider instance we build (so codes, sessions, interactions and
// grants survive a key rotation, which has to construct a new Provider)
// ---------------------------------------------------------------------------------------------
const store = new Map(); // key -> { value, expiresAt (ms) | undefined }

function sget(key) {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.value;
}
function sset(key, value, expiresIn) {
  store.set(key, { value, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
}

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest']);

// Same contract as oidc-provider's example/my_adapter.js and lib/adapters/memory_adapter.js.
class SharedMemoryAdapter {
  constructor(model) { this.model = model; }

  key(id) { return `${this.model}:${id}`; }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    if (this.model === 'Session') sset(`sessionUid:${payload.uid}`, id, expiresIn);
    const { grantId, userCode } = payload;
    if (GRANTABLE.has(this.model) && grantId) {
      const grantKey = `grant:${grantId}`;
      const list = sget(grantKey);
      if (list) list.push(key); else sset(grantKey, [key]);
    }
    if (userCode) sset(`userCode:${userCode}`, id, expiresIn);
    sset(key, payload, expiresIn);
  }

  async find(id) { return sget(this.key(id)); }

  async findByUid(uid) {
    const id = sget(`sessionUid:${uid}`);
    return id ? this.find(id) : undefined;
  }

  async findByUserCode(userCode) {
    const id = sget(`userCode:${userCode}`);
    return id ? this.find(id) : undefined;
  }

  async consume(id) {
    const payload = sget(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) { store.delete(this.key(id)); }

  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    for (const key of sget(grantKey) ?? []) store.delete(key);
    store.delete(grantKey);
  }
}

// ---------------------------------------------------------------------------------------------
// signing keys
// ---------------------------------------------------------------------------------------------
let generation = 0;
function newKeyGeneration() {
  generation += 1;
  const tag = `${generation}-${randomBytes(4).toString('hex')}`;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: `rsa-${tag}`, alg: 'RS256', use: 'sig' },
    { ...ec, kid: `ec-${tag}`, alg: 'ES256', use: 'sig' },
  ];
}

// Keys earlier in the array win when oidc-provider picks a signing key, so the newest generation
// goes first; older generations stay published (verification-only in practice) unless dropped.
let signingKeys = newKeyGeneration();

// ---------------------------------------------------------------------------------------------
// Provider construction
// ---------------------------------------------------------------------------------------------
const cookieSecret = randomBytes(32).toString('base64url'); // shared by all rebuilt instances
const COOKIE_NAMES = {
  session: '_op_session',
  interaction: '_op_interaction',
  resume: '_op_interaction_resume',
};

function buildConfiguration() {
  // A fresh object every time: oidc-provider 8.x mutates the configuration it is given.
  return {
    adapter: SharedMemoryAdapter,
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [...REDIRECT_URIS],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // either basic or post is accepted at the token endpoint for client_secret_* clients
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: ID_TOKEN_ALG,
      scope: 'openid email profile',
    }],
    jwks: { keys: signingKeys.map((k) => ({ ...k })) },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'picture', 'locale'],
    },
    // Put scope-requested claims (email, email_verified, name) in the id_token too, not only at
    // the userinfo endpoint (OIDC Core 5.4 default for response_type=code).
    conformIdTokenClaims: false,
    async findAccount(ctx, sub /* , token */) {
      const account = lookupAccount(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        // use = 'id_token' | 'userinfo'; oidc-provider masks the result by granted scope/claims
        async claims(/* use, scope, claims, rejected */) {
          return { ...account, sub };
        },
      };
    },
    interactions: {
      url(ctx, interaction) { return `/interaction/${interaction.uid}`; },
    },
    features: {
      devInteractions: { enabled: false }, // we serve /interaction/:uid ourselves
      userinfo: { enabled: true },
      revocation: { enabled: true },
    },
    pkce: {
      // 8.x already defaults to "always"; 9.x no longer requires PKCE for confidential clients.
      required: () => true,
      // 8.x only offers S256 by default; 9.x removed the option and only supports S256.
    },
    // Only relevant when a request carries an Origin header (browsers); the default denies it.
    clientBasedCORS: () => true,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: CODE_TTL,
      IdToken: ID_TOKEN_TTL,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    cookies: {
      // Cookies are scoped by host, not port: an RP on 127.0.0.1:<other port> shares the jar, so
      // use names that cannot collide with the app's own cookies (defaults: _session, ...).
      names: { ...COOKIE_NAMES },
      keys: [cookieSecret],
      long: { signed: true },
      short: { signed: true },
    },
    // Machine-readable error pages (errors that cannot be redirected back to the client).
    async renderError(ctx, out /* , error */) {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
}

let issuer;
let provider;
let providerCallback;

function buildProvider() {
  const p = new Provider(issuer, buildConfiguration());
  for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error',
    'introspection.error', 'revocation.error', 'discovery.error', 'jwks.error']) {
    p.on(event, (ctx, err) => {
      console.error(`[oidc] ${event}: ${err?.name ?? ''} ${err?.message ?? err}${err?.error_description ? ` (${err.error_description})` : ''}`);
    });
  }
  provider = p;
  providerCallback = p.callback();
}

// ---------------------------------------------------------------------------------------------
// our own routes
// ---------------------------------------------------------------------------------------------
function sendJson(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(json);
}

async function handleInteraction(req, res) {
  const p = provider; // pin: a concurrent rotation must not switch instances mid-request
  // Needs the `_op_interaction` cookie that oidc-provider set on the /auth response.
  const details = await p.interactionDetails(req, res);
  const { params } = details;
  const accountId = params.login_hint || defaultAccount;

  if (!lookupAccount(accountId)) {
    await p.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: accountId ? `unknown test account: ${accountId}` : 'login_hint (or DEFAULT_ACCOUNT) is required',
    }, { mergeWithLastSubmission: false });
    return;
  }

  // Resolve login and consent in one step: a Grant covering everything that was requested.
  const grant = details.grantId
    ? await p.Grant.find(details.grantId)
    : new p.Grant({ accountId, clientId: params.client_id });
  if (params.scope) grant.addOIDCScope(params.scope);
  const grantId = await grant.save();

  await p.interactionFinished(req, res, {
    login: { accountId, amr: ['pwd'], remember: false },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

function handleRotate(req, res, url) {
  const retain = url.searchParams.get('retain') !== '0';
  const previous = signingKeys;
  signingKeys = [...newKeyGeneration(), ...(retain ? previous : [])];
  buildProvider(); // same adapter storage, cookie keys and client => in-flight codes stay valid
  console.error(`[oidc] rotated signing keys: ${signingKeys.map((k) => k.kid).join(', ')}`);
  sendJson(res, 200, {
    signing: Object.fromEntries(signingKeys.slice(0, 2).map((k) => [k.alg, k.kid])),
    jwks_kids: signingKeys.map((k) => k.kid),
  });
}

// Every authorization request is a fresh, non-SSO login: drop oidc-provider's session cookie on
// the authorization endpoint (and its resume path) so `login_hint` always decides the account.
// Otherwise a cookie jar reused across logins would silently keep the previous account, or the
// resume step would answer a different login_hint with a logout-confirmation form.
function stripSessionCookies(req) {
  const header = req.headers.cookie;
  if (!header) return;
  const kept = header.split(';').map((c) => c.trim())
    .filter((c) => c && !c.split('=')[0].startsWith(COOKIE_NAMES.session));
  if (kept.length) req.headers.cookie = kept.join('; ');
  else delete req.headers.cookie;
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__rotate' && req.method === 'POST') {
      handleRotate(req, res, url);
      return;
    }
    if (url.pathname === '/__default_account' && req.method === 'POST') {
      defaultAccount = url.searchParams.get('id') || undefined;
      sendJson(res, 200, { default_account: defaultAccount ?? null });
      return;
    }
    if (/^\/interaction\/[^/]+$/.test(url.pathname) && req.method === 'GET') {
      await handleInteraction(req, res);
      return;
    }
    if (url.pathname === '/auth' || url.pathname.startsWith('/auth/')) stripSessionCookies(req);
    providerCallback(req, res);
  } catch (err) {
    console.error('[oidc] test route error:', err);
    if (!res.headersSent) {
      sendJson(res, 400, { error: err.error || 'invalid_request', error_description: err.error_description || err.message });
    } else {
      res.end();
    }
  }
});

server.listen(PORT, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  buildProvider();
  process.stdout.write(`READY ${issuer}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
