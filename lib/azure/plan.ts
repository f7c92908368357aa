/**
 * The public shapes of the Azure plan: what a topology renders its numbers from (`AzureServicePlan`) and the
 * Traffic Manager / Front Door settings in it. The plan is computed by lib/azure/budget.ts (not public).
 */
import { CacheWritePlan, RegionHealthPolicy } from '../core/cache-write-model';
import { BudgetTerm } from '../core/failover-budget';
import { ServicePlan } from '../core/plan';

/** Front Door origin-group probe and response timeout, as rendered. */
export interface FrontDoorSettings {
  /** Seconds between probes from each edge location. */
  readonly probeIntervalSeconds: number;
  /** Probes considered per decision (`sample_size`). */
  readonly sampleSize: number;
  /** Successes among them for a healthy origin (`successful_samples_required`). */
  readonly successfulSamplesRequired: number;
  /** Seconds Front Door waits for an origin's response (`response_timeout_seconds`). */
  readonly responseTimeoutSeconds: number;
}

/** Options to override the Front Door settings derived from the tier. */
export interface FrontDoorOptions {
  /**
   * Seconds between probes from each edge location (5-255).
   * @default - the tier's load-balancer probe interval
   */
  readonly probeIntervalSeconds?: number;
  /**
   * Probes considered per decision (`sample_size`).
   * @default 4 (Front Door's default)
   */
  readonly sampleSize?: number;
  /**
   * Successes among them for a healthy origin (`successful_samples_required`).
   * @default - sampleSize - healthCheck.unhealthyThreshold + 1 (the tier's failures-to-unhealthy)
   */
  readonly successfulSamplesRequired?: number;
  /**
   * Seconds Front Door waits for an origin's response (`response_timeout_seconds`, 16-240).
   * @default - the timeout chain's idleTimeoutSeconds, capped at 240 s: at least the origin read
   * timeout, so Front Door never cuts a response the origin is still producing (Front Door's own
   * default, 120 s, is below the default 150 s origin read timeout)
   */
  readonly responseTimeoutSeconds?: number;
}

/** Traffic Manager monitor as rendered. */
export interface TrafficManagerSettings {
  /** Seconds between probes (10 or 30). */
  readonly intervalSeconds: number;
  /** Seconds a probe waits (5-9 with a 10 s interval, 5-10 with 30 s). */
  readonly timeoutSeconds: number;
  /** Failures tolerated before the next one marks the endpoint degraded (failureThreshold - 1). */
  readonly toleratedFailures: number;
  /** Seconds clients cache the profile's DNS answer. */
  readonly ttlSeconds: number;
}

/** Everything an Azure topology renders its numbers from. */
export interface AzureServicePlan extends ServicePlan {
  /** The regions that serve, in order (active-passive: primary first). */
  readonly regions: string[];
  /**
   * The Traffic Manager monitor as rendered.
   * @default - none: the routing is not Traffic Manager
   */
  readonly trafficManager?: TrafficManagerSettings;
  /**
   * The Front Door probe and response timeout as rendered.
   * @default - none: the routing is not Front Door
   */
  readonly frontDoor?: FrontDoorSettings;
  /**
   * How each region writes to the cache.
   * @default - none: no cache
   */
  readonly writePlan?: CacheWritePlan;
  /**
   * How long readiness tolerates an unreachable cache.
   * @default - none: no cache
   */
  readonly regionHealth?: RegionHealthPolicy;
  /** MCP-level probe terms, stated beside the budget (not the path a crashed instance takes). */
  readonly mcpProbeTerms: BudgetTerm[];
}
