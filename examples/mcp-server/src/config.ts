/**
 * The reference server's settings, read from the environment the constructs set.
 *
 * The four timeout variables are the ones `timeoutEnvironment(chain)` in lib/core
 * produces from the tier's validated timeout chain, so the server, the load
 * balancer and the failover budget read the same numbers. Their names come from
 * core (`McpServerEnv`), never retyped here.
 */
import { hostname } from 'node:os';
import { McpServerEnv } from '../../../lib/core/server-source';
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
  /** The name this replica reports in `server_info` and in every log line. @default - the host name */
  readonly replicaId: string;
  readonly timeouts: ServerTimeouts;
  /** A Redis PING slower than this makes readiness answer 429 (degraded). @default 250 */
  readonly degradedLatencyMs: number;
  /** A Redis PING that takes longer than this (or fails) makes readiness answer 503. @default 1000 */
  readonly redisTimeoutMs: number;
  /** Seconds a stored context lives in Redis. @default 3600 */
  readonly contextTtlSeconds: number;
  /** Seconds an idle keep-alive connection stays open; should exceed the load balancer's idle timeout. */
  readonly keepAliveTimeoutSeconds: number;
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
  REPLICA_ID: 'REPLICA_ID',
  DEGRADED_LATENCY_MS: 'MCP_DEGRADED_LATENCY_MS',
  REDIS_TIMEOUT_MS: 'MCP_REDIS_TIMEOUT_MS',
  CONTEXT_TTL_SECONDS: 'MCP_CONTEXT_TTL_SECONDS',
  IDLE_TIMEOUT_SECONDS: 'MCP_IDLE_TIMEOUT_SECONDS',
} as const;

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
  const config: ServerConfig = {
    port,
    host: env[SERVER_ENV.HOST] || '0.0.0.0',
    mcpPath: env[SERVER_ENV.PATH] || '/mcp',
    readinessPath: env[SERVER_ENV.READINESS_PATH] || '/health/ready',
    livenessPath: env[SERVER_ENV.LIVENESS_PATH] || '/health/live',
    redisUrl,
    redisPassword: env[SERVER_ENV.REDIS_AUTH_TOKEN] || undefined,
    redisUsername: env[SERVER_ENV.REDIS_USERNAME] || undefined,
    replicaId: env[SERVER_ENV.REPLICA_ID] || hostname(),
    timeouts,
    degradedLatencyMs: num(SERVER_ENV.DEGRADED_LATENCY_MS, 250, { min: 1 }),
    redisTimeoutMs: num(SERVER_ENV.REDIS_TIMEOUT_MS, 1000, { min: 1 }),
    contextTtlSeconds: num(SERVER_ENV.CONTEXT_TTL_SECONDS, 3600, { min: 1, integer: true }),
    // Longer than any load balancer idle timeout the chain allows above the request
    // timeout, so the load balancer (not the server) closes idle connections first.
    keepAliveTimeoutSeconds: num(SERVER_ENV.IDLE_TIMEOUT_SECONDS, 2 * requestTimeout, { min: 1 }) + 5,
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
