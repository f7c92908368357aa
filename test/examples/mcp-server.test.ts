/**
 * The reference MCP server against a real redis-server (started here on a random
 * loopback port, without persistence, stopped by pid at the end) and the real SDK
 * client, in both protocol eras. redis-server must be installed: CI installs it;
 * a missing binary fails the suite with that message rather than skipping it.
 */
import { mkdtempSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createClient } from 'redis';
import { bundleServer } from '../../examples/mcp-server/build';
import {
  ConfigError, ReferenceServer, SERVER_ENV, STATUS_RESOURCE_URI, createServer, defaultCacheGraceSeconds, originCheck, readConfig,
} from '../../examples/mcp-server/src';
import {
  CacheWriteEnv, CacheWriteModel, CacheWritePlan, RegionWriteMode, regionHealthPolicy,
} from '../../lib/core/cache-write-model';
import { ASSUMPTIONS, Cloud } from '../../lib/core/failover-budget';
import { AvailabilityTier, resolveTier } from '../../lib/core/tiers';
import { timeoutEnvironment } from '../../lib/core/server-source';
import {
  LOOPBACK, ProcessGroup, RedisHandle, freePort, httpStatus, requireBinary, startRedis, waitFor,
} from '../../scripts/drill/processes';

jest.setTimeout(60_000);

type Era = 'modern' | 'legacy';

interface Seen { method: string; status: number; sessionId: string | null }

async function connect(url: string, era: Era, seen: Seen[] = []): Promise<Client> {
  const client = new Client(
    { name: `test-${era}`, version: '1.0.0' },
    era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  );
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    fetch: async (input, init) => {
      const r = await fetch(input, init);
      seen.push({ method: init?.method ?? 'GET', status: r.status, sessionId: r.headers.get('mcp-session-id') });
      return r;
    },
  });
  await client.connect(transport);
  return client;
}

function structured<T = Record<string, unknown>>(r: { structuredContent?: unknown }): T {
  return r.structuredContent as T;
}

const group = new ProcessGroup('mcp-server-test-');
const servers: ReferenceServer[] = [];
const clients: Client[] = [];
let redis: RedisHandle;

function start(options: Parameters<typeof createServer>[0] = {}, logs?: string[]): ReferenceServer {
  const s = createServer({
    port: 0, host: LOOPBACK, redisUrl: redis.url, replicaId: 'replica-a',
    logSink: (line) => logs?.push(line),
    ...options,
  });
  servers.push(s);
  return s;
}

beforeAll(async () => {
  requireBinary('redis-server');
  redis = await startRedis(group);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled(servers.map((s) => s.close()));
  await group.stopAll();
});

describe('configuration', () => {
  test('reads the timeout chain core renders into the environment', () => {
    // GIVEN the variables core produces for the business-critical tier
    const chain = resolveTier(AvailabilityTier.BUSINESS_CRITICAL, { timeouts: { longestToolCallSeconds: 60, drainSeconds: 70 } }).timeouts;
    const env = { ...timeoutEnvironment(chain), [SERVER_ENV.PORT]: '9000', REDIS_URL: 'rediss://cache.internal:6379', REDIS_AUTH_TOKEN: 's3cret', REPLICA_ID: 'r7' };
    // WHEN the server reads them
    const config = readConfig(env);
    // THEN it runs with the same numbers
    expect(config.timeouts).toEqual({
      requestTimeoutSeconds: chain.originReadTimeoutSeconds,
      keepAliveSeconds: chain.keepAliveSeconds,
      drainSeconds: 70,
      longestToolCallSeconds: 60,
    });
    expect(config).toMatchObject({ port: 9000, redisUrl: 'rediss://cache.internal:6379', redisPassword: 's3cret', replicaId: 'r7' });
    expect(config.keepAliveTimeoutSeconds).toBeGreaterThan(chain.idleTimeoutSeconds);
  });

  test('PORT is the fallback for MCP_PORT; defaults are 8080 and the mission-critical chain', () => {
    expect(readConfig({ PORT: '8181' }).port).toBe(8181);
    expect(readConfig({ PORT: '8181', MCP_PORT: '8282' }).port).toBe(8282);
    const d = readConfig({});
    expect(d.port).toBe(8080);
    expect(d.timeouts).toEqual({ requestTimeoutSeconds: 150, keepAliveSeconds: 15, drainSeconds: 130, longestToolCallSeconds: 120 });
  });

  test('refuses a broken chain and bad values, naming every variable at once', () => {
    expect(() => readConfig({ MCP_DRAIN_SECONDS: '10', MCP_LONGEST_TOOL_CALL_SECONDS: '30', MCP_REQUEST_TIMEOUT_SECONDS: '20', PORT: 'x', REDIS_URL: 'http://x' }))
      .toThrow(ConfigError);
    try {
      readConfig({ MCP_DRAIN_SECONDS: '10', MCP_LONGEST_TOOL_CALL_SECONDS: '30', MCP_REQUEST_TIMEOUT_SECONDS: '20', PORT: 'x', REDIS_URL: 'http://x' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/MCP_LONGEST_TOOL_CALL_SECONDS \(30\) must be less than MCP_REQUEST_TIMEOUT_SECONDS \(20\)/);
      expect(msg).toMatch(/MCP_DRAIN_SECONDS \(10\) must be at least MCP_LONGEST_TOOL_CALL_SECONDS \(30\)/);
      expect(msg).toMatch(/PORT="x"/);
      expect(msg).toMatch(/REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    }
  });
});

describe('tools over Streamable HTTP with the real SDK client', () => {
  let url: string;
  let urlB: string;
  const logs: string[] = [];

  beforeAll(async () => {
    url = (await start({}, logs).start()).url;
    urlB = (await start({ replicaId: 'replica-b' }).start()).url;
  });

  test.each<Era>(['modern', 'legacy'])('%s client: lists and calls every tool, reads the status resource, no session', async (era) => {
    // GIVEN a client of one protocol era
    const seen: Seen[] = [];
    const client = await connect(url, era, seen);
    clients.push(client);
    expect(client.getNegotiatedProtocolVersion()).toBe(era === 'modern' ? '2026-07-28' : '2025-11-25');

    // WHEN it lists and calls the tools
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    const set = await client.callTool({ name: 'context_lookup', arguments: { handle: `user-${era}`, key: 'topic', action: 'set', value: 'failover', ttlSeconds: 60 } });
    const get = await client.callTool({ name: 'context_lookup', arguments: { handle: `user-${era}`, key: 'topic' } });
    const missing = await client.callTool({ name: 'context_lookup', arguments: { handle: `user-${era}`, key: 'never-set' } });
    const info = await client.callTool({ name: 'server_info', arguments: {} });
    const echo = await client.callTool({ name: 'slow_echo', arguments: { message: 'hi', delayMs: 20 } });
    const status = await client.readResource({ uri: STATUS_RESOURCE_URI });

    // THEN each answers, and the server never hands out a session
    expect(tools).toEqual(['context_lookup', 'server_info', 'slow_echo']);
    expect(structured(set)).toMatchObject({ action: 'set', found: true, ttlSeconds: 60, replica: 'replica-a' });
    expect(structured(get)).toMatchObject({ action: 'get', found: true, value: 'failover' });
    expect(structured(missing)).toMatchObject({ found: false });
    expect(structured(info)).toMatchObject({ replica: 'replica-a', name: 'mcp-ha-reference', draining: false });
    expect(structured<{ uptimeSeconds: number }>(info).uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(structured(echo)).toEqual({ message: 'hi', delayMs: 20, replica: 'replica-a' });
    expect(JSON.parse((status.contents[0] as { text: string }).text)).toMatchObject({ replica: 'replica-a', redisReady: true });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s.sessionId === null)).toBe(true);
    if (era === 'modern') expect(seen.every((s) => s.method === 'POST')).toBe(true); // no initialize, no GET stream
  });

  test('any replica serves any request: state lives in Redis, not in the process', async () => {
    const a = await connect(url, 'modern');
    const b = await connect(urlB, 'legacy');
    clients.push(a, b);
    await a.callTool({ name: 'context_lookup', arguments: { handle: 'shared', key: 'k', action: 'set', value: 'from-a' } });
    const got = await b.callTool({ name: 'context_lookup', arguments: { handle: 'shared', key: 'k' } });
    expect(structured(got)).toMatchObject({ found: true, value: 'from-a', replica: 'replica-b' });
    await b.callTool({ name: 'context_lookup', arguments: { handle: 'shared', key: 'k', action: 'delete' } });
    expect(structured(await a.callTool({ name: 'context_lookup', arguments: { handle: 'shared', key: 'k' } }))).toMatchObject({ found: false });
  });

  test('bad arguments are refused: slow_echo beyond the longest tool call, keys with a separator', async () => {
    const client = await connect(url, 'modern');
    clients.push(client);
    const tooSlow = await client.callTool({ name: 'slow_echo', arguments: { message: 'x', delayMs: 121_000 } }).catch((e: Error) => ({ isError: true, error: e.message }));
    expect(tooSlow.isError).toBe(true);
    const badKey = await client.callTool({ name: 'context_lookup', arguments: { handle: 'a:b', key: 'k' } }).catch((e: Error) => ({ isError: true, error: e.message }));
    expect(badKey.isError).toBe(true);
    const noValue = await client.callTool({ name: 'context_lookup', arguments: { handle: 'a', key: 'k', action: 'set' } });
    expect(noValue.isError).toBe(true);
  });

  test('logs one JSON line per request with request id, method, tool, status and duration', async () => {
    const client = await connect(url, 'modern');
    clients.push(client);
    await client.callTool({ name: 'server_info', arguments: {} });
    await fetch(url.replace('/mcp', '/health/live'), { headers: { 'x-request-id': 'probe-123' } });
    const lines = logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const call = lines.find((l) => l.msg === 'request' && l.tool === 'server_info');
    expect(call).toMatchObject({ level: 'info', replica: 'replica-a', httpMethod: 'POST', path: '/mcp', rpcMethod: 'tools/call', status: 200 });
    expect(call?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof call?.durationMs).toBe('number');
    expect(lines.find((l) => l.path === '/health/live')).toMatchObject({ requestId: 'probe-123', status: 200 });
  });
});

describe('health', () => {
  test('liveness 200; readiness 200 when Redis answers fast', async () => {
    const s = start();
    const { port } = await s.start();
    // Polled until healthy: on a loaded machine a PING may exceed the 250 ms degraded threshold once.
    let body: Record<string, unknown> = {};
    await waitFor('healthy', async () => {
      const r = await fetch(`http://${LOOPBACK}:${port}/health/ready`);
      body = await r.json() as Record<string, unknown>;
      return r.status === 200 && body.status === 'healthy';
    }, 10_000);
    expect(await httpStatus(`http://${LOOPBACK}:${port}/health/live`)).toBe(200);
    expect(body).toMatchObject({ status: 'healthy', cache: { reachable: true, role: 'primary', canWrite: true } });
    // Nothing sensitive: no replica (host) name, no cache address
    expect(JSON.stringify(body)).not.toMatch(/replica-a|127\.0\.0\.1|redis:\/\//);
    expect(await (await fetch(`http://${LOOPBACK}:${port}/health/live`)).json()).toEqual({ status: 'alive', draining: false });
  });

  test('readiness 429 (degraded) while Redis is slower than the threshold', async () => {
    // GIVEN a server that calls Redis degraded above 50 ms
    const s = start({ degradedLatencyMs: 50, redisTimeoutMs: 3000 });
    const { port } = await s.start();
    await waitFor('ready', async () => (await httpStatus(`http://${LOOPBACK}:${port}/health/ready`)) === 200, 5000);
    // WHEN Redis stalls every client for 600 ms (CLIENT PAUSE: no debug command needed)
    const admin = createClient({ url: redis.url });
    await admin.connect();
    try {
      await admin.sendCommand(['CLIENT', 'PAUSE', '600', 'ALL']);
      const r = await fetch(`http://${LOOPBACK}:${port}/health/ready`);
      // THEN readiness reports degraded with the latency it measured
      expect(r.status).toBe(429);
      const body = await r.json() as { status: string; redisLatencyMs: number };
      expect(body.status).toBe('degraded');
      expect(body.redisLatencyMs).toBeGreaterThan(50);
    } finally {
      await admin.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => undefined);
      admin.destroy();
    }
    await waitFor('ready again', async () => (await httpStatus(`http://${LOOPBACK}:${port}/health/ready`)) === 200, 5000);
  });

  test('the grace period: core\'s region-health policy (slowest in-region cache failover + one probe interval) unless CACHE_GRACE_SECONDS says otherwise', () => {
    const slowest = Math.max(...[Cloud.AWS, Cloud.AZURE, Cloud.GCP].map((c) => ASSUMPTIONS.cacheAutomaticFailover[c].seconds));
    const interval = resolveTier(AvailabilityTier.MISSION_CRITICAL).healthProbe.intervalSeconds;
    expect(defaultCacheGraceSeconds()).toBe(regionHealthPolicy(slowest, interval).cacheGraceSeconds);
    expect(readConfig({}).cacheGraceSeconds).toBe(slowest + interval);
    expect(readConfig({ [CacheWriteEnv.DEPENDENCY_GRACE_SECONDS]: '12' }).cacheGraceSeconds).toBe(12);
  });

  test('readiness tolerates an unreachable cache for the grace period, then 503; liveness never depends on the cache; tools fail clearly; both recover', async () => {
    // GIVEN a server on its own Redis with a 2 s grace period
    const own = await startRedis(group, { name: 'redis-outage' });
    const s = start({ redisUrl: own.url, replicaId: 'replica-outage', cacheGraceSeconds: 2 });
    const { port, url } = await s.start();
    const ready = `http://${LOOPBACK}:${port}/health/ready`;
    const live = `http://${LOOPBACK}:${port}/health/live`;
    // Healthy, not merely 200: a probe before the first connection counts as unreachable, and a
    // "cache-grace" 200 then would start the grace period before Redis stops.
    await waitFor('healthy', async () => (await s.readiness()).status === 'healthy', 5000);
    const client = await connect(url, 'modern');
    clients.push(client);
    // WHEN Redis stops
    const stoppedAt = Date.now();
    await group.stop(own.process);
    // THEN readiness stays 200 ("cache-grace") while the outage is shorter than the grace period
    const during = await fetch(ready);
    const duringBody = await during.json() as { status: string; cache: { reachable: boolean; canWrite: boolean; graceSeconds: number } };
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    expect(during.status).toBe(200);
    expect(duringBody).toMatchObject({ status: 'cache-grace', cache: { reachable: false, canWrite: false, graceSeconds: 2 } });
    // AND turns 503 once the outage outlasts it (not before)
    await waitFor('503', async () => (await httpStatus(ready)) === 503, 5000, 50);
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2000);
    const body = await (await fetch(ready)).json() as { status: string; reason: string };
    expect(body.status).toBe('unhealthy');
    expect(body.reason).toMatch(/^cache unreachable for [\d.]+ s \(grace 2 s\)$/);
    // Nothing sensitive: the cache's address and the client's error text stay in the log
    expect(JSON.stringify(body)).not.toContain(String(own.port));
    expect(await httpStatus(live)).toBe(200);
    const failed = await client.callTool({ name: 'context_lookup', arguments: { handle: 'h', key: 'k' } });
    expect(failed.isError).toBe(true);
    expect(JSON.stringify(failed.content)).toMatch(/context store unavailable/);
    expect(structured(await client.callTool({ name: 'server_info', arguments: {} }))).toMatchObject({ replica: 'replica-outage' });
    // WHEN Redis comes back on the same port THEN both recover without a restart of the server
    await startRedis(group, { port: own.port, name: 'redis-outage-restarted' });
    await waitFor('200 after restart', async () => (await httpStatus(ready)) === 200, 10_000);
    const ok = await client.callTool({ name: 'context_lookup', arguments: { handle: 'h', key: 'k', action: 'set', value: 'v' } });
    expect(ok.isError).toBeFalsy();
  });
});

/** A raw HTTP request (fetch cannot set Host): status and body. */
function rawRequest(port: number, opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: LOOPBACK, port, method: opts.method ?? 'GET', path: opts.path ?? '/mcp', headers: opts.headers, setHost: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A complete 2026-07-28 tools/list request (per-request envelope, Mcp-Method header), as a browser page would send it. */
const LIST_TOOLS = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'tools/list',
  params: {
    _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {},
      'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
    },
  },
});
const MCP_HEADERS = {
  'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/list',
};

describe('transport security (MCP: validate Origin on every request; Host against the service\'s names)', () => {
  let loopbackPort: number;
  let publicPort: number;

  beforeAll(async () => {
    // A server with the loopback names only, and one with the service's names as a topology
    // renders them into MCP_ALLOWED_HOSTS (both bound to loopback: tests bind nothing else).
    loopbackPort = (await start({ replicaId: 'sec-loopback' }).start()).port;
    const named = readConfig({ HOST: '0.0.0.0', [SERVER_ENV.ALLOWED_HOSTS]: 'mcp.example.com, mcp.eu-west-1.example.com' });
    publicPort = (await start({ allowedHosts: named.allowedHosts, replicaId: 'sec-public' }).start()).port;
  });

  const post = (port: number, headers: Record<string, string>) => rawRequest(port, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: LIST_TOOLS });

  test('no Origin (a non-browser MCP client) passes; an allowed Origin passes', async () => {
    expect((await post(loopbackPort, { host: `127.0.0.1:${loopbackPort}` })).status).toBe(200);
    expect((await post(loopbackPort, { host: `localhost:${loopbackPort}`, origin: `http://localhost:${loopbackPort}` })).status).toBe(200);
    expect((await post(publicPort, { host: 'mcp.example.com', origin: 'https://mcp.example.com' })).status).toBe(200);
  });

  test('a foreign Origin gets 403 with a JSON-RPC error, on the MCP path and on every other path', async () => {
    const r = await post(loopbackPort, { host: `127.0.0.1:${loopbackPort}`, origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Invalid Origin: evil.example' } });
    // a rebinding page served from attacker.example, now resolving to 127.0.0.1
    expect((await post(loopbackPort, { host: `attacker.example:${loopbackPort}`, origin: `http://attacker.example:${loopbackPort}` })).status).toBe(403);
    expect((await rawRequest(loopbackPort, { path: '/health/ready', headers: { host: `127.0.0.1:${loopbackPort}`, origin: 'https://evil.example' } })).status).toBe(403);
    expect((await post(publicPort, { host: 'mcp.example.com', origin: 'https://mcp.example.com.evil.example' })).status).toBe(403);
  });

  test('the opaque "null" Origin and an unparsable Origin get 403 (deny on failure)', async () => {
    expect((await post(loopbackPort, { host: `127.0.0.1:${loopbackPort}`, origin: 'null' })).status).toBe(403);
    expect((await post(loopbackPort, { host: `127.0.0.1:${loopbackPort}`, origin: 'not a url' })).status).toBe(403);
  });

  test('a Host outside the allow-list gets 403; health paths are exempt (load balancers probe by IP)', async () => {
    const r = await post(publicPort, { host: 'evil.example' });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ error: { message: 'Invalid Host: evil.example' } });
    expect((await post(publicPort, { host: '10.0.1.23:8080' })).status).toBe(403);
    expect((await post(loopbackPort, { host: `attacker.example:${loopbackPort}` })).status).toBe(403);
    expect((await post(publicPort, { host: 'mcp.eu-west-1.example.com:443' })).status).toBe(200);
    expect((await rawRequest(publicPort, { path: '/health/ready', headers: { host: '10.0.1.23:8080' } })).status).toBe(200);
    expect((await rawRequest(publicPort, { path: '/health/live', headers: { host: '10.0.1.23:8080' } })).status).toBe(200);
  });

  test('without names on a non-loopback bind the Host check is off, and every browser Origin is refused', async () => {
    // (not started: tests bind to loopback only; the pipeline is what createServer builds from this config)
    const open = createServer({ host: '0.0.0.0', redisUrl: redis.url, logSink: () => undefined });
    expect(open.config.allowedHosts).toEqual([]);
    expect(open.config.allowedOrigins).toEqual([]);
    const refused = await originCheck(open.config.allowedOrigins)(
      new Request('http://anything.example/mcp', { method: 'POST', headers: { origin: 'https://anything.example' } }),
      { path: '/mcp', health: false, fields: {} },
    );
    expect(refused?.status).toBe(403);
    expect(originCheck([])(new Request('http://anything.example/mcp', { method: 'POST' }), { path: '/mcp', health: false, fields: {} })).toBeUndefined();
    await open.close().catch(() => undefined);
  });

  test('MCP_ALLOWED_HOSTS and MCP_ALLOWED_ORIGINS: names only, loopback names added on a loopback bind; bad entries refused', () => {
    expect(readConfig({ HOST: '127.0.0.1', [SERVER_ENV.ALLOWED_HOSTS]: 'MCP.example.com' }).allowedHosts)
      .toEqual(['localhost', '127.0.0.1', '[::1]', 'mcp.example.com']);
    expect(readConfig({ HOST: '0.0.0.0', [SERVER_ENV.ALLOWED_HOSTS]: 'mcp.example.com' }).allowedOrigins).toEqual(['mcp.example.com']);
    expect(readConfig({ HOST: '0.0.0.0', [SERVER_ENV.ALLOWED_HOSTS]: 'mcp.example.com', [SERVER_ENV.ALLOWED_ORIGINS]: 'app.example.com' }).allowedOrigins)
      .toEqual(['app.example.com']);
    expect(readConfig({}).allowedHosts).toEqual([]);
    expect(() => readConfig({ [SERVER_ENV.ALLOWED_HOSTS]: 'https://mcp.example.com,*', [SERVER_ENV.ALLOWED_ORIGINS]: 'https://*' }))
      .toThrow(/MCP_ALLOWED_HOSTS: "https:\/\/mcp.example.com" is not a host name[\s\S]*MCP_ALLOWED_HOSTS: "\*" is not a host name[\s\S]*MCP_ALLOWED_ORIGINS: "https:\/\/\*" is not a host name/);
  });
});

describe('writes under the cache write model (a real redis-server replica: replicaof, replica-read-only yes)', () => {
  // GIVEN the single-writer plan core renders for two regions, us-east-1 holding the writer
  const plan = CacheWritePlan.of({ model: CacheWriteModel.SINGLE_WRITER, regions: ['us-east-1', 'eu-west-1'] });
  let primary: RedisHandle;
  let replica: RedisHandle;
  let east: Client;
  let west: Client;
  let westPort: number;
  let eastPort: number;

  const set = (c: Client, value: string) => c.callTool({ name: 'context_lookup', arguments: { handle: 'wm', key: 'k', action: 'set', value } });
  const get = async (c: Client) => structured<{ value?: string }>(await c.callTool({ name: 'context_lookup', arguments: { handle: 'wm', key: 'k' } })).value;
  const text = (r: { content?: unknown }) => (r.content as { text: string }[])[0].text;
  const readiness = async (port: number) => (await fetch(`http://${LOOPBACK}:${port}/health/ready`)).json() as Promise<{ status: string; cache: { role: string; canWrite: boolean } }>;
  const admin = async <T>(port: number, cmd: string[]): Promise<T> => {
    const c = createClient({ url: `redis://${LOOPBACK}:${port}` });
    await c.connect();
    try {
      return await c.sendCommand(cmd) as T;
    } finally {
      c.destroy();
    }
  };

  beforeAll(async () => {
    primary = await startRedis(group, { name: 'redis-us-east-1' });
    replica = await startRedis(group, { name: 'redis-eu-west-1', replicaOf: primary.port });
    await waitFor('replica in sync', async () => /master_link_status:up/.test(await admin<string>(replica.port, ['INFO', 'replication'])), 10_000);
    const serverFor = (region: string, redisUrl: string) => {
      const cfg = readConfig({ ...plan.environmentFor(region, 30), HOST: LOOPBACK, REDIS_URL: redisUrl, REPLICA_ID: region });
      return start({ ...cfg, port: 0 });
    };
    const e = await serverFor('us-east-1', primary.url).start();
    const w = await serverFor('eu-west-1', replica.url).start();
    eastPort = e.port;
    westPort = w.port;
    east = await connect(e.url, 'modern');
    west = await connect(w.url, 'legacy');
    clients.push(east, west);
  });

  test('the server reads the environment the plan renders', () => {
    const cfg = readConfig({ ...plan.environmentFor('eu-west-1', 30) });
    expect(cfg).toMatchObject({
      writeModel: CacheWriteModel.SINGLE_WRITER, writeMode: RegionWriteMode.READ_ONLY_UNLESS_PROMOTED, region: 'eu-west-1', writerRegion: 'us-east-1', cacheGraceSeconds: 30,
    });
    expect(() => readConfig({ [CacheWriteEnv.MODEL]: 'single-writer' })).toThrow(/CACHE_WRITE_MODEL=single-writer needs SERVICE_REGION and CACHE_WRITER_REGION/);
    expect(() => readConfig({ [CacheWriteEnv.MODEL]: 'multi', [CacheWriteEnv.MODE]: 'read-only-unless-promoted' }))
      .toThrow(/CACHE_WRITE_MODEL="multi": expected one of single-region, multi-writer, single-writer[\s\S]*CACHE_WRITE_MODE=read-only-unless-promoted needs CACHE_WRITE_MODEL=single-writer/);
  });

  test('the writer region writes; the replica region serves the replicated value and refuses writes with a clear tool error naming the writer', async () => {
    expect((await set(east, 'from-east')).isError).toBeFalsy();
    await waitFor('replicated', async () => (await get(west)) === 'from-east', 5000, 50);
    const refused = await set(west, 'from-west');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^this region \(eu-west-1\) is read-only: writes are served by us-east-1 \(single-writer cache/);
    const del = await west.callTool({ name: 'context_lookup', arguments: { handle: 'wm', key: 'k', action: 'delete' } });
    expect(del.isError).toBe(true);
    expect(text(del)).toMatch(/^this region \(eu-west-1\) is read-only/);
    // the write really did not happen
    expect(await get(east)).toBe('from-east');
    // readiness: the replica region is ready (it serves reads) and says it cannot write
    expect(await readiness(westPort)).toMatchObject({ status: 'healthy', cache: { role: 'replica', canWrite: false } });
    expect(await readiness(eastPort)).toMatchObject({ status: 'healthy', cache: { role: 'primary', canWrite: true } });
  });

  test('after a promotion (the replica becomes master) the region writes without a restart; the demoted region refuses clearly', async () => {
    // WHEN eu-west-1's member is promoted and us-east-1's becomes its replica (a failover)
    await admin(replica.port, ['REPLICAOF', 'NO', 'ONE']);
    await admin(primary.port, ['REPLICAOF', LOOPBACK, String(replica.port)]);
    // THEN eu-west-1 writes, same server process
    const ok = await set(west, 'from-west');
    expect(ok.isError).toBeFalsy();
    expect(structured(ok)).toMatchObject({ value: 'from-west', replica: 'eu-west-1' });
    expect(await readiness(westPort)).toMatchObject({ cache: { role: 'primary', canWrite: true } });
    // AND us-east-1, the deployment-time writer, now refuses writes and says why
    await waitFor('east replicating', async () => (await get(east)) === 'from-west', 10_000, 100);
    const refused = await set(east, 'from-east-again');
    expect(refused.isError).toBe(true);
    expect(text(refused)).toMatch(/^this region \(us-east-1\) is read-only: its cache member is a replica now/);
    expect(await readiness(eastPort)).toMatchObject({ cache: { role: 'replica', canWrite: false } });
  });
});

describe('graceful shutdown', () => {
  test('fails readiness at once, refuses new connections, finishes the in-flight call, then stops', async () => {
    // GIVEN a slow call in flight
    const s = start({ replicaId: 'replica-drain', timeouts: { drainSeconds: 10, longestToolCallSeconds: 5, requestTimeoutSeconds: 8 } });
    const { port, url } = await s.start();
    const client = await connect(url, 'modern');
    clients.push(client);
    const call = client.callTool({ name: 'slow_echo', arguments: { message: 'in flight', delayMs: 1500 } });
    await waitFor('call in flight', () => s.inFlight >= 1, 3000, 10);

    // WHEN the server is told to stop (what SIGTERM does)
    const t0 = Date.now();
    const stopped = s.shutdown('SIGTERM');

    // THEN readiness fails at once and new connections are refused
    expect(await s.readiness()).toMatchObject({ httpStatus: 503, status: 'draining' });
    expect(await httpStatus(`http://${LOOPBACK}:${port}/health/live`, 500)).toBe(0);
    // AND the in-flight call completes without error, after which the server stops
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(structured(result)).toMatchObject({ message: 'in flight', replica: 'replica-drain' });
    expect(await stopped).toMatchObject({ drained: true, cut: 0 });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('a call longer than the drain window is cut when the window ends', async () => {
    const s = start({ replicaId: 'replica-cut', timeouts: { drainSeconds: 1, longestToolCallSeconds: 5, requestTimeoutSeconds: 8 } });
    const { url } = await s.start();
    const client = await connect(url, 'legacy');
    clients.push(client);
    const call = client.callTool({ name: 'slow_echo', arguments: { message: 'too long', delayMs: 4000 } }).then(
      () => 'completed', () => 'failed',
    );
    await waitFor('call in flight', () => s.inFlight >= 1, 3000, 10);
    const t0 = Date.now();
    const r = await s.shutdown('SIGTERM');
    expect(r).toMatchObject({ drained: false, cut: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(Date.now() - t0).toBeLessThan(3500);
    expect(await call).toBe('failed');
  });
});

describe('bundle (dist/server.js)', () => {
  test('is self-contained: runs from an empty directory, serves MCP, drains on SIGTERM and exits 0', async () => {
    // GIVEN the bundle in a directory with no node_modules
    const dir = mkdtempSync(join(tmpdir(), 'mcp-bundle-'));
    const file = await bundleServer(join(dir, 'server.js'));
    const port = await freePort();
    const lines: string[] = [];
    const proc = group.spawn('bundled-server', process.execPath, [file], {
      env: { PATH: process.env.PATH, HOST: LOOPBACK, PORT: String(port), REDIS_URL: redis.url, REPLICA_ID: 'bundled' },
      onLine: (l) => lines.push(l),
    });
    // WHEN it starts
    await waitFor('bundle ready', async () => (await httpStatus(`http://${LOOPBACK}:${port}/health/ready`)) === 200, 15_000);
    const client = await connect(`http://${LOOPBACK}:${port}/mcp`, 'modern');
    const info = await client.callTool({ name: 'server_info', arguments: {} });
    await client.close();
    // THEN it answers as the replica it was told to be, and SIGTERM ends it cleanly
    expect(structured(info)).toMatchObject({ replica: 'bundled' });
    const slow = fetch(`http://${LOOPBACK}:${port}/health/live`).then((r) => r.status);
    expect(await slow).toBe(200);
    group.signal(proc, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([proc.exited, new Promise<'timeout'>((r) => { timer = setTimeout(() => r('timeout'), 10_000); })]);
    clearTimeout(timer);
    expect(exit).toEqual({ code: 0, signal: null });
    const parsed = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(parsed.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'draining', 'stopped']));
  });
});
