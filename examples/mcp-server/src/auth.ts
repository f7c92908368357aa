/**
 * The reference server as an OAuth 2.1 resource server (MCP authorization,
 * specification 2025-11-25, unchanged in 2026-07-28), on when MCP_AUTH_ISSUER is set.
 *
 * - Protected-resource metadata (RFC 9728) at `/.well-known/oauth-protected-resource`
 *   and its path-suffixed form for the MCP path (`.../oauth-protected-resource/mcp`):
 *   `resource`, `authorization_servers`, `scopes_supported`, `bearer_methods_supported`.
 * - Every MCP request needs `Authorization: Bearer <JWT access token>`:
 *   - none: 401 `WWW-Authenticate: Bearer resource_metadata="...", scope="<read scopes>"`
 *     (RFC 6750 3.1: no error code when the request carried no credentials);
 *   - invalid (malformed, bad signature, unknown key, other issuer, other audience,
 *     expired or not yet valid, refused algorithm): 401 `Bearer error="invalid_token", ...`;
 *   - valid, but the tool needs a scope the token lacks: 403 `Bearer error="insufficient_scope",
 *     scope="..."` (per tool, through the SDK's scope challenges).
 * - Tokens are verified with jose (no hand-written crypto): the signature against the
 *   issuer's JWKS (its `jwks_uri` from the issuer's discovery metadata, cached for
 *   MCP_AUTH_JWKS_CACHE_MAX_AGE_SECONDS; a token naming an unknown `kid` refetches it,
 *   at most once per MCP_AUTH_JWKS_COOLDOWN_SECONDS, which is how key rotation is
 *   followed), `iss` (exactly the configured issuer), `aud` (must contain this
 *   server's resource URL: RFC 8707; the SDK's bearer gate compares it once more),
 *   `exp` / `nbf` with MCP_AUTH_CLOCK_SKEW_SECONDS of skew, and the algorithm
 *   (asymmetric allow-list: never `none`, never `HS*`).
 * - The token goes nowhere: the `AuthInfo` the tools see carries a placeholder instead
 *   of the token, and the token is never logged.
 * - Health paths are not touched (the pipeline's health flag): load balancers probe
 *   without tokens, and health answers carry nothing sensitive.
 */
import {
  OAuthError, OAuthErrorCode, requireBearerAuth, requireScopes,
} from '@modelcontextprotocol/server';
import type { AuthInfo, OAuthTokenVerifier, ScopeChallengeHandler } from '@modelcontextprotocol/server';
import {
  createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify,
} from 'jose';
import type { JWTPayload } from 'jose';
import {
  ASYMMETRIC_JWS_ALGORITHMS, AUTHORIZATION_DEFAULTS, McpAuthEnv, protectedResourceMetadataUrl,
} from '../../../lib/core/authorization';
import type { Logger } from './logger';

/** Authorization as the server runs it (from the `McpAuthEnv` variables core renders). */
export interface AuthConfig {
  /** The issuer, exactly as its metadata and every token spell it. */
  readonly issuer: string;
  /** This server's resource URL: tokens must carry it in `aud`. */
  readonly audience: string;
  /** Scopes a lookup needs (all of them). */
  readonly readScopes: readonly string[];
  /** Scopes a write needs (all of them). */
  readonly writeScopes: readonly string[];
  /** The RFC 9728 metadata URL advertised in challenges. */
  readonly resourceMetadataUrl: string;
  readonly jwksCacheMaxAgeSeconds: number;
  readonly jwksCooldownSeconds: number;
  readonly clockSkewSeconds: number;
  readonly algorithms: readonly string[];
  /**
   * Token claims the scopes are read from (`MCP_AUTH_SCOPE_CLAIMS`, comma-separated).
   * @default scope, scp, roles (RFC 9068, Entra ID delegated, Entra ID app-only)
   */
  readonly scopeClaims?: readonly string[];
}

/** What the tools get instead of the token: nothing to forward. */
export const REDACTED_TOKEN = '[redacted]';

/** `_meta` key under which each tool reports the scopes it needs. */
export const REQUIRED_SCOPES_META = 'io.github.mcp-ha/requiredScopes';

/** True for an http issuer the server may use anyway: loopback only (local tests). */
function isLoopbackUrl(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/**
 * Reads the authorization variables; undefined when MCP_AUTH_ISSUER is not set
 * (authorization off). Problems are added to `problems` (the server refuses to start).
 */
export function readAuthConfig(env: NodeJS.ProcessEnv, problems: string[]): AuthConfig | undefined {
  const issuer = env[McpAuthEnv.ISSUER];
  if (issuer === undefined || issuer === '') return undefined;
  const url = (name: string, value: string | undefined): URL | undefined => {
    if (value === undefined || value === '') {
      problems.push(`${name}: required when ${McpAuthEnv.ISSUER} is set`);
      return undefined;
    }
    try {
      const u = new URL(value);
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackUrl(u))) {
        problems.push(`${name}=${JSON.stringify(value)}: expected an https URL (http only on loopback, for local tests)`);
      } else if (u.search !== '' || u.hash !== '') {
        problems.push(`${name}=${JSON.stringify(value)}: expected a URL without query or fragment`);
      }
      return u;
    } catch {
      problems.push(`${name}=${JSON.stringify(value)}: expected an absolute URL`);
      return undefined;
    }
  };
  url(McpAuthEnv.ISSUER, issuer);
  const audience = env[McpAuthEnv.AUDIENCE];
  const audienceUrl = url(McpAuthEnv.AUDIENCE, audience);
  const metadataRaw = env[McpAuthEnv.RESOURCE_METADATA_URL];
  const resourceMetadataUrl = metadataRaw
    ? (url(McpAuthEnv.RESOURCE_METADATA_URL, metadataRaw), metadataRaw)
    : audienceUrl ? protectedResourceMetadataUrl(audienceUrl.href) : '';
  const scopes = (name: string, fallback: readonly string[]): string[] => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return [...fallback];
    const list = raw.trim().split(/\s+/);
    for (const s of list) {
      if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)) problems.push(`${name}: ${JSON.stringify(s)} is not an RFC 6749 scope-token`);
    }
    return list;
  };
  const seconds = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const algorithms = (env[McpAuthEnv.ALGORITHMS] || AUTHORIZATION_DEFAULTS.algorithms.join(','))
    .split(',').map((a) => a.trim()).filter((a) => a !== '');
  for (const alg of algorithms) {
    if (!ASYMMETRIC_JWS_ALGORITHMS.includes(alg)) {
      problems.push(`${McpAuthEnv.ALGORITHMS}: ${JSON.stringify(alg)} is not accepted (asymmetric only: ${ASYMMETRIC_JWS_ALGORITHMS.join(', ')}; never "none" or HS*)`);
    }
  }
  const scopeClaimsRaw = env[SCOPE_CLAIMS_ENV];
  const scopeClaims = scopeClaimsRaw === undefined || scopeClaimsRaw.trim() === ''
    ? [...DEFAULT_SCOPE_CLAIMS]
    : scopeClaimsRaw.split(',').map((c) => c.trim()).filter((c) => c !== '');
  for (const c of scopeClaims) {
    if (!/^[A-Za-z_][A-Za-z0-9_:.-]*$/.test(c)) problems.push(`${SCOPE_CLAIMS_ENV}: ${JSON.stringify(c)} is not a claim name`);
    if (['aud', 'iss', 'sub', 'exp', 'nbf', 'iat', 'jti', 'client_id', 'azp'].includes(c)) {
      problems.push(`${SCOPE_CLAIMS_ENV}: ${JSON.stringify(c)} is a registered claim, not a permission claim`);
    }
  }
  if (scopeClaimsRaw !== undefined && scopeClaimsRaw.trim() !== '' && scopeClaims.length === 0) problems.push(`${SCOPE_CLAIMS_ENV}: names no claim`);
  const maxAge = seconds(McpAuthEnv.JWKS_CACHE_MAX_AGE_SECONDS, AUTHORIZATION_DEFAULTS.jwksCacheMaxAgeSeconds, 1, 86_400);
  const cooldown = seconds(McpAuthEnv.JWKS_COOLDOWN_SECONDS, AUTHORIZATION_DEFAULTS.jwksCooldownSeconds, 0, 3_600);
  return {
    issuer,
    audience: audience ?? '',
    readScopes: scopes(McpAuthEnv.SCOPES_READ, AUTHORIZATION_DEFAULTS.readScopes),
    writeScopes: scopes(McpAuthEnv.SCOPES_WRITE, AUTHORIZATION_DEFAULTS.writeScopes),
    resourceMetadataUrl,
    jwksCacheMaxAgeSeconds: maxAge,
    jwksCooldownSeconds: Math.min(cooldown, maxAge),
    clockSkewSeconds: seconds(McpAuthEnv.CLOCK_SKEW_SECONDS, AUTHORIZATION_DEFAULTS.clockSkewSeconds, 0, 300),
    algorithms,
    scopeClaims,
  };
}

/** Fields of the issuer's metadata the resource server uses. */
interface IssuerMetadata {
  readonly issuer: string;
  readonly jwks_uri: string;
}

/**
 * Reads the issuer's metadata: OpenID Connect Discovery (`<issuer>/.well-known/openid-configuration`),
 * else RFC 8414 (`<origin>/.well-known/oauth-authorization-server<path>`). The document's
 * `issuer` must equal the configured one exactly (RFC 8414 3.3; OIDC Discovery 4.3).
 */
export async function discoverIssuer(issuer: string, fetchImpl: typeof fetch = fetch, timeoutMs = 5000): Promise<IssuerMetadata> {
  const u = new URL(issuer);
  const path = u.pathname === '/' ? '' : u.pathname.replace(/\/$/, '');
  const candidates = [
    `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    `${u.origin}/.well-known/oauth-authorization-server${path}`,
  ];
  const failures: string[] = [];
  for (const candidate of candidates) {
    let doc: Partial<IssuerMetadata>;
    try {
      const r = await fetchImpl(candidate, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
      if (!r.ok) {
        failures.push(`${candidate}: HTTP ${r.status}`);
        continue;
      }
      doc = await r.json() as Partial<IssuerMetadata>;
    } catch (err) {
      failures.push(`${candidate}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (doc.issuer !== issuer) {
      throw new IssuerMismatchError(`the metadata at ${candidate} names issuer ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)} `
        + '(RFC 8414 3.3: they must be identical, a trailing slash included); fix MCP_AUTH_ISSUER');
    }
    if (typeof doc.jwks_uri !== 'string') throw new IssuerMismatchError(`the metadata at ${candidate} has no jwks_uri`);
    const jwks = new URL(doc.jwks_uri);
    if (jwks.protocol !== 'https:' && !(jwks.protocol === 'http:' && isLoopbackUrl(jwks) && isLoopbackUrl(u))) {
      throw new IssuerMismatchError(`jwks_uri ${doc.jwks_uri} is not https`);
    }
    return { issuer: doc.issuer, jwks_uri: doc.jwks_uri };
  }
  throw new Error(`issuer metadata unavailable: ${failures.join('; ')}`);
}

/** The issuer's metadata contradicts the configuration: no token can be accepted until it is fixed. */
export class IssuerMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IssuerMismatchError';
  }
}

const invalid = (description: string): OAuthError => new OAuthError(OAuthErrorCode.InvalidToken, description);

/** Maps jose's refusals to the challenge's `error_description` (fixed texts: nothing from the token is echoed). */
function describeJoseError(err: unknown): OAuthError {
  if (err instanceof joseErrors.JWTExpired) return invalid('The access token expired');
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return invalid('The access token was issued by another issuer');
    if (err.claim === 'aud') return invalid('The access token was not issued for this resource');
    if (err.claim === 'nbf') return invalid('The access token is not valid yet');
    return invalid(`The access token has an invalid ${err.claim} claim`);
  }
  if (err instanceof joseErrors.JWKSNoMatchingKey) return invalid('The access token is signed by a key the issuer does not publish');
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('The access token signature is invalid');
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return invalid('The access token algorithm is not accepted');
  if (err instanceof joseErrors.JWTInvalid || err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JOSENotSupported) {
    return invalid('The access token is malformed');
  }
  if (err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid) {
    return new OAuthError(OAuthErrorCode.ServerError, 'The issuer\'s keys are unavailable');
  }
  return new OAuthError(OAuthErrorCode.ServerError, 'Token verification failed');
}

/** Variable naming the token claims scopes are read from (comma-separated). */
export const SCOPE_CLAIMS_ENV = 'MCP_AUTH_SCOPE_CLAIMS';

/**
 * Claims the scopes of a token are read from, by default: RFC 9068 `scope`; `scp` (Microsoft
 * Entra ID delegated tokens, Okta); `roles` (Microsoft Entra ID app-only tokens: with the
 * client-credentials grant the application permissions (app roles) arrive in `roles` and there is
 * no `scp`: https://learn.microsoft.com/en-us/entra/identity-platform/access-token-claims-reference).
 */
export const DEFAULT_SCOPE_CLAIMS: readonly string[] = ['scope', 'scp', 'roles'];

/**
 * Scopes of an access token: the union of the `claims` (space-separated strings, as RFC 9068
 * `scope` is written, or lists of strings, as `scp` / `roles` may be).
 */
export function tokenScopes(payload: JWTPayload, claims: readonly string[] = DEFAULT_SCOPE_CLAIMS): string[] {
  const out = new Set<string>();
  for (const claim of claims) {
    const raw = payload[claim];
    if (typeof raw === 'string') raw.split(' ').filter((s) => s !== '').forEach((s) => out.add(s));
    else if (Array.isArray(raw)) raw.filter((s): s is string => typeof s === 'string' && s !== '').forEach((s) => out.add(s));
  }
  return [...out];
}

/**
 * Verifies JWT access tokens against one issuer (the `OAuthTokenVerifier` the SDK's
 * bearer gate calls). The issuer's metadata is read once (retried after the JWKS
 * cooldown when it failed); the key set is jose's remote JWKS with the configured
 * cache age and cooldown.
 */
export class JwtAccessTokenVerifier implements OAuthTokenVerifier {
  private keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  private keysFailedAt = 0;
  private readonly audiences: string[];

  constructor(
    private readonly config: AuthConfig,
    private readonly logger?: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    const bare = config.audience.replace(/\/$/, '');
    this.audiences = [...new Set([config.audience, bare, `${bare}/`])];
  }

  /** Reads the issuer's metadata now (at start), so a misconfiguration is logged before the first call. */
  public warmUp(): Promise<void> {
    return this.keySet().then(() => undefined, () => undefined);
  }

  public async verifyAccessToken(token: string): Promise<AuthInfo> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw invalid('The access token is malformed');
    }
    // Before any key lookup: `none` and HS* never reach the key set.
    if (typeof alg !== 'string' || !this.config.algorithms.includes(alg)) throw invalid('The access token algorithm is not accepted');
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: this.config.issuer,
        audience: this.audiences,
        algorithms: [...this.config.algorithms],
        clockTolerance: this.config.clockSkewSeconds,
        requiredClaims: ['iss', 'aud', 'exp'],
      }));
    } catch (err) {
      const mapped = describeJoseError(err);
      if (mapped.code === OAuthErrorCode.ServerError) this.logger?.warn('token verification failed on the server side', { error: err instanceof Error ? err.message : String(err) });
      throw mapped;
    }
    const clientId = [payload.client_id, payload.azp, payload.sub].find((v): v is string => typeof v === 'string') ?? 'unknown';
    return {
      token: REDACTED_TOKEN,
      clientId,
      scopes: tokenScopes(payload, this.config.scopeClaims),
      expiresAt: payload.exp,
      // The audience this token was checked against: the SDK compares it with the expected resource once more.
      resource: new URL(this.config.audience),
      extra: { sub: payload.sub, iss: payload.iss },
    };
  }

  private keySet(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    const retryAfterMs = this.config.jwksCooldownSeconds * 1000;
    if (this.keys === undefined || (this.keysFailedAt > 0 && Date.now() - this.keysFailedAt >= retryAfterMs)) {
      this.keysFailedAt = 0;
      this.keys = discoverIssuer(this.config.issuer, this.fetchImpl).then(
        (metadata) => {
          this.logger?.info('authorization: issuer metadata read', { issuer: metadata.issuer, jwksUri: metadata.jwks_uri });
          return createRemoteJWKSet(new URL(metadata.jwks_uri), {
            cacheMaxAge: this.config.jwksCacheMaxAgeSeconds * 1000,
            cooldownDuration: this.config.jwksCooldownSeconds * 1000,
            timeoutDuration: 5000,
          });
        },
        (err: unknown) => {
          this.keysFailedAt = Date.now();
          const message = err instanceof Error ? err.message : String(err);
          this.logger?.error('authorization: cannot use the issuer', { issuer: this.config.issuer, error: message, mismatch: err instanceof IssuerMismatchError });
          throw new OAuthError(OAuthErrorCode.ServerError, 'The authorization server metadata is unavailable');
        },
      );
    }
    return this.keys;
  }
}

/** The slice of the request pipeline's context this step uses (see `RequestStep` in server.ts). */
export interface AuthStepContext {
  readonly path: string;
  readonly health: boolean;
  readonly fields: Record<string, unknown>;
  authInfo?: AuthInfo;
}

/** A request-pipeline step (the shape of `RequestStep` in server.ts). */
export type AuthStep = (request: Request, ctx: AuthStepContext) => Promise<Response | undefined>;

/** The RFC 9728 document this server publishes. */
export function protectedResourceMetadata(config: AuthConfig): Record<string, unknown> {
  return {
    resource: config.audience,
    authorization_servers: [config.issuer],
    scopes_supported: [...new Set([...config.readScopes, ...config.writeScopes])],
    bearer_methods_supported: ['header'],
    resource_name: 'mcp-ha reference MCP server',
  };
}

/** Quoted-string per RFC 9110 (the same escaping the SDK's challenges use). */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&').replace(/[^\x20-\x7E]/g, ' ')}"`;
}

/**
 * The bearer-authentication step: serves the protected-resource metadata, refuses MCP
 * requests without a valid token, and puts the verified `AuthInfo` (without the token)
 * on the context for the MCP handler. Other paths (health, 404s) pass untouched.
 */
export function bearerAuthStep(config: AuthConfig, mcpPath: string, options: { logger?: Logger; verifier?: OAuthTokenVerifier } = {}): AuthStep {
  const verifier = options.verifier ?? new JwtAccessTokenVerifier(config, options.logger);
  if (verifier instanceof JwtAccessTokenVerifier) void verifier.warmUp();
  const gate = requireBearerAuth({
    verifier,
    resourceMetadataUrl: config.resourceMetadataUrl,
    expectedResource: new URL(config.audience),
  });
  const audiencePath = new URL(config.audience).pathname.replace(/\/$/, '');
  const metadataPaths = new Set([
    '/.well-known/oauth-protected-resource',
    `/.well-known/oauth-protected-resource${audiencePath}`,
    `/.well-known/oauth-protected-resource${mcpPath}`,
  ]);
  const document = JSON.stringify(protectedResourceMetadata(config));
  const missingChallenge = `Bearer resource_metadata=${quoted(config.resourceMetadataUrl)}, scope=${quoted(config.readScopes.join(' '))}`;

  return async (request, ctx) => {
    if (ctx.health) return undefined;
    const path = ctx.path.length > 1 ? ctx.path.replace(/\/$/, '') : ctx.path;
    if (metadataPaths.has(path)) {
      if (request.method === 'OPTIONS') {
        return new Response(null, { status: 204, headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, HEAD, OPTIONS' } });
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return Response.json({ error: 'method_not_allowed' }, { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } });
      }
      return new Response(request.method === 'HEAD' ? null : document, {
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300', 'access-control-allow-origin': '*' },
      });
    }
    if (path !== mcpPath) return undefined;
    if (!request.headers.get('authorization')) {
      ctx.fields.auth = 'missing';
      return Response.json(
        { error: 'invalid_request', error_description: 'This MCP endpoint needs an OAuth access token (Authorization: Bearer)' },
        { status: 401, headers: { 'www-authenticate': missingChallenge, 'cache-control': 'no-store' } },
      );
    }
    const result = await gate(request);
    if (result instanceof Response) {
      ctx.fields.auth = result.status === 401 ? 'invalid_token' : result.status === 403 ? 'insufficient_scope' : 'error';
      return result;
    }
    ctx.fields.auth = 'ok';
    ctx.fields.clientId = result.clientId;
    ctx.authInfo = result;
    return undefined;
  };
}

/** What a tool needs, as the SDK's scope challenge and the `_meta` the tool reports. */
export interface ToolScopeOptions {
  readonly scopeChallenge?: ScopeChallengeHandler;
  readonly _meta?: Record<string, unknown>;
}

/** Per-tool scopes: lookups need the read scopes, writes the write scopes. */
export interface ToolScopes {
  /** A tool that only reads. */
  readonly read: ToolScopeOptions;
  /** A tool that writes. */
  readonly write: ToolScopeOptions;
  /** A tool whose `action` argument decides: `writeActions` need the write scopes, any other the read scopes. */
  byAction(writeActions: readonly string[]): ToolScopeOptions;
  /** One line for the tool's description. */
  describe(kind: 'read' | 'write' | { readonly writeActions: readonly string[] }): string;
}

/** The per-tool scope options for `config` (none when authorization is off). */
export function toolScopes(config: AuthConfig | undefined): ToolScopes | undefined {
  if (!config) return undefined;
  const read = config.readScopes as [string, ...string[]];
  const write = config.writeScopes as [string, ...string[]];
  const needRead = requireScopes(...read);
  const needWrite = requireScopes(...write);
  return {
    read: { scopeChallenge: needRead, _meta: { [REQUIRED_SCOPES_META]: { call: [...read] } } },
    write: { scopeChallenge: needWrite, _meta: { [REQUIRED_SCOPES_META]: { call: [...write] } } },
    byAction(writeActions) {
      const challenge: ScopeChallengeHandler = (context) => {
        const args = (context.request.params as { arguments?: { action?: unknown } } | undefined)?.arguments;
        const action = typeof args?.action === 'string' ? args.action : undefined;
        return action !== undefined && writeActions.includes(action) ? needWrite(context) : needRead(context);
      };
      return {
        scopeChallenge: challenge,
        _meta: { [REQUIRED_SCOPES_META]: { ...Object.fromEntries(writeActions.map((a) => [a, [...write]])), default: [...read] } },
      };
    },
    describe(kind) {
      if (kind === 'read') return `Needs scope ${read.join(' ')}.`;
      if (kind === 'write') return `Needs scope ${write.join(' ')}.`;
      return `Needs scope ${write.join(' ')} for ${kind.writeActions.join(', ')}; ${read.join(' ')} otherwise.`;
    },
  };
}
