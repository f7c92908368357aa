/**
 * Reads a cache password from Google Secret Manager at start (`REDIS_AUTH_SECRET`): how the
 * Google topologies deliver a Memorystore for Redis AUTH string to the servers without
 * putting it in the instance metadata or the startup script.
 *
 * The request is Secret Manager's `versions.access`
 * (`GET https://secretmanager.googleapis.com/v1/{name=projects/*\/secrets/*\/versions/*}:access`,
 * https://cloud.google.com/secret-manager/docs/reference/rest/v1/projects.secrets.versions/access)
 * with the instance's service account token from the metadata server; the caller needs
 * `roles/secretmanager.secretAccessor` on the secret. The answer's `payload.data` is base64; its
 * `payload.dataCrc32c` (a decimal string) is checked, as Google recommends
 * (https://cloud.google.com/secret-manager/docs/access-secret-version: "verify the checksum").
 * The secret never reaches a log line or an error message.
 */
import { MetadataTokenSource } from './cache-credentials';
import type { Logger } from './logger';

/** Secret Manager's global endpoint (regional secrets use `https://secretmanager.<region>.rep.googleapis.com`). */
export const DEFAULT_SECRET_MANAGER_ENDPOINT = 'https://secretmanager.googleapis.com';

/** A secret version's resource name: `projects/P/secrets/S/versions/V` (V a number or `latest`). */
export const SECRET_VERSION_NAME = /^projects\/[a-z0-9-]+\/secrets\/[A-Za-z0-9_-]{1,255}\/versions\/(latest|[1-9][0-9]*)$/;

/** An endpoint the server may send its token to: https, or http on loopback (tests). */
export function isAllowedSecretEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32C (Castagnoli), the checksum Secret Manager reports for a payload. */
export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export interface SecretAccessOptions {
  /** host[:port] of the metadata server (the token). */
  readonly metadataHost: string;
  /** @default DEFAULT_SECRET_MANAGER_ENDPOINT */
  readonly endpoint?: string;
  /** Attempts before giving up (the unit's restart then tries again). @default 5 */
  readonly attempts?: number;
  /** Bound of one request. @default 5000 */
  readonly timeoutMs?: number;
  /** First retry delay, doubled after each failure. @default 500 */
  readonly retryMs?: number;
  readonly logger?: Logger;
}

/** The payload of a secret version, as text (throws, without the secret, when it cannot be read). */
export async function accessSecretVersion(name: string, options: SecretAccessOptions): Promise<string> {
  if (!SECRET_VERSION_NAME.test(name)) throw new Error(`not a secret version name: ${JSON.stringify(name)} (projects/P/secrets/S/versions/V)`);
  const endpoint = options.endpoint ?? DEFAULT_SECRET_MANAGER_ENDPOINT;
  if (!isAllowedSecretEndpoint(endpoint)) throw new Error(`not an https endpoint: ${JSON.stringify(endpoint)}`);
  const attempts = options.attempts ?? 5;
  const tokens = new MetadataTokenSource({ host: options.metadataHost, timeoutMs: options.timeoutMs });
  let lastError = '';
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const token = await tokens.token();
        const res = await fetch(`${endpoint.replace(/\/$/, '')}/v1/${name}:access`, {
          headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
          redirect: 'error',
        });
        const body = await res.text();
        if (res.status !== 200) {
          // Google's error answers carry a status and a message, never the payload.
          const status = (() => {
            try {
              return (JSON.parse(body) as { error?: { status?: string } }).error?.status;
            } catch {
              return undefined;
            }
          })();
          const error = new Error(`Secret Manager answered HTTP ${res.status}${status ? ` ${status}` : ''} for ${name}`);
          // Permission and not-found answers do not change on a retry: stop now, name the fix.
          if (res.status === 403 || res.status === 404) {
            throw Object.assign(error, { final: true, hint: res.status === 403 ? 'the service account needs roles/secretmanager.secretAccessor on the secret' : 'no such secret version' });
          }
          throw error;
        }
        const json = JSON.parse(body) as { payload?: { data?: unknown; dataCrc32c?: unknown } };
        if (typeof json.payload?.data !== 'string') throw new Error(`Secret Manager answer for ${name} has no payload.data`);
        const bytes = Buffer.from(json.payload.data, 'base64');
        if (json.payload.dataCrc32c !== undefined && String(crc32c(bytes)) !== String(json.payload.dataCrc32c)) {
          throw new Error(`Secret Manager payload of ${name} fails its CRC32C check (corrupted in transit)`);
        }
        const value = bytes.toString('utf8');
        if (value === '') throw new Error(`the secret version ${name} is empty`);
        options.logger?.info('cache credentials: password read from Secret Manager', { secret: name, attempt });
        return value;
      } catch (err) {
        const e = err as Error & { final?: boolean; hint?: string };
        lastError = e.hint ? `${e.message}: ${e.hint}` : e.message;
        if (e.final || attempt === attempts) break;
        const delay = (options.retryMs ?? 500) * 2 ** (attempt - 1);
        options.logger?.warn('cache credentials: Secret Manager read failed, retrying', { secret: name, attempt, retryInMs: delay, error: lastError });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  } finally {
    tokens.stop();
  }
  throw new Error(`cache password unavailable: ${lastError}`);
}
