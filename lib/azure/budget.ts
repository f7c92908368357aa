/**
 * The Azure plan and failover budget: the core plan (tier, overrides, probes,
 * timeouts) plus the terms only Azure has, computed from the values the Azure
 * constructs render:
 *
 * - Application Gateway probes have no healthy threshold (one success restores
 *   a backend) and every gateway instance probes on its own: the detection
 *   bound holds per instance; `lb-probe-detection` says so.
 * - Traffic Manager: tolerated failures + 1 probes at 10 or 30 s, an explicit
 *   5-9 s timeout at 10 s, the profile's TTL.
 * - Front Door: its own probe (interval, sample size, successes required) and
 *   its own response timeout, part of the timeout chain; its detection term is
 *   computed from those, not from the gateway's probe.
 * - Azure Managed Redis: in-region HA (single region) or active geo-replication
 *   (multi-writer: nothing is promoted, writes never stop in a surviving region).
 *
 * Pure TypeScript (no cdktf import): `npm run docs` builds the Azure rows of the
 * budget table with this very function.
 */
import {
  CacheWriteModel, CacheWritePlan, RegionHealthPolicy, regionHealthPolicy,
} from '../core/cache-write-model';
import { PROBE_LIMITS, ProbeMechanism } from '../core/cloud-limits';
import { McpHaValidationError, Validator } from '../core/errors';
import {
  ASSUMPTIONS, BudgetTerm, Cloud, FailoverBudget, TermSource, Topology, checkBudget, targetFor,
} from '../core/failover-budget';
import { ServicePlan, planService } from '../core/plan';
import { AzureServicePlan, FrontDoorOptions, FrontDoorSettings, TrafficManagerSettings } from './plan';
import { AvailabilityTier, RoutingMechanism, TierOverrides } from '../core/tiers';
import { AZURE_FACTS } from './facts';

/** What `planAzureService` plans from. */
export interface AzurePlanInput {
  /** The topology. */
  readonly topology: Topology;
  /** The availability tier. */
  readonly tier: AvailabilityTier;
  /** Changes to the tier's defaults. @default - none */
  readonly overrides?: TierOverrides;
  /** The regions that serve, in order (active-passive: primary first). */
  readonly regions: readonly string[];
  /** Routing chosen by the user. @default - the tier's */
  readonly routing?: RoutingMechanism;
  /** Front Door settings (anycast routing). @default - derived from the tier */
  readonly frontDoor?: FrontDoorOptions;
  /** @default - no cache */
  readonly cache?: boolean;
  /** The construct path errors name. @default - none */
  readonly constructPath?: string;
  /** Which values are unresolved tokens. @default - core's looksUnresolved */
  readonly isUnresolved?: (value: unknown) => boolean;
}

/** Azure Managed Redis replication between regions: no documented bound. */
export const MANAGED_REDIS_REPLICATION_LAG: BudgetTerm = {
  name: 'cache-replication-lag',
  seconds: 1,
  source: TermSource.ASSUMED,
  detail: 'Active geo-replication is eventually consistent and "the service does not provide SLA on sync time": '
    + 'assumed 1 s in normal operation; an isolated region keeps accepting writes and its lag can grow without bound '
    + '(writes it had not replicated are lost if it never comes back: RPO = lag)',
  docUrl: 'https://learn.microsoft.com/azure/redis/how-to-active-geo-replication',
};

/** Traffic Manager verdict to DNS answers: no documented figure. */
export const TRAFFIC_MANAGER_PROPAGATION = {
  seconds: 5,
  detail: 'Traffic Manager marks the endpoint degraded after tolerated failures + 1 probes from its probing agents and '
    + 'stops returning it in DNS answers; Microsoft documents no figure for how soon the answers change. Assumed 5 s.',
  docUrl: 'https://learn.microsoft.com/azure/traffic-manager/traffic-manager-monitoring',
} as const;

/** The Application Insights standard test and its alert, as the MCP probe renders them. */
export interface AzureMcpProbeInput {
  /** Seconds between test runs from each location (300, 600 or 900). */
  readonly frequencySeconds: number;
  /** Alert evaluation frequency, seconds. */
  readonly evaluationSeconds: number;
  /** Alert window, seconds. */
  readonly windowSeconds: number;
  /**
   * True when the service checks tokens: the test sends none and expects the 401 challenge
   * (an availability test cannot run the client-credentials grant, and a token pasted into
   * its headers would expire). @default false (the test expects a 200 `initialize` result)
   */
  readonly expectsChallenge?: boolean;
}

/** What the MCP probe checks, in the words the budget prints. */
export function azureMcpProbeCheck(expectsChallenge: boolean): string {
  return expectsChallenge
    ? 'it POSTs an MCP initialize without a token and expects the 401 challenge: an Application Insights standard test '
      + 'cannot obtain a token (no client-credentials grant; a static bearer header would expire), so it proves the gateway, '
      + 'a server and its token check answer on the MCP path, not that a tool call succeeds'
    : 'it POSTs an MCP initialize and expects a 200 whose body carries serverInfo';
}

/** The MCP probe's detection terms (Application Insights' 5-minute minimum frequency dominates). */
export function azureMcpProbeTerms(p: AzureMcpProbeInput): BudgetTerm[] {
  return [
    {
      name: 'mcp-probe-schedule', seconds: p.frequencySeconds, source: TermSource.DOCUMENTED,
      detail: `the standard availability test runs every ${p.frequencySeconds} s from each location (Application Insights `
        + `accepts only ${AZURE_FACTS.webTestFrequencies.values.join(', ')} s); ${azureMcpProbeCheck(p.expectsChallenge ?? false)}`,
      docUrl: AZURE_FACTS.webTestFrequencies.docUrl,
    },
    {
      name: 'mcp-probe-alert', seconds: p.evaluationSeconds, source: TermSource.RENDERED,
      detail: `the availability alert evaluates every ${p.evaluationSeconds} s over a ${p.windowSeconds} s window`,
    },
  ];
}

/** The rendered MCP probe: a standard test every 300 s, an alert every 60 s over 300 s. */
export const AZURE_MCP_PROBE: AzureMcpProbeInput = { frequencySeconds: 300, evaluationSeconds: 60, windowSeconds: 300 };

/** Application Gateway detection terms from the rendered probe. */
function gatewayTerms(plan: ServicePlan): BudgetTerm[] {
  const probe = plan.profile.healthProbe;
  const limits = PROBE_LIMITS[ProbeMechanism.AZURE_APPLICATION_GATEWAY];
  return [
    {
      name: 'lb-probe-detection',
      seconds: probe.unhealthyThreshold * probe.intervalSeconds,
      source: TermSource.RENDERED,
      detail: `${limits.service}: ${probe.unhealthyThreshold} failed probes x ${probe.intervalSeconds} s interval. Every `
        + 'gateway instance probes on its own, so this bound holds per instance; until the last instance has seen '
        + `the failure, its share of requests still reaches the failed backend. One successful probe restores a backend `
        + `(no healthy threshold: recovery within ${probe.intervalSeconds} s), ${limits.docUrl}`,
    },
    {
      name: 'lb-probe-timeout',
      seconds: probe.timeoutSeconds,
      source: TermSource.RENDERED,
      detail: `the last failing probe waits its ${probe.timeoutSeconds} s timeout when the backend hangs`,
    },
  ];
}

function trafficManagerTerms(tm: TrafficManagerSettings): BudgetTerm[] {
  return [
    {
      name: 'dns-probe-detection',
      seconds: (tm.toleratedFailures + 1) * tm.intervalSeconds,
      source: TermSource.RENDERED,
      detail: `Traffic Manager: ${tm.toleratedFailures} tolerated failures + 1 x ${tm.intervalSeconds} s interval`,
    },
    {
      name: 'dns-probe-timeout', seconds: tm.timeoutSeconds, source: TermSource.RENDERED,
      detail: `the last failing probe waits its ${tm.timeoutSeconds} s timeout (rendered explicitly: the provider's default, 10 s, is refused with a 10 s interval)`,
    },
    {
      name: 'dns-checker-aggregation', seconds: TRAFFIC_MANAGER_PROPAGATION.seconds, source: TermSource.ASSUMED,
      detail: TRAFFIC_MANAGER_PROPAGATION.detail, docUrl: TRAFFIC_MANAGER_PROPAGATION.docUrl,
    },
    { name: 'dns-ttl', seconds: tm.ttlSeconds, source: TermSource.RENDERED, detail: `clients cache the Traffic Manager answer for its ${tm.ttlSeconds} s TTL` },
  ];
}

function frontDoorTerms(fd: FrontDoorSettings): BudgetTerm[] {
  const failures = fd.sampleSize - fd.successfulSamplesRequired + 1;
  const reroute = ASSUMPTIONS.anycastReroute[Cloud.AZURE];
  return [
    {
      name: 'anycast-probe-detection',
      seconds: failures * fd.probeIntervalSeconds,
      source: TermSource.RENDERED,
      detail: `Front Door: an origin is unhealthy once fewer than ${fd.successfulSamplesRequired} of the last ${fd.sampleSize} `
        + `probes succeed, i.e. after ${failures} failed probes x ${fd.probeIntervalSeconds} s from each edge location `
        + '(only a 200 counts as healthy)',
      docUrl: AZURE_FACTS.frontDoorProbe.docUrl,
    },
    { name: 'anycast-reroute', seconds: reroute.seconds, source: TermSource.ASSUMED, detail: reroute.detail, docUrl: reroute.docUrl },
  ];
}

/**
 * Plans an Azure service: the core plan, then Azure's own terms. Every problem,
 * core and Azure, is thrown together naming the construct path.
 */
export function planAzureService(input: AzurePlanInput, extra?: (v: Validator, plan: AzureServicePlan) => void): AzureServicePlan {
  const v = new Validator({ constructPath: input.constructPath, isUnresolved: input.isUnresolved });
  const routingOverride = input.routing ? { routing: input.routing } : {};
  let core: ServicePlan;
  try {
    // Budget enforcement happens below, on Azure's own terms.
    core = planService({
      cloud: Cloud.AZURE,
      topology: input.topology,
      tier: input.tier,
      overrides: { ...input.overrides, ...routingOverride, enforceBudget: false },
      constructPath: input.constructPath,
      isUnresolved: input.isUnresolved,
    });
  } catch (e) {
    if (!(e instanceof McpHaValidationError)) throw e;
    e.problems.forEach((p) => v.add(p.prop, p.value, p.allowed));
    v.throwIfInvalid();
    throw e;
  }
  const profile = core.profile;
  const enforce = input.overrides?.enforceBudget ?? true;
  const probe = profile.healthProbe;
  const gwLimits = PROBE_LIMITS[ProbeMechanism.AZURE_APPLICATION_GATEWAY];
  const userHealthy = input.overrides?.healthCheck?.healthyThreshold;
  if (userHealthy !== undefined && userHealthy !== gwLimits.fixedHealthyThreshold) {
    v.add('healthCheck.healthyThreshold', userHealthy,
      `no value (or ${gwLimits.fixedHealthyThreshold}): Application Gateway has no healthy threshold, one successful probe restores a backend (${gwLimits.docUrl})`);
  }

  const routing = core.routing;
  let trafficManager: TrafficManagerSettings | undefined;
  let frontDoor: FrontDoorSettings | undefined;
  let terms: BudgetTerm[];
  if (input.topology === Topology.ACTIVE_ACTIVE) {
    terms = gatewayTerms(core);
  } else if (routing === RoutingMechanism.DNS) {
    const hc = profile.dnsHealthCheck;
    trafficManager = {
      intervalSeconds: hc.requestIntervalSeconds,
      timeoutSeconds: hc.timeoutSeconds ?? 5,
      toleratedFailures: hc.failureThreshold - 1,
      ttlSeconds: profile.recordTtlSeconds,
    };
    // 5-9 s with a 10 s interval, 5-10 s with 30 s: core's Traffic Manager limits (range, below the interval) check it.
    terms = trafficManagerTerms(trafficManager);
  } else if (routing === RoutingMechanism.ANYCAST) {
    frontDoor = resolveFrontDoor(input.frontDoor ?? {}, core, v.nested('frontDoor'));
    terms = frontDoorTerms(frontDoor);
  } else {
    v.add('routing', routing, `${RoutingMechanism.DNS} (Traffic Manager) or ${RoutingMechanism.ANYCAST} (Front Door): a ${input.topology} topology has a gateway per region`);
    terms = gatewayTerms(core);
  }
  if (input.topology !== Topology.ACTIVE_ACTIVE && input.frontDoor && routing !== RoutingMechanism.ANYCAST) {
    v.add('frontDoor', input.frontDoor, `no value: Front Door settings apply to ${RoutingMechanism.ANYCAST} routing only (routing is ${routing})`);
  }

  let writePlan: CacheWritePlan | undefined;
  let regionHealth: RegionHealthPolicy | undefined;
  let cacheTerms: BudgetTerm[] = [];
  if (input.cache) {
    const regions = [...new Set(input.regions)];
    const model = regions.length > 1 ? CacheWriteModel.MULTI_WRITER : CacheWriteModel.SINGLE_REGION;
    const failover = ASSUMPTIONS.cacheAutomaticFailover[Cloud.AZURE];
    const inRegion: BudgetTerm = { name: 'cache-automatic-failover', seconds: failover.seconds, source: failover.source, detail: failover.detail, docUrl: failover.docUrl };
    writePlan = CacheWritePlan.of({
      model, regions,
      recoveryTerms: model === CacheWriteModel.SINGLE_REGION ? [inRegion] : undefined,
      replicationLag: model === CacheWriteModel.MULTI_WRITER ? MANAGED_REDIS_REPLICATION_LAG : undefined,
    }, v.nested('cache'));
    regionHealth = regionHealthPolicy(failover.seconds, probe.intervalSeconds);
    cacheTerms = [...writePlan.recoveryTerms];
  }

  const budget = new FailoverBudget(input.topology, routing, terms, targetFor(input.topology, profile.targets), cacheTerms);
  const warnings = v.valid
    ? checkBudget(budget, v, { tierName: profile.tier, enforce, dns: core.dns })
    : [];
  const plan: AzureServicePlan = {
    ...core,
    profile: { ...profile, enforceBudget: enforce },
    budget,
    warnings,
    regions: [...input.regions],
    trafficManager,
    frontDoor,
    writePlan,
    regionHealth,
    mcpProbeTerms: azureMcpProbeTerms(AZURE_MCP_PROBE),
  };
  extra?.(v, plan);
  v.throwIfInvalid();
  return plan;
}

function resolveFrontDoor(o: FrontDoorOptions, core: ServicePlan, v: Validator): FrontDoorSettings {
  const f = AZURE_FACTS;
  const chain = core.profile.timeouts;
  const sampleSize = o.sampleSize ?? 4;
  const settings: FrontDoorSettings = {
    probeIntervalSeconds: o.probeIntervalSeconds ?? core.profile.healthProbe.intervalSeconds,
    sampleSize,
    successfulSamplesRequired: o.successfulSamplesRequired ?? Math.max(1, sampleSize - core.profile.healthProbe.unhealthyThreshold + 1),
    responseTimeoutSeconds: o.responseTimeoutSeconds ?? Math.min(f.frontDoorResponseTimeoutSeconds.max, chain.idleTimeoutSeconds),
  };
  v.integerInRange('probeIntervalSeconds', settings.probeIntervalSeconds, f.frontDoorProbe.intervalSeconds, `Front Door probe, ${f.frontDoorProbe.docUrl}`);
  v.integerInRange('sampleSize', settings.sampleSize, f.frontDoorProbe.samples, `Front Door load balancing, ${f.frontDoorProbe.docUrl}`);
  v.check(Number.isInteger(settings.successfulSamplesRequired) && settings.successfulSamplesRequired >= 1
    && settings.successfulSamplesRequired <= settings.sampleSize, 'successfulSamplesRequired', settings.successfulSamplesRequired,
  `an integer from 1 to sampleSize (${settings.sampleSize})`);
  v.integerInRange('responseTimeoutSeconds', settings.responseTimeoutSeconds, f.frontDoorResponseTimeoutSeconds,
    `Front Door origin response timeout, ${f.frontDoorResponseTimeoutSeconds.docUrl}`);
  v.check(settings.responseTimeoutSeconds >= chain.originReadTimeoutSeconds, 'responseTimeoutSeconds', settings.responseTimeoutSeconds,
    `at least timeouts.originReadTimeoutSeconds (${chain.originReadTimeoutSeconds}): Front Door would cut a response the origin is still producing`);
  return settings;
}
