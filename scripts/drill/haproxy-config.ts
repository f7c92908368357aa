/**
 * Renders an HAProxy configuration from core's plan, so the local drill's load
 * balancer probes exactly as the cloud load balancers the constructs render:
 *
 *   healthProbe.intervalSeconds     -> default-server inter <n>s
 *   healthProbe.unhealthyThreshold  -> default-server fall <n>
 *   healthProbe.healthyThreshold    -> default-server rise <n>
 *   healthProbe.timeoutSeconds      -> timeout check <n>s
 *   healthProbe.path                -> option httpchk GET <path>
 *   healthProbe.healthyHttpStatus   -> http-check expect status <n>  (429 and 503 take a replica out)
 *   timeouts.idleTimeoutSeconds     -> timeout client / timeout server <n>s
 *   intervalSeconds - timeoutSeconds -> default-server fastinter <n>s  (fixed cadence, below)
 *
 * Probe cadence: core's budget (fall x inter + timeout) assumes probes start one
 * interval apart, as a cloud load balancer sends them, so only the last failing
 * probe adds its timeout. HAProxy starts the next check `inter` after the previous
 * one *ended*: against a hung replica every failing check adds its timeout, and
 * detection reaches fall x (inter + timeout) (14 s instead of 12 s for
 * mission-critical, measured). `fastinter inter - timeout` (used by HAProxy only
 * while a server's health is in transition) restores one interval between the
 * starts of timed-out checks. The price: after an *instant* failure (a refused
 * connection) or the first success after DOWN, the next check comes `timeout`
 * early, so refused-connection detection and recovery are up to (fall - 1) x
 * timeout faster than on a fixed cadence. `checkCadence: 'native'` renders without it.
 *
 * Draining: a replica marked down keeps its established requests (no
 * `on-marked-down shutdown-sessions`); the server's own SIGTERM drain finishes
 * them. A connection refused by a stopping replica is retried on another one
 * (`retries` + `option redispatch` + `retry-on conn-failure`): safe for a POST,
 * because the request never reached a server. Nothing else is retried, so a call
 * that was running on a replica that died is a failed call, as it would be
 * behind an Application Load Balancer.
 */
import type { HealthProbe } from '../../lib/core/health-probe';
import type { TimeoutChain } from '../../lib/core/timeouts';

export interface HaproxyServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

export interface HaproxyConfigInput {
  /** The probe as core resolved it (`resolveTier(tier).healthProbe`). */
  readonly probe: HealthProbe;
  /** The timeout chain as core resolved it (`resolveTier(tier).timeouts`). */
  readonly timeouts: TimeoutChain;
  readonly servers: readonly HaproxyServer[];
  /** Port of the MCP frontend on 127.0.0.1. */
  readonly bindPort: number;
  /** @default '127.0.0.1' */
  readonly bindHost?: string;
  /** Unix socket for `show stat` (the drill reads DOWN/UP transitions from it). */
  readonly statsSocket: string;
  /** Written in the header comment (e.g. the tier name). */
  readonly source?: string;
  /** MCP endpoint path (only for the comment; routing is by backend). @default '/mcp' */
  readonly mcpPath?: string;
  /**
   * `fixed`: add `fastinter (inter - timeout)` so timed-out checks start one interval apart,
   * the cadence core's budget assumes. `native`: HAProxy's own scheduling (the next check
   * `inter` after the previous one ended). @default 'fixed'
   */
  readonly checkCadence?: CheckCadence;
  /**
   * Multiplies the probe's times (inter, fastinter, timeout check, timeout connect), rendered
   * in milliseconds when not 1: the region drill runs the tier's probe scaled down (its
   * scale is printed). The idle timeouts of the chain are not scaled. @default 1
   */
  readonly timeScale?: number;
  /**
   * Lower bound of the scaled check and connect timeouts, in milliseconds: on a loaded machine a
   * healthy replica can take longer than a probe timeout scaled to 0.2 s. Only a hung replica's
   * detection depends on the timeout (the region drill hangs none). @default - none
   */
  readonly minCheckTimeoutMs?: number;
  /** Backend name. @default BACKEND_NAME */
  readonly backendName?: string;
}

export type CheckCadence = 'fixed' | 'native';

/** The probe and timeout settings as HAProxy directives (what the tests assert). */
export interface HaproxySettings {
  readonly inter: string;
  readonly fall: number;
  readonly rise: number;
  readonly timeoutCheck: string;
  readonly httpchk: string;
  readonly expectStatus: number;
  readonly timeoutClient: string;
  readonly timeoutServer: string;
  readonly timeoutConnect: string;
  /** Only with the fixed cadence (and when inter > timeout): inter - timeout. */
  readonly fastinter?: string;
}

/**
 * The mapping itself. `timeout connect` is the probe timeout: a replica that
 * cannot accept a connection within it is as dead to a request as to a probe
 * (HAProxy also bounds a check's connect by min(timeout connect, inter)).
 */
export function haproxySettings(probe: HealthProbe, timeouts: TimeoutChain, cadence: CheckCadence = 'fixed', timeScale = 1): HaproxySettings {
  const fast = probe.intervalSeconds - probe.timeoutSeconds;
  const t = (seconds: number): string => (timeScale === 1 ? `${seconds}s` : `${Math.max(1, Math.round(seconds * timeScale * 1000))}ms`);
  return {
    inter: t(probe.intervalSeconds),
    fall: probe.unhealthyThreshold,
    rise: probe.healthyThreshold,
    timeoutCheck: t(probe.timeoutSeconds),
    httpchk: `GET ${probe.path}`,
    expectStatus: probe.healthyHttpStatus,
    timeoutClient: `${timeouts.idleTimeoutSeconds}s`,
    timeoutServer: `${timeouts.idleTimeoutSeconds}s`,
    timeoutConnect: t(probe.timeoutSeconds),
    ...(cadence === 'fixed' && fast > 0 ? { fastinter: t(fast) } : {}),
  };
}

/** `settings` with the check and connect timeouts at least `minMs` (fastinter follows, or goes when inter <= timeout). */
function floorTimeouts(settings: HaproxySettings, probe: HealthProbe, timeScale: number, minMs: number | undefined): HaproxySettings {
  const timeoutMs = probe.timeoutSeconds * timeScale * 1000;
  if (minMs === undefined || timeoutMs >= minMs) return settings;
  const interMs = probe.intervalSeconds * timeScale * 1000;
  const { fastinter, ...rest } = settings;
  return {
    ...rest,
    timeoutCheck: `${minMs}ms`,
    timeoutConnect: `${minMs}ms`,
    ...(fastinter !== undefined && interMs > minMs ? { fastinter: `${Math.round(interMs - minMs)}ms` } : {}),
  };
}

export const BACKEND_NAME = 'mcp_replicas';
export const FRONTEND_NAME = 'mcp';

export function renderHaproxyConfig(input: HaproxyConfigInput): string {
  if (input.servers.length === 0) throw new Error('renderHaproxyConfig: at least one server');
  for (const s of input.servers) {
    if (!/^[A-Za-z0-9_.-]+$/.test(s.name)) throw new Error(`renderHaproxyConfig: server name ${JSON.stringify(s.name)} (letters, digits, "_", ".", "-")`);
  }
  const scaled = haproxySettings(input.probe, input.timeouts, input.checkCadence ?? 'fixed', input.timeScale ?? 1);
  const s = floorTimeouts(scaled, input.probe, input.timeScale ?? 1, input.minCheckTimeoutMs);
  const backend = input.backendName ?? BACKEND_NAME;
  const scale = input.timeScale ?? 1;
  const bindHost = input.bindHost ?? '127.0.0.1';
  const lines = [
    `# Rendered by scripts/drill/haproxy-config.ts from core's plan${input.source ? ` (${input.source})` : ''}. Do not edit.`,
    `# Probe: ${input.probe.unhealthyThreshold} x ${input.probe.intervalSeconds} s + ${input.probe.timeoutSeconds} s timeout`
      + ` = ${input.probe.detectionSeconds} s worst-case detection; recovery ${input.probe.recoverySeconds} s.`,
    ...(scale !== 1 ? [`# Probe times scaled by ${round3(scale)} for a local run: ${round3(input.probe.detectionSeconds * scale)} s worst-case detection here.`] : []),
    'global',
    '  log stdout format raw local0 info',
    `  stats socket ${input.statsSocket} mode 600 level operator`,
    '  nbthread 1',
    '',
    'defaults',
    '  mode http',
    '  log global',
    '  option httplog',
    '  # Log only failed requests and every health-check state change.',
    '  option dontlog-normal',
    '  option log-health-checks',
    '  # One server connection per request: a stopping replica refuses new connections',
    '  # (retried elsewhere) and never races a reused idle connection.',
    '  option http-server-close',
    `  timeout connect ${s.timeoutConnect}`,
    `  timeout client ${s.timeoutClient}`,
    `  timeout server ${s.timeoutServer}`,
    '  timeout http-request 10s',
    `  timeout check ${s.timeoutCheck}`,
    '  retries 3',
    '  option redispatch 1',
    '  retry-on conn-failure',
    '',
    `frontend ${FRONTEND_NAME}`,
    `  bind ${bindHost}:${input.bindPort}`,
    '  # The replicas log this id on their request lines.',
    '  unique-id-format %[uuid()]',
    '  unique-id-header X-Request-Id',
    `  default_backend ${backend}`,
    '',
    `backend ${backend}`,
    '  balance roundrobin',
    `  option httpchk ${s.httpchk}`,
    `  http-check expect status ${s.expectStatus}`,
    '  # No "on-marked-down shutdown-sessions": a replica marked down finishes its in-flight requests.',
    ...(s.fastinter
      ? ['  # fastinter = inter - timeout: a timed-out check is followed by the next one inter after it *started* (the cadence core assumes).']
      : []),
    `  default-server inter ${s.inter}${s.fastinter ? ` fastinter ${s.fastinter}` : ''} fall ${s.fall} rise ${s.rise}`,
    ...input.servers.map((srv) => `  server ${srv.name} ${srv.host}:${srv.port} check`),
    '',
  ];
  return lines.join('\n');
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
