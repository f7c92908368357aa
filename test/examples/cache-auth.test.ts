/**
 * The reference server's cache authentication on Google (REDIS_AUTH_MODE=gcp-iam, what the
 * Google topologies render for Memorystore for Valkey) against real parts on loopback:
 *
 * - a redis-server with TLS only (a private CA made here with openssl, the server certificate
 *   for 127.0.0.1: what Memorystore's per-instance CA is to a client) whose password is the
 *   access token a fake metadata server issues (the endpoint, header and answer of
 *   Compute Engine's metadata server, reached through GCE_METADATA_HOST);
 * - the token rotates (the password changes on the redis-server and the metadata server
 *   issues the new one): the server re-authenticates its open connection before the old
 *   token expires and keeps writing; a reconnection authenticates with the current token;
 * - the metadata server fails: readiness says so (503, credentials unavailable), liveness
 *   stays 200; once it answers again the server is ready again.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createClient } from 'redis';
import { ConfigError, ReferenceServer, accessSecretVersion, crc32c, createServer, readConfig, resolveCacheSecret } from '../../examples/mcp-server/src';
import { CacheAuthMode, TOKEN_PATH, refreshLeadMs } from '../../examples/mcp-server/src/cache-credentials';
import {
  LOOPBACK, Managed, ProcessGroup, freePort, httpStatus, requireBinary, waitFor,
} from '../../scripts/drill/processes';

jest.setTimeout(60_000);

const group = new ProcessGroup('mcp-cache-auth-');
const servers: ReferenceServer[] = [];
const clients: Client[] = [];

/** A stand-in for the Compute Engine metadata server's token endpoint. */
class FakeMetadata {
  public token = 'token-1';
  public expiresIn = 3600;
  public failing = false;
  public requests = 0;
  public refusedForHeader = 0;
  /** When each token value was last handed out (epoch ms). */
  public readonly servedAt = new Map<string, number>();
  public host = '';
  private readonly server = http.createServer((req, res) => {
    if (req.url !== TOKEN_PATH) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['metadata-flavor'] !== 'Google') {
      this.refusedForHeader++;
      res.writeHead(403, { 'metadata-flavor': 'Google' }).end('Missing Metadata-Flavor:Google header.');
      return;
    }
    this.requests++;
    if (this.failing) {
      res.writeHead(503, { 'metadata-flavor': 'Google' }).end('unavailable');
      return;
    }
    this.servedAt.set(this.token, Date.now());
    res.writeHead(200, { 'content-type': 'application/json', 'metadata-flavor': 'Google' })
      .end(JSON.stringify({ access_token: this.token, expires_in: this.expiresIn, token_type: 'Bearer' }));
  });

  public async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, LOOPBACK, resolve));
    this.host = `${LOOPBACK}:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Tls { readonly caPem: string; readonly otherCaPem: string; readonly dir: string }

/** A CA and a server certificate for 127.0.0.1 (and an unrelated CA), with the openssl CLI. */
function makeCertificates(): Tls {
  const dir = group.dir;
  const run = (args: string[]): void => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  for (const name of ['ca', 'other-ca']) {
    run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`,
      '-out', `${name}.pem`, '-days', '1', '-subj', `/CN=${name} (test)`]);
  }
  run(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=memorystore-test']);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:cache.memorystore.test\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'san.ext']);
  return { caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'), otherCaPem: readFileSync(join(dir, 'other-ca.pem'), 'utf8'), dir };
}

interface TlsRedis { readonly port: number; readonly url: string; readonly process: Managed }

async function startTlsRedis(tls: Tls, password: string): Promise<TlsRedis> {
  const port = await freePort();
  const proc = group.spawn(`redis-tls-${port}`, requireBinary('redis-server'), [
    '--port', '0', '--tls-port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', tls.dir,
    '--tls-cert-file', join(tls.dir, 'server.pem'), '--tls-key-file', join(tls.dir, 'server.key'),
    '--tls-ca-cert-file', join(tls.dir, 'ca.pem'), '--tls-auth-clients', 'no', '--requirepass', password, '--loglevel', 'warning',
  ]);
  const url = `rediss://${LOOPBACK}:${port}`;
  await waitFor(`redis-server (TLS) on ${port}`, async () => {
    if (proc.hasExited) throw new Error(`redis-server exited; see ${proc.logFile}`);
    return (await admin({ url, ca: tls.caPem, password }, ['PING'])) === 'PONG';
  }, 10_000, 100);
  return { port, url, process: proc };
}

/** Connections `admin` opened (to tell them from the server's own in the cache's counters). */
let adminConnections = 0;

/** One command as an administrator (TLS, the current password), on a short-lived connection. */
async function admin(to: { url: string; ca: string; password: string }, args: string[]): Promise<unknown> {
  adminConnections++;
  const c = createClient({ url: to.url, password: to.password, socket: { tls: true, ca: [to.ca], reconnectStrategy: false, connectTimeout: 2000 } });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await c.sendCommand(args);
  } finally {
    c.destroy();
  }
}

function stat(info: string, name: string): number {
  const m = new RegExp(`${name}:(?:calls=)?(\\d+)`).exec(info);
  return m ? Number(m[1]) : 0;
}

async function connectClient(url: string): Promise<Client> {
  const c = new Client({ name: 'cache-auth-test', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  clients.push(c);
  return c;
}

async function write(c: Client, value: string): Promise<{ ok: boolean; text: string }> {
  const r = await c.callTool({ name: 'context_lookup', arguments: { handle: 'iam-test', key: 'k', action: 'set', value } });
  const text = (r.content as { text?: string }[])[0]?.text ?? '';
  return { ok: !r.isError, text };
}

async function read(c: Client): Promise<string> {
  const r = await c.callTool({ name: 'context_lookup', arguments: { handle: 'iam-test', key: 'k', action: 'get' } });
  return JSON.stringify(r.structuredContent ?? r.content);
}

let tls: Tls;
const metadata = new FakeMetadata();
const SECRET_NAME = 'projects/123456789/secrets/mcp-redis-auth/versions/1';

beforeAll(async () => {
  requireBinary('redis-server');
  tls = makeCertificates();
  await metadata.start();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => s.close()));
  await metadata.stop();
  await group.stopAll();
});

function startServer(redisUrl: string, ca: string | undefined, extra: Parameters<typeof createServer>[0] = {}): ReferenceServer {
  const s = createServer({
    port: 0, host: LOOPBACK, redisUrl, replicaId: 'iam-replica', logSink: () => undefined,
    cacheAuth: { mode: CacheAuthMode.GCP_IAM, tlsCa: ca, metadataHost: metadata.host },
    ...extra,
  });
  servers.push(s);
  return s;
}

describe('configuration (REDIS_AUTH_MODE, REDIS_TLS_CA)', () => {
  const iam = { REDIS_AUTH_MODE: 'gcp-iam', REDIS_URL: 'rediss://10.0.0.5:6379' };

  test('gcp-iam reads the CA and the metadata host as Google\'s libraries do', () => {
    const c = readConfig({ ...iam, REDIS_TLS_CA: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----', GCE_METADATA_HOST: '169.254.169.254:8080' });
    expect(c.cacheAuth).toMatchObject({ mode: 'gcp-iam', metadataHost: '169.254.169.254:8080' });
    expect(readConfig({ ...iam, REDIS_TLS_CA_FILE: join(tls.dir, 'ca.pem') }).cacheAuth).toMatchObject({ metadataHost: 'metadata.google.internal', tlsCa: tls.caPem });
    expect(readConfig({}).cacheAuth.mode).toBe('password');
  });

  test('refuses what cannot connect, every problem at once, naming the variable', () => {
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        readConfig(env);
        return [];
      } catch (e) {
        return [...(e as ConfigError).problems];
      }
    };
    expect(problems({ REDIS_AUTH_MODE: 'gcp-iam', REDIS_URL: 'redis://10.0.0.5:6379' })).toEqual([
      'REDIS_AUTH_MODE=gcp-iam needs a rediss:// REDIS_URL (Memorystore IAM authentication requires in-transit encryption)',
    ]);
    expect(problems({ ...iam, REDIS_AUTH_TOKEN: 'x' })).toEqual([
      expect.stringMatching(/^REDIS_AUTH_MODE=gcp-iam needs REDIS_TLS_CA or REDIS_TLS_CA_FILE: the instance's per-instance CA/),
      'REDIS_AUTH_MODE=gcp-iam: REDIS_AUTH_TOKEN / REDIS_USERNAME must not be set (the password is the service account\'s access token)',
    ]);
    expect(problems({ REDIS_AUTH_MODE: 'auth-string', REDIS_URL: 'rediss://10.0.0.5:6378', REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      expect.stringMatching(/^REDIS_TLS_CA_FILE="\/nonexistent\/ca.pem": cannot be read/),
      'REDIS_AUTH_MODE=auth-string needs REDIS_AUTH_SECRET (the Secret Manager secret version holding the instance\'s AUTH string) or REDIS_AUTH_TOKEN (the string itself)',
    ]);
    const authString = { REDIS_AUTH_MODE: 'auth-string', REDIS_URL: 'rediss://10.0.0.5:6378' };
    expect(problems({ ...authString, REDIS_AUTH_TOKEN: 'x', REDIS_AUTH_SECRET: SECRET_NAME })).toEqual(['REDIS_AUTH_TOKEN and REDIS_AUTH_SECRET: set one, not both']);
    expect(problems({ ...authString, REDIS_AUTH_SECRET: 'projects/p/secrets/s' })).toEqual([
      'REDIS_AUTH_SECRET="projects/p/secrets/s": expected a secret version name, projects/P/secrets/S/versions/V (V a number or latest)',
    ]);
    expect(problems({ REDIS_URL: 'rediss://10.0.0.5:6378', REDIS_AUTH_SECRET: SECRET_NAME })).toEqual([
      'REDIS_AUTH_SECRET: set, but REDIS_AUTH_MODE is password (only auth-string reads its password from Secret Manager)',
    ]);
    expect(problems({ ...authString, REDIS_AUTH_SECRET: SECRET_NAME, REDIS_AUTH_SECRET_ENDPOINT: 'http://secretmanager.example.com' })).toEqual([
      'REDIS_AUTH_SECRET_ENDPOINT="http://secretmanager.example.com": expected https://host[:port] (http only on loopback): the service account token is sent there',
    ]);
    expect(problems({ ...authString, REDIS_AUTH_TOKEN: 'x', REDIS_AUTH_SECRET_ENDPOINT: 'https://secretmanager.us-east1.rep.googleapis.com' })).toEqual([
      'REDIS_AUTH_SECRET_ENDPOINT: set, but REDIS_AUTH_SECRET is not (the endpoint would never be used)',
    ]);
    expect(problems({ REDIS_AUTH_MODE: 'iam' })).toEqual(['REDIS_AUTH_MODE="iam": expected one of password, auth-string, gcp-iam']);
    expect(problems({ REDIS_TLS_CA: 'not a pem', REDIS_URL: 'rediss://x:1' })).toEqual(['REDIS_TLS_CA: expected PEM certificates (-----BEGIN CERTIFICATE-----)']);
    expect(problems({ REDIS_TLS_CA: '-----BEGIN CERTIFICATE-----', REDIS_URL: 'redis://x:1' })).toEqual([
      'REDIS_TLS_CA: set, but REDIS_URL is not rediss:// (the CA would never be used)',
    ]);
  });

  test('auth-string: the AUTH string is the password of the default user', () => {
    const c = readConfig({ REDIS_AUTH_MODE: 'auth-string', REDIS_URL: 'rediss://10.0.0.5:6378', REDIS_AUTH_TOKEN: 'secret-auth-string' });
    expect(c.cacheAuth.mode).toBe('auth-string');
    expect(c.redisPassword).toBe('secret-auth-string');
  });

  test('auth-string from Secret Manager: the secret version and its endpoint are read; the password is not known yet', () => {
    const c = readConfig({
      REDIS_AUTH_MODE: 'auth-string', REDIS_URL: 'rediss://10.0.0.5:6378', REDIS_AUTH_SECRET: 'projects/123456789/secrets/mcp-redis-auth/versions/1',
      REDIS_AUTH_SECRET_ENDPOINT: 'https://secretmanager.us-east1.rep.googleapis.com',
    });
    expect(c.cacheAuth).toMatchObject({ mode: 'auth-string', authSecret: 'projects/123456789/secrets/mcp-redis-auth/versions/1', secretEndpoint: 'https://secretmanager.us-east1.rep.googleapis.com' });
    expect(c.redisPassword).toBeUndefined();
    // createServer will not connect without the password: the secret must be read first.
    expect(() => createServer({ ...c, port: 0, host: LOOPBACK, logSink: () => undefined })).toThrow(/read it first with resolveCacheSecret\(config\)/);
  });

  test('CRC-32C is the Castagnoli checksum Secret Manager reports', () => {
    // The check value of CRC-32C (RFC 3720 B.4; "123456789" -> 0xE3069283).
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  test('a token is replaced at half its remaining life, at most 10 minutes before expiry', () => {
    expect(refreshLeadMs(3600_000)).toBe(600_000);
    expect(refreshLeadMs(600_000)).toBe(300_000);
    expect(refreshLeadMs(2000)).toBe(1000);
    expect(refreshLeadMs(-5)).toBe(0);
  });
});

/** A stand-in for Secret Manager's versions.access: the payload for the metadata server's token, Google's error shape otherwise. */
class FakeSecretManager {
  public readonly secrets = new Map<string, string>();
  public denied = new Set<string>();
  public corrupt = false;
  public failuresLeft = 0;
  public requests = 0;
  public endpoint = '';
  public bearer = '';
  private readonly server = http.createServer((req, res) => {
    this.requests++;
    const m = /^\/v1\/(projects\/[^/]+\/secrets\/[^/]+\/versions\/[^/:]+):access$/.exec(req.url ?? '');
    const error = (code: number, status: string): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message: status.toLowerCase(), status } }));
    };
    if (req.method !== 'GET' || !m) return error(404, 'NOT_FOUND');
    if (req.headers.authorization !== `Bearer ${this.bearer}`) return error(401, 'UNAUTHENTICATED');
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return error(503, 'UNAVAILABLE');
    }
    if (this.denied.has(m[1])) return error(403, 'PERMISSION_DENIED');
    const value = this.secrets.get(m[1]);
    if (value === undefined) return error(404, 'NOT_FOUND');
    const data = Buffer.from(value);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      name: m[1], payload: { data: data.toString('base64'), dataCrc32c: String(crc32c(data) + (this.corrupt ? 1 : 0)) },
    }));
  });

  public async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, LOOPBACK, resolve));
    this.endpoint = `http://${LOOPBACK}:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('auth-string read from Secret Manager (what the Google topologies render for Memorystore for Redis)', () => {
  const secrets = new FakeSecretManager();
  beforeAll(() => secrets.start());
  afterAll(() => secrets.stop());

  test('the server reads the AUTH string with its service account token, connects over TLS with it and writes; nothing secret is logged', async () => {
    metadata.token = 'token-secret-reader';
    metadata.expiresIn = 3600;
    metadata.failing = false;
    secrets.bearer = metadata.token;
    secrets.secrets.set(SECRET_NAME, 'auth-string-from-secret-manager');
    secrets.failuresLeft = 1; // one transient 503: retried
    const redis = await startTlsRedis(tls, 'auth-string-from-secret-manager');
    const lines: string[] = [];
    const config = await resolveCacheSecret(readConfig({
      REDIS_URL: redis.url, REDIS_AUTH_MODE: 'auth-string', REDIS_TLS_CA: tls.caPem, REDIS_AUTH_SECRET: SECRET_NAME,
      REDIS_AUTH_SECRET_ENDPOINT: secrets.endpoint, GCE_METADATA_HOST: metadata.host, HOST: LOOPBACK, MCP_PORT: '0',
    }), (l) => lines.push(l));
    expect(config.redisPassword).toBe('auth-string-from-secret-manager');
    const server = createServer({ ...config, logSink: (l) => lines.push(l) });
    servers.push(server);
    const { url } = await server.start();
    await waitFor('healthy on the AUTH string from Secret Manager', async () => (await server.readiness()).status === 'healthy', 10_000, 50);
    expect(await write(await connectClient(url), 'from-secret-manager')).toMatchObject({ ok: true });
    expect(lines.join('')).toMatch(/password read from Secret Manager/);
    expect(lines.join('')).toMatch(/retrying/);
    expect(lines.join('')).not.toMatch(/auth-string-from-secret-manager|token-secret-reader/);
    await server.close();
  });

  test('refusals stop at once and name the fix, without the secret: no accessor role (403), no such version (404); a corrupted payload fails its checksum', async () => {
    metadata.token = 'token-secret-refusals';
    secrets.bearer = metadata.token;
    const other = 'projects/123456789/secrets/mcp-redis-auth/versions/2';
    secrets.secrets.set(other, 'never-shown');
    secrets.denied = new Set([other]);
    const access = (name: string, attempts = 3): Promise<string> => accessSecretVersion(name, { metadataHost: metadata.host, endpoint: secrets.endpoint, attempts, retryMs: 10 });
    const before = secrets.requests;
    await expect(access(other)).rejects.toThrow(/^cache password unavailable: Secret Manager answered HTTP 403 PERMISSION_DENIED for projects\/123456789\/secrets\/mcp-redis-auth\/versions\/2: the service account needs roles\/secretmanager\.secretAccessor on the secret$/);
    expect(secrets.requests - before).toBe(1);
    await expect(access('projects/123456789/secrets/absent/versions/latest')).rejects.toThrow(/HTTP 404 NOT_FOUND .*: no such secret version$/);
    secrets.denied = new Set();
    secrets.corrupt = true;
    const corrupted = await access(other, 2).then(() => 'resolved', (e: Error) => e.message);
    expect(corrupted).toMatch(/fails its CRC32C check/);
    expect(corrupted).not.toMatch(/never-shown/);
    secrets.corrupt = false;
    await expect(access(other)).resolves.toBe('never-shown');
    // A token the service does not accept is a 401: retried, then reported.
    secrets.bearer = 'someone-else';
    await expect(access(other, 2)).rejects.toThrow(/HTTP 401 UNAUTHENTICATED/);
  });
});

describe('gcp-iam against a TLS redis-server whose password is the metadata server\'s token', () => {
  test('TLS with the configured CA, AUTH with the token; the token rotates: the open connection is re-authenticated before expiry and writes go on', async () => {
    metadata.token = 'token-rotation-1';
    metadata.expiresIn = 4;
    metadata.failing = false;
    const redis = await startTlsRedis(tls, metadata.token);
    const to = { url: redis.url, ca: tls.caPem, password: metadata.token };
    const server = startServer(redis.url, tls.caPem);
    const { url } = await server.start();
    await waitFor('ready on the token', async () => (await server.readiness()).status === 'healthy', 10_000, 50);
    const r0 = await server.readiness();
    expect(r0.cache).toMatchObject({ reachable: true, credentials: 'ok' });
    const client = await connectClient(url);
    expect(await write(client, 'before-rotation')).toMatchObject({ ok: true });
    const before = String(await admin(to, ['INFO', 'all']));
    const adminBefore = adminConnections;

    // The password changes on the cache; the metadata server issues the new token from now on.
    const next = 'token-rotation-2';
    await admin(to, ['CONFIG', 'SET', 'requirepass', next]);
    metadata.token = next;
    to.password = next;
    // The old token, as the server last got it, expires 4 s after it was handed out.
    const oldExpiresAt = (metadata.servedAt.get('token-rotation-1') as number) + 4000;
    // The server asks again at half the remaining life (2 s), before the old token expires, and re-AUTHs.
    await waitFor('re-authentication with the new token', async () => {
      const info = String(await admin(to, ['INFO', 'all']));
      // AUTH on an authenticated connection: the server's re-authentication (a connection's first AUTH is not counted here).
      return stat(info, 'cmdstat_auth') - stat(before, 'cmdstat_auth') >= 1;
    }, 5000, 100);
    expect(Date.now()).toBeLessThan(oldExpiresAt);
    expect(await write(client, 'after-rotation')).toMatchObject({ ok: true });
    expect(await read(client)).toContain('after-rotation');
    const after = String(await admin(to, ['INFO', 'all']));
    // No AUTH was refused (the server never sent a stale token) and the server did not reconnect:
    // every connection the cache received since the first snapshot was one of this test's own.
    expect(stat(after, 'errorstat_WRONGPASS')).toBe(stat(before, 'errorstat_WRONGPASS'));
    expect(stat(after, 'total_connections_received') - stat(before, 'total_connections_received')).toBe(adminConnections - adminBefore);

    // A reconnection (the cache drops every normal client) authenticates with the current token.
    metadata.expiresIn = 3600;
    await admin(to, ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
    await waitFor('writes after the reconnection', async () => (await write(client, 'after-reconnect')).ok, 10_000, 100);
    expect(stat(String(await admin(to, ['INFO', 'all'])), 'errorstat_WRONGPASS')).toBe(stat(before, 'errorstat_WRONGPASS'));
    expect((await server.readiness()).httpStatus).toBe(200);
    await server.close();
  });

  test('from the environment the Google topologies render (REDIS_URL rediss://, REDIS_AUTH_MODE=gcp-iam) plus the CA and the metadata host: ready, and it writes', async () => {
    metadata.token = 'token-env';
    metadata.expiresIn = 3600;
    metadata.failing = false;
    const redis = await startTlsRedis(tls, metadata.token);
    const server = createServer({
      ...readConfig({
        REDIS_URL: redis.url, REDIS_AUTH_MODE: 'gcp-iam', REDIS_TLS_CA: tls.caPem, GCE_METADATA_HOST: metadata.host,
        HOST: LOOPBACK, MCP_PORT: '0', REPLICA_ID: 'env-replica',
      }),
      logSink: () => undefined,
    });
    servers.push(server);
    const { url } = await server.start();
    await waitFor('healthy', async () => (await server.readiness()).status === 'healthy', 10_000, 50);
    expect(await write(await connectClient(url), 'from-env')).toMatchObject({ ok: true });
    await server.close();
  });

  test('auth-string (Memorystore for Redis): TLS with the CA and the AUTH string as the password; a wrong string never gets in', async () => {
    const redis = await startTlsRedis(tls, 'the-instance-auth-string');
    const env = { REDIS_URL: redis.url, REDIS_AUTH_MODE: 'auth-string', REDIS_TLS_CA: tls.caPem, HOST: LOOPBACK, MCP_PORT: '0' };
    const good = createServer({ ...readConfig({ ...env, REDIS_AUTH_TOKEN: 'the-instance-auth-string' }), logSink: () => undefined });
    const bad = createServer({ ...readConfig({ ...env, REDIS_AUTH_TOKEN: 'a-stale-auth-string' }), logSink: () => undefined, cacheGraceSeconds: 0 });
    servers.push(good, bad);
    const [{ url }] = await Promise.all([good.start(), bad.start()]);
    await waitFor('healthy on the AUTH string', async () => (await good.readiness()).status === 'healthy', 10_000, 50);
    expect((await good.readiness()).cache.credentials).toBe('static');
    expect(await write(await connectClient(url), 'auth-string')).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 500));
    expect(await bad.readiness()).toMatchObject({ httpStatus: 503, cache: { reachable: false } });
    await Promise.all([good.close(), bad.close()]);
  });

  test('REDIS_TLS_SERVERNAME: the certificate is checked against that name instead of the address; a name it does not carry fails', async () => {
    metadata.token = 'token-servername';
    metadata.expiresIn = 3600;
    metadata.failing = false;
    const redis = await startTlsRedis(tls, metadata.token);
    const env = { REDIS_URL: redis.url, REDIS_AUTH_MODE: 'gcp-iam', REDIS_TLS_CA: tls.caPem, GCE_METADATA_HOST: metadata.host, HOST: LOOPBACK, MCP_PORT: '0' };
    const named = createServer({ ...readConfig({ ...env, REDIS_TLS_SERVERNAME: 'cache.memorystore.test' }), logSink: () => undefined, cacheGraceSeconds: 0 });
    const wrong = createServer({ ...readConfig({ ...env, REDIS_TLS_SERVERNAME: 'other.memorystore.test' }), logSink: () => undefined, cacheGraceSeconds: 0 });
    servers.push(named, wrong);
    await Promise.all([named.start(), wrong.start()]);
    await waitFor('healthy with the name the certificate carries', async () => (await named.readiness()).status === 'healthy', 10_000, 50);
    await new Promise((r) => setTimeout(r, 500));
    expect((await wrong.readiness())).toMatchObject({ httpStatus: 503, cache: { reachable: false } });
    expect(() => readConfig({ ...env, REDIS_URL: 'redis://x:1', REDIS_AUTH_MODE: 'password', REDIS_TLS_CA: undefined, REDIS_TLS_SERVERNAME: 'a b' }))
      .toThrow(/REDIS_TLS_SERVERNAME: set, but REDIS_URL is not rediss:\/\/\n {2}- REDIS_TLS_SERVERNAME="a b": expected a host name/);
    await Promise.all([named.close(), wrong.close()]);
  });

  test('without the instance CA the TLS handshake fails: the server never reaches the cache (public roots do not sign it)', async () => {
    metadata.token = 'token-ca';
    metadata.expiresIn = 3600;
    const redis = await startTlsRedis(tls, metadata.token);
    const server = startServer(redis.url, tls.otherCaPem, { cacheGraceSeconds: 0 });
    await server.start();
    const requestsBefore = metadata.requests;
    await new Promise((r) => setTimeout(r, 1000));
    const r = await server.readiness();
    expect(r.httpStatus).toBe(503);
    expect(r.cache.reachable).toBe(false);
    expect(metadata.requests - requestsBefore).toBe(0); // TLS failed before any AUTH was due
    await server.close();
  });

  test('the metadata server fails: readiness 503 naming the credentials, liveness 200; it answers again: ready', async () => {
    metadata.token = 'token-outage';
    metadata.expiresIn = 3600;
    metadata.failing = true;
    const redis = await startTlsRedis(tls, metadata.token);
    const server = startServer(redis.url, tls.caPem);
    const { port } = await server.start();
    const base = `http://${LOOPBACK}:${port}`;
    await waitFor('the metadata server asked', () => metadata.requests > 0, 5000, 50);
    const res = await fetch(`${base}/health/ready`);
    const body = await res.json() as { status: string; reason: string; cache: { credentials: string } };
    expect(res.status).toBe(503);
    expect(body).toMatchObject({ status: 'unhealthy', reason: 'cache credentials unavailable: the metadata server gives no access token', cache: { credentials: 'unavailable' } });
    // Nothing secret in the answer: no token, no metadata address.
    expect(JSON.stringify(body)).not.toMatch(/token-outage|127\.0\.0\.1|metadata\.google/);
    expect(await httpStatus(`${base}/health/live`)).toBe(200);
    expect(metadata.refusedForHeader).toBe(0);

    metadata.failing = false;
    await waitFor('healthy once the metadata server answers', async () => (await server.readiness()).status === 'healthy', 10_000, 100);
    expect(await httpStatus(`${base}/health/ready`)).toBe(200);
    const client = await connectClient(`${base}/mcp`);
    expect(await write(client, 'after-metadata-outage')).toMatchObject({ ok: true });
    await server.close();
  });
});
