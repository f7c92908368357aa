/**
 * How the server authenticates to its cache (`REDIS_AUTH_MODE`), and the TLS trust it uses.
 *
 * - `password` (default): `REDIS_AUTH_TOKEN` / `REDIS_USERNAME` as they are (ElastiCache AUTH
 *   or RBAC, Azure access keys, a local redis-server), or none.
 * - `auth-string`: Memorystore for Redis with AUTH enabled: the instance's AUTH string is the
 *   password of the default user (https://cloud.google.com/memorystore/docs/redis/about-redis-auth).
 *   It comes from Secret Manager: `REDIS_AUTH_SECRET` names the secret version
 *   (`projects/P/secrets/S/versions/V`), which the server reads at start with its service
 *   account (secret-manager.ts; what the Google topologies render), or `REDIS_AUTH_TOKEN` holds it
 *   (set by something else that read the secret). Never in the instance metadata.
 * - `gcp-iam`: Memorystore for Valkey IAM authentication. The instance's service account
 *   (granted `roles/memorystore.dbConnectionUser`) sends an OAuth access token as the AUTH
 *   password ("IAM-based authentication integrates with Valkey AUTH ... the client provides an
 *   IAM access token": https://cloud.google.com/memorystore/docs/valkey/about-iam-auth; the
 *   example connects with `valkey-cli -a <access token> --tls --cacert <CA file>`:
 *   https://cloud.google.com/memorystore/docs/valkey/manage-iam-auth). IAM authentication
 *   requires TLS (https://cloud.google.com/memorystore/docs/valkey/about-in-transit-encryption),
 *   so `REDIS_URL` must be `rediss://`. The token comes from the metadata server
 *   (`GCE_METADATA_HOST` overrides its address, as in Google's client libraries); it lives
 *   about an hour ("Access tokens expire after one hour", manage-iam-auth). The server fetches a
 *   new one before the current expires and sends `AUTH <new token>` on its open connection
 *   (ASSUMED requirement: Memorystore validates the token at AUTH time; a connection kept past
 *   its token's expiry is not documented as safe, so every open connection is re-authenticated
 *   before expiry); every (re)connection authenticates with the current token.
 *
 * TLS trust (`rediss://`): Memorystore for Valkey and Memorystore for Redis sign their server
 * certificates with a per-instance CA that no public root store holds ("you must configure your
 * client application to trust this CA hierarchy":
 * https://cloud.google.com/memorystore/docs/valkey/manage-in-transit-encryption). The CA comes
 * in `REDIS_TLS_CA` (PEM, one or more certificates) or `REDIS_TLS_CA_FILE` (a path) and is
 * trusted besides the public roots. `gcp-iam` without one is refused at start: every
 * connection would fail certificate verification. The certificate is also checked against the
 * host the URL names (Node's default); `REDIS_TLS_SERVERNAME` names another (sent as SNI and
 * checked instead): ASSUMED that Memorystore's server certificates name the endpoint's address,
 * which Google does not document; if connections fail with "does not match certificate's
 * altnames", set it to a name the certificate carries.
 */
import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import type { Logger } from './logger';
import { SECRET_VERSION_NAME, isAllowedSecretEndpoint } from './secret-manager';

export enum CacheAuthMode {
  PASSWORD = 'password',
  AUTH_STRING = 'auth-string',
  GCP_IAM = 'gcp-iam',
}

export const CACHE_AUTH_ENV = {
  MODE: 'REDIS_AUTH_MODE',
  TLS_CA: 'REDIS_TLS_CA',
  TLS_CA_FILE: 'REDIS_TLS_CA_FILE',
  TLS_SERVERNAME: 'REDIS_TLS_SERVERNAME',
  /** auth-string: the Secret Manager secret version holding the AUTH string. */
  SECRET: 'REDIS_AUTH_SECRET',
  /** auth-string: Secret Manager's endpoint (a regional one, or a test's). @default https://secretmanager.googleapis.com */
  SECRET_ENDPOINT: 'REDIS_AUTH_SECRET_ENDPOINT',
  /** Google's client libraries read the metadata server's host[:port] from here. */
  METADATA_HOST: 'GCE_METADATA_HOST',
} as const;

/** The metadata server's name on Compute Engine (Google's client libraries default). */
export const DEFAULT_METADATA_HOST = 'metadata.google.internal';
export const TOKEN_PATH = '/computeMetadata/v1/instance/service-accounts/default/token';

export interface CacheAuthConfig {
  readonly mode: CacheAuthMode;
  /** PEM of the CA(s) the cache's server certificate chains to (trusted besides the public roots). */
  readonly tlsCa?: string;
  /** The name the server certificate must carry (and SNI). @default - the URL's host */
  readonly tlsServername?: string;
  /**
   * host[:port] of the metadata server (gcp-iam): `GCE_METADATA_HOST`, as Google's client
   * libraries read it (https://docs.rs/google-cloud-auth/1.3.0/google_cloud_auth/credentials/mds),
   * else metadata.google.internal.
   */
  readonly metadataHost: string;
  /** auth-string: the Secret Manager secret version the password is read from at start. @default - none (REDIS_AUTH_TOKEN) */
  readonly authSecret?: string;
  /** Secret Manager's endpoint. @default DEFAULT_SECRET_MANAGER_ENDPOINT */
  readonly secretEndpoint?: string;
}

/** Reads REDIS_AUTH_MODE and the TLS CA; problems go to `problems` (the server refuses to start). */
export function readCacheAuthConfig(env: NodeJS.ProcessEnv, redisUrl: string, problems: string[]): CacheAuthConfig {
  const raw = env[CACHE_AUTH_ENV.MODE];
  let mode = CacheAuthMode.PASSWORD;
  if (raw !== undefined && raw !== '') {
    if ((Object.values(CacheAuthMode) as string[]).includes(raw)) mode = raw as CacheAuthMode;
    else problems.push(`${CACHE_AUTH_ENV.MODE}=${JSON.stringify(raw)}: expected one of ${Object.values(CacheAuthMode).join(', ')}`);
  }
  let tlsCa = env[CACHE_AUTH_ENV.TLS_CA] || undefined;
  const caFile = env[CACHE_AUTH_ENV.TLS_CA_FILE] || undefined;
  if (tlsCa && caFile) problems.push(`${CACHE_AUTH_ENV.TLS_CA} and ${CACHE_AUTH_ENV.TLS_CA_FILE}: set one, not both`);
  if (!tlsCa && caFile) {
    try {
      tlsCa = readFileSync(caFile, 'utf8');
    } catch (err) {
      problems.push(`${CACHE_AUTH_ENV.TLS_CA_FILE}=${JSON.stringify(caFile)}: cannot be read (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (tlsCa !== undefined && !/-----BEGIN CERTIFICATE-----/.test(tlsCa)) {
    problems.push(`${tlsCa === env[CACHE_AUTH_ENV.TLS_CA] ? CACHE_AUTH_ENV.TLS_CA : CACHE_AUTH_ENV.TLS_CA_FILE}: expected PEM certificates (-----BEGIN CERTIFICATE-----)`);
    tlsCa = undefined;
  }
  const tlsUrl = redisUrl.startsWith('rediss://');
  if (tlsCa && !tlsUrl) problems.push(`${CACHE_AUTH_ENV.TLS_CA}: set, but REDIS_URL is not rediss:// (the CA would never be used)`);
  const password = env.REDIS_AUTH_TOKEN || undefined;
  const username = env.REDIS_USERNAME || undefined;
  if (mode === CacheAuthMode.GCP_IAM) {
    if (!tlsUrl) problems.push(`${CACHE_AUTH_ENV.MODE}=gcp-iam needs a rediss:// REDIS_URL (Memorystore IAM authentication requires in-transit encryption)`);
    else if (!tlsCa) {
      problems.push(`${CACHE_AUTH_ENV.MODE}=gcp-iam needs ${CACHE_AUTH_ENV.TLS_CA} or ${CACHE_AUTH_ENV.TLS_CA_FILE}: the instance's per-instance CA `
        + '(google_memorystore_instance managed_server_ca, or gcloud memorystore instances get-certificate-authority); no public root signs it');
    }
    if (password || username) {
      problems.push(`${CACHE_AUTH_ENV.MODE}=gcp-iam: REDIS_AUTH_TOKEN / REDIS_USERNAME must not be set (the password is the service account's access token)`);
    }
  }
  const authSecret = env[CACHE_AUTH_ENV.SECRET] || undefined;
  const secretEndpoint = env[CACHE_AUTH_ENV.SECRET_ENDPOINT] || undefined;
  if (mode === CacheAuthMode.AUTH_STRING) {
    if (!password && !authSecret) {
      problems.push(`${CACHE_AUTH_ENV.MODE}=auth-string needs ${CACHE_AUTH_ENV.SECRET} (the Secret Manager secret version holding the instance's AUTH string) or REDIS_AUTH_TOKEN (the string itself)`);
    }
    if (password && authSecret) problems.push(`REDIS_AUTH_TOKEN and ${CACHE_AUTH_ENV.SECRET}: set one, not both`);
    if (username) problems.push(`${CACHE_AUTH_ENV.MODE}=auth-string: REDIS_USERNAME must not be set (Memorystore for Redis AUTH has no user names)`);
  } else if (authSecret) {
    problems.push(`${CACHE_AUTH_ENV.SECRET}: set, but ${CACHE_AUTH_ENV.MODE} is ${mode} (only auth-string reads its password from Secret Manager)`);
  }
  if (authSecret && !SECRET_VERSION_NAME.test(authSecret)) {
    problems.push(`${CACHE_AUTH_ENV.SECRET}=${JSON.stringify(authSecret)}: expected a secret version name, projects/P/secrets/S/versions/V (V a number or latest)`);
  }
  if (secretEndpoint !== undefined) {
    if (!authSecret) problems.push(`${CACHE_AUTH_ENV.SECRET_ENDPOINT}: set, but ${CACHE_AUTH_ENV.SECRET} is not (the endpoint would never be used)`);
    if (!isAllowedSecretEndpoint(secretEndpoint)) {
      problems.push(`${CACHE_AUTH_ENV.SECRET_ENDPOINT}=${JSON.stringify(secretEndpoint)}: expected https://host[:port] (http only on loopback): the service account token is sent there`);
    }
  }
  const tlsServername = env[CACHE_AUTH_ENV.TLS_SERVERNAME] || undefined;
  if (tlsServername !== undefined) {
    if (!tlsUrl) problems.push(`${CACHE_AUTH_ENV.TLS_SERVERNAME}: set, but REDIS_URL is not rediss://`);
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(tlsServername)) problems.push(`${CACHE_AUTH_ENV.TLS_SERVERNAME}=${JSON.stringify(tlsServername)}: expected a host name`);
  }
  return {
    mode, tlsCa, tlsServername, metadataHost: env[CACHE_AUTH_ENV.METADATA_HOST] || DEFAULT_METADATA_HOST,
    ...(authSecret ? { authSecret } : {}), ...(secretEndpoint ? { secretEndpoint } : {}),
  };
}

/** The CA list for a TLS socket: the public roots plus the configured CA. */
export function trustedCas(tlsCa: string | undefined): string[] | undefined {
  return tlsCa ? [...tls.rootCertificates, tlsCa] : undefined;
}

/** What the readiness body says about the cache credentials (nothing secret). */
export type CredentialsState = 'static' | 'ok' | 'refresh-failing' | 'unavailable';

export interface AccessToken {
  readonly token: string;
  /** Epoch ms. */
  readonly expiresAtMs: number;
}

export interface MetadataTokenSourceOptions {
  /** host[:port] of the metadata server. */
  readonly host: string;
  readonly logger?: Logger;
  /** Bound of one metadata request. @default 2000 */
  readonly timeoutMs?: number;
  /** Cap of the retry backoff after a failed refresh. @default 30000 */
  readonly maxRetryMs?: number;
  /** Called with each new token (a different value than before): re-AUTH open connections. */
  readonly onRotate?: (token: AccessToken) => Promise<void> | void;
}

/**
 * Before expiry, how early a token is replaced: half its remaining life, at most 10 minutes.
 * The metadata server may hand out its cached token until shortly before expiry (ASSUMED:
 * Google documents no figure; client libraries observe about a minute), so a refresh may
 * return the same token; the next one is due at half of what is left, and so on, which
 * gets the new token while the old one is still valid.
 */
export function refreshLeadMs(remainingMs: number): number {
  return Math.min(10 * 60_000, Math.max(0, remainingMs) / 2);
}

/**
 * The service account's access token from the metadata server, cached, refreshed before it
 * expires (and retried with backoff when the metadata server fails), never logged.
 */
export class MetadataTokenSource {
  private current?: AccessToken;
  private inFlight?: Promise<AccessToken>;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private lastError?: string;
  private stopped = false;
  /** Tokens fetched (tests and logs: how often the metadata server was asked). */
  public fetches = 0;

  constructor(private readonly options: MetadataTokenSourceOptions) {}

  public get url(): string {
    return `http://${this.options.host}${TOKEN_PATH}`;
  }

  /** ok: a valid token that is not due; refresh-failing: valid, but the last refresh failed; unavailable: no valid token. */
  public get state(): CredentialsState {
    if (!this.current || this.current.expiresAtMs <= Date.now()) return 'unavailable';
    return this.failures > 0 ? 'refresh-failing' : 'ok';
  }

  /** The last metadata failure (for the log and the readiness reason; no token in it). */
  public get error(): string | undefined {
    return this.lastError;
  }

  /** A valid token: the cached one, or a fresh one from the metadata server (throws when it cannot). */
  public async token(): Promise<string> {
    if (this.current && this.current.expiresAtMs - Date.now() > 1000) return this.current.token;
    return (await this.refresh()).token;
  }

  /** Asks the metadata server now (one request at a time). */
  public refresh(): Promise<AccessToken> {
    if (!this.inFlight) {
      this.inFlight = this.fetchToken().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  public stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async fetchToken(): Promise<AccessToken> {
    const started = Date.now();
    try {
      this.fetches++;
      const res = await fetch(this.url, {
        headers: { 'Metadata-Flavor': 'Google' },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 2000),
        redirect: 'error',
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`metadata server answered HTTP ${res.status}`);
      // Google's libraries check the flavor header: an answer without it is not the metadata server.
      if (res.headers.get('metadata-flavor') !== 'Google') throw new Error('the answer lacks Metadata-Flavor: Google (not the metadata server)');
      const json = JSON.parse(body) as { access_token?: unknown; expires_in?: unknown };
      if (typeof json.access_token !== 'string' || json.access_token === '' || typeof json.expires_in !== 'number' || !(json.expires_in > 0)) {
        throw new Error('metadata server answer has no access_token / expires_in');
      }
      const next: AccessToken = { token: json.access_token, expiresAtMs: started + json.expires_in * 1000 };
      const rotated = this.current !== undefined && this.current.token !== next.token;
      const first = this.current === undefined;
      this.current = next;
      if (this.failures > 0) this.options.logger?.info('cache credentials: metadata server answers again', { failures: this.failures });
      this.failures = 0;
      this.lastError = undefined;
      this.schedule(refreshDelay(next));
      if (first) this.options.logger?.info('cache credentials: access token obtained', { expiresInSeconds: json.expires_in });
      if (rotated) {
        this.options.logger?.info('cache credentials: new access token, re-authenticating open connections', { expiresInSeconds: json.expires_in });
        await this.options.onRotate?.(next);
      }
      return next;
    } catch (err) {
      this.failures++;
      this.lastError = err instanceof Error ? err.message : String(err);
      const retryMs = Math.min(this.options.maxRetryMs ?? 30_000, 500 * 2 ** Math.min(this.failures - 1, 6));
      const stillValid = this.current !== undefined && this.current.expiresAtMs > Date.now();
      this.options.logger?.warn('cache credentials: metadata server failed', {
        error: this.lastError, failures: this.failures, retryInMs: retryMs, tokenStillValid: stillValid,
      });
      // While a token is still valid keep trying before it expires; without one, the client's
      // reconnects ask again (each reconnect attempt calls token()).
      if (stillValid) this.schedule(Math.min(retryMs, Math.max(0, (this.current as AccessToken).expiresAtMs - Date.now() - 1000)));
      throw new Error(`cache credentials unavailable: ${this.lastError}`, { cause: err });
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.refresh().catch(() => undefined);
    }, ms);
    this.timer.unref();
  }
}

function refreshDelay(t: AccessToken): number {
  const remaining = t.expiresAtMs - Date.now();
  return Math.max(0, remaining - refreshLeadMs(remaining));
}
