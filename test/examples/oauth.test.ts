/**
 * The reference server as an OAuth 2.1 resource server, against a real, standards-
 * compliant authorization server: panva/oidc-provider (OpenID Certified) on 127.0.0.1,
 * client-credentials grant, RFC 8707 resource indicators (JWT access tokens whose `aud`
 * is the resource asked for). A real MCP client (`@modelcontextprotocol/client`,
 * ClientCredentialsProvider) discovers the authorization server from the server's 401,
 * obtains a token and calls tools; then each refusal is checked with its exact status
 * and `WWW-Authenticate`. redis-server as in mcp-server.test.ts. Loopback only.
 */
import * as http from 'node:http';
import { Client, ClientCredentialsProvider, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SignJWT } from 'jose';
import {
  AuthConfig, JwtAccessTokenVerifier, REDACTED_TOKEN, REQUIRED_SCOPES_META, readAuthConfig, tokenScopes,
} from '../../examples/mcp-server/src/auth';
import { ConfigError, ReferenceServer, createServer, readConfig } from '../../examples/mcp-server/src';
import { McpAuthEnv, McpAuthorization } from '../../lib/core/authorization';
import { Validator } from '../../lib/core/errors';
import {
  LOOPBACK, ProcessGroup, RedisHandle, freePort, requireBinary, startRedis,
} from '../../scripts/drill/processes';
import { OidcProvider, TestClient, newSigningKey, startOidcProvider } from '../support/oidc';

jest.setTimeout(30_000);

const READ = 'mcp:read';
const WRITE = 'mcp:write';
const FULL: TestClient = { clientId: 'mcp-agent', clientSecret: 'agent-secret-for-loopback-tests-only-0001', scope: `${READ} ${WRITE}` };
const READER: TestClient = { clientId: 'mcp-reader', clientSecret: 'reader-secret-for-loopback-tests-only-001', scope: READ };
/** Entra ID app-only style: permissions in `roles`, no scope requested (so no `scope` claim). */
const APP_ONLY: TestClient = { clientId: 'mcp-daemon', clientSecret: 'daemon-secret-for-loopback-tests-only-001', scope: READ, roles: [READ, WRITE] };
const APP_ONLY_READER: TestClient = { clientId: 'mcp-daemon-ro', clientSecret: 'daemon-ro-secret-for-loopback-tests-only-1', scope: READ, roles: [READ] };
const SHORT: TestClient = { clientId: 'mcp-short', clientSecret: 'short-secret-for-loopback-tests-only-0001', scope: READ, accessTokenTtlSeconds: 1 };

const group = new ProcessGroup('oauth-test-');
const logs: string[] = [];
const issuedTokens: string[] = [];
let redis: RedisHandle;
let idp: OidcProvider;
let otherIdp: OidcProvider;
let server: ReferenceServer;
let port: number;
let resource: string;
let metadataUrl: string;
let expiring: { token: string; exp: number };

interface Seen { method: string; url: string; status: number; wwwAuthenticate: string | null }

async function token(client: TestClient, opts: { resource?: string; scope?: string } = {}, from: OidcProvider = idp): Promise<string> {
  const t = (await from.clientCredentials(client, { resource: opts.resource ?? resource, ...(opts.scope ? { scope: opts.scope } : {}) })).access_token;
  issuedTokens.push(t);
  return t;
}

function claims(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
}

/** POST a complete 2026-07-28 request to /mcp with the given headers (raw, so Host can be set). */
function post(headers: Record<string, string>, body: string = LIST_TOOLS, path = '/mcp'): Promise<{ status: number; wwwAuthenticate: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: LOOPBACK, port, method: 'POST', path, setHost: false,
      headers: { host: `127.0.0.1:${port}`, ...MCP_HEADERS, ...headers },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, wwwAuthenticate: res.headers['www-authenticate'], body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const invalidToken = (description: string): string =>
  `Bearer error="invalid_token", error_description="${description}", resource_metadata="${metadataUrl}"`;

beforeAll(async () => {
  requireBinary('redis-server');
  port = await freePort();
  resource = `http://127.0.0.1:${port}/mcp`;
  metadataUrl = `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`;
  const key = newSigningKey();
  const options = { resource, scopes: [READ, WRITE], clients: [FULL, READER, SHORT, APP_ONLY, APP_ONLY_READER], keys: [key] };
  [redis, idp, otherIdp] = await Promise.all([
    startRedis(group),
    startOidcProvider(options),
    // Another issuer holding the same signing key (as tenants of one multi-tenant IdP do):
    // only the `iss` check tells its tokens apart.
    startOidcProvider(options),
  ]);
  // Core renders these variables; the server reads them (http issuer allowed on loopback only).
  const env = {
    [McpAuthEnv.ISSUER]: idp.issuer,
    [McpAuthEnv.AUDIENCE]: resource,
    [McpAuthEnv.SCOPES_READ]: READ,
    [McpAuthEnv.SCOPES_WRITE]: WRITE,
    [McpAuthEnv.JWKS_CACHE_MAX_AGE_SECONDS]: '600',
    // Scaled down: a refetch on an unknown kid may happen 1 s after the last one (default 30 s).
    [McpAuthEnv.JWKS_COOLDOWN_SECONDS]: '1',
    // No skew, so the 1 s token is expired 1 s after its exp (default 30 s).
    [McpAuthEnv.CLOCK_SKEW_SECONDS]: '0',
  };
  const problems: string[] = [];
  const auth = readAuthConfig(env, problems);
  expect(problems).toEqual([]);
  server = createServer({
    port, host: LOOPBACK, redisUrl: redis.url, replicaId: 'auth-a', auth,
    logSink: (line) => logs.push(line),
  });
  await server.start();
  const short = await token(SHORT);
  expiring = { token: short, exp: claims(short).exp as number };
});

afterAll(async () => {
  await server?.close();
  await Promise.allSettled([idp?.stop(), otherIdp?.stop()]);
  await group.stopAll();
});

describe('discovery, token, call: a real MCP client with the client-credentials grant', () => {
  test.each(['2026-07-28', '2025-11-25'])('protocol %s: 401 -> metadata -> token at the issuer -> tools; a write steps up to the write scope', async (era) => {
    // GIVEN a client holding only its credentials and the issuer it was registered with
    const seen: Seen[] = [];
    const transport = new StreamableHTTPClientTransport(new URL(resource), {
      authProvider: new ClientCredentialsProvider({ clientId: FULL.clientId, clientSecret: FULL.clientSecret, expectedIssuer: idp.issuer }),
      fetch: async (input, init) => {
        const r = await fetch(input, init);
        seen.push({ method: init?.method ?? 'GET', url: String(input instanceof Request ? input.url : input), status: r.status, wwwAuthenticate: r.headers.get('www-authenticate') });
        return r;
      },
    });
    const client = new Client({ name: `oauth-${era}`, version: '1.0.0' }, era === '2026-07-28' ? { versionNegotiation: { mode: { pin: era } } } : {});
    try {
      // WHEN it connects, lists tools, reads and writes
      await client.connect(transport);
      const tools = (await client.listTools()).tools;
      const info = await client.callTool({ name: 'server_info', arguments: {} });
      const set = await client.callTool({ name: 'context_lookup', arguments: { handle: `oauth-${era}`, key: 'k', action: 'set', value: 'v' } });
      const get = await client.callTool({ name: 'context_lookup', arguments: { handle: `oauth-${era}`, key: 'k' } });

      // THEN the first request was refused with the discovery pointer and the read scope ...
      const first = seen.find((s) => s.url === resource)!;
      expect(first.status).toBe(401);
      expect(first.wwwAuthenticate).toBe(`Bearer resource_metadata="${metadataUrl}", scope="${READ}"`);
      // ... the client read the protected-resource metadata and got its token at the issuer ...
      expect(seen.some((s) => s.url === metadataUrl && s.status === 200)).toBe(true);
      const tokenCalls = seen.filter((s) => s.url === idp.tokenEndpoint);
      expect(tokenCalls.length).toBeGreaterThanOrEqual(1);
      expect(tokenCalls.every((s) => s.status === 200)).toBe(true);
      // ... the write was refused for scope and retried after the step-up ...
      const stepUp = seen.find((s) => s.status === 403)!;
      expect(stepUp.wwwAuthenticate).toBe(`Bearer error="insufficient_scope", error_description="Insufficient scope", scope="${WRITE}", resource_metadata="${metadataUrl}"`);
      // ... and every call was served
      expect(tools.map((t) => t.name).sort()).toEqual(['context_lookup', 'server_info', 'slow_echo']);
      expect(info.isError).toBeFalsy();
      expect(set.structuredContent).toMatchObject({ action: 'set', found: true });
      expect(get.structuredContent).toMatchObject({ action: 'get', found: true, value: 'v' });
      expect(seen.filter((s) => s.url === resource).at(-1)!.status).toBe(200);
    } finally {
      await client.close();
    }
  });

  test('each tool reports the scopes it needs (description and _meta)', async () => {
    const t = await token(FULL);
    const client = new Client({ name: 'oauth-list', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${t}` } } }));
    try {
      const tools = Object.fromEntries((await client.listTools()).tools.map((x) => [x.name, x]));
      expect(tools.context_lookup._meta?.[REQUIRED_SCOPES_META]).toEqual({ set: [WRITE], delete: [WRITE], default: [READ] });
      expect(tools.context_lookup.description).toContain(`Needs scope ${WRITE} for set, delete; ${READ} otherwise.`);
      expect(tools.server_info._meta?.[REQUIRED_SCOPES_META]).toEqual({ call: [READ] });
      expect(tools.slow_echo.description).toContain(`Needs scope ${READ}.`);
    } finally {
      await client.close();
    }
  });

  test('the protected-resource metadata (RFC 9728) at the path-suffixed and the root well-known paths, without a token', async () => {
    for (const url of [metadataUrl, `http://127.0.0.1:${port}/.well-known/oauth-protected-resource`]) {
      const r = await fetch(url);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({
        resource,
        authorization_servers: [idp.issuer],
        scopes_supported: [READ, WRITE],
        bearer_methods_supported: ['header'],
        resource_name: 'mcp-ha reference MCP server',
      });
    }
  });

  test('health paths need no token and say nothing about authorization', async () => {
    for (const path of ['/health/live', '/health/ready']) {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      expect(r.status).toBe(200);
      expect(r.headers.get('www-authenticate')).toBeNull();
      expect(await r.text()).not.toMatch(/issuer|token|127\.0\.0\.1:\d+\/mcp/i);
    }
  });
});

describe('refusals, each with its exact status and WWW-Authenticate', () => {
  test('no token: 401, no error code (RFC 6750 3.1), the metadata URL and the read scope', async () => {
    const r = await post({});
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(`Bearer resource_metadata="${metadataUrl}", scope="${READ}"`);
  });

  test('a malformed token: 401 invalid_token', async () => {
    const r = await post({ authorization: 'Bearer not-a-jwt' });
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(invalidToken('The access token is malformed'));
  });

  test('another scheme than Bearer: 401 invalid_token', async () => {
    const r = await post({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` });
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(invalidToken("Invalid Authorization header format, expected 'Bearer TOKEN'"));
  });

  test('an expired token (the issuer\'s 1 s token, 0 s skew): 401 invalid_token', async () => {
    // Bounded wait: until one second after the token's exp.
    const waitMs = Math.max(0, (expiring.exp + 1) * 1000 - Date.now());
    expect(waitMs).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, waitMs));
    const r = await post({ authorization: `Bearer ${expiring.token}` });
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(invalidToken('The access token expired'));
  });

  test('a token for another audience (RFC 8707 resource of another server): 401 invalid_token', async () => {
    const other = await token(FULL, { resource: 'https://other.example.com/mcp' });
    expect(claims(other).aud).toBe('https://other.example.com/mcp');
    const r = await post({ authorization: `Bearer ${other}` });
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(invalidToken('The access token was not issued for this resource'));
  });

  test('a token from another issuer signed with a key this server trusts: 401 invalid_token (the iss check)', async () => {
    const foreign = await token(FULL, {}, otherIdp);
    expect(claims(foreign)).toMatchObject({ iss: otherIdp.issuer, aud: resource });
    const r = await post({ authorization: `Bearer ${foreign}` });
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(invalidToken('The access token was issued by another issuer'));
  });

  test('alg "none" and an HS256 token (algorithm confusion): 401 invalid_token before any key lookup', async () => {
    const valid = await token(FULL);
    const payload = claims(valid);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const hs = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode(JSON.stringify(idp.keys[0])));
    for (const forged of [none, hs]) {
      const r = await post({ authorization: `Bearer ${forged}` });
      expect(r.status).toBe(401);
      expect(r.wwwAuthenticate).toBe(invalidToken('The access token algorithm is not accepted'));
    }
  });

  test('a read-only token calling a write: 403 insufficient_scope naming the write scope; the same token reads', async () => {
    const readOnly = await token(READER, { scope: READ });
    expect(claims(readOnly).scope).toBe(READ);
    const write = await post({ authorization: `Bearer ${readOnly}`, 'mcp-method': 'tools/call', 'mcp-name': 'context_lookup' }, callTool({ handle: 'ro', key: 'k', action: 'set', value: 'v' }));
    expect(write.status).toBe(403);
    expect(write.wwwAuthenticate).toBe(`Bearer error="insufficient_scope", error_description="Insufficient scope", scope="${WRITE}", resource_metadata="${metadataUrl}"`);
    const read = await post({ authorization: `Bearer ${readOnly}`, 'mcp-method': 'tools/call', 'mcp-name': 'context_lookup' }, callTool({ handle: 'ro', key: 'k' }));
    expect(read.status).toBe(200);
    expect(read.wwwAuthenticate).toBeUndefined();
  });

  test('an app-only token (Entra ID client credentials: permissions in `roles`, no scope claim) reads and writes with the roles it carries', async () => {
    const daemon = await token(APP_ONLY);
    expect(claims(daemon).roles).toEqual([READ, WRITE]);
    expect(claims(daemon).scope).toBeUndefined();
    const write = await post({ authorization: `Bearer ${daemon}`, 'mcp-method': 'tools/call', 'mcp-name': 'context_lookup' }, callTool({ handle: 'daemon', key: 'k', action: 'set', value: 'v' }));
    expect(write.status).toBe(200);
    expect(write.body).not.toMatch(/isError"\s*:\s*true/);
    // A role the token lacks is a scope it lacks: 403 naming the write scope.
    const readerDaemon = await token(APP_ONLY_READER);
    const refused = await post({ authorization: `Bearer ${readerDaemon}`, 'mcp-method': 'tools/call', 'mcp-name': 'context_lookup' }, callTool({ handle: 'daemon', key: 'k', action: 'set', value: 'v' }));
    expect(refused.status).toBe(403);
    expect(refused.wwwAuthenticate).toBe(`Bearer error="insufficient_scope", error_description="Insufficient scope", scope="${WRITE}", resource_metadata="${metadataUrl}"`);
    const read = await post({ authorization: `Bearer ${readerDaemon}`, 'mcp-method': 'tools/call', 'mcp-name': 'context_lookup' }, callTool({ handle: 'daemon', key: 'k' }));
    expect(read.status).toBe(200);
  });

  test('MCP_AUTH_SCOPE_CLAIMS chooses the claims: without `roles` the app-only token has no scope; bad names are refused', async () => {
    const problems: string[] = [];
    const base = { [McpAuthEnv.ISSUER]: idp.issuer, [McpAuthEnv.AUDIENCE]: resource };
    const only = readAuthConfig({ ...base, MCP_AUTH_SCOPE_CLAIMS: 'scope, scp' }, problems) as AuthConfig;
    expect(problems).toEqual([]);
    expect(only.scopeClaims).toEqual(['scope', 'scp']);
    expect((readAuthConfig(base, problems) as AuthConfig).scopeClaims).toEqual(['scope', 'scp', 'roles']);
    const daemon = await token(APP_ONLY);
    expect((await new JwtAccessTokenVerifier(only).verifyAccessToken(daemon)).scopes).toEqual([]);
    expect((await new JwtAccessTokenVerifier({ ...only, scopeClaims: ['roles'] }).verifyAccessToken(daemon)).scopes).toEqual([READ, WRITE]);
    readAuthConfig({ ...base, MCP_AUTH_SCOPE_CLAIMS: 'aud,bad claim' }, problems);
    expect(problems).toEqual([
      'MCP_AUTH_SCOPE_CLAIMS: "aud" is a registered claim, not a permission claim',
      'MCP_AUTH_SCOPE_CLAIMS: "bad claim" is not a claim name',
    ]);
    expect(tokenScopes({ scope: 'a b', scp: ['b', 'c'], roles: ['d', 7] })).toEqual(['a', 'b', 'c', 'd']);
  });

  test('a foreign Origin: 403 before authentication, even with a valid token (DNS rebinding)', async () => {
    const valid = await token(FULL);
    const r = await post({ authorization: `Bearer ${valid}`, origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.wwwAuthenticate).toBeUndefined();
    expect(JSON.parse(r.body)).toMatchObject({ error: { message: 'Invalid Origin: evil.example' } });
  });

  test('a wrong Host: 403, even with a valid token', async () => {
    const valid = await token(FULL);
    const r = await post({ authorization: `Bearer ${valid}`, host: `evil.example:${port}` });
    expect(r.status).toBe(403);
    expect(r.wwwAuthenticate).toBeUndefined();
    expect(JSON.parse(r.body)).toMatchObject({ error: { message: 'Invalid Host: evil.example' } });
  });

  test('key rotation: a token signed by the new key is accepted (JWKS refetched on the unknown kid), one signed by the rotated-out key is refused', async () => {
    // GIVEN a token signed by the current key, accepted
    const old = await token(FULL);
    expect((await post({ authorization: `Bearer ${old}` })).status).toBe(200);
    // WHEN the issuer rotates to a new key and stops publishing the old one
    await idp.rotateKeys();
    await new Promise((r) => setTimeout(r, 1100)); // the 1 s refetch cooldown
    const fresh = await token(FULL);
    expect(JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url').toString()).kid).toBe(idp.keys[0].kid);
    // THEN the new key's token is accepted (unknown kid -> refetch), the old key's refused
    expect((await post({ authorization: `Bearer ${fresh}` })).status).toBe(200);
    const r = await post({ authorization: `Bearer ${old}` });
    expect(r.status).toBe(401);
    expect(r.wwwAuthenticate).toBe(invalidToken('The access token is signed by a key the issuer does not publish'));
  });

  test('the token goes nowhere: not in any log line, not in what the tools see', () => {
    expect(issuedTokens.length).toBeGreaterThan(5);
    const all = logs.join('');
    for (const t of issuedTokens) expect(all).not.toContain(t.split('.')[2]);
    expect(REDACTED_TOKEN).toBe('[redacted]');
    // and the log says why each request was refused (a scope refusal is an authenticated request answered 403)
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request' && l.path === '/mcp');
    const outcomes = new Set(lines.map((l) => `${l.auth ?? 'before-auth'} ${l.status}`));
    expect([...outcomes]).toEqual(expect.arrayContaining(['missing 401', 'invalid_token 401', 'ok 200', 'ok 403', 'before-auth 403']));
    // nothing reached the MCP handler without a verified token
    expect([...outcomes].filter((o) => o.startsWith('missing') || o.startsWith('invalid_token'))).toEqual(['missing 401', 'invalid_token 401']);
  });
});

describe('configuration', () => {
  test('the server reads the environment core renders, value for value', () => {
    const v = new Validator();
    const resolved = McpAuthorization.oauth({ issuer: McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123') })
      .resolve(v, { serviceName: 'mcp.example.com', mcpPath: '/mcp', internetFacing: true });
    v.throwIfInvalid();
    const config = readConfig(resolved.environment());
    expect(config.auth).toEqual<AuthConfig>({
      issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123',
      audience: 'https://mcp.example.com/mcp',
      readScopes: ['mcp:read'],
      writeScopes: ['mcp:write'],
      resourceMetadataUrl: 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp',
      jwksCacheMaxAgeSeconds: 600,
      jwksCooldownSeconds: 30,
      clockSkewSeconds: 30,
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      scopeClaims: ['scope', 'scp', 'roles'],
    });
    expect(readConfig({}).auth).toBeUndefined();
  });

  test('refuses a non-loopback http issuer, a missing audience and HS256, naming each variable', () => {
    let message = '';
    try {
      readConfig({ [McpAuthEnv.ISSUER]: 'http://idp.example.com', [McpAuthEnv.ALGORITHMS]: 'RS256,HS256' });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/MCP_AUTH_ISSUER="http:\/\/idp\.example\.com": expected an https URL \(http only on loopback, for local tests\)/);
    expect(message).toMatch(/MCP_AUTH_AUDIENCE: required when MCP_AUTH_ISSUER is set/);
    expect(message).toMatch(/MCP_AUTH_ALGORITHMS: "HS256" is not accepted \(asymmetric only/);
  });
});

function callTool(args: Record<string, unknown>): string {
  return JSON.stringify({
    jsonrpc: '2.0', id: 2, method: 'tools/call',
    params: { name: 'context_lookup', arguments: args, _meta: ENVELOPE },
  });
}

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {},
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
};
const LIST_TOOLS = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: ENVELOPE } });
const MCP_HEADERS = {
  'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list',
};
