/**
 * Health-probe policy: one value object for what a load balancer or DNS checker
 * asks the MCP server, validated against the ranges each cloud documents.
 *
 * Health paths are plain GETs distinct from the MCP endpoint: the readiness path
 * is what load balancers and DNS checkers probe (200 healthy; 429 degraded and
 * 503 unhealthy both take the instance out), the liveness path is what a process
 * supervisor or instance autohealing checks.
 */
import { PROBE_LIMITS, ProbeMechanism, TimeoutRule, allows, describeAllowed } from './cloud-limits';
import { Validator } from './errors';

/** The settings of a load-balancer probe. Every field is optional; the tier fills what is left out. */
export interface HealthProbeOptions {
  /**
   * Readiness path, probed by load balancers and DNS checkers.
   * @default '/health/ready'
   */
  readonly path?: string;
  /**
   * Liveness path, probed by instance autohealing and process supervisors.
   * @default '/health/live'
   */
  readonly livenessPath?: string;
  /**
   * HTTP status the readiness path returns when healthy.
   * @default 200
   */
  readonly healthyHttpStatus?: number;
  /** Seconds between probes of one target. @default - from the tier */
  readonly intervalSeconds?: number;
  /** Seconds a probe waits for an answer. @default - from the tier */
  readonly timeoutSeconds?: number;
  /** Consecutive successes before a target is healthy again. @default - from the tier */
  readonly healthyThreshold?: number;
  /** Consecutive failures before a target is taken out. @default - from the tier */
  readonly unhealthyThreshold?: number;
}

/** A complete load-balancer probe, every value given (what `HealthProbe.of` takes and `toOptions` returns). */
export interface HealthProbeSettings {
  /** Readiness path, probed by load balancers and DNS checkers. */
  readonly path: string;
  /** Liveness path, probed by instance autohealing and process supervisors. */
  readonly livenessPath: string;
  /** HTTP status the readiness path returns when healthy. */
  readonly healthyHttpStatus: number;
  /** Seconds between probes of one target. */
  readonly intervalSeconds: number;
  /** Seconds a probe waits for an answer. */
  readonly timeoutSeconds: number;
  /** Consecutive successes before a target is healthy again. */
  readonly healthyThreshold: number;
  /** Consecutive failures before a target is taken out. */
  readonly unhealthyThreshold: number;
}

/** The settings of a DNS checker (Route 53 health check, Traffic Manager monitor, Cloud DNS health check). */
export interface DnsHealthCheckOptions {
  /** Seconds between checks by each checker. @default - from the tier */
  readonly requestIntervalSeconds?: number;
  /** Consecutive failures before an endpoint is unhealthy. @default - from the tier */
  readonly failureThreshold?: number;
  /**
   * Seconds a check waits, where the service lets it be set (Traffic Manager, Google
   * health checks; Route 53 fixes it at 4 s to connect plus 2 s to answer).
   * @default - the service's minimum
   */
  readonly timeoutSeconds?: number;
  /** Also measure latency (Route 53: MeasureLatency; cannot be changed after creation). @default - from the tier */
  readonly measureLatency?: boolean;
}

/** A complete, validated load-balancer probe. */
export class HealthProbe {
  /**
   * Builds a probe from complete options. Throws McpHaValidationError for values
   * no cloud accepts (paths that are not absolute, the MCP endpoint as health path,
   * status outside 200-399, non-positive numbers). Cloud ranges are checked by
   * `validateFor`, once the mechanism is known.
   */
  public static of(options: HealthProbeSettings, mcpPath = '/mcp', validator?: Validator): HealthProbe {
    const v = validator ?? new Validator({ propPrefix: 'healthCheck' });
    const probe = new HealthProbe(options);
    probe.validateShape(v, mcpPath);
    if (!validator) v.throwIfInvalid();
    return probe;
  }

  public readonly path: string;
  public readonly livenessPath: string;
  public readonly healthyHttpStatus: number;
  public readonly intervalSeconds: number;
  public readonly timeoutSeconds: number;
  public readonly healthyThreshold: number;
  public readonly unhealthyThreshold: number;

  private constructor(o: HealthProbeSettings) {
    this.path = o.path;
    this.livenessPath = o.livenessPath;
    this.healthyHttpStatus = o.healthyHttpStatus;
    this.intervalSeconds = o.intervalSeconds;
    this.timeoutSeconds = o.timeoutSeconds;
    this.healthyThreshold = o.healthyThreshold;
    this.unhealthyThreshold = o.unhealthyThreshold;
  }

  /**
   * Worst-case seconds from a target failing to the probe declaring it unhealthy:
   * the failure lands just after a passing probe, so `unhealthyThreshold` more
   * probes, one per interval, must fail, and the last of them waits its timeout
   * when the target hangs rather than refusing the connection.
   */
  public get detectionSeconds(): number {
    return this.unhealthyThreshold * this.intervalSeconds + this.timeoutSeconds;
  }

  /** Worst-case seconds from a target recovering to it receiving traffic again. */
  public get recoverySeconds(): number {
    return this.healthyThreshold * this.intervalSeconds;
  }

  /** A copy with some fields replaced (validated again by the caller). */
  public with(overrides: HealthProbeOptions): HealthProbe {
    return new HealthProbe({ ...this.toOptions(), ...definedOnly(overrides) });
  }

  public toOptions(): HealthProbeSettings {
    return {
      path: this.path,
      livenessPath: this.livenessPath,
      healthyHttpStatus: this.healthyHttpStatus,
      intervalSeconds: this.intervalSeconds,
      timeoutSeconds: this.timeoutSeconds,
      healthyThreshold: this.healthyThreshold,
      unhealthyThreshold: this.unhealthyThreshold,
    };
  }

  /** Records a problem for every setting `mechanism` does not accept. */
  public validateFor(mechanism: ProbeMechanism, v: Validator): void {
    validateProbeNumbers(mechanism, v, {
      intervalSeconds: this.intervalSeconds,
      timeoutSeconds: this.timeoutSeconds,
      healthyThreshold: this.healthyThreshold,
      unhealthyThreshold: this.unhealthyThreshold,
    });
  }

  private validateShape(v: Validator, mcpPath: string): void {
    for (const [prop, path] of [['path', this.path], ['livenessPath', this.livenessPath]] as const) {
      v.check(/^\/[A-Za-z0-9\-._~/%]*$/.test(path) && path.length <= 1024, prop, path,
        'an absolute URL path (starting with "/", no query string, at most 1024 characters)');
      v.check(path !== mcpPath, prop, path,
        `a plain GET path distinct from the MCP endpoint ${mcpPath} (an MCP request is a POST that health checkers cannot send)`);
    }
    v.integerInRange('healthyHttpStatus', this.healthyHttpStatus, { min: 200, max: 399 },
      'a success status every cloud accepts as healthy');
    for (const prop of ['intervalSeconds', 'timeoutSeconds', 'healthyThreshold', 'unhealthyThreshold'] as const) {
      v.check(Number.isInteger(this[prop]) && this[prop] > 0, prop, this[prop], 'a positive whole number');
    }
  }
}

/** The numeric probe settings, as each mechanism sees them. */
export interface ProbeNumbers {
  readonly intervalSeconds: number;
  readonly timeoutSeconds?: number;
  readonly healthyThreshold?: number;
  readonly unhealthyThreshold: number;
}

/**
 * Checks probe numbers against one mechanism's documented limits (PROBE_LIMITS),
 * naming the service and its documentation page in each message.
 */
export function validateProbeNumbers(
  mechanism: ProbeMechanism,
  v: Validator,
  n: ProbeNumbers,
  names: Partial<Record<keyof ProbeNumbers, string>> = {},
): void {
  const limits = PROBE_LIMITS[mechanism];
  const source = `${limits.service}, ${limits.docUrl}`;
  const name = (k: keyof ProbeNumbers): string => names[k] ?? k;
  v.check(allows(limits.intervalSeconds, n.intervalSeconds), name('intervalSeconds'), n.intervalSeconds,
    `${describeAllowed(limits.intervalSeconds)} (${source})`);
  if (limits.timeoutSeconds && n.timeoutSeconds !== undefined) {
    v.check(allows(limits.timeoutSeconds, n.timeoutSeconds), name('timeoutSeconds'), n.timeoutSeconds,
      `${describeAllowed(limits.timeoutSeconds)} (${source})`);
    if (limits.timeoutRule === TimeoutRule.BELOW_INTERVAL) {
      v.checkPair(n.timeoutSeconds < n.intervalSeconds, name('timeoutSeconds'), n.timeoutSeconds, n.intervalSeconds,
        `less than ${name('intervalSeconds')} (${n.intervalSeconds}) (${source})`);
    } else if (limits.timeoutRule === TimeoutRule.AT_MOST_INTERVAL) {
      v.checkPair(n.timeoutSeconds <= n.intervalSeconds, name('timeoutSeconds'), n.timeoutSeconds, n.intervalSeconds,
        `at most ${name('intervalSeconds')} (${n.intervalSeconds}) (${source})`);
    }
  }
  if (limits.healthyThreshold && n.healthyThreshold !== undefined) {
    v.check(allows(limits.healthyThreshold, n.healthyThreshold), name('healthyThreshold'), n.healthyThreshold,
      `${describeAllowed(limits.healthyThreshold)} (${source})`);
  }
  v.check(allows(limits.unhealthyThreshold, n.unhealthyThreshold), name('unhealthyThreshold'), n.unhealthyThreshold,
    `${describeAllowed(limits.unhealthyThreshold)} (${source})`);
}

/** Removes keys whose value is undefined, so a spread does not erase defaults. */
export function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, val]) => val !== undefined)) as Partial<T>;
}

/** A complete DNS checker setting. */
export interface DnsHealthCheck {
  /** Seconds between checks by each checker (Route 53: 10 or 30). */
  readonly requestIntervalSeconds: number;
  /** Consecutive failed checks before the endpoint is unhealthy. */
  readonly failureThreshold: number;
  /** Whether the checkers also measure latency (Route 53 MeasureLatency; fixed at creation). */
  readonly measureLatency: boolean;
  /**
   * Seconds a check waits, where the DNS service lets it be set (Traffic Manager, Google health checks).
   * @default - the service's own timeout (Route 53 fixes it: 4 s to connect plus 2 s to answer); where it is
   * configurable, the mechanism's documented minimum
   */
  readonly timeoutSeconds?: number;
}

/** Checks DNS checker settings against one DNS mechanism's documented limits. */
export function validateDnsHealthCheck(mechanism: ProbeMechanism, v: Validator, dns: DnsHealthCheck): void {
  const limits = PROBE_LIMITS[mechanism];
  if (dns.timeoutSeconds !== undefined && !limits.timeoutSeconds) {
    v.add('timeoutSeconds', dns.timeoutSeconds,
      `no value: ${limits.service} fixes its timeout (${limits.fixedTimeoutSeconds} s), ${limits.docUrl}`);
  }
  validateProbeNumbers(mechanism, v, {
    intervalSeconds: dns.requestIntervalSeconds,
    timeoutSeconds: dns.timeoutSeconds ?? limits.timeoutSeconds?.min,
    unhealthyThreshold: dns.failureThreshold,
  }, { intervalSeconds: 'requestIntervalSeconds', unhealthyThreshold: 'failureThreshold' });
}
