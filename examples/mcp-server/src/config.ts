/**
 * The reference server's settings, read from the environment the constructs set.
 *
 * The four timeout variables are the ones `timeoutEnvironment(chain)` in lib/core
 * produces from the tier's validated timeout chain, so the server, the load
 * balancer and the failover budget read the same numbers. Their names come from
 * core (`McpServerEnv`), never retyped here.
 */
import { hostname } from 'node:os';
import { CacheWriteEnv, CacheWriteModel, RegionWriteMode, regionHealthPolicy } from '../../../lib/core/cache-write-model';
import { ASSUMPTIONS } from '../../../lib/core/failover-budget';
import { McpServerEnv } from '../../../lib/core/server-source';
import { AuthConfig, readAuthConfig } from './auth';
import { CACHE_AUTH_ENV, CacheAuthConfig, readCacheAuthConfig } from './cache-credentials';
import { AvailabilityTier, resolveTier } from '../../../lib/core/tiers';

/** The timeout chain as the server sees it (seconds). */
export interface ServerTimeouts {
  /** How long the server works on one request before answering 504 (origin read timeout). */
  readonly requestTimeoutSeconds: number;
  /** Interval of SSE keep-alive comments on streamed responses. */
  readonly keepAliveSeconds: number;
  /** How long in-flight requests may run after SIGTERM before the process exits anyway. */
  readonly drainSeconds: number;
  /** The longest a single tool call may take; `slow_echo` refuses more. */
  readonly longestToolCallSeconds: number;
}

/** Everything `createServer` needs; `readConfig` builds it from the environment. */
export interface ServerConfig {
  /** Port to listen on; 0 picks a free one. @default 8080 */
  readonly port: number;
  /** Address to bind. @default '0.0.0.0' (a load balancer reaches the instance from its subnets) */
  readonly host: string;
  /** Path of the Streamable HTTP endpoint. @default '/mcp' */
  readonly mcpPath: string;
  /** @default '/health/ready' */
  readonly readinessPath: string;
  /** @default '/health/live' */
  readonly livenessPath: string;
  /** `redis://` or `rediss://` (TLS) URL, optionally with credentials. */
  readonly redisUrl: string;
  /** AUTH token / password, kept out of the URL (e.g. from a secret). */
  readonly redisPassword?: string;
  /** ACL user name, for Redis 6+ ACLs / ElastiCache RBAC. */
  readonly redisUsername?: string;
  /** REDIS_CLUSTER=true: the cache runs in cluster mode (a cluster client follows the slot map). */
  readonly redisCluster: boolean;
  /**
   * How the server authenticates to the cache and which CA it trusts (REDIS_AUTH_MODE,
   * REDIS_TLS_CA / REDIS_TLS_CA_FILE, GCE_METADATA_HOST; see cache-credentials.ts).
   * @default - password mode (REDIS_AUTH_TOKEN / REDIS_USERNAME), public roots only
   */
  readonly cacheAuth: CacheAuthConfig;
  /** The name this replica reports in `server_info` and in every log line. @default - the host name */
  readonly replicaId: string;
  readonly timeouts: ServerTimeouts;
  /** A Redis PING slower than this makes readiness answer 429 (degraded). @default 250 */
  readonly degradedLatencyMs: number;
  /** A Redis PING that takes longer than this (or fails) makes readiness answer 503. @default 1000 */
  readonly redisTimeoutMs: number;
  /** Seconds a stored context lives in Redis. @default 3600 */
  readonly contextTtlSeconds: number;
  /**
   * Longest pause between reconnect attempts to the cache (exponential backoff from 50 ms).
   * Part of an in-region failover's recovery as this server sees it: keep it well inside the
   * probe interval that core's grace period adds to the failover time. @default 1000
   */
  readonly redisReconnectMaxMs: number;
  /** Seconds an idle keep-alive connection stays open; should exceed the load balancer's idle timeout. */
  readonly keepAliveTimeoutSeconds: number;
  /** OAuth 2.1 resource server settings (the `MCP_AUTH_*` variables, see auth.ts). @default - none: no token is checked */
  readonly auth?: AuthConfig;
  /**
   * Host names (no port) the `Host` header of a request may carry (DNS-rebinding protection,
   * MCP transport specification). Loopback names are added when the server binds to loopback.
   * Health paths are exempt: load balancers probe by IP address.
   * @default - none: on a loopback bind the loopback names; otherwise the Host check is off
   * (logged at start) and every request carrying a browser `Origin` is refused
   */
  readonly allowedHosts: readonly string[];
  /**
   * Host names (no scheme, no port) a browser `Origin` may name. A request without `Origin`
   * (every non-browser MCP client) passes; a foreign or unparsable one (`null`) gets 403.
   * @default - the allowed hosts (same-origin web clients of this service)
   */
  readonly allowedOrigins: readonly string[];
  /** How the regions write to the cache (`CACHE_WRITE_MODEL`). @default single-region */
  readonly writeModel: CacheWriteModel;
  /** This region's write mode at deployment time (`CACHE_WRITE_MODE`). @default local */
  readonly writeMode: RegionWriteMode;
  /** The region holding the cache writer at deployment time (`CACHE_WRITER_REGION`), for the read-only error. */
  readonly writerRegion?: string;
  /** This server's region (`SERVICE_REGION`). @default 'local' */
  readonly region: string;
  /**
   * Seconds the cache may be unreachable before readiness fails (`CACHE_GRACE_SECONDS`): a
   * routine in-region cache failover must not take every instance, and so the region, out.
   * @default - core's regionHealthPolicy: the slowest documented or assumed in-region cache
   * failover of the supported clouds plus one mission-critical probe interval (35 s)
   */
  readonly cacheGraceSeconds: number;
}

/** Every variable the server reads: core's `McpServerEnv`, then the server's own. */
export const SERVER_ENV = {
  REQUEST_TIMEOUT_SECONDS: McpServerEnv.REQUEST_TIMEOUT_SECONDS,
  KEEPALIVE_SECONDS: McpServerEnv.KEEPALIVE_SECONDS,
  DRAIN_SECONDS: McpServerEnv.DRAIN_SECONDS,
  LONGEST_TOOL_CALL_SECONDS: McpServerEnv.LONGEST_TOOL_CALL_SECONDS,
  PORT: McpServerEnv.PORT,
  PATH: McpServerEnv.PATH,
  READINESS_PATH: McpServerEnv.READINESS_PATH,
  LIVENESS_PATH: McpServerEnv.LIVENESS_PATH,
  /** Also accepted for the port (the usual name on PaaS runtimes); MCP_PORT wins. */
  PORT_FALLBACK: 'PORT',
  HOST: 'HOST',
  REDIS_URL: 'REDIS_URL',
  REDIS_AUTH_TOKEN: 'REDIS_AUTH_TOKEN',
  REDIS_USERNAME: 'REDIS_USERNAME',
  REDIS_CLUSTER: 'REDIS_CLUSTER',
  /** `password` (default), `auth-string` (Memorystore for Redis) or `gcp-iam` (Memorystore for Valkey IAM). */
  REDIS_AUTH_MODE: CACHE_AUTH_ENV.MODE,
  /** PEM of the cache's CA (Memorystore's per-instance CA), trusted besides the public roots. */
  REDIS_TLS_CA: CACHE_AUTH_ENV.TLS_CA,
  REDIS_TLS_CA_FILE: CACHE_AUTH_ENV.TLS_CA_FILE,
  /** The name the cache's certificate must carry (and SNI), when not the URL's host. */
  REDIS_TLS_SERVERNAME: CACHE_AUTH_ENV.TLS_SERVERNAME,
  /** host[:port] of the Google metadata server (gcp-iam), as Google's client libraries read it. */
  METADATA_HOST: CACHE_AUTH_ENV.METADATA_HOST,
  REPLICA_ID: 'REPLICA_ID',
  DEGRADED_LATENCY_MS: 'MCP_DEGRADED_LATENCY_MS',
  REDIS_TIMEOUT_MS: 'MCP_REDIS_TIMEOUT_MS',
  CONTEXT_TTL_SECONDS: 'MCP_CONTEXT_TTL_SECONDS',
  REDIS_RECONNECT_MAX_MS: 'MCP_REDIS_RECONNECT_MAX_MS',
  IDLE_TIMEOUT_SECONDS: 'MCP_IDLE_TIMEOUT_SECONDS',
  /** Comma-separated host names the `Host` header may carry (rendered by the topologies from the service's names). */
  ALLOWED_HOSTS: 'MCP_ALLOWED_HOSTS',
  /** Comma-separated host names a browser `Origin` may carry. @default - MCP_ALLOWED_HOSTS */
  ALLOWED_ORIGINS: 'MCP_ALLOWED_ORIGINS',
  WRITE_MODEL: CacheWriteEnv.MODEL,
  WRITE_MODE: CacheWriteEnv.MODE,
  WRITER_REGION: CacheWriteEnv.WRITER_REGION,
  REGION: CacheWriteEnv.REGION,
  CACHE_GRACE_SECONDS: CacheWriteEnv.DEPENDENCY_GRACE_SECONDS,
} as const;

/** Host names a loopback-bound server always accepts (the SDK's own list). */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** True for an address only this machine can reach. */
export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The grace period when the environment sets none: core's policy with the slowest in-region
 * cache failover of the clouds (ElastiCache and Memorystore, 30 s assumed; Azure 15 s
 * documented) and the mission-critical probe interval (5 s): 35 s.
 */
export function defaultCacheGraceSeconds(): number {
  const slowest = Math.max(...Object.values(ASSUMPTIONS.cacheAutomaticFailover).map((a) => a.seconds));
  return regionHealthPolicy(slowest, resolveTier(AvailabilityTier.MISSION_CRITICAL).healthProbe.intervalSeconds).cacheGraceSeconds;
}

/** `names`, plus the loopback names when `host` is a loopback address (what the server accepts). */
export function withLoopbackNames(host: string, names: readonly string[]): string[] {
  return isLoopbackBind(host) ? [...new Set([...LOOPBACK_NAMES, ...names])] : [...names];
}

/** A comma-separated list of host names, lower-cased; IPv6 literals keep their brackets. */
function hostList(raw: string | undefined): string[] {
  return (raw ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}


/**
 * Defaults when a variable is absent: the mission-critical tier's chain, the one
 * the constructs render unless told otherwise.
 */
export function defaultTimeouts(): ServerTimeouts {
  const chain = resolveTier(AvailabilityTier.MISSION_CRITICAL).timeouts;
  return {
    requestTimeoutSeconds: chain.originReadTimeoutSeconds,
    keepAliveSeconds: chain.keepAliveSeconds,
    drainSeconds: chain.drainSeconds,
    longestToolCallSeconds: chain.longestToolCallSeconds,
  };
}

/** Thrown for an environment the server cannot run with; names every bad variable at once. */
export class ConfigError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`Invalid server configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment (all problems reported together). */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const problems: string[] = [];
  const num = (name: string, fallback: number, opts: { min: number; integer?: boolean }): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < opts.min || (opts.integer && !Number.isInteger(n))) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected ${opts.integer ? 'a whole number' : 'a number'} >= ${opts.min}`);
      return fallback;
    }
    return n;
  };
  const d = defaultTimeouts();
  const timeouts: ServerTimeouts = {
    requestTimeoutSeconds: num(SERVER_ENV.REQUEST_TIMEOUT_SECONDS, d.requestTimeoutSeconds, { min: 1 }),
    keepAliveSeconds: num(SERVER_ENV.KEEPALIVE_SECONDS, d.keepAliveSeconds, { min: 1 }),
    drainSeconds: num(SERVER_ENV.DRAIN_SECONDS, d.drainSeconds, { min: 0 }),
    longestToolCallSeconds: num(SERVER_ENV.LONGEST_TOOL_CALL_SECONDS, d.longestToolCallSeconds, { min: 1 }),
  };
  problems.push(...checkTimeouts(timeouts));

  const portName = env[SERVER_ENV.PORT] ? SERVER_ENV.PORT : SERVER_ENV.PORT_FALLBACK;
  const port = num(portName, 8080, { min: 0, integer: true });
  if (port > 65535) problems.push(`${portName}=${port}: expected 0-65535`);

  const redisUrl = env[SERVER_ENV.REDIS_URL] || 'redis://127.0.0.1:6379';
  if (!/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`${SERVER_ENV.REDIS_URL}: expected a redis:// or rediss:// URL (credentials are not echoed here)`);
  }
  const requestTimeout = timeouts.requestTimeoutSeconds;
  const host = env[SERVER_ENV.HOST] || '0.0.0.0';
  const allowedHosts = hostList(env[SERVER_ENV.ALLOWED_HOSTS]);
  for (const h of allowedHosts) {
    if (h === '*' || /[/:@\s]/.test(h.replace(/^\[[0-9a-f:.]+\]$/, 'ipv6'))) {
      problems.push(`${SERVER_ENV.ALLOWED_HOSTS}: ${JSON.stringify(h)} is not a host name (list names without scheme or port, e.g. mcp.example.com)`);
    }
  }
  const originsRaw = env[SERVER_ENV.ALLOWED_ORIGINS];
  const allowedOrigins = originsRaw !== undefined && originsRaw !== '' ? hostList(originsRaw) : allowedHosts;
  for (const h of allowedOrigins) {
    if (h === '*' || h === 'http://*' || h === 'https://*' || /[/:@\s]/.test(h.replace(/^\[[0-9a-f:.]+\]$/, 'ipv6').replace(/^[a-z-]+:\/\/\*$/, 'scheme'))) {
      problems.push(`${SERVER_ENV.ALLOWED_ORIGINS}: ${JSON.stringify(h)} is not a host name (list names without scheme or port; "<scheme>://*" only for browser-extension schemes)`);
    }
  }
  const oneOf = <T extends string>(name: string, values: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(values as readonly string[]).includes(raw)) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
      return fallback;
    }
    return raw as T;
  };
  const writeModel = oneOf(SERVER_ENV.WRITE_MODEL, Object.values(CacheWriteModel), CacheWriteModel.SINGLE_REGION);
  const writeMode = oneOf(SERVER_ENV.WRITE_MODE, Object.values(RegionWriteMode), RegionWriteMode.LOCAL);
  const writerRegion = env[SERVER_ENV.WRITER_REGION] || undefined;
  const region = env[SERVER_ENV.REGION] || 'local';
  if (writeMode === RegionWriteMode.READ_ONLY_UNLESS_PROMOTED && writeModel !== CacheWriteModel.SINGLE_WRITER) {
    problems.push(`${SERVER_ENV.WRITE_MODE}=${writeMode} needs ${SERVER_ENV.WRITE_MODEL}=${CacheWriteModel.SINGLE_WRITER} (got ${writeModel})`);
  }
  if (writeModel === CacheWriteModel.SINGLE_WRITER && (!writerRegion || !env[SERVER_ENV.REGION])) {
    problems.push(`${SERVER_ENV.WRITE_MODEL}=${CacheWriteModel.SINGLE_WRITER} needs ${SERVER_ENV.REGION} and ${SERVER_ENV.WRITER_REGION} (the read-only error names the writer region)`);
  }
  const config: ServerConfig = {
    port,
    host,
    mcpPath: env[SERVER_ENV.PATH] || '/mcp',
    readinessPath: env[SERVER_ENV.READINESS_PATH] || '/health/ready',
    livenessPath: env[SERVER_ENV.LIVENESS_PATH] || '/health/live',
    redisUrl,
    redisPassword: env[SERVER_ENV.REDIS_AUTH_TOKEN] || undefined,
    redisUsername: env[SERVER_ENV.REDIS_USERNAME] || undefined,
    redisCluster: env[SERVER_ENV.REDIS_CLUSTER] === 'true',
    cacheAuth: readCacheAuthConfig(env, redisUrl, problems),
    replicaId: env[SERVER_ENV.REPLICA_ID] || hostname(),
    timeouts,
    degradedLatencyMs: num(SERVER_ENV.DEGRADED_LATENCY_MS, 250, { min: 1 }),
    redisTimeoutMs: num(SERVER_ENV.REDIS_TIMEOUT_MS, 1000, { min: 1 }),
    contextTtlSeconds: num(SERVER_ENV.CONTEXT_TTL_SECONDS, 3600, { min: 1, integer: true }),
    redisReconnectMaxMs: num(SERVER_ENV.REDIS_RECONNECT_MAX_MS, 1000, { min: 10, integer: true }),
    // Longer than any load balancer idle timeout the chain allows above the request
    // timeout, so the load balancer (not the server) closes idle connections first.
    keepAliveTimeoutSeconds: num(SERVER_ENV.IDLE_TIMEOUT_SECONDS, 2 * requestTimeout, { min: 1 }) + 5,
    auth: readAuthConfig(env, problems),
    allowedHosts: withLoopbackNames(host, allowedHosts),
    allowedOrigins: withLoopbackNames(host, allowedOrigins),
    writeModel,
    writeMode,
    writerRegion,
    region,
    cacheGraceSeconds: num(SERVER_ENV.CACHE_GRACE_SECONDS, defaultCacheGraceSeconds(), { min: 0 }),
  };
  for (const [name, value] of [['mcpPath', config.mcpPath], ['readinessPath', config.readinessPath], ['livenessPath', config.livenessPath]]) {
    if (!value.startsWith('/')) problems.push(`${name}=${JSON.stringify(value)}: expected an absolute path`);
  }
  if (config.degradedLatencyMs >= config.redisTimeoutMs) {
    problems.push(`${SERVER_ENV.DEGRADED_LATENCY_MS} (${config.degradedLatencyMs}) must be less than ${SERVER_ENV.REDIS_TIMEOUT_MS} (${config.redisTimeoutMs})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** The chain's rules that a server can check with the four numbers it receives. */
export function checkTimeouts(t: ServerTimeouts): string[] {
  const problems: string[] = [];
  if (!(t.longestToolCallSeconds < t.requestTimeoutSeconds)) {
    problems.push(`${SERVER_ENV.LONGEST_TOOL_CALL_SECONDS} (${t.longestToolCallSeconds}) must be less than ${SERVER_ENV.REQUEST_TIMEOUT_SECONDS} (${t.requestTimeoutSeconds})`);
  }
  if (!(t.drainSeconds >= t.longestToolCallSeconds)) {
    problems.push(`${SERVER_ENV.DRAIN_SECONDS} (${t.drainSeconds}) must be at least ${SERVER_ENV.LONGEST_TOOL_CALL_SECONDS} (${t.longestToolCallSeconds})`);
  }
  return problems;
}
