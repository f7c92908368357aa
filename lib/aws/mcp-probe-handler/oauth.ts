/**
 * The probe authenticates like a real MCP client (MCP authorization): the OAuth 2.1
 * client-credentials grant at the issuer's token endpoint, with the client ID and
 * secret from a Secrets Manager secret, asking for a token for the service's resource
 * (RFC 8707 `resource`). The token is kept by a warm function and replaced shortly
 * before it expires.
 *
 * A failure to obtain a token is not an MCP outage: the probe then checks the endpoint
 * without a token and counts it up when it answers the MCP authorization challenge
 * (401 with `WWW-Authenticate: Bearer ... resource_metadata=...`): load balancer, TLS
 * and server process answer; what failed is the authorization server or the probe's
 * credentials, reported as the separate `TokenSuccess` metric (0) with its own alarm,
 * outside the DNS health checks. An authorization server outage must not move traffic
 * between healthy regions.
 *
 * Node built-ins and fetch only (bundled with the probe function).
 */
import type { ProbeOutcome } from './index';

/** Environment variables the construct sets for the OAuth client (names are the contract). */
export const OAUTH_ENV = {
  /** Secret whose JSON holds `client_id` and `client_secret` (or `clientId` / `clientSecret`). */
  credentialsSecretArn: 'MCP_PROBE_OAUTH_SECRET_ARN',
  /** The issuer; its discovery document names the token endpoint. */
  issuer: 'MCP_PROBE_OAUTH_ISSUER',
  /** The token endpoint, when known (skips discovery). */
  tokenEndpoint: 'MCP_PROBE_OAUTH_TOKEN_ENDPOINT',
  /** The resource to ask a token for (the service's resource URL). */
  resource: 'MCP_PROBE_OAUTH_RESOURCE',
  /** Space-separated scopes (the read scopes: the probe only lists tools). */
  scope: 'MCP_PROBE_OAUTH_SCOPE',
  /** Seconds before expiry at which the token is replaced. */
  refreshBeforeSeconds: 'MCP_PROBE_OAUTH_REFRESH_BEFORE_SECONDS',
  /**
   * `true`: the service requires tokens and the probe has no client: check only the 401
   * challenge (load balancer, TLS and the server's authorization step answer; tools not listed).
   */
  challengeOnly: 'MCP_PROBE_AUTH_CHALLENGE_ONLY',
} as const;

/** Name of the token metric (1 a token was at hand, 0 none could be obtained). */
export const TOKEN_METRIC = 'TokenSuccess';

/** Client credentials, as read from the secret. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Why no token could be obtained. */
export enum TokenFailure {
  /** The secret could not be read or has no client_id / client_secret. */
  CREDENTIALS = 'credentials',
  /** The issuer's discovery document could not be read or names no token endpoint. */
  DISCOVERY = 'discovery',
  /** The token endpoint refused (4xx: wrong credentials, unknown resource or scope) or failed (5xx, network). */
  TOKEN_ENDPOINT = 'token-endpoint',
}

export class TokenError extends Error {
  constructor(public readonly failure: TokenFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenError';
  }
}

/** Credentials from a secret string: `{"client_id": ..., "client_secret": ...}` (or camelCase). */
export function parseClientCredentials(secretString: string): ClientCredentials {
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(secretString) as Record<string, unknown>;
  } catch (err) {
    throw new TokenError(TokenFailure.CREDENTIALS, 'the credentials secret is not JSON ({"client_id": "...", "client_secret": "..."})', { cause: err });
  }
  const clientId = json.client_id ?? json.clientId;
  const clientSecret = json.client_secret ?? json.clientSecret;
  if (typeof clientId !== 'string' || clientId === '' || typeof clientSecret !== 'string' || clientSecret === '') {
    throw new TokenError(TokenFailure.CREDENTIALS, 'the credentials secret needs string fields client_id and client_secret');
  }
  return { clientId, clientSecret };
}

export interface TokenSourceOptions {
  /** The issuer (discovery) or, with `tokenEndpoint`, only informational. */
  readonly issuer?: string;
  readonly tokenEndpoint?: string;
  readonly resource: string;
  readonly scope?: string;
  /** Reads the secret string of the credentials secret. */
  readonly readCredentials: () => Promise<string>;
  /** @default 60 */
  readonly refreshBeforeSeconds?: number;
  readonly fetch?: typeof fetch;
  /** Milliseconds clock. @default Date.now */
  readonly clock?: () => number;
  /** Deadline of each HTTP exchange. @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * Client-credentials tokens, cached until `refreshBeforeSeconds` before they expire
 * (at most half their lifetime before), shared by concurrent callers; failures are
 * not cached. A refused client (401/400 invalid_client) re-reads the secret on the
 * next attempt, so a rotated secret is picked up.
 */
export class ClientCredentialsTokenSource {
  private token?: { value: string; refreshAt: number };
  private pending?: Promise<string>;
  private credentials?: ClientCredentials;
  private endpoint?: string;

  constructor(private readonly options: TokenSourceOptions) {
    if (!options.issuer && !options.tokenEndpoint) throw new Error('an issuer or a token endpoint is needed');
    this.endpoint = options.tokenEndpoint;
  }

  /** A valid token (from the cache, or a new one). Throws `TokenError`. */
  public async get(): Promise<string> {
    const now = (this.options.clock ?? Date.now)();
    if (this.token && now < this.token.refreshAt) return this.token.value;
    if (!this.pending) {
      this.pending = this.fetchToken().finally(() => {
        this.pending = undefined;
      });
    }
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const f = this.options.fetch ?? fetch;
    const timeoutMs = this.options.timeoutMs ?? 5000;
    if (!this.credentials) {
      let secret: string;
      try {
        secret = await this.options.readCredentials();
      } catch (err) {
        throw new TokenError(TokenFailure.CREDENTIALS, `cannot read the credentials secret: ${(err as Error).message}`, { cause: err });
      }
      this.credentials = parseClientCredentials(secret);
    }
    const endpoint = this.endpoint ?? await this.discover(f, timeoutMs);
    const body = new URLSearchParams({ grant_type: 'client_credentials', resource: this.options.resource });
    if (this.options.scope) body.set('scope', this.options.scope);
    const basic = Buffer.from(`${encodeURIComponent(this.credentials.clientId)}:${encodeURIComponent(this.credentials.clientSecret)}`).toString('base64');
    let response: Response;
    try {
      response = await f(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new TokenError(TokenFailure.TOKEN_ENDPOINT, `token endpoint unreachable: ${(err as Error).message}`, { cause: err });
    }
    const json = await response.json().catch(() => ({})) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!response.ok || typeof json.access_token !== 'string') {
      // A refused client may have a rotated secret: read it again next time.
      if (response.status === 400 || response.status === 401) this.credentials = undefined;
      throw new TokenError(TokenFailure.TOKEN_ENDPOINT, `token endpoint answered ${response.status}${typeof json.error === 'string' ? ` ${json.error}` : ''}`);
    }
    const lifetimeSeconds = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 300;
    const before = Math.min(this.options.refreshBeforeSeconds ?? 60, lifetimeSeconds / 2);
    const now = (this.options.clock ?? Date.now)();
    this.token = { value: json.access_token, refreshAt: now + (lifetimeSeconds - before) * 1000 };
    return json.access_token;
  }

  private async discover(f: typeof fetch, timeoutMs: number): Promise<string> {
    const issuer = this.options.issuer!;
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    try {
      const r = await f(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
      const doc = await r.json() as { issuer?: unknown; token_endpoint?: unknown };
      if (!r.ok || doc.issuer !== issuer || typeof doc.token_endpoint !== 'string') {
        throw new Error(`HTTP ${r.status}, issuer ${JSON.stringify(doc.issuer)}, token_endpoint ${JSON.stringify(doc.token_endpoint)}`);
      }
      this.endpoint = doc.token_endpoint;
      return doc.token_endpoint;
    } catch (err) {
      throw new TokenError(TokenFailure.DISCOVERY, `cannot read ${url}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/**
 * Without a token: is the endpoint up and speaking MCP authorization? One POST
 * without credentials; success when it answers 401 with a Bearer challenge that names
 * the protected-resource metadata (RFC 9728). A 5xx, a timeout, a network or TLS
 * failure, or any other answer is a failure, as for the full probe.
 */
export async function probeChallenge(url: string, timeoutMs: number, f: typeof fetch = fetch, now: () => number = () => performance.now()): Promise<ProbeOutcome> {
  const t0 = now();
  const base = { mode: 'stateless', protocolVersion: '2026-07-28', fellBack: false } as const;
  try {
    const r = await f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await r.body?.cancel();
    const challenge = r.headers.get('www-authenticate') ?? '';
    const latencyMs = Math.round(now() - t0);
    if (r.status === 401 && /^Bearer\b/i.test(challenge) && /resource_metadata="/.test(challenge)) {
      return { ...base, mode: base.mode as ProbeOutcome['mode'], success: true, latencyMs };
    }
    return { ...base, mode: base.mode as ProbeOutcome['mode'], success: false, latencyMs, failure: 'http' as ProbeOutcome['failure'], httpStatus: r.status, error: `expected 401 with a Bearer challenge naming resource_metadata, got ${r.status}` };
  } catch (err) {
    return { ...base, mode: base.mode as ProbeOutcome['mode'], success: false, latencyMs: Math.round(now() - t0), failure: 'network' as ProbeOutcome['failure'], error: (err as Error).message };
  }
}

/** The EMF line of the token metric (its own record, so the MCP metric's line is unchanged). */
export function tokenMetricRecord(success: boolean, target: { namespace: string; endpoint: string }, timestampMs: number, error?: TokenError): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: target.namespace, Dimensions: [['Endpoint']], Metrics: [{ Name: TOKEN_METRIC, Unit: 'Count' }] }],
    },
    Endpoint: target.endpoint,
    [TOKEN_METRIC]: success ? 1 : 0,
    ...(error ? { tokenFailure: error.failure, tokenError: error.message } : {}),
  };
}

let source: ClientCredentialsTokenSource | undefined;
let sourceKey: string | undefined;

/** The token source of this configuration (kept by a warm function); undefined when the probe has no OAuth client. */
export function tokenSourceFor(
  env: Record<string, string | undefined>,
  readSecret: (secretId: string) => Promise<string>,
  deps: { fetch?: typeof fetch; clock?: () => number } = {},
): ClientCredentialsTokenSource | undefined {
  const secretArn = env[OAUTH_ENV.credentialsSecretArn];
  if (!secretArn) return undefined;
  const key = [secretArn, env[OAUTH_ENV.issuer], env[OAUTH_ENV.tokenEndpoint], env[OAUTH_ENV.resource], env[OAUTH_ENV.scope]].join('|');
  if (!source || sourceKey !== key) {
    const resource = env[OAUTH_ENV.resource];
    if (!resource) throw new Error(`${OAUTH_ENV.resource} is not set`);
    source = new ClientCredentialsTokenSource({
      issuer: env[OAUTH_ENV.issuer] || undefined,
      tokenEndpoint: env[OAUTH_ENV.tokenEndpoint] || undefined,
      resource,
      scope: env[OAUTH_ENV.scope] || undefined,
      refreshBeforeSeconds: env[OAUTH_ENV.refreshBeforeSeconds] ? Number(env[OAUTH_ENV.refreshBeforeSeconds]) : undefined,
      readCredentials: () => readSecret(secretArn),
      fetch: deps.fetch,
      clock: deps.clock,
    });
    sourceKey = key;
  }
  return source;
}

/** Forgets the kept token source (tests). */
export function resetTokenSource(): void {
  source = undefined;
  sourceKey = undefined;
}
