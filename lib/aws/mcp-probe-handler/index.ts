/**
 * The MCP probe: the guide's `mcp_query` check ("Application-Level Probes: Deep
 * health checks validating MCP protocol functionality") made real. A scheduled
 * Lambda function runs it once a minute against the public endpoint; it speaks MCP
 * over Streamable HTTP and lists the server's tools.
 *
 * Flow:
 * 1. The 2026-07-28 (stateless) revision: POST `server/discover`, then `tools/list`,
 *    each request carrying its protocol version in `_meta` and in the
 *    `MCP-Protocol-Version` header. No session.
 * 2. If the server refuses that revision (a JSON-RPC error such as -32601 "method not
 *    found" or an unsupported-version error, or HTTP 400/404/405/406/415/422), the
 *    2025-11-25 handshake: `initialize`, read `Mcp-Session-Id` when the server mints
 *    one, `notifications/initialized`, `tools/list` with the session and the
 *    negotiated `MCP-Protocol-Version`, then DELETE the session.
 *    A 5xx, a timeout, a refused connection or a 401/403 is a failure, not a reason
 *    to fall back: the older flow would meet the same broken server.
 * 3. Responses may be plain JSON or an SSE stream (`text/event-stream`, `data:`
 *    lines); the stream is read until the response with the request's id arrives.
 *
 * Metrics go out as CloudWatch embedded metric format (EMF) log lines: `Success`
 * (1/0) always; `LatencyMs` and `ToolCount` only for a successful probe, so a
 * timeout does not masquerade as a latency sample. EMF needs no PutMetricData
 * permission and no AWS API call in the probe's path: a CloudWatch API problem
 * cannot turn into a failed probe, and a probe that cannot run at all emits nothing,
 * which the alarm treats as breaching.
 *
 * TLS: the runtime's public roots, plus the service's private CA when one is
 * configured (`MCP_TRUSTED_CA_PEM` or `MCP_TRUSTED_CA_PARAMETER`, see ./trust): a
 * service whose certificate a Vault PKI issued is probed with that CA trusted.
 *
 * This file imports only ./trust (node built-ins): it is bundled alone into the
 * function, and every part is testable without AWS (`probeMcp` takes a `fetch`,
 * `runProbe` takes its dependencies).
 */
import { OAUTH_ENV, TokenError, TokenFailure, probeChallenge, tokenMetricRecord, tokenSourceFor } from './oauth';
import { ParameterReader, TRUST_ENV, TrustStore, isTrustError } from './trust';

export { TRUST_ENV, trustedFetch } from './trust';

/** The stateless revision, tried first. */
export const STATELESS_PROTOCOL_VERSION = '2026-07-28';
/** The session-based revision, used when the server refuses the stateless one. */
export const SESSION_PROTOCOL_VERSION = '2025-11-25';

/** Which flow the server answered. */
export enum ProbeMode {
  /** 2026-07-28: server/discover, then tools/list; no session. */
  STATELESS = 'stateless',
  /** 2025-11-25: initialize, notifications/initialized, tools/list, DELETE session. */
  SESSION = 'session',
}

/** What went wrong, for logs and tests. */
export enum ProbeFailure {
  /** The server answered with an HTTP error status. */
  HTTP = 'http',
  /** The server answered with a JSON-RPC error. */
  JSON_RPC = 'json-rpc',
  /** No complete answer before the probe's deadline. */
  TIMEOUT = 'timeout',
  /** Connection refused, reset, DNS failure. */
  NETWORK = 'network',
  /** The server's certificate did not verify against the trusted CAs (public roots, plus the configured private CA). */
  TLS = 'tls',
  /** An answer that is not valid MCP (bad JSON, no `tools` array, wrong content type). */
  PROTOCOL = 'protocol',
  /** Fewer tools than the probe requires. */
  TOO_FEW_TOOLS = 'too-few-tools',
}

export interface ProbeOptions {
  /** The MCP endpoint (Streamable HTTP), e.g. https://mcp.example.com/mcp. */
  readonly url: string;
  /** Deadline for the whole exchange, in milliseconds. */
  readonly timeoutMs: number;
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly authToken?: string;
  /** Fewest tools `tools/list` must return for success. @default 1 */
  readonly minToolCount?: number;
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Milliseconds clock. @default performance.now */
  readonly now?: () => number;
}

export interface ProbeOutcome {
  readonly success: boolean;
  /** Milliseconds from the first request to the tool list (or to the failure). */
  readonly latencyMs: number;
  /** Tools listed (all pages), when the list was read. */
  readonly toolCount?: number;
  /** The flow that produced the outcome (the last one tried). */
  readonly mode: ProbeMode;
  /** Protocol version in use (the negotiated one for the session flow). */
  readonly protocolVersion: string;
  /** True when the stateless revision was refused and the session flow ran. */
  readonly fellBack: boolean;
  /** True when a session was created and a DELETE was sent for it. */
  readonly sessionClosed?: boolean;
  readonly failure?: ProbeFailure;
  /** HTTP status of the failing response, when there was one. */
  readonly httpStatus?: number;
  /** JSON-RPC error code of the failing response, when there was one. */
  readonly jsonRpcCode?: number;
  readonly error?: string;
}

const CLIENT_INFO = { name: 'mcp-ha-probe', version: '1.0.0' };
const MAX_PAGES = 20;
/** HTTP statuses with which a server that predates 2026-07-28 refuses a stateless request. */
const FALLBACK_STATUSES = new Set([400, 404, 405, 406, 415, 422]);

class ProbeError extends Error {
  constructor(
    public readonly failure: ProbeFailure,
    message: string,
    public readonly httpStatus?: number,
    public readonly jsonRpcCode?: number,
  ) {
    super(message);
  }
}

interface Exchange {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly signal: AbortSignal;
  readonly authToken?: string;
  nextId: number;
}

interface RpcAnswer {
  readonly result: Record<string, unknown>;
  readonly headers: Headers;
}

function baseHeaders(ex: Exchange, extra: Record<string, string>): Record<string, string> {
  return {
    Accept: 'application/json, text/event-stream',
    'Content-Type': 'application/json',
    ...(ex.authToken ? { Authorization: `Bearer ${ex.authToken}` } : {}),
    ...extra,
  };
}

function mapFetchError(e: unknown, signal: AbortSignal): ProbeError {
  if (e instanceof ProbeError) return e;
  if (signal.aborted) return new ProbeError(ProbeFailure.TIMEOUT, 'no answer before the probe deadline');
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const detail = err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
  if (isTrustError(e)) {
    return new ProbeError(ProbeFailure.TLS, `the server's certificate is not trusted (${detail}): configure the CA that issued it (McpProbe trustedCa)`);
  }
  return new ProbeError(ProbeFailure.NETWORK, `request failed: ${detail}`);
}

/** Sends one JSON-RPC request and returns its result (plain JSON or SSE answer). */
async function request(ex: Exchange, method: string, params: Record<string, unknown>, headers: Record<string, string>): Promise<RpcAnswer> {
  const id = ex.nextId++;
  let res: Response;
  try {
    res = await ex.fetch(ex.url, {
      method: 'POST',
      headers: baseHeaders(ex, headers),
      body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
      signal: ex.signal,
    });
  } catch (e) {
    throw mapFetchError(e, ex.signal);
  }
  try {
    const message = await readMessage(res, id);
    if (!res.ok) {
      const rpc = message ? rpcError(message) : undefined;
      throw new ProbeError(ProbeFailure.HTTP, `${method}: HTTP ${res.status}${rpc ? ` (${rpc.code} ${rpc.message})` : ''}`, res.status, rpc?.code);
    }
    if (!message) throw new ProbeError(ProbeFailure.PROTOCOL, `${method}: no JSON-RPC response in the answer`, res.status);
    const rpc = rpcError(message);
    if (rpc) throw new ProbeError(ProbeFailure.JSON_RPC, `${method}: JSON-RPC error ${rpc.code} ${rpc.message}`, res.status, rpc.code);
    const result = message.result;
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new ProbeError(ProbeFailure.PROTOCOL, `${method}: response has no result object`, res.status);
    }
    return { result: result as Record<string, unknown>, headers: res.headers };
  } catch (e) {
    throw mapFetchError(e, ex.signal);
  }
}

/** Sends a JSON-RPC notification; the server answers 202 Accepted (any 2xx is taken). */
async function notify(ex: Exchange, method: string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await ex.fetch(ex.url, {
      method: 'POST',
      headers: baseHeaders(ex, headers),
      body: JSON.stringify({ jsonrpc: '2.0', method }),
      signal: ex.signal,
    });
    await res.body?.cancel();
  } catch (e) {
    throw mapFetchError(e, ex.signal);
  }
  if (!res.ok) throw new ProbeError(ProbeFailure.HTTP, `${method}: HTTP ${res.status}`, res.status);
}

function rpcError(message: Record<string, unknown>): { code: number; message: string } | undefined {
  const error = message.error as { code?: unknown; message?: unknown } | undefined;
  if (!error || typeof error !== 'object') return undefined;
  return { code: typeof error.code === 'number' ? error.code : NaN, message: String(error.message ?? '') };
}

/**
 * The JSON-RPC message answering `id`: the JSON body, or the first SSE event whose
 * data is a response with that id (the stream is cancelled once it has arrived, so
 * a server that keeps the stream open does not hold the probe). Undefined when the
 * body holds no such message (an error page, an empty body).
 */
async function readMessage(res: Response, id: number): Promise<Record<string, unknown> | undefined> {
  const type = (res.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('text/event-stream')) return readSse(res, id);
  const text = await res.text();
  if (!type.includes('json')) {
    if (!res.ok) return undefined;
    throw new ProbeError(ProbeFailure.PROTOCOL, `unexpected content type '${type || 'none'}'`, res.status);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    if (!res.ok) return undefined;
    throw new ProbeError(ProbeFailure.PROTOCOL, 'response body is not JSON', res.status);
  }
  const candidates = Array.isArray(parsed) ? parsed : [parsed];
  return candidates.find((m) => isResponseTo(m, id)) ?? (res.ok ? undefined : candidates.find(isErrorMessage));
}

function isResponseTo(m: unknown, id: number): m is Record<string, unknown> {
  return typeof m === 'object' && m !== null && (m as { id?: unknown }).id === id && ('result' in m || 'error' in m);
}

function isErrorMessage(m: unknown): m is Record<string, unknown> {
  return typeof m === 'object' && m !== null && 'error' in m;
}

async function readSse(res: Response, id: number): Promise<Record<string, unknown> | undefined> {
  if (!res.body) return undefined;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      // Events end at a blank line (LF or CRLF).
      let boundary: RegExpExecArray | null;
      while ((boundary = /\r?\n\r?\n/.exec(buffer)) !== null) {
        const event = buffer.slice(0, boundary.index);
        buffer = buffer.slice(boundary.index + boundary[0].length);
        const found = parseEvent(event, id);
        if (found) return found;
      }
      if (done) return buffer.trim() ? parseEvent(buffer, id) : undefined;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function parseEvent(event: string, id: number): Record<string, unknown> | undefined {
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
  if (!data) return undefined;
  try {
    const parsed: unknown = JSON.parse(data);
    return isResponseTo(parsed, id) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Lists every page of tools; returns the count. */
async function listTools(ex: Exchange, params: (cursor?: string) => Record<string, unknown>, headers: Record<string, string>): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { result } = await request(ex, 'tools/list', params(cursor), headers);
    if (!Array.isArray(result.tools)) throw new ProbeError(ProbeFailure.PROTOCOL, 'tools/list: result has no tools array');
    count += result.tools.length;
    cursor = typeof result.nextCursor === 'string' && result.nextCursor !== '' ? result.nextCursor : undefined;
    if (!cursor) break;
  }
  return count;
}

function statelessMeta(): Record<string, unknown> {
  return {
    'io.modelcontextprotocol/protocolVersion': STATELESS_PROTOCOL_VERSION,
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': CLIENT_INFO,
  };
}

async function statelessFlow(ex: Exchange): Promise<number> {
  const headers = { 'MCP-Protocol-Version': STATELESS_PROTOCOL_VERSION };
  const { result } = await request(ex, 'server/discover', { _meta: statelessMeta() }, headers);
  const supported = result.supportedVersions ?? result.protocolVersions;
  if (Array.isArray(supported) && !supported.includes(STATELESS_PROTOCOL_VERSION)) {
    throw new ProbeError(ProbeFailure.JSON_RPC, `server/discover: server supports ${JSON.stringify(supported)}, not ${STATELESS_PROTOCOL_VERSION}`);
  }
  return listTools(ex, (cursor) => ({ _meta: statelessMeta(), ...(cursor ? { cursor } : {}) }), headers);
}

interface SessionState {
  sessionId?: string;
  protocolVersion: string;
}

async function sessionFlow(ex: Exchange, state: SessionState): Promise<number> {
  const init = await request(
    ex,
    'initialize',
    { protocolVersion: SESSION_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
    {},
  );
  state.sessionId = init.headers.get('mcp-session-id') ?? undefined;
  if (typeof init.result.protocolVersion === 'string') state.protocolVersion = init.result.protocolVersion;
  const headers: Record<string, string> = {
    'MCP-Protocol-Version': state.protocolVersion,
    ...(state.sessionId ? { 'Mcp-Session-Id': state.sessionId } : {}),
  };
  await notify(ex, 'notifications/initialized', headers);
  return listTools(ex, (cursor) => (cursor ? { cursor } : {}), headers);
}

/** Ends a session; best effort (a 405 means the server does not allow clients to end sessions). */
async function closeSession(options: ProbeOptions, fetchImpl: typeof fetch, state: SessionState): Promise<boolean> {
  if (!state.sessionId) return false;
  try {
    const res = await fetchImpl(options.url, {
      method: 'DELETE',
      headers: {
        'Mcp-Session-Id': state.sessionId,
        'MCP-Protocol-Version': state.protocolVersion,
        ...(options.authToken ? { Authorization: `Bearer ${options.authToken}` } : {}),
      },
      signal: AbortSignal.timeout(Math.min(2000, options.timeoutMs)),
    });
    await res.body?.cancel();
  } catch {
    // The probe's verdict is already made; a failed DELETE only leaves a session to expire.
  }
  return true;
}

/** True when a failed stateless attempt means "I do not speak 2026-07-28" rather than "I am broken". */
export function shouldFallBack(failure: ProbeFailure, httpStatus?: number): boolean {
  if (failure === ProbeFailure.JSON_RPC) return true;
  return failure === ProbeFailure.HTTP && httpStatus !== undefined && FALLBACK_STATUSES.has(httpStatus);
}

/**
 * Probes an MCP endpoint: the stateless flow first, the session flow when the
 * server refuses it. Never throws: every failure is an outcome.
 */
export async function probeMcp(options: ProbeOptions): Promise<ProbeOutcome> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => performance.now());
  const minToolCount = options.minToolCount ?? 1;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const started = now();
  const ex: Exchange = { url: options.url, fetch: fetchImpl, signal: controller.signal, authToken: options.authToken, nextId: 1 };
  const elapsed = (): number => Math.round(now() - started);

  const finish = (mode: ProbeMode, protocolVersion: string, fellBack: boolean, toolCount: number): ProbeOutcome => {
    const latencyMs = elapsed();
    if (toolCount < minToolCount) {
      return {
        success: false, latencyMs, toolCount, mode, protocolVersion, fellBack,
        failure: ProbeFailure.TOO_FEW_TOOLS, error: `tools/list returned ${toolCount} tool(s); at least ${minToolCount} required`,
      };
    }
    return { success: true, latencyMs, toolCount, mode, protocolVersion, fellBack };
  };
  const failed = (mode: ProbeMode, protocolVersion: string, fellBack: boolean, e: unknown): ProbeOutcome => {
    const err = e instanceof ProbeError ? e : mapFetchError(e, controller.signal);
    return {
      success: false, latencyMs: elapsed(), mode, protocolVersion, fellBack,
      failure: err.failure, httpStatus: err.httpStatus, jsonRpcCode: err.jsonRpcCode, error: err.message,
    };
  };

  try {
    try {
      const tools = await statelessFlow(ex);
      return finish(ProbeMode.STATELESS, STATELESS_PROTOCOL_VERSION, false, tools);
    } catch (e) {
      const err = e instanceof ProbeError ? e : mapFetchError(e, controller.signal);
      if (!shouldFallBack(err.failure, err.httpStatus)) return failed(ProbeMode.STATELESS, STATELESS_PROTOCOL_VERSION, false, err);
    }
    const state: SessionState = { protocolVersion: SESSION_PROTOCOL_VERSION };
    let outcome: ProbeOutcome;
    try {
      const tools = await sessionFlow(ex, state);
      outcome = finish(ProbeMode.SESSION, state.protocolVersion, true, tools);
    } catch (e) {
      outcome = failed(ProbeMode.SESSION, state.protocolVersion, true, e);
    }
    const sessionClosed = await closeSession(options, fetchImpl, state);
    return { ...outcome, sessionClosed };
  } finally {
    clearTimeout(timer);
  }
}

/** Where the metrics go. */
export interface MetricTarget {
  /** CloudWatch namespace. */
  readonly namespace: string;
  /** Value of the `Endpoint` dimension. */
  readonly endpoint: string;
}

/**
 * One EMF record (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html):
 * `Success` always, `LatencyMs` and `ToolCount` when the probe succeeded. Standard
 * resolution (the default), as Route 53 alarm-based health checks require.
 */
export function metricRecord(outcome: ProbeOutcome, target: MetricTarget, timestampMs: number): Record<string, unknown> {
  const metrics: { Name: string; Unit: string }[] = [{ Name: 'Success', Unit: 'Count' }];
  const values: Record<string, number> = { Success: outcome.success ? 1 : 0 };
  if (outcome.success) {
    metrics.push({ Name: 'LatencyMs', Unit: 'Milliseconds' });
    values.LatencyMs = outcome.latencyMs;
    // No ToolCount sample when the tools were not listed (the challenge-only check without a token, ./oauth).
    if (outcome.toolCount !== undefined) {
      metrics.push({ Name: 'ToolCount', Unit: 'Count' });
      values.ToolCount = outcome.toolCount;
    }
  }
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [{ Namespace: target.namespace, Dimensions: [['Endpoint']], Metrics: metrics }],
    },
    Endpoint: target.endpoint,
    ...values,
    mode: outcome.mode,
    protocolVersion: outcome.protocolVersion,
    fellBack: outcome.fellBack,
    ...(outcome.failure ? { failure: outcome.failure, error: outcome.error } : {}),
    ...(outcome.httpStatus !== undefined ? { httpStatus: outcome.httpStatus } : {}),
    ...(outcome.jsonRpcCode !== undefined ? { jsonRpcCode: outcome.jsonRpcCode } : {}),
  };
}

/** A value fetched at most once per `ttlMs`; concurrent callers share one fetch; failures are not cached. */
export class CachedValue<T> {
  private value?: T;
  private fetchedAt = -Infinity;
  private pending?: Promise<T>;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  public async get(): Promise<T> {
    if (this.value !== undefined && this.now() - this.fetchedAt < this.ttlMs) return this.value;
    if (!this.pending) {
      this.pending = this.load()
        .then((v) => {
          this.value = v;
          this.fetchedAt = this.now();
          return v;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }
}

/** Environment variables the construct sets (names are the contract between the two). */
export const ENV = {
  url: 'MCP_PROBE_URL',
  endpoint: 'MCP_PROBE_ENDPOINT',
  namespace: 'MCP_PROBE_NAMESPACE',
  timeoutMs: 'MCP_PROBE_TIMEOUT_MS',
  minToolCount: 'MCP_PROBE_MIN_TOOLS',
  tokenSecretArn: 'MCP_PROBE_TOKEN_SECRET_ARN',
  tokenJsonField: 'MCP_PROBE_TOKEN_JSON_FIELD',
  tokenCacheSeconds: 'MCP_PROBE_TOKEN_CACHE_SECONDS',
} as const;

/** Reads a secret's string (or one field of its JSON). */
export type SecretReader = (secretId: string, jsonField?: string) => Promise<string>;

export interface ProbeDependencies {
  /** @default - the global fetch, or one trusting the configured private CA (./trust) */
  readonly fetch?: typeof fetch;
  readonly readSecret?: SecretReader;
  /** Reads the CA parameter (`MCP_TRUSTED_CA_PARAMETER`). @default the SSM client of the Lambda runtime */
  readonly readParameter?: ParameterReader;
  /** Receives each log line (the EMF record). @default process.stdout.write */
  readonly write?: (line: string) => void;
  readonly clock?: () => number;
}

/**
 * The AWS SDK v3 is part of the Lambda Node.js runtime; it is loaded by a computed
 * name so neither the bundler nor the type checker needs it installed.
 */
const readSecretWithSdk: SecretReader = async (secretId, jsonField) => {
  const sdkModule = '@aws-sdk/client-secrets-manager';
  const sdk = (await import(sdkModule)) as {
    SecretsManagerClient: new () => { send(command: unknown): Promise<{ SecretString?: string }> };
    GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
  };
  const out = await new sdk.SecretsManagerClient().send(new sdk.GetSecretValueCommand({ SecretId: secretId }));
  return pickSecret(out.SecretString, jsonField);
};

/** The token from a secret string: the whole string, or `jsonField` of its JSON. */
export function pickSecret(secretString: string | undefined, jsonField?: string): string {
  if (secretString === undefined || secretString === '') throw new Error('the secret has no SecretString');
  if (!jsonField) return secretString.trim();
  const parsed = JSON.parse(secretString) as Record<string, unknown>;
  const value = parsed[jsonField];
  if (typeof value !== 'string' || value === '') throw new Error(`the secret's JSON has no string field '${jsonField}'`);
  return value;
}

let tokenCache: CachedValue<string> | undefined;
let tokenCacheKey: string | undefined;
let trustStore: TrustStore | undefined;
let trustStoreKey: string | undefined;

/** The fetch of this run: the injected one, or the global one trusting the configured CA (kept by a warm function). */
async function probeFetch(env: Record<string, string | undefined>, deps: ProbeDependencies): Promise<typeof fetch | undefined> {
  if (deps.fetch) return deps.fetch;
  const key = `${env[TRUST_ENV.pem] ?? ''}|${env[TRUST_ENV.parameter] ?? ''}`;
  if (key === '|') return undefined;
  if (!trustStore || trustStoreKey !== key) {
    trustStore = new TrustStore(env, deps.readParameter, deps.clock);
    trustStoreKey = key;
  }
  return trustStore.fetch();
}

/**
 * One probe run: read the configuration from `env`, fetch the bearer token (cached
 * between invocations of a warm function), probe, write one EMF line, return the
 * outcome. A probe failure is an outcome (Success 0), not an error; an unreadable
 * secret is an error: the probe could not run, so it emits nothing and the alarm
 * sees missing data.
 */
export async function runProbe(env: Record<string, string | undefined>, deps: ProbeDependencies = {}): Promise<ProbeOutcome> {
  const url = env[ENV.url];
  if (!url) throw new Error(`${ENV.url} is not set`);
  const timeoutMs = Number(env[ENV.timeoutMs] ?? '10000');
  const minToolCount = Number(env[ENV.minToolCount] ?? '1');
  const secretArn = env[ENV.tokenSecretArn];
  let authToken: string | undefined;
  if (secretArn) {
    const field = env[ENV.tokenJsonField] || undefined;
    const key = `${secretArn}|${field ?? ''}`;
    if (!tokenCache || tokenCacheKey !== key) {
      const read = deps.readSecret ?? readSecretWithSdk;
      const ttlMs = Number(env[ENV.tokenCacheSeconds] ?? '300') * 1000;
      tokenCache = new CachedValue(() => read(secretArn, field), ttlMs, deps.clock);
      tokenCacheKey = key;
    }
    authToken = await tokenCache.get();
  }
  // An unreadable CA parameter is an error like an unreadable secret: no data, which the alarm sees.
  const fetchImpl = await probeFetch(env, deps);
  // An OAuth client (./oauth): a client-credentials token like a real client. No token is its own
  // metric (TokenSuccess 0), not an MCP outage: the endpoint is then checked for its 401 challenge.
  const tokens = tokenSourceFor(env, (id) => (deps.readSecret ?? readSecretWithSdk)(id), { fetch: deps.fetch, clock: deps.clock });
  let tokenError: TokenError | undefined;
  if (tokens) {
    authToken = await tokens.get().catch((e: unknown) => {
      tokenError = e instanceof TokenError ? e : new TokenError(TokenFailure.TOKEN_ENDPOINT, String(e));
      return undefined;
    });
  }
  const outcome = tokenError || env[OAUTH_ENV.challengeOnly] === 'true'
    ? await probeChallenge(url, timeoutMs, fetchImpl)
    : await probeMcp({ url, timeoutMs, minToolCount, authToken, fetch: fetchImpl });
  const target = { namespace: env[ENV.namespace] ?? 'McpHa/Probe', endpoint: env[ENV.endpoint] ?? url };
  const record = metricRecord(outcome, target, (deps.clock ?? Date.now)());
  // Written without console.log's prefix: EMF lines must be bare JSON.
  const write = deps.write ?? ((line: string) => process.stdout.write(line));
  write(`${JSON.stringify(record)}\n`);
  if (tokens) write(`${JSON.stringify(tokenMetricRecord(tokenError === undefined, target, (deps.clock ?? Date.now)(), tokenError))}\n`);
  return outcome;
}

/** Forgets the cached token (tests). */
export function resetTokenCache(): void {
  tokenCache = undefined;
  tokenCacheKey = undefined;
  trustStore = undefined;
  trustStoreKey = undefined;
}

/** Lambda entry point. */
export async function handler(): Promise<ProbeOutcome> {
  return runProbe(process.env);
}
