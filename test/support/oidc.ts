/**
 * A real OpenID Provider for tests: panva/oidc-provider (OpenID Certified), started
 * in a child process on 127.0.0.1 (test/support/oidc-provider.mjs), with the
 * client-credentials grant and resource indicators (RFC 8707) enabled, so its access
 * tokens are JWTs whose `aud` is the resource the client asked for. Not a token
 * minter: tokens come from its token endpoint, signed with its keys, published at its
 * `jwks_uri`, discovered through its `/.well-known/openid-configuration`.
 */
import { ChildProcess, fork } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';

/** A private signing key as a JWK (the provider publishes its public half). */
export type PrivateJwk = Record<string, unknown> & { kid: string };

/** A client registered at the provider (client-credentials grant, client_secret_basic). */
export interface TestClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated scopes the client may obtain. */
  readonly scope: string;
  /** @default 300 */
  readonly accessTokenTtlSeconds?: number;
  /** Put in every access token as a top-level `roles` claim (Microsoft Entra ID app-only tokens). @default - none */
  readonly roles?: readonly string[];
}

export interface OidcProviderOptions {
  /** The resource tokens are issued for when the client names none. */
  readonly resource: string;
  /** Scopes the provider knows. */
  readonly scopes: readonly string[];
  readonly clients: readonly TestClient[];
  /** Signing keys. @default - one new P-256 key */
  readonly keys?: readonly PrivateJwk[];
  /** @default 'ES256' */
  readonly alg?: string;
}

export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope?: string;
}

export interface OidcProvider {
  /** The issuer (`http://127.0.0.1:<port>`): what its metadata and tokens name. */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  /** The signing keys in use. */
  readonly keys: readonly PrivateJwk[];
  /** Client-credentials grant at the token endpoint (as any OAuth client would do it). */
  clientCredentials(client: TestClient, options?: { resource?: string; scope?: string }): Promise<TokenResponse>;
  /** Replaces the signing keys (the old ones are no longer published). */
  rotateKeys(keys?: readonly PrivateJwk[]): Promise<void>;
  stop(): Promise<void>;
}

/** A new P-256 signing key. */
export function newSigningKey(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'ES256', use: 'sig' } as PrivateJwk;
}

function request<T>(child: ChildProcess, message: Record<string, unknown>, expect: string, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`oidc-provider did not answer ${String(message.type)} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: { type: string; error?: string }): void => {
      if (m.type !== expect && m.type !== 'error') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      if (m.type === 'error') reject(new Error(`oidc-provider: ${m.error}`));
      else resolve(m as T);
    };
    child.on('message', onMessage);
    child.send(message);
  });
}

/** Starts the provider; `stop()` ends it (it also exits when the test process does). */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  let keys = [...(options.keys ?? [newSigningKey()])];
  const stderr: string[] = [];
  const child = fork(join(__dirname, 'oidc-provider.mjs'), [], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    execArgv: [],
    env: { ...process.env, NODE_ENV: 'test', DEBUG: '' },
  });
  child.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  // Never keeps the test process alive: the child exits when its IPC channel closes.
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let ready: { issuer: string };
  try {
    ready = await request<{ issuer: string }>(child, {
      type: 'start', resource: options.resource, scopes: options.scopes, clients: options.clients, keys, alg: options.alg ?? 'ES256',
    }, 'ready');
  } catch (err) {
    child.kill();
    throw new Error(`${(err as Error).message}\n${stderr.join('')}`, { cause: err });
  }
  const issuer = ready.issuer;
  const tokenEndpoint = `${issuer}/token`;
  return {
    issuer,
    tokenEndpoint,
    get keys() { return keys; },
    async clientCredentials(client, opts = {}) {
      const body = new URLSearchParams({ grant_type: 'client_credentials' });
      if (opts.scope) body.set('scope', opts.scope);
      if (opts.resource) body.set('resource', opts.resource);
      const r = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64')}`,
        },
        body,
      });
      const json = await r.json() as TokenResponse & { error?: string; error_description?: string };
      if (!r.ok) throw new Error(`token endpoint answered ${r.status}: ${json.error} ${json.error_description ?? ''}`);
      return json;
    },
    async rotateKeys(next) {
      keys = [...(next ?? [newSigningKey()])];
      await request(child, { type: 'rotate', keys }, 'rotated');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
