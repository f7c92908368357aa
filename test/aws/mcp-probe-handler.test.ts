import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  CachedValue,
  ENV,
  ProbeFailure,
  ProbeMode,
  SESSION_PROTOCOL_VERSION,
  STATELESS_PROTOCOL_VERSION,
  metricRecord,
  pickSecret,
  probeMcp,
  resetTokenCache,
  runProbe,
  shouldFallBack,
} from '../../lib/aws/mcp-probe-handler';

/** One request as the test server saw it. */
interface Seen {
  readonly httpMethod: string;
  readonly rpcMethod?: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body?: { id?: number; method?: string; params?: Record<string, unknown> };
}

type Handler = (seen: Seen, res: http.ServerResponse) => void;

interface TestServer {
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** A local MCP server on 127.0.0.1 (no external network). */
async function startServer(handle: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const body = raw ? (JSON.parse(raw) as Seen['body']) : undefined;
      const s: Seen = { httpMethod: req.method ?? '', rpcMethod: body?.method, headers: req.headers, body };
      seen.push(s);
      open.add(res);
      res.on('close', () => open.delete(res));
      handle(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        open.forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers as an SSE stream; `keepOpen` leaves the stream open after the response (allowed by the transport). */
function sse(res: http.ServerResponse, messages: unknown[], headers: Record<string, string> = {}, keepOpen = false): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', ...headers });
  res.write(': keep-alive comment\n\n');
  for (const m of messages) {
    const text = JSON.stringify(m);
    // Split the JSON over two data: lines (after a comma, where JSON allows the newline
    // the SSE parser rejoins them with) to exercise multi-line events.
    const half = text.indexOf(',') + 1;
    res.write(`event: message\nid: 1\ndata: ${text.slice(0, half)}\ndata: ${text.slice(half)}\n\n`);
  }
  if (!keepOpen) res.end();
}

const tools = (n: number, prefix = 't'): { name: string; inputSchema: object }[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, inputSchema: { type: 'object' } }));

/** (a) A 2026-07-28 server: server/discover and paginated tools/list, plain JSON, no session. */
const modernServer: Handler = (s, res) => {
  const meta = s.body?.params?._meta as Record<string, unknown> | undefined;
  if (s.headers['mcp-protocol-version'] !== STATELESS_PROTOCOL_VERSION || meta?.['io.modelcontextprotocol/protocolVersion'] !== STATELESS_PROTOCOL_VERSION) {
    return json(res, 400, { jsonrpc: '2.0', id: s.body?.id ?? null, error: { code: -32004, message: 'Unsupported protocol version' } });
  }
  if (s.rpcMethod === 'server/discover') {
    return json(res, 200, {
      jsonrpc: '2.0',
      id: s.body?.id,
      result: {
        resultType: 'complete',
        supportedVersions: [STATELESS_PROTOCOL_VERSION, SESSION_PROTOCOL_VERSION],
        capabilities: { tools: {} },
        serverInfo: { name: 'modern', version: '1' },
      },
    });
  }
  if (s.rpcMethod === 'tools/list') {
    const second = s.body?.params?.cursor === 'page-2';
    return json(res, 200, {
      jsonrpc: '2.0',
      id: s.body?.id,
      result: second ? { tools: tools(2, 'b') } : { tools: tools(3, 'a'), nextCursor: 'page-2' },
    });
  }
  return json(res, 200, { jsonrpc: '2.0', id: s.body?.id, error: { code: -32601, message: 'Method not found' } });
};

/**
 * (b) A 2025-11-25 server: server/discover is -32601, initialize mints a session,
 * answers come as SSE (tools/list keeps its stream open), DELETE ends the session.
 */
function oldServer(options: { discoverStatus?: number; session?: boolean } = {}): Handler {
  const session = options.session ?? true;
  return (s, res) => {
    if (s.httpMethod === 'DELETE') {
      res.writeHead(s.headers['mcp-session-id'] === 'sess-1' ? 200 : 404);
      return void res.end();
    }
    if (s.rpcMethod === 'server/discover') {
      return json(res, options.discoverStatus ?? 200, { jsonrpc: '2.0', id: s.body?.id, error: { code: -32601, message: 'Method not found' } });
    }
    if (s.rpcMethod === 'initialize') {
      return sse(
        res,
        [{ jsonrpc: '2.0', id: s.body?.id, result: { protocolVersion: SESSION_PROTOCOL_VERSION, capabilities: { tools: {} }, serverInfo: { name: 'old', version: '1' } } }],
        session ? { 'Mcp-Session-Id': 'sess-1' } : {},
      );
    }
    if (session && s.headers['mcp-session-id'] !== 'sess-1') {
      return json(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32000, message: 'Bad Request: No valid session ID provided' } });
    }
    if (s.rpcMethod === 'notifications/initialized') {
      res.writeHead(202);
      return void res.end();
    }
    if (s.rpcMethod === 'tools/list' && s.headers['mcp-protocol-version'] === SESSION_PROTOCOL_VERSION) {
      // A notification for someone else first, then the answer; the stream stays open.
      return sse(res, [{ jsonrpc: '2.0', method: 'notifications/message', params: {} }, { jsonrpc: '2.0', id: s.body?.id, result: { tools: tools(4) } }], {}, true);
    }
    return json(res, 200, { jsonrpc: '2.0', id: s.body?.id, error: { code: -32601, message: 'Method not found' } });
  };
}

describe('probeMcp', () => {
  describe('(a) a 2026-07-28 server', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer(modernServer);
    });
    afterAll(() => server.close());

    test('succeeds statelessly: server/discover then every page of tools/list', async () => {
      // GIVEN a stateless server
      // WHEN probed
      const outcome = await probeMcp({ url: server.url, timeoutMs: 5000 });
      // THEN success, stateless mode, the tools of both pages counted, no fallback
      expect(outcome).toMatchObject({ success: true, mode: ProbeMode.STATELESS, protocolVersion: STATELESS_PROTOCOL_VERSION, toolCount: 5, fellBack: false });
      expect(outcome.latencyMs).toBeGreaterThanOrEqual(0);
      expect(server.seen.map((s) => s.rpcMethod)).toEqual(['server/discover', 'tools/list', 'tools/list']);
      // AND every request carries the MCP headers and no session
      for (const s of server.seen) {
        expect(s.headers.accept).toBe('application/json, text/event-stream');
        expect(s.headers['content-type']).toBe('application/json');
        expect(s.headers['mcp-protocol-version']).toBe(STATELESS_PROTOCOL_VERSION);
        expect(s.headers['mcp-session-id']).toBeUndefined();
        expect(s.headers.authorization).toBeUndefined();
      }
      expect(server.seen[2].body?.params?.cursor).toBe('page-2');
    });

    test('sends the bearer token when one is given', async () => {
      server.seen.length = 0;
      await probeMcp({ url: server.url, timeoutMs: 5000, authToken: 'tok-123' });
      expect(server.seen.every((s) => s.headers.authorization === 'Bearer tok-123')).toBe(true);
    });

    test('fails with too-few-tools when the server lists fewer than minToolCount', async () => {
      const outcome = await probeMcp({ url: server.url, timeoutMs: 5000, minToolCount: 6 });
      expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.TOO_FEW_TOOLS, toolCount: 5 });
    });
  });

  describe('(b) a 2025-11-25 server', () => {
    test('falls back to initialize + session + SSE and deletes the session', async () => {
      // GIVEN a server that answers server/discover with -32601 and speaks SSE with sessions
      const server = await startServer(oldServer());
      try {
        // WHEN probed
        const outcome = await probeMcp({ url: server.url, timeoutMs: 5000 });
        // THEN success through the session flow
        expect(outcome).toMatchObject({ success: true, mode: ProbeMode.SESSION, protocolVersion: SESSION_PROTOCOL_VERSION, toolCount: 4, fellBack: true, sessionClosed: true });
        expect(server.seen.map((s) => `${s.httpMethod} ${s.rpcMethod ?? ''}`.trim())).toEqual([
          'POST server/discover',
          'POST initialize',
          'POST notifications/initialized',
          'POST tools/list',
          'DELETE',
        ]);
        // AND initialize asked for 2025-11-25 with empty capabilities and client info
        const init = server.seen[1].body?.params;
        expect(init).toMatchObject({ protocolVersion: SESSION_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'mcp-ha-probe' } });
        // AND later requests carry the session and the negotiated version
        for (const s of server.seen.slice(2)) {
          expect(s.headers['mcp-session-id']).toBe('sess-1');
          expect(s.headers['mcp-protocol-version']).toBe(SESSION_PROTOCOL_VERSION);
        }
      } finally {
        await server.close();
      }
    });

    test('falls back on HTTP 400 too, and skips DELETE when the server minted no session', async () => {
      const server = await startServer(oldServer({ discoverStatus: 400, session: false }));
      try {
        const outcome = await probeMcp({ url: server.url, timeoutMs: 5000 });
        expect(outcome).toMatchObject({ success: true, mode: ProbeMode.SESSION, fellBack: true, sessionClosed: false, toolCount: 4 });
        expect(server.seen.some((s) => s.httpMethod === 'DELETE')).toBe(false);
        expect(server.seen[2].headers['mcp-session-id']).toBeUndefined();
      } finally {
        await server.close();
      }
    });
  });

  describe('(c) a broken server', () => {
    test('HTTP 500: failure, no fallback', async () => {
      const server = await startServer((_s, res) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error');
      });
      try {
        const outcome = await probeMcp({ url: server.url, timeoutMs: 5000 });
        expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.HTTP, httpStatus: 500, mode: ProbeMode.STATELESS, fellBack: false });
        expect(outcome.toolCount).toBeUndefined();
        expect(server.seen).toHaveLength(1);
      } finally {
        await server.close();
      }
    });

    test('no answer: timeout at the deadline', async () => {
      // GIVEN a server that never answers
      const server = await startServer(() => undefined);
      try {
        const started = Date.now();
        const outcome = await probeMcp({ url: server.url, timeoutMs: 300 });
        // THEN a timeout, reported promptly
        expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.TIMEOUT, fellBack: false });
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await server.close();
      }
    });

    test('an SSE stream that never sends the answer: timeout', async () => {
      const server = await startServer((_s, res) => sse(res, [{ jsonrpc: '2.0', method: 'notifications/progress', params: {} }], {}, true));
      try {
        const outcome = await probeMcp({ url: server.url, timeoutMs: 300 });
        expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.TIMEOUT });
      } finally {
        await server.close();
      }
    });

    test('connection refused: network failure', async () => {
      const server = await startServer(() => undefined);
      const url = server.url;
      await server.close();
      const outcome = await probeMcp({ url, timeoutMs: 2000 });
      expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.NETWORK });
    });

    test('401: failure, no fallback (the session flow would meet the same refusal)', async () => {
      const server = await startServer((_s, res) => json(res, 401, { error: 'unauthorized' }));
      try {
        const outcome = await probeMcp({ url: server.url, timeoutMs: 2000 });
        expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.HTTP, httpStatus: 401 });
        expect(server.seen).toHaveLength(1);
      } finally {
        await server.close();
      }
    });

    test('a 2025-11-25 server whose tools/list fails: failure after fallback, session still deleted', async () => {
      const base = oldServer();
      const server = await startServer((s, res) =>
        s.rpcMethod === 'tools/list' ? json(res, 200, { jsonrpc: '2.0', id: s.body?.id, error: { code: -32603, message: 'boom' } }) : base(s, res),
      );
      try {
        const outcome = await probeMcp({ url: server.url, timeoutMs: 2000 });
        expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.JSON_RPC, jsonRpcCode: -32603, mode: ProbeMode.SESSION, fellBack: true, sessionClosed: true });
        expect(server.seen.at(-1)?.httpMethod).toBe('DELETE');
      } finally {
        await server.close();
      }
    });

    test('a 200 that is not JSON: protocol failure', async () => {
      const server = await startServer((_s, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html>login</html>');
      });
      try {
        const outcome = await probeMcp({ url: server.url, timeoutMs: 2000 });
        expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.PROTOCOL });
      } finally {
        await server.close();
      }
    });
  });

  test('shouldFallBack: JSON-RPC errors and 4xx refusals fall back; 5xx, 401, timeouts do not', () => {
    expect(shouldFallBack(ProbeFailure.JSON_RPC)).toBe(true);
    expect([400, 404, 405, 406, 415, 422].every((s) => shouldFallBack(ProbeFailure.HTTP, s))).toBe(true);
    expect([401, 403, 500, 502, 503].some((s) => shouldFallBack(ProbeFailure.HTTP, s))).toBe(false);
    expect(shouldFallBack(ProbeFailure.TIMEOUT)).toBe(false);
    expect(shouldFallBack(ProbeFailure.NETWORK)).toBe(false);
  });
});

describe('metricRecord (EMF)', () => {
  const target = { namespace: 'McpHa/Probe', endpoint: 'https://mcp.example.com/mcp' };

  test('success: Success 1, LatencyMs and ToolCount under the Endpoint dimension', () => {
    const record = metricRecord({ success: true, latencyMs: 42, toolCount: 7, mode: ProbeMode.STATELESS, protocolVersion: STATELESS_PROTOCOL_VERSION, fellBack: false }, target, 1700000000000);
    expect(record).toMatchObject({
      _aws: {
        Timestamp: 1700000000000,
        CloudWatchMetrics: [
          {
            Namespace: 'McpHa/Probe',
            Dimensions: [['Endpoint']],
            Metrics: [{ Name: 'Success', Unit: 'Count' }, { Name: 'LatencyMs', Unit: 'Milliseconds' }, { Name: 'ToolCount', Unit: 'Count' }],
          },
        ],
      },
      Endpoint: target.endpoint,
      Success: 1,
      LatencyMs: 42,
      ToolCount: 7,
    });
    // AND no StorageResolution: standard resolution, as Route 53 alarm health checks require
    expect(JSON.stringify(record)).not.toContain('StorageResolution');
  });

  test('failure: Success 0 only (a timeout is not a latency sample)', () => {
    const record = metricRecord({ success: false, latencyMs: 10000, mode: ProbeMode.STATELESS, protocolVersion: STATELESS_PROTOCOL_VERSION, fellBack: false, failure: ProbeFailure.TIMEOUT, error: 'x' }, target, 1);
    expect(record.Success).toBe(0);
    expect(record).not.toHaveProperty('LatencyMs');
    expect(record).not.toHaveProperty('ToolCount');
    expect((record._aws as { CloudWatchMetrics: { Metrics: unknown[] }[] }).CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'Success', Unit: 'Count' }]);
    expect(record.failure).toBe('timeout');
  });
});

describe('runProbe (the Lambda handler body)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer((s, res) => {
      if (s.headers.authorization !== 'Bearer secret-token') return json(res, 401, {});
      return modernServer(s, res);
    });
  });
  afterAll(() => server.close());
  beforeEach(() => resetTokenCache());

  test('reads the token once per cache period, probes, and writes one bare EMF line', async () => {
    // GIVEN an endpoint that needs a bearer token held in a secret
    const lines: string[] = [];
    let reads = 0;
    let clock = 1_000_000;
    const env = {
      [ENV.url]: server.url,
      [ENV.endpoint]: 'primary',
      [ENV.namespace]: 'Test/Probe',
      [ENV.timeoutMs]: '5000',
      [ENV.tokenSecretArn]: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:tok',
      [ENV.tokenJsonField]: 'token',
      [ENV.tokenCacheSeconds]: '300',
    };
    const deps = {
      write: (l: string) => lines.push(l),
      clock: () => clock,
      readSecret: async (id: string, field?: string) => {
        reads++;
        expect(id).toBe(env[ENV.tokenSecretArn]);
        return pickSecret(JSON.stringify({ token: 'secret-token' }), field);
      },
    };
    // WHEN the probe runs twice within the cache period, then once after it
    const first = await runProbe(env, deps);
    clock += 60_000;
    await runProbe(env, deps);
    clock += 300_000;
    await runProbe(env, deps);
    // THEN the secret was read twice (not three times) and every run succeeded
    expect(first.success).toBe(true);
    expect(reads).toBe(2);
    expect(lines).toHaveLength(3);
    // AND each line is bare JSON (no console.log prefix) ending in a newline
    expect(lines[0].endsWith('\n')).toBe(true);
    const record = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(record).toMatchObject({ Endpoint: 'primary', Success: 1, ToolCount: 5 });
    expect((record._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0].Namespace).toBe('Test/Probe');
  });

  test('an unreadable secret is an error, not a Success 0 (the alarm sees missing data)', async () => {
    const lines: string[] = [];
    await expect(
      runProbe({ [ENV.url]: server.url, [ENV.tokenSecretArn]: 'arn:x' }, { write: (l) => lines.push(l), readSecret: async () => Promise.reject(new Error('AccessDenied')) }),
    ).rejects.toThrow(/AccessDenied/);
    expect(lines).toHaveLength(0);
  });

  test('without MCP_PROBE_URL it refuses to run', async () => {
    await expect(runProbe({})).rejects.toThrow(/MCP_PROBE_URL is not set/);
  });
});

describe('CachedValue and pickSecret', () => {
  test('concurrent callers share one load; failures are not cached', async () => {
    let loads = 0;
    let fail = true;
    const cache = new CachedValue(async () => {
      loads++;
      if (fail) throw new Error('first load fails');
      return 'v';
    }, 1000, () => 0);
    await expect(cache.get()).rejects.toThrow('first load fails');
    fail = false;
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect([a, b]).toEqual(['v', 'v']);
    expect(loads).toBe(2);
  });

  test('pickSecret: whole string or one JSON field', () => {
    expect(pickSecret(' plain \n')).toBe('plain');
    expect(pickSecret('{"token":"t"}', 'token')).toBe('t');
    expect(() => pickSecret('{"other":"t"}', 'token')).toThrow(/no string field 'token'/);
    expect(() => pickSecret(undefined)).toThrow(/no SecretString/);
  });
});
