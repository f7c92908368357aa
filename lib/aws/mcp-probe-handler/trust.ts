/**
 * TLS trust for the library's functions that call the service's own HTTPS
 * endpoints (the MCP probe, the cache promotion's health checks): the runtime's
 * public roots plus, when the service's certificate comes from a private CA (a
 * Vault PKI), that CA.
 *
 * Node's global `fetch` takes no CA option (its undici Agent is not reachable
 * without bundling undici), so `trustedFetch` is a small `fetch` over
 * `node:https` whose agent trusts `tls.rootCertificates` plus the given PEMs,
 * with `allowPartialTrustChain` so an intermediate CA (what Vault's `issuing_ca`
 * usually is) can be the trust anchor. Responses are WHATWG `Response`s whose
 * body streams, so SSE answers work as with the global fetch.
 *
 * Where the CA comes from (environment variables the constructs set):
 * - `MCP_TRUSTED_CA_PEM`: the PEM itself (small bundles; Lambda's environment holds 4 KB in all);
 * - `MCP_TRUSTED_CA_PARAMETER`: an SSM parameter holding the PEM, read at run time
 *   and cached; the Vault certificate function writes the chain Vault returned
 *   there at every issuance, so the trust follows a CA rotation. On a TLS
 *   verification failure the parameter is read again once (the CA may just have
 *   rotated) before the failure counts.
 */
import * as https from 'node:https';
import { Readable } from 'node:stream';
import * as tls from 'node:tls';

export const TRUST_ENV = {
  pem: 'MCP_TRUSTED_CA_PEM',
  parameter: 'MCP_TRUSTED_CA_PARAMETER',
  /** Seconds the parameter's value is kept by a warm function. */
  cacheSeconds: 'MCP_TRUSTED_CA_CACHE_SECONDS',
} as const;

/** Node's TLS errors that mean "the certificate did not verify against the trusted CAs". */
const VERIFY_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

/** True when `e` (or its cause) is a certificate verification failure. */
export function isTrustError(e: unknown): boolean {
  for (let err = e as { code?: string; cause?: unknown } | undefined, depth = 0; err && depth < 4; err = err.cause as typeof err, depth++) {
    if (typeof err.code === 'string' && VERIFY_ERRORS.has(err.code)) return true;
  }
  return false;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` (the subset the handlers use: method, headers, string body, signal)
 * that trusts the public roots plus `caPem`. Without `caPem` it is the global fetch.
 */
export function trustedFetch(caPem: string | undefined): typeof fetch {
  if (!caPem) return globalThis.fetch;
  const agent = new https.Agent({
    ca: [...tls.rootCertificates, caPem],
    keepAlive: true,
    // The configured CA may be an intermediate (Vault's issuing CA): let it anchor the chain.
    allowPartialTrustChain: true,
  } as https.AgentOptions);
  const impl = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => new Promise((resolve, reject) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.protocol !== 'https:') {
      reject(new TypeError(`trustedFetch: only https URLs (${url.protocol})`));
      return;
    }
    const headers = new Headers(init.headers);
    const body = typeof init.body === 'string' ? init.body : undefined;
    if (init.body !== undefined && init.body !== null && body === undefined) {
      reject(new TypeError('trustedFetch: only string bodies'));
      return;
    }
    if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)));
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
      return;
    }
    const req = https.request(url, {
      method: init.method ?? 'GET',
      headers: Object.fromEntries(headers.entries()),
      agent,
      signal,
    }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
      }
      const status = res.statusCode ?? 0;
      const nullBody = NULL_BODY_STATUSES.has(status) || init.method === 'HEAD';
      if (nullBody) res.resume();
      resolve(new Response(nullBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
        status, statusText: res.statusMessage ?? '', headers: responseHeaders,
      }));
    });
    req.on('error', (e) => reject(signal?.aborted ? (signal.reason ?? e) : new TypeError('fetch failed', { cause: e })));
    req.end(body);
  });
  return impl as typeof fetch;
}

/** Reads an SSM parameter's value. */
export type ParameterReader = (name: string) => Promise<string>;

/**
 * The AWS SDK v3 is part of the Lambda Node.js runtime; it is loaded by a computed
 * name so neither the bundler nor the type checker needs it.
 */
export const readParameterWithSdk: ParameterReader = async (name) => {
  const sdkModule = '@aws-sdk/client-ssm';
  const sdk = (await import(sdkModule)) as {
    SSMClient: new () => { send(command: unknown): Promise<{ Parameter?: { Value?: string } }> };
    GetParameterCommand: new (input: { Name: string }) => unknown;
  };
  const out = await new sdk.SSMClient().send(new sdk.GetParameterCommand({ Name: name }));
  const value = out.Parameter?.Value;
  if (!value) throw new Error(`SSM parameter ${name} has no value`);
  return value;
};

/** The CA source a function was configured with, and a fetch that trusts it (re-read on a trust failure). */
export class TrustStore {
  private pem?: string;
  private fetchedAt = -Infinity;
  private fetchImpl?: typeof fetch;

  constructor(
    private readonly env: Record<string, string | undefined>,
    private readonly readParameter: ParameterReader = readParameterWithSdk,
    private readonly clock: () => number = Date.now,
  ) {}

  /** True when a private CA is configured. */
  public get configured(): boolean {
    return Boolean(this.env[TRUST_ENV.pem] || this.env[TRUST_ENV.parameter]);
  }

  private async load(force: boolean): Promise<typeof fetch> {
    const inline = this.env[TRUST_ENV.pem];
    if (inline) return (this.fetchImpl ??= trustedFetch(inline));
    const parameter = this.env[TRUST_ENV.parameter];
    if (!parameter) return globalThis.fetch;
    const ttlMs = Number(this.env[TRUST_ENV.cacheSeconds] ?? '300') * 1000;
    if (force || !this.fetchImpl || this.clock() - this.fetchedAt >= ttlMs) {
      let pem: string;
      try {
        pem = await this.readParameter(parameter);
      } catch (e) {
        // A warm function keeps the CA it has when SSM cannot be read (an SSM problem must not
        // become a failed probe); a cold one has nothing to trust and fails.
        if (!this.fetchImpl) throw e;
        return this.fetchImpl;
      }
      if (pem !== this.pem || !this.fetchImpl) {
        this.pem = pem;
        this.fetchImpl = trustedFetch(pem);
      }
      this.fetchedAt = this.clock();
    }
    return this.fetchImpl;
  }

  /**
   * A fetch trusting the configured CA. With a parameter, a TLS verification
   * failure reads the parameter again once and retries the request with the new CA.
   */
  public async fetch(): Promise<typeof fetch> {
    const current = await this.load(false);
    if (!this.env[TRUST_ENV.parameter] || this.env[TRUST_ENV.pem]) return current;
    const retrying = (async (input: string | URL | Request, init?: RequestInit) => {
      try {
        return await (await this.load(false))(input, init);
      } catch (e) {
        if (!isTrustError(e)) throw e;
        const refreshed = await this.load(true);
        return refreshed(input, init);
      }
    }) as typeof fetch;
    return retrying;
  }
}
