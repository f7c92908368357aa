/**
 * The reference MCP server: Streamable HTTP at POST /mcp (2026-07-28 per-request
 * serving, plus stateless serving for 2025-11-25 clients), health endpoints for
 * load balancers and supervisors, one JSON log line per request, and a graceful
 * drain on shutdown.
 *
 * Plain `node:http` in front of the SDK's web-standard handler
 * (`createMcpHandler(...).fetch`): the bridge below is the few lines the
 * `@modelcontextprotocol/node` adapter would otherwise provide.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMcpHandler } from '@modelcontextprotocol/server';
import type { AuthInfo } from '@modelcontextprotocol/server';
import { CacheWriteModel, RegionWriteMode } from '../../../lib/core/cache-write-model';
import { ServerConfig, ServerTimeouts, defaultTimeouts, isLoopbackBind, readConfig, withLoopbackNames } from './config';
import { LogSink, createLogger, errorFields } from './logger';
import { mcpServerFactory } from './mcp';
import { CacheRole, ContextStore } from './store';
import type { CredentialsState } from './cache-credentials';
import { accessSecretVersion } from './secret-manager';
import { bearerAuthStep, toolScopes } from './auth';
import { hostCheck, originCheck } from './transport-security';
import { version as PACKAGE_VERSION } from '../../../package.json';

/** What the request pipeline knows about a request before it is routed. */
export interface RequestContext {
  /** The path, without the query string. */
  readonly path: string;
  /** True for the liveness and readiness paths (probes: exempt from the Host check and from authentication). */
  readonly health: boolean;
  /** Fields added to the request's log line. */
  readonly fields: Record<string, unknown>;
  /** Set by an authentication step; passed to the MCP handler as `authInfo`. */
  authInfo?: AuthInfo;
}

/**
 * One step of the request pipeline, run in order before routing on a body-less copy of
 * the request (method, URL, headers): return a Response to answer the request with it
 * (a 403, a 401, a metadata document), or undefined to let it through. The built-in
 * steps are the transport-security checks (Origin, then Host); `createServer`'s `steps`
 * run after them (e.g. bearer authentication, setting `ctx.authInfo`).
 */
export type RequestStep = (request: Request, ctx: RequestContext) => Response | undefined | Promise<Response | undefined>;

/** `createServer` options: any `ServerConfig` field, plus where logs go. */
export interface CreateServerOptions extends Partial<Omit<ServerConfig, 'timeouts'>> {
  readonly timeouts?: Partial<ServerTimeouts>;
  /** Steps after the transport-security checks, before routing. @default - none */
  readonly steps?: readonly RequestStep[];
  /** Receives each JSON log line (with its trailing newline). @default - stdout */
  readonly logSink?: LogSink;
  /** Reported by `server_info` and the MCP `serverInfo`. @default - the package version */
  readonly version?: string;
}

/**
 * Readiness as the load balancer sees it. Nothing sensitive: no host names, addresses or
 * error texts of the cache, no replica name (a host name by default); those go to the log.
 */
export interface Readiness {
  /**
   * 200 healthy, or the cache unreachable for less than the grace period (`cache-grace`);
   * 429 degraded (the cache answers slower than the threshold); 503 unhealthy (the cache
   * unreachable for the grace period or longer) or draining.
   */
  readonly httpStatus: 200 | 429 | 503;
  readonly status: 'healthy' | 'degraded' | 'cache-grace' | 'unhealthy' | 'draining';
  readonly region: string;
  readonly writeModel: CacheWriteModel;
  readonly cache: {
    readonly reachable: boolean;
    readonly latencyMs?: number;
    /** The member's role read at run time (ROLE / INFO replication). */
    readonly role: CacheRole;
    /**
     * This instance can write now: the cache answers and its member is not a read-only replica
     * (a member whose role cannot be read counts as writable: a write still learns otherwise).
     */
    readonly canWrite: boolean;
    /** Deployment-time mode of this region (`CACHE_WRITE_MODE`). */
    readonly mode: RegionWriteMode;
    /** Seconds the cache has been unreachable (only while it is). */
    readonly unreachableSeconds?: number;
    readonly graceSeconds: number;
    /**
     * The cache credentials: `static` (a fixed password or none); with REDIS_AUTH_MODE=gcp-iam the
     * access token's state: `ok`, `refresh-failing` (the metadata server fails, the current token is
     * still valid), `unavailable` (no valid token: the cache cannot be reached, an instance fault).
     */
    readonly credentials: CredentialsState;
  };
  /** Same as cache.latencyMs (kept for log fields and existing dashboards). */
  readonly redisLatencyMs?: number;
  readonly reason?: string;
}

/** What a graceful shutdown did. */
export interface DrainResult {
  /** True when every in-flight request finished within the drain window. */
  readonly drained: boolean;
  /** Requests still running when the drain window ended (their connections were closed). */
  readonly cut: number;
  readonly seconds: number;
}

export interface ReferenceServer {
  readonly config: ServerConfig;
  /** Listens; resolves with the bound port and the MCP endpoint URL. */
  start(): Promise<{ readonly port: number; readonly url: string }>;
  /** The readiness verdict, as GET /health/ready would answer now. */
  readiness(): Promise<Readiness>;
  /**
   * Graceful stop: readiness fails at once (503), the listener closes (new
   * connections are refused, so the load balancer retries them elsewhere), in-flight
   * requests run to completion within the drain window, then everything closes.
   */
  shutdown(reason?: string): Promise<DrainResult>;
  /** Immediate stop: connections are dropped. */
  close(): Promise<void>;
  readonly inFlight: number;
  readonly draining: boolean;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createServer(options: CreateServerOptions = {}): ReferenceServer {
  const { logSink, version: versionOption, timeouts: timeoutOptions, steps: extraSteps, ...rest } = options;
  const base = readConfig({});
  const merged: ServerConfig = {
    ...base,
    ...definedOnly(rest),
    timeouts: { ...defaultTimeouts(), ...definedOnly(timeoutOptions ?? {}) },
  };
  // The loopback names follow the bind address the options chose.
  const config: ServerConfig = {
    ...merged,
    allowedHosts: withLoopbackNames(merged.host, rest.allowedHosts ?? []),
    allowedOrigins: withLoopbackNames(merged.host, rest.allowedOrigins ?? rest.allowedHosts ?? []),
  };
  if (config.cacheAuth.authSecret && !config.redisPassword) {
    throw new Error(`the cache password is in Secret Manager (${config.cacheAuth.authSecret}): read it first with resolveCacheSecret(config) (runFromEnvironment does)`);
  }
  const steps: readonly RequestStep[] = [
    originCheck(config.allowedOrigins),
    ...(config.allowedHosts.length > 0 ? [hostCheck(config.allowedHosts)] : []),
    // OAuth 2.1 resource server (MCP authorization) when MCP_AUTH_ISSUER is set: after Origin/Host, before routing.
    ...(config.auth ? [bearerAuthStep(config.auth, config.mcpPath, { logger: createLogger({ replica: config.replicaId }, logSink) })] : []),
    ...(extraSteps ?? []),
  ];
  const version = versionOption ?? PACKAGE_VERSION;
  const logger = createLogger({ replica: config.replicaId }, logSink);
  const store = new ContextStore({
    url: config.redisUrl,
    password: config.redisPassword,
    username: config.redisUsername,
    cluster: config.redisCluster,
    authMode: config.cacheAuth.mode,
    metadataHost: config.cacheAuth.metadataHost,
    tlsCa: config.cacheAuth.tlsCa,
    tlsServername: config.cacheAuth.tlsServername,
    ttlSeconds: config.contextTtlSeconds,
    commandTimeoutMs: config.redisTimeoutMs,
    reconnectMaxMs: config.redisReconnectMaxMs,
    // A region meant to write that meets a read-only member reconnects (in-region failover).
    reconnectOnReadOnly: config.writeMode === RegionWriteMode.LOCAL,
    logger,
  });

  let draining = false;
  const inFlight = new Set<http.ServerResponse>();
  const startedAt = Date.now();
  const handler = createMcpHandler(
    mcpServerFactory({
      store,
      replicaId: config.replicaId,
      version,
      startedAt,
      longestToolCallSeconds: config.timeouts.longestToolCallSeconds,
      contextTtlSeconds: config.contextTtlSeconds,
      isDraining: () => draining,
      placement: { writeModel: config.writeModel, region: config.region, writerRegion: config.writerRegion },
      scopes: toolScopes(config.auth),
    }),
    {
      legacy: 'stateless',
      keepAliveMs: config.timeouts.keepAliveSeconds * 1000,
      maxRequestBodySize: MAX_BODY_BYTES,
      onerror: (err) => logger.warn('mcp handler error', errorFields(err)),
    },
  );

  const graceSeconds = config.cacheGraceSeconds;
  const readiness = async (): Promise<Readiness> => {
    const base = { region: config.region, writeModel: config.writeModel };
    const mode = config.writeMode;
    const credentials = store.credentials.state;
    if (draining) {
      return { ...base, httpStatus: 503, status: 'draining', cache: { reachable: store.isReady, role: store.role, canWrite: false, mode, graceSeconds, credentials }, reason: 'shutting down' };
    }
    const probe = await store.probe(config.redisTimeoutMs);
    if (!probe.ok && store.credentials.state === 'unavailable') {
      // No access token (the metadata server fails): this instance cannot authenticate, whatever
      // the cache does. An instance fault, not a cache failover: no grace period. Liveness stays 200.
      const unreachableSeconds = Math.floor((Date.now() - (store.unreachableSinceMs ?? Date.now())) / 100) / 10;
      return {
        ...base, httpStatus: 503, status: 'unhealthy',
        cache: { reachable: false, role: store.role, canWrite: false, mode, unreachableSeconds, graceSeconds, credentials: 'unavailable' },
        reason: 'cache credentials unavailable: the metadata server gives no access token',
      };
    }
    if (!probe.ok) {
      // Instance health vs region health (core's regionHealthPolicy): a cache that is
      // unreachable for less than the grace period (an in-region failover) keeps the
      // instance in service, so the region is not moved; longer, and it is taken out.
      const unreachableMs = Date.now() - (store.unreachableSinceMs ?? Date.now());
      const unreachableSeconds = Math.floor(unreachableMs / 100) / 10;
      const cache = { reachable: false, role: store.role, canWrite: false, mode, unreachableSeconds, graceSeconds, credentials: store.credentials.state };
      if (unreachableMs < graceSeconds * 1000) {
        return { ...base, httpStatus: 200, status: 'cache-grace', cache, reason: `cache unreachable for ${unreachableSeconds} s, within the ${graceSeconds} s grace period` };
      }
      return { ...base, httpStatus: 503, status: 'unhealthy', cache, reason: `cache unreachable for ${unreachableSeconds} s (grace ${graceSeconds} s)` };
    }
    const cache = { reachable: true, latencyMs: probe.latencyMs, role: probe.role, canWrite: probe.role !== 'replica', mode, graceSeconds, credentials: store.credentials.state };
    if (probe.latencyMs > config.degradedLatencyMs) {
      return {
        ...base, httpStatus: 429, status: 'degraded', cache, redisLatencyMs: probe.latencyMs,
        reason: `cache latency ${probe.latencyMs} ms exceeds ${config.degradedLatencyMs} ms`,
      };
    }
    return { ...base, httpStatus: 200, status: 'healthy', cache, redisLatencyMs: probe.latencyMs };
  };

  const httpServer = http.createServer((req, res) => {
    void handle(req, res);
  });
  // The server must not close an idle connection the load balancer is about to reuse.
  httpServer.keepAliveTimeout = config.keepAliveTimeoutSeconds * 1000;
  httpServer.headersTimeout = Math.min(60_000, httpServer.keepAliveTimeout + 1000);
  httpServer.requestTimeout = config.timeouts.requestTimeoutSeconds * 1000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = headerValue(req.headers['x-request-id']) ?? randomUUID();
    const fields: Record<string, unknown> = { requestId, httpMethod: req.method, path: pathOf(req.url) };
    res.setHeader('x-request-id', requestId);
    inFlight.add(res);
    let logged = false;
    const finish = (): void => {
      inFlight.delete(res);
      if (!logged) {
        logged = true;
        const durationMs = Math.round((performance.now() - started) * 10) / 10;
        const aborted = !res.writableFinished;
        logger.log(res.statusCode >= 500 || aborted ? 'warn' : 'info', 'request', {
          ...fields, status: res.statusCode, durationMs, ...(aborted ? { aborted: true } : {}),
        });
      }
      if (draining) httpServer.closeIdleConnections();
    };
    res.on('close', finish);
    if (draining) res.setHeader('connection', 'close');

    try {
      const path = pathOf(req.url);
      const ctx: RequestContext = { path, health: path === config.livenessPath || path === config.readinessPath, fields };
      const head = headRequest(req);
      for (const step of steps) {
        const answer = await step(head, ctx);
        if (answer) {
          fields.refused = answer.status;
          await writeResponse(answer, res, new AbortController().signal);
          return;
        }
      }
      if (path === config.livenessPath && (req.method === 'GET' || req.method === 'HEAD')) {
        // Liveness never depends on the cache: the process runs, that is all it says.
        sendJson(res, 200, { status: 'alive', draining });
      } else if (path === config.readinessPath && (req.method === 'GET' || req.method === 'HEAD')) {
        const r = await readiness();
        Object.assign(fields, {
          readiness: r.status, redisLatencyMs: r.redisLatencyMs, cacheRole: r.cache.role,
          ...(r.cache.unreachableSeconds !== undefined ? { cacheUnreachableSeconds: r.cache.unreachableSeconds } : {}),
        });
        const { httpStatus, ...body } = r;
        sendJson(res, httpStatus, body);
      } else if (path === config.mcpPath) {
        await serveMcp(req, res, fields, ctx);
      } else {
        sendJson(res, 404, { error: 'not found' });
      }
    } catch (err) {
      logger.error('request failed', { requestId, ...errorFields(err) });
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    }
  }

  async function serveMcp(req: http.IncomingMessage, res: http.ServerResponse, fields: Record<string, unknown>, ctx: RequestContext): Promise<void> {
    let body: Buffer | undefined;
    let parsedBody: unknown;
    if (req.method === 'POST') {
      body = await readBody(req, MAX_BODY_BYTES);
      if (body === undefined) {
        sendJson(res, 413, { error: `request body over ${MAX_BODY_BYTES} bytes` });
        return;
      }
      try {
        parsedBody = JSON.parse(body.toString('utf8'));
        Object.assign(fields, describeRpc(parsedBody));
      } catch {
        parsedBody = undefined; // the SDK answers the parse error
      }
    }
    const protocolVersion = headerValue(req.headers['mcp-protocol-version']);
    if (protocolVersion) fields.protocolVersion = protocolVersion;

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
    });
    const timeoutMs = config.timeouts.requestTimeoutSeconds * 1000;
    const timer = setTimeout(() => abort.abort(new Error(`request timeout ${config.timeouts.requestTimeoutSeconds} s`)), timeoutMs);
    try {
      const request = new Request(requestUrl(req), {
        method: req.method,
        headers: toHeaders(req.headers),
        body: body && body.length > 0 ? body : undefined,
        signal: abort.signal,
      });
      const response = await Promise.race([
        handler.fetch(request, {
          ...(parsedBody === undefined ? {} : { parsedBody }),
          ...(ctx.authInfo ? { authInfo: ctx.authInfo } : {}),
        }),
        new Promise<'timeout'>((resolve) => abort.signal.addEventListener('abort', () => resolve('timeout'), { once: true })),
      ]);
      if (response === 'timeout') {
        if (!res.headersSent && !res.destroyed) {
          sendJson(res, 504, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'request timed out' } });
        }
        return;
      }
      await writeResponse(response, res, abort.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  let port = 0;
  return {
    config,
    get inFlight() { return inFlight.size; },
    get draining() { return draining; },
    readiness,
    async start() {
      store.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      port = (httpServer.address() as AddressInfo).port;
      const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      logger.info('listening', {
        host: config.host, port, mcpPath: config.mcpPath, version, timeouts: config.timeouts,
        degradedLatencyMs: config.degradedLatencyMs, cacheGraceSeconds: config.cacheGraceSeconds,
        region: config.region, writeModel: config.writeModel, writeMode: config.writeMode,
        allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins,
      });
      if (config.allowedHosts.length === 0) {
        logger.warn(`Host check off: ${'MCP_ALLOWED_HOSTS'} names none of the service's names and the bind address `
          + `${config.host} is not loopback; every request with a browser Origin is refused`, { bindLoopback: isLoopbackBind(config.host) });
      }
      return { port, url: `http://${host}:${port}${config.mcpPath}` };
    },
    async shutdown(reason = 'shutdown') {
      const t0 = performance.now();
      draining = true;
      logger.info('draining', { reason, inFlight: inFlight.size, drainSeconds: config.timeouts.drainSeconds });
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      const deadline = Date.now() + config.timeouts.drainSeconds * 1000;
      while (inFlight.size > 0 && Date.now() < deadline) {
        await delay(Math.min(50, Math.max(1, deadline - Date.now())));
      }
      const cut = inFlight.size;
      if (cut > 0) {
        logger.warn('drain window over: closing connections with requests in flight', { cut });
        httpServer.closeAllConnections();
      }
      await closed;
      await handler.close();
      await store.stop();
      const seconds = Math.round((performance.now() - t0) / 100) / 10;
      logger.info('stopped', { reason, drained: cut === 0, cut, seconds });
      return { drained: cut === 0, cut, seconds };
    },
    async close() {
      draining = true;
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await closed;
      await handler.close();
      await store.stop();
    },
  };
}

/**
 * The configuration with the cache password read from Secret Manager when `REDIS_AUTH_SECRET`
 * names it (Memorystore for Redis AUTH string on Google), unchanged otherwise. Throws, without
 * the secret, when it cannot be read (the unit restarts the server, which tries again).
 */
export async function resolveCacheSecret(config: ServerConfig, logSink?: LogSink): Promise<ServerConfig> {
  const name = config.cacheAuth.authSecret;
  if (!name || config.redisPassword) return config;
  const password = await accessSecretVersion(name, {
    metadataHost: config.cacheAuth.metadataHost,
    endpoint: config.cacheAuth.secretEndpoint,
    logger: createLogger({ replica: config.replicaId }, logSink),
  });
  return { ...config, redisPassword: password };
}

/** Reads the environment (and the cache password from Secret Manager when named) and runs until SIGTERM/SIGINT (the bundle's entry point calls this). */
export async function runFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<ReferenceServer> {
  const server = createServer(await resolveCacheSecret(readConfig(env)));
  await server.start();
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    server.shutdown(signal).then(
      (r) => process.exit(r.drained ? 0 : 1),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return server;
}

async function writeResponse(response: Response, res: http.ServerResponse, signal: AbortSignal): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const onAbort = (): void => {
    void reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await new Promise<void>((resolve) => res.once('drain', resolve));
    }
    res.end();
  } catch {
    if (!res.destroyed) res.destroy();
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** JSON-RPC method, id and tool name for the log line (a batch logs its first message). */
function describeRpc(body: unknown): Record<string, unknown> {
  const msg = Array.isArray(body) ? body[0] : body;
  if (!msg || typeof msg !== 'object') return {};
  const m = msg as { method?: unknown; id?: unknown; params?: { name?: unknown; uri?: unknown } };
  const out: Record<string, unknown> = {};
  if (typeof m.method === 'string') out.rpcMethod = m.method;
  if (m.id !== undefined) out.rpcId = m.id;
  if (m.method === 'tools/call' && typeof m.params?.name === 'string') out.tool = m.params.name;
  if (m.method === 'resources/read' && typeof m.params?.uri === 'string') out.resource = m.params.uri;
  if (Array.isArray(body)) out.batch = body.length;
  return out;
}

/** The request's URL as the client addressed it (Host header), or on localhost when that Host cannot form a URL. */
function requestUrl(req: http.IncomingMessage): string {
  const host = headerValue(req.headers.host);
  if (host) {
    try {
      return new URL(req.url ?? '/', `http://${host}`).href;
    } catch {
      // an invalid Host header: the Host check (when on) has answered 403 already
    }
  }
  return new URL(req.url ?? '/', 'http://localhost').href;
}

/** Method, URL and headers, no body: what the pipeline's steps look at. */
function headRequest(req: http.IncomingMessage): Request {
  const method = req.method && /^(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS)$/.test(req.method) ? req.method : 'GET';
  return new Request(requestUrl(req), { method, headers: toHeaders(req.headers) });
}

function toHeaders(h: http.IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(h)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  return headers;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(res.req?.method === 'HEAD' ? undefined : text);
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
