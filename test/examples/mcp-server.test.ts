/**
 * The reference MCP server against a real redis-server (started here on a random
 * loopback port, without persistence, stopped by pid at the end) and the real SDK
 * client, in both protocol eras. redis-server must be installed: CI installs it;
 * a missing binary fails the suite with that message rather than skipping it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createClient } from 'redis';
import { bundleServer } from '../../examples/mcp-server/build';
import {
  ConfigError, ReferenceServer, SERVER_ENV, STATUS_RESOURCE_URI, createServer, readConfig,
} from '../../examples/mcp-server/src';
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
    await waitFor('ready', async () => (await httpStatus(`http://${LOOPBACK}:${port}/health/ready`)) === 200, 5000);
    expect(await httpStatus(`http://${LOOPBACK}:${port}/health/live`)).toBe(200);
    const body = await (await fetch(`http://${LOOPBACK}:${port}/health/ready`)).json();
    expect(body).toMatchObject({ status: 'healthy', replica: 'replica-a' });
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

  test('readiness 503 while Redis is unreachable; Redis tools fail as tool errors; both recover', async () => {
    // GIVEN a server on its own Redis
    const own = await startRedis(group, { name: 'redis-outage' });
    const s = start({ redisUrl: own.url, replicaId: 'replica-outage' });
    const { port, url } = await s.start();
    const ready = `http://${LOOPBACK}:${port}/health/ready`;
    await waitFor('ready', async () => (await httpStatus(ready)) === 200, 5000);
    const client = await connect(url, 'modern');
    clients.push(client);
    // WHEN Redis stops
    await group.stop(own.process);
    // THEN readiness is 503 with the reason, context_lookup is a tool error, server_info still answers
    await waitFor('503', async () => (await httpStatus(ready)) === 503, 5000);
    const body = await (await fetch(ready)).json() as { status: string; reason: string };
    expect(body.status).toBe('unhealthy');
    expect(body.reason).toMatch(/^redis: /);
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
