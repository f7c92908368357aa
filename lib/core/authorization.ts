/**
 * MCP authorization, cloud-neutral: the server is an OAuth 2.1 resource server
 * (MCP authorization specification 2025-11-25, unchanged in 2026-07-28).
 *
 * - The authorization server is named by its **issuer** (RFC 8414 / OpenID Connect
 *   Discovery): the server reads `<issuer>/.well-known/openid-configuration` (or the
 *   RFC 8414 document) at start-up, refuses to run when the document's `issuer` is
 *   not exactly this string (RFC 8414 section 3.3), and takes the JWKS from its `jwks_uri`.
 * - The **audience** is the service's resource URL (RFC 8707 resource indicator, the
 *   MCP spec's "canonical server URI"): `https://<recordName>.<zoneName><mcpPath>`.
 *   A token is accepted only when its `aud` contains it, so a token minted for
 *   another service cannot be replayed here.
 * - **Scopes**: a read scope for lookups, a write scope for writes (configurable).
 * - **JWKS caching**: how long a fetched key set is trusted, and how long the server
 *   waits before fetching again when a token names an unknown `kid` (key rotation).
 * - **Clock skew** tolerated on `exp` / `nbf`.
 *
 * Internet-facing topologies refuse to synthesize without an authorization, unless
 * the user opts out explicitly with `McpAuthorization.allowUnauthenticated()`; the
 * opt-out is a warning and shows in the synth summary.
 *
 * Sources: MCP authorization https://modelcontextprotocol.io/specification/2025-11-25/basic/authorization ;
 * RFC 9728 (protected-resource metadata) https://www.rfc-editor.org/rfc/rfc9728 ;
 * RFC 8707 (resource indicators) https://www.rfc-editor.org/rfc/rfc8707 ;
 * RFC 8414 section 3.3 (issuer must match) https://www.rfc-editor.org/rfc/rfc8414#section-3.3 ;
 * RFC 6749 section 3.3 (scope-token grammar) https://www.rfc-editor.org/rfc/rfc6749#section-3.3 .
 */
import { McpHaValidationError, Validator, looksUnresolved } from './errors';

/** Names of the environment variables the library sets on the server for authorization. */
export enum McpAuthEnv {
  /** The authorization server's issuer; authorization is on when it is set. */
  ISSUER = 'MCP_AUTH_ISSUER',
  /** The resource URL tokens must be issued for (their `aud`). */
  AUDIENCE = 'MCP_AUTH_AUDIENCE',
  /** Space-separated scopes a lookup needs. */
  SCOPES_READ = 'MCP_AUTH_SCOPES_READ',
  /** Space-separated scopes a write needs. */
  SCOPES_WRITE = 'MCP_AUTH_SCOPES_WRITE',
  /** Where clients find the protected-resource metadata (RFC 9728), advertised in 401 challenges. */
  RESOURCE_METADATA_URL = 'MCP_RESOURCE_METADATA_URL',
  /** Seconds a fetched JWKS is trusted. */
  JWKS_CACHE_MAX_AGE_SECONDS = 'MCP_AUTH_JWKS_CACHE_MAX_AGE_SECONDS',
  /** Seconds between two JWKS fetches triggered by an unknown `kid`. */
  JWKS_COOLDOWN_SECONDS = 'MCP_AUTH_JWKS_COOLDOWN_SECONDS',
  /** Seconds of clock skew tolerated on `exp` and `nbf`. */
  CLOCK_SKEW_SECONDS = 'MCP_AUTH_CLOCK_SKEW_SECONDS',
  /** Comma-separated JWS algorithms accepted. */
  ALGORITHMS = 'MCP_AUTH_ALGORITHMS',
}

/**
 * JWS algorithms a token may be signed with: asymmetric only. `none` is never
 * accepted, and HMAC (`HS*`) would let anyone holding the shared secret (every
 * resource server that validates) mint tokens, so it is refused too.
 */
export const ASYMMETRIC_JWS_ALGORITHMS: readonly string[] = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
];

/** Defaults (each documented where it is used). */
export const AUTHORIZATION_DEFAULTS = {
  readScopes: ['mcp:read'] as readonly string[],
  writeScopes: ['mcp:write'] as readonly string[],
  /** Ten minutes: a key removed by the issuer stops being trusted within this time. */
  jwksCacheMaxAgeSeconds: 600,
  /** At most one refetch per 30 s when tokens name unknown keys: a flood of forged `kid`s cannot hammer the issuer. */
  jwksCooldownSeconds: 30,
  /** RFC 7519 4.1.4 allows "some small leeway"; 30 s covers NTP-synchronised hosts. */
  clockSkewSeconds: 30,
  algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'] as readonly string[],
} as const;

/** Ranges the model accepts (both ends inclusive). */
export const AUTHORIZATION_LIMITS = {
  jwksCacheMaxAgeSeconds: { min: 60, max: 86_400 },
  jwksCooldownSeconds: { min: 1, max: 3_600 },
  clockSkewSeconds: { min: 0, max: 300 },
} as const;

/** Options of `McpAuthorization.oauth`. */
export interface OAuthAuthorizationOptions {
  /**
   * The authorization server's issuer identifier, exactly as its metadata's `issuer`
   * (and every token's `iss`) spells it: https, no query, no fragment, not the
   * `/.well-known/...` document URL. Trailing slashes matter: Auth0 issuers end with
   * one, and so do Microsoft Entra ID v1.0 issuers; Amazon Cognito and Google issuers do not.
   *
   * Examples: `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123`
   * (`McpAuthorization.cognitoIssuer`), `https://sts.windows.net/<tenant-id>/`
   * (`McpAuthorization.entraIdIssuer`), `https://accounts.google.com`.
   * Microsoft Entra ID's v2.0 issuer (`https://login.microsoftonline.com/<tenant-id>/v2.0`) is
   * refused: its tokens' `aud` is the API's client id, never the service's resource URL.
   */
  readonly issuer: string;
  /**
   * The resource URL tokens must be issued for (their `aud`, the RFC 8707 `resource`
   * the client asks for). Must name this service: `https://<service name><mcpPath>`
   * or `https://<service name>`.
   * @default - `https://<recordName>.<zoneName><mcpPath>` from the service's domain
   */
  readonly audience?: string;
  /**
   * Scopes a lookup (a read-only tool call) needs; every one of them.
   * @default ['mcp:read']
   */
  readonly readScopes?: string[];
  /**
   * Scopes a write (a tool call that changes state) needs; every one of them.
   * @default ['mcp:write']
   */
  readonly writeScopes?: string[];
  /**
   * Seconds the server trusts a fetched JWKS before fetching it again (a key the
   * issuer removed stops being accepted within this time).
   * @default 600
   */
  readonly jwksCacheMaxAgeSeconds?: number;
  /**
   * Minimum seconds between two JWKS fetches. A token naming a `kid` the cached set
   * lacks (the issuer rotated its keys) triggers a refetch, at most once per cooldown.
   * @default 30
   */
  readonly jwksCooldownSeconds?: number;
  /**
   * Seconds of clock skew tolerated on `exp` and `nbf`.
   * @default 30
   */
  readonly clockSkewSeconds?: number;
  /**
   * JWS algorithms accepted (asymmetric only; `none` and `HS*` are refused).
   * @default ['RS256', 'PS256', 'ES256', 'EdDSA']
   */
  readonly algorithms?: string[];
}

/** What authorization needs to know about the service it protects. */
export interface AuthorizationContext {
  /**
   * The service's DNS name (`mcp.example.com`), from its domain.
   * @default - none: then `audience` must be given
   */
  readonly serviceName?: string;
  /** Path of the MCP endpoint (`/mcp`). */
  readonly mcpPath: string;
  /** True when the load balancer is reachable from the internet. */
  readonly internetFacing: boolean;
  /**
   * Prefix of the prop in messages.
   * @default 'authorization'
   */
  readonly prop?: string;
}

/** Whether the server checks tokens. */
export enum AuthorizationMode {
  /** OAuth 2.1 resource server: every MCP request carries a bearer token. */
  OAUTH = 'oauth',
  /** Explicit opt-out: anyone who reaches the endpoint can call every tool. */
  UNAUTHENTICATED = 'unauthenticated',
}

/** Text the synth summary prints for an explicit opt-out. */
export const UNAUTHENTICATED_SUMMARY = 'unauthenticated (opt-out)';

/** The values of a `ResolvedAuthorization` (what `McpAuthorization.resolve` computes). */
export interface ResolvedAuthorizationProps {
  /** OAuth, or the explicit opt-out. */
  readonly mode: AuthorizationMode;
  /**
   * The issuer.
   * @default - none (UNAUTHENTICATED)
   */
  readonly issuer?: string;
  /**
   * The resource URL tokens must be issued for.
   * @default - none (UNAUTHENTICATED)
   */
  readonly audience?: string;
  /** Scopes a lookup needs (empty for the opt-out). */
  readonly readScopes: string[];
  /** Scopes a write needs (empty for the opt-out). */
  readonly writeScopes: string[];
  /** Seconds a fetched JWKS is trusted (0 for the opt-out). */
  readonly jwksCacheMaxAgeSeconds: number;
  /** Seconds between two JWKS fetches for an unknown `kid` (0 for the opt-out). */
  readonly jwksCooldownSeconds: number;
  /** Seconds of clock skew tolerated (0 for the opt-out). */
  readonly clockSkewSeconds: number;
  /** JWS algorithms accepted (empty for the opt-out). */
  readonly algorithms: string[];
  /** Warnings a topology passes to its deploy tool (the opt-out on an internet-facing service). */
  readonly warnings: string[];
}

/** An authorization resolved against a service: what a topology renders. */
export class ResolvedAuthorization {
  /** OAuth, or the explicit opt-out. */
  public readonly mode: AuthorizationMode;
  /** The issuer (OAUTH only). */
  public readonly issuer: string | undefined;
  /** The resource URL tokens must be issued for (OAUTH only). */
  public readonly audience: string | undefined;
  /** Scopes a lookup needs. */
  public readonly readScopes: string[];
  /** Scopes a write needs. */
  public readonly writeScopes: string[];
  /** Seconds a fetched JWKS is trusted. */
  public readonly jwksCacheMaxAgeSeconds: number;
  /** Seconds between two JWKS fetches for an unknown `kid`. */
  public readonly jwksCooldownSeconds: number;
  /** Seconds of clock skew tolerated on `exp` / `nbf`. */
  public readonly clockSkewSeconds: number;
  /** JWS algorithms accepted. */
  public readonly algorithms: string[];
  /** Warnings a topology passes to its deploy tool (the opt-out on an internet-facing service). */
  public readonly warnings: string[];

  constructor(props: ResolvedAuthorizationProps) {
    this.mode = props.mode;
    this.issuer = props.issuer;
    this.audience = props.audience;
    this.readScopes = [...props.readScopes];
    this.writeScopes = [...props.writeScopes];
    this.jwksCacheMaxAgeSeconds = props.jwksCacheMaxAgeSeconds;
    this.jwksCooldownSeconds = props.jwksCooldownSeconds;
    this.clockSkewSeconds = props.clockSkewSeconds;
    this.algorithms = [...props.algorithms];
    this.warnings = [...props.warnings];
  }

  /** RFC 9728 metadata URL for the audience: the well-known path inserted before the resource's path. */
  public get resourceMetadataUrl(): string | undefined {
    if (this.audience === undefined || looksUnresolved(this.audience)) return undefined;
    return protectedResourceMetadataUrl(this.audience);
  }

  /** Every scope the server understands (`scopes_supported`). */
  public get scopesSupported(): string[] {
    return [...new Set([...this.readScopes, ...this.writeScopes])];
  }

  /** The issuer's host, or `unauthenticated (opt-out)`: one cell of the synth summary. */
  public get summary(): string {
    if (this.mode === AuthorizationMode.UNAUTHENTICATED || this.issuer === undefined) return UNAUTHENTICATED_SUMMARY;
    return URL.canParse(this.issuer) ? new URL(this.issuer).host : this.issuer;
  }

  /** The environment variables the server reads (`McpAuthEnv`); empty for the opt-out (the server then checks no token). */
  public environment(): Record<string, string> {
    if (this.mode === AuthorizationMode.UNAUTHENTICATED || this.issuer === undefined || this.audience === undefined) return {};
    return {
      [McpAuthEnv.ISSUER]: this.issuer,
      [McpAuthEnv.AUDIENCE]: this.audience,
      [McpAuthEnv.SCOPES_READ]: this.readScopes.join(' '),
      [McpAuthEnv.SCOPES_WRITE]: this.writeScopes.join(' '),
      ...(this.resourceMetadataUrl ? { [McpAuthEnv.RESOURCE_METADATA_URL]: this.resourceMetadataUrl } : {}),
      [McpAuthEnv.JWKS_CACHE_MAX_AGE_SECONDS]: String(this.jwksCacheMaxAgeSeconds),
      [McpAuthEnv.JWKS_COOLDOWN_SECONDS]: String(this.jwksCooldownSeconds),
      [McpAuthEnv.CLOCK_SKEW_SECONDS]: String(this.clockSkewSeconds),
      [McpAuthEnv.ALGORITHMS]: this.algorithms.join(','),
    };
  }
}

/**
 * Who may call the service.
 *
 * ```ts
 * authorization: McpAuthorization.oauth({
 *   issuer: McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123'),
 * }),
 * // or, for a private service or a demo, visibly:
 * authorization: McpAuthorization.allowUnauthenticated('internal demo, no data'),
 * ```
 */
export class McpAuthorization {
  /** An OAuth 2.1 resource server trusting one issuer's tokens. */
  public static oauth(options: OAuthAuthorizationOptions): McpAuthorization {
    return new McpAuthorization(AuthorizationMode.OAUTH, options, undefined);
  }

  /**
   * No token check. Internet-facing topologies accept it only because it is
   * explicit; synthesis prints a warning and the summary shows `unauthenticated (opt-out)`.
   * @param reason why, repeated in the warning
   */
  public static allowUnauthenticated(reason?: string): McpAuthorization {
    return new McpAuthorization(AuthorizationMode.UNAUTHENTICATED, undefined, reason);
  }

  /**
   * The issuer of an Amazon Cognito user pool:
   * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>` (no trailing slash).
   * https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
   */
  public static cognitoIssuer(region: string, userPoolId: string): string {
    return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
  }

  /**
   * The issuer of a Microsoft Entra ID tenant's **v1.0** access tokens:
   * `https://sts.windows.net/<tenantId>/` (trailing slash included: it is the tokens' `iss`
   * and the v1.0 metadata's `issuer`).
   *
   * Only v1.0 access tokens can pass the audience rule: "In v2.0 tokens, this value is always
   * the client ID of the API. In v1.0 tokens, it can be the client ID or the resource URI used
   * in the request" (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
   * So the API's app registration keeps `accessTokenAcceptedVersion` at null or 1 and sets its
   * Application ID URI to the audience (`https://<service name><mcpPath>`; its host must be a
   * verified domain of the tenant). The v2.0 issuer (`https://login.microsoftonline.com/<tenantId>/v2.0`)
   * is refused at synth time. docs/AZURE.md walks through the app registration.
   * @param tenantId the directory (tenant) id, a GUID (a domain name such as `contoso.onmicrosoft.com` is refused:
   * the tokens' `iss` carries the GUID)
   */
  public static entraIdIssuer(tenantId: string): string {
    if (typeof tenantId !== 'string' || !ENTRA_TENANT_ID.test(tenantId)) {
      throw new McpHaValidationError([{
        prop: 'tenantId', value: tenantId,
        allowed: 'the directory (tenant) id, a GUID such as 11111111-2222-3333-4444-555555555555 (the tokens\' iss carries the GUID, not a domain name)',
      }], 'McpAuthorization.entraIdIssuer');
    }
    return `https://sts.windows.net/${tenantId.toLowerCase()}/`;
  }

  private constructor(
    public readonly mode: AuthorizationMode,
    private readonly options: OAuthAuthorizationOptions | undefined,
    /** The reason given for an opt-out. */
    public readonly reason: string | undefined,
  ) {}

  /**
   * Checks the authorization against the service and resolves its defaults.
   * Problems go to `validator` (call `throwIfInvalid()` after the other checks).
   */
  public resolve(validator: Validator, context: AuthorizationContext): ResolvedAuthorization {
    const prop = context.prop ?? 'authorization';
    if (this.mode === AuthorizationMode.UNAUTHENTICATED) {
      const warnings = context.internetFacing
        ? [`${prop}: McpAuthorization.allowUnauthenticated()${this.reason ? ` (${this.reason})` : ''}: the internet-facing MCP endpoint checks no token; anyone who reaches it can call every tool`]
        : [];
      return new ResolvedAuthorization({
        mode: AuthorizationMode.UNAUTHENTICATED, readScopes: [], writeScopes: [], jwksCacheMaxAgeSeconds: 0, jwksCooldownSeconds: 0,
        clockSkewSeconds: 0, algorithms: [], warnings,
      });
    }
    // `oauth(undefined)` (an untyped caller) is an OAuth authorization without an issuer: refused below, never an opt-out.
    const o = this.options ?? ({} as OAuthAuthorizationOptions);
    const v = validator.nested(prop);
    checkIssuer(v, o.issuer);
    const audience = resolveAudience(v, o.audience, context);
    const readScopes = o.readScopes ?? [...AUTHORIZATION_DEFAULTS.readScopes];
    const writeScopes = o.writeScopes ?? [...AUTHORIZATION_DEFAULTS.writeScopes];
    checkScopes(v, 'readScopes', readScopes);
    checkScopes(v, 'writeScopes', writeScopes);
    const maxAge = o.jwksCacheMaxAgeSeconds ?? AUTHORIZATION_DEFAULTS.jwksCacheMaxAgeSeconds;
    const cooldown = o.jwksCooldownSeconds ?? AUTHORIZATION_DEFAULTS.jwksCooldownSeconds;
    const skew = o.clockSkewSeconds ?? AUTHORIZATION_DEFAULTS.clockSkewSeconds;
    v.integerInRange('jwksCacheMaxAgeSeconds', maxAge, AUTHORIZATION_LIMITS.jwksCacheMaxAgeSeconds);
    v.integerInRange('jwksCooldownSeconds', cooldown, AUTHORIZATION_LIMITS.jwksCooldownSeconds);
    v.checkPair(!(Number.isFinite(maxAge) && Number.isFinite(cooldown)) || cooldown < maxAge, 'jwksCooldownSeconds', cooldown, maxAge,
      `less than jwksCacheMaxAgeSeconds (${maxAge}): otherwise a rotated key is picked up only when the cache expires`);
    v.integerInRange('clockSkewSeconds', skew, AUTHORIZATION_LIMITS.clockSkewSeconds, 'RFC 7519 4.1.4: a small leeway, a few minutes at most');
    const algorithms = o.algorithms ?? [...AUTHORIZATION_DEFAULTS.algorithms];
    v.check(algorithms.length > 0, 'algorithms', algorithms, `at least one of ${ASYMMETRIC_JWS_ALGORITHMS.join(', ')}`);
    algorithms.forEach((alg, i) => v.check(ASYMMETRIC_JWS_ALGORITHMS.includes(alg), `algorithms[${i}]`, alg,
      `an asymmetric JWS algorithm (${ASYMMETRIC_JWS_ALGORITHMS.join(', ')}); "none" and HMAC ("HS*") are never accepted`));
    return new ResolvedAuthorization({
      mode: AuthorizationMode.OAUTH, issuer: o.issuer, audience: audience ?? '', readScopes, writeScopes,
      jwksCacheMaxAgeSeconds: maxAge, jwksCooldownSeconds: cooldown, clockSkewSeconds: skew, algorithms, warnings: [],
    });
  }
}

/**
 * The rule internet-facing topologies apply: an authorization must be given
 * (an OAuth issuer or the explicit opt-out). Returns the resolved authorization,
 * or undefined (with a problem recorded) when none was given for an internet-facing
 * service; a private service without one is resolved as unauthenticated, without warning.
 */
export function resolveServiceAuthorization(
  validator: Validator,
  authorization: McpAuthorization | undefined,
  context: AuthorizationContext,
): ResolvedAuthorization | undefined {
  const prop = context.prop ?? 'authorization';
  if (authorization === undefined) {
    if (context.internetFacing) {
      validator.add(prop, undefined,
        'McpAuthorization.oauth({ issuer }) for an internet-facing service (MCP authorization: the server is an OAuth 2.1 resource server), or McpAuthorization.allowUnauthenticated() to opt out explicitly');
      return undefined;
    }
    return McpAuthorization.allowUnauthenticated().resolve(validator, context);
  }
  return authorization.resolve(validator, context);
}

/** RFC 9728 section 3.1: the well-known path inserted between the host and the resource's path. */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = new URL(resource);
  const path = url.pathname.length > 1 && url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
  return `${url.origin}/.well-known/oauth-protected-resource${path === '/' ? '' : path}`;
}

/** A Microsoft Entra ID directory (tenant) id. */
const ENTRA_TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where Entra ID's access-token `aud` rules are documented. */
const ENTRA_ACCESS_TOKEN_CLAIMS_URL = 'https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference';

/** Issuers whose exact spelling is known: [host pattern, path pattern (the whole path), example]. */
const KNOWN_ISSUERS: readonly (readonly [RegExp, RegExp, string])[] = [
  [/^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$/, /^\/[a-z0-9-]+_[A-Za-z0-9]+$/, 'https://cognito-idp.<region>.amazonaws.com/<userPoolId>, no trailing slash'],
  [/^sts\.windows\.net$/, /^\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/$/,
    'https://sts.windows.net/<tenantId>/ (McpAuthorization.entraIdIssuer(tenantId)): the tenant GUID in lowercase, with the trailing slash'],
  [/^accounts\.google\.com$/, /^$/, 'https://accounts.google.com, no trailing slash'],
  [/^securetoken\.google\.com$/, /^\/[a-z0-9-]+$/, 'https://securetoken.google.com/<projectId>, no trailing slash'],
];

function checkIssuer(v: Validator, issuer: string): void {
  if (typeof issuer !== 'string' || issuer === '') {
    v.add('issuer', issuer, 'the https URL of the authorization server\'s issuer');
    return;
  }
  if (looksUnresolved(issuer)) return;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    v.add('issuer', issuer, 'an absolute https URL (the authorization server\'s issuer identifier)');
    return;
  }
  v.check(url.protocol === 'https:', 'issuer', issuer, 'an https URL (RFC 8414 section 2: the issuer uses the https scheme; tokens and keys must not travel in clear text)');
  v.check(url.search === '' && url.hash === '' && !issuer.includes('?') && !issuer.includes('#'), 'issuer', issuer,
    'an issuer without query or fragment (RFC 8414 section 2)');
  v.check(!url.pathname.includes('/.well-known/'), 'issuer', issuer,
    'the issuer itself, not its metadata document URL (drop "/.well-known/...")');
  v.check(url.username === '' && url.password === '', 'issuer', issuer, 'an issuer without credentials in the URL');
  const path = url.pathname === '/' && !issuer.endsWith('/') ? '' : url.pathname;
  if (url.hostname === 'login.microsoftonline.com') {
    // v2.0 tokens' `aud` is the API's client id; v1.0 tokens (whichever endpoint issued them) carry the sts.windows.net issuer.
    const tenant = path.split('/')[1] || '<tenantId>';
    v.add('issuer', issuer,
      `the issuer of Entra ID v1.0 access tokens, https://sts.windows.net/${tenant}/ (McpAuthorization.entraIdIssuer(tenantId)): `
      + 'v2.0 access tokens carry the API\'s client id in "aud", never the service\'s resource URL that the servers check, so every '
      + `call would be refused (${ENTRA_ACCESS_TOKEN_CLAIMS_URL}); keep the app registration's accessTokenAcceptedVersion at 1 `
      + '(or null) and its Application ID URI equal to the audience');
  }
  for (const [host, shape, example] of KNOWN_ISSUERS) {
    if (!host.test(url.hostname)) continue;
    v.check(shape.test(path), 'issuer', issuer,
      `exactly the issuer in the provider's metadata, ${example} (RFC 8414 section 3.3: a mismatch refuses every token)`);
  }
  const cognito = /^cognito-idp\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname);
  const pool = /^\/([a-z0-9-]+)_/.exec(path);
  if (cognito && pool) {
    v.check(cognito[1] === pool[1], 'issuer', issuer, `a user pool ID of the issuer's region (${cognito[1]}_...)`);
  }
}

function resolveAudience(v: Validator, given: string | undefined, context: AuthorizationContext): string | undefined {
  const mcpPath = context.mcpPath;
  const derived = context.serviceName ? `https://${context.serviceName}${mcpPath}` : undefined;
  if (given === undefined) {
    if (derived === undefined) {
      v.add('audience', undefined, 'a resource URL (https://<service name><mcpPath>); it is derived from `domain` when the service has one, so give the service a domain or set audience');
    }
    return derived;
  }
  if (looksUnresolved(given)) return given;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    v.add('audience', given, `an absolute https URL naming this service${derived ? ` (${derived})` : ''}`);
    return given;
  }
  const allowed = derived
    ? `the service's resource URL, ${derived} or https://${context.serviceName} (RFC 8707: the token's audience names this server)`
    : 'an https URL without query or fragment (RFC 8707 section 2)';
  v.check(url.protocol === 'https:' && url.search === '' && url.hash === '' && !given.includes('#'), 'audience', given, allowed);
  if (context.serviceName) {
    const host = url.host.toLowerCase();
    const path = url.pathname === '/' && !given.endsWith('/') ? '' : url.pathname;
    v.check(host === context.serviceName.toLowerCase() && (path === '' || path === mcpPath), 'audience', given, allowed);
  }
  return given;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function checkScopes(v: Validator, prop: string, scopes: readonly string[]): void {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    v.add(prop, scopes, 'at least one scope (RFC 6749 section 3.3 scope-token)');
    return;
  }
  scopes.forEach((s, i) => v.check(typeof s === 'string' && SCOPE_TOKEN.test(s), `${prop}[${i}]`, s,
    'an RFC 6749 section 3.3 scope-token: printable ASCII without spaces, quotes or backslashes'));
}
