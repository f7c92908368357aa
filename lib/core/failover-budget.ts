/**
 * The failover budget: the time from a failure to traffic moved, as a sum of
 * named terms, computed from the very values the constructs render into the
 * templates. A user reads where the seconds go; a configuration that cannot
 * meet its tier is refused with the biggest term named and a way out.
 *
 * Each term says where its figure comes from:
 *  - RENDERED: a value the library writes into the template (probe interval, TTL);
 *  - DOCUMENTED: a figure the cloud documents (Route 53's fixed probe timeouts,
 *    the 60 s TTL of an alias to a load balancer), with the page;
 *  - ASSUMED: a delay the cloud documents no figure for; the assumption and its
 *    reasoning are stated, so a reader can disagree with a number rather than
 *    discover it.
 */
import { CLOUD_FACTS, PROBE_LIMITS, ProbeMechanism } from './cloud-limits';
import { Validator } from './errors';
import { DnsHealthCheck, HealthProbe } from './health-probe';
import { FailoverTargets, RoutingMechanism } from './tiers';
import type { TierOverrides } from './tiers';
import type { NumberRange } from './errors';

export enum Cloud {
  AWS = 'aws',
  AZURE = 'azure',
  GCP = 'gcp',
}

export enum Topology {
  ACTIVE_ACTIVE = 'active-active',
  ACTIVE_PASSIVE = 'active-passive',
  MULTI_REGION = 'multi-region',
}

/** The kind of DNS record that points clients at a deployment. */
export enum DnsRecordKind {
  /** Route 53 alias to the load balancer: works at the zone apex; TTL is the load balancer's 60 s and cannot be set. */
  ALIAS = 'alias',
  /** A CNAME (or Traffic Manager / Cloud DNS record) whose TTL the library sets. */
  CNAME = 'cname',
}

export enum TermSource {
  RENDERED = 'rendered',
  DOCUMENTED = 'documented',
  ASSUMED = 'assumed',
}

/** One named term of a budget. */
export interface BudgetTerm {
  /** Stable name (`lb-probe-detection`, `dns-ttl`, ...). */
  readonly name: string;
  /** The term's worst case, in seconds. */
  readonly seconds: number;
  /** Where the figure comes from: the rendered configuration, a cloud's documentation, or an assumption. */
  readonly source: TermSource;
  /** How the figure is made, in words, with the values it is made from. */
  readonly detail: string;
  /** The documentation behind a DOCUMENTED or ASSUMED term. @default - none (a term CALCULATED from rendered values) */
  readonly docUrl?: string;
}

/** DNS routing as rendered. */
export interface DnsRouting {
  /** The DNS checkers' settings, as rendered. */
  readonly healthCheck: DnsHealthCheck;
  /** CNAME (the tier's TTL) or ALIAS (the load balancer's fixed 60 s). */
  readonly recordKind: DnsRecordKind;
  /** TTL of the record (ignored for ALIAS: the load balancer's 60 s applies). */
  readonly ttlSeconds: number;
  /**
   * True when the record's health check is CALCULATED (the HTTPS check AND the MCP probe's alarm check):
   * Route 53 then aggregates the children's verdicts once more before the record changes.
   * @default false
   */
  readonly calculatedHealthCheck?: boolean;
}

/** How the shared cache recovers its writer. */
export interface CacheFailoverInput {
  /** True when the surviving deployment is in another region (Global Datastore promotion). */
  readonly crossRegion: boolean;
  /**
   * Cross-region only: the outage must last this long before the library promotes
   * a secondary (the escalation ladder's extended-outage step).
   * @default 300 - the guide's extended-outage step
   */
  readonly promotionTriggerSeconds?: number;
  /**
   * Cross-region only: every region writes to its own member (multi-writer, e.g. MemoryDB Multi-Region):
   * nothing is promoted, so writes never stop in a surviving region.
   * @default false (single writer: a secondary is promoted after the extended-outage step)
   */
  readonly multiWriter?: boolean;
}

/** What `computeFailoverBudget` adds up: the cloud, topology, routing and the settings as rendered. */
export interface FailoverBudgetInput {
  /** The cloud whose documented figures apply. */
  readonly cloud: Cloud;
  /** Active-active, active-passive or multi-region: decides which terms add up and which target applies. */
  readonly topology: Topology;
  /** What moves traffic: the load balancer alone, DNS, or an anycast front. */
  readonly routing: RoutingMechanism;
  /** The load balancer's probe, as rendered. */
  readonly probe: HealthProbe;
  /** DNS routing as rendered; required when routing is DNS. @default - no DNS terms (a synth-time error when routing is DNS) */
  readonly dns?: DnsRouting;
  /** The shared cache, when there is one. @default - no cache terms (no write recovery in the budget) */
  readonly cache?: CacheFailoverInput;
  /** The targets the budget is compared with (the topology's one applies). */
  readonly targets: FailoverTargets;
}

/**
 * Figures no cloud documents, stated once. Each is deliberately conservative: a
 * measured failover that beats the budget is fine; one that exceeds it is a bug.
 */
export const ASSUMPTIONS = {
  dnsCheckerAggregation: {
    seconds: 5,
    detail:
      'Each DNS checker sees the failure within its own threshold x interval (counted above); the endpoint is '
      + 'unhealthy once enough checkers agree (Route 53: 18 % or fewer report healthy) and the verdict reaches '
      + 'the name servers. No cloud documents that delay: assumed 5 s.',
    docUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html',
  },
  route53CalculatedAggregation: {
    seconds: 5,
    detail:
      'A CALCULATED health check (HTTPS check AND the MCP probe alarm check) takes its status from its children\'s '
      + 'status, which Route 53 aggregates once more before the record changes. AWS documents no delay for that '
      + 'hop: assumed 5 s, the same as the checkers\' own aggregation.',
    docUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html',
  },
  anycastReroute: {
    [Cloud.AWS]: {
      seconds: 30,
      detail:
        'Global Accelerator uses the Application Load Balancer\'s own target health for ALB endpoints and ignores '
        + 'traffic dials when it fails over (documented). The only figure AWS gives is that routing returns to '
        + 'recovered endpoints "in about 30 seconds or so"; no figure is documented for routing around an endpoint '
        + 'turning unhealthy, so the same 30 s is assumed after the load balancer detects it (it was 10 s before '
        + 'the documentation was checked). Established connections are not moved: a client keeps its connection '
        + 'to the old endpoint until it closes, so MCP clients must reconnect on a failed call.',
      docUrl: 'https://docs.aws.amazon.com/global-accelerator/latest/dg/about-endpoints-endpoint-weights.unhealthy-endpoints.html',
    },
    [Cloud.GCP]: {
      seconds: 10,
      detail:
        'The global external Application Load Balancer stops sending new requests to backends its health '
        + 'checks mark unhealthy; Google documents no figure for how soon. Assumed 10 s after detection.',
      docUrl: 'https://cloud.google.com/load-balancing/docs/health-check-concepts',
    },
    [Cloud.AZURE]: {
      seconds: 10,
      detail:
        'Azure Front Door shifts traffic from origins its probes mark unhealthy; each edge location probes on its '
        + 'own and Microsoft documents no figure for how soon the verdict reaches every edge. Assumed 10 s after '
        + 'detection (the detection itself comes from the rendered interval and sample settings).',
      docUrl: 'https://learn.microsoft.com/azure/frontdoor/health-probes',
    },
  },
  cacheAutomaticFailover: {
    [Cloud.AWS]: {
      seconds: 30,
      source: TermSource.ASSUMED,
      detail:
        'ElastiCache Multi-AZ promotes a replica; "writes can resume as soon as the promotion process is '
        + 'complete, typically just a few seconds". No upper bound is documented: assumed 30 s, including the '
        + 'primary endpoint\'s DNS change. Reads keep working from replicas meanwhile.',
      docUrl: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/AutoFailover.html',
    },
    [Cloud.AZURE]: {
      seconds: 30,
      source: TermSource.ASSUMED,
      detail:
        'Azure Managed Redis with high availability: "if a node or shard becomes unavailable, a replica shard '
        + 'promotes itself to primary automatically". No duration is documented for Managed Redis (the 10-15 s '
        + 'figure is Azure Cache for Redis\'s, a retiring service): assumed 30 s.',
      docUrl: 'https://learn.microsoft.com/azure/reliability/reliability-managed-redis',
    },
    [Cloud.GCP]: {
      seconds: 30,
      source: TermSource.ASSUMED,
      detail:
        'Memorystore for Valkey with at least one replica per shard fails over automatically ("Replicas provide '
        + 'automatic failover during planned maintenance and unexpected shard failure"); Memorystore for Redis '
        + 'Standard tier says "the instance is unavailable for a few seconds". Neither documents an upper bound: '
        + 'assumed 30 s.',
      docUrl: 'https://cloud.google.com/memorystore/docs/valkey/ha-and-replicas',
    },
  },
  cacheCrossRegionPromotion: {
    seconds: 60,
    detail:
      'ElastiCache does not fail a Global Datastore over between regions by itself; the library calls '
      + 'FailoverGlobalReplicationGroup. AWS documents no completion time (its disaster-recovery workshop '
      + 'quotes an RTO of 1 minute): assumed 60 s after the call.',
    docUrl: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/red-ug/Redis-Global-Datastores-Getting-Started.html',
  },
  memorystoreSwitchover: {
    seconds: 120,
    detail:
      'Memorystore for Valkey cross-region replication is single-writer; Google never switches over by itself: '
      + 'the library\'s promoter calls the switchover of the chosen secondary instance. Google documents no '
      + 'completion time for a switchover: assumed 120 s after the call.',
    docUrl: 'https://cloud.google.com/memorystore/docs/valkey/about-cross-region-replication',
  },
  route53AlarmPolling: {
    seconds: 30,
    detail:
      'A Route 53 health check based on a CloudWatch alarm follows the alarm\'s data stream; AWS documents no '
      + 'polling interval. Assumed 30 s.',
    docUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating-values.html',
  },
  alarmEvaluation: {
    seconds: 60,
    detail: 'The regional health alarm that triggers promotion evaluates one-minute periods: up to 60 s after the trigger time.',
  },
} as const;

/** How long the cache writer takes to recover, stated beside the serving budget. */
export interface CacheRecovery {
  /** The terms, in order. */
  readonly terms: BudgetTerm[];
  /** Their sum, seconds. */
  readonly totalSeconds: number;
}

/** The result: named terms, their sum, and how it compares with the tier's target. */
export class FailoverBudget {
  /**
   * Computes the budget (`computeFailoverBudget`): routing that cannot serve the topology is reported to
   * `validator` (or thrown when none is given) rather than guessed around.
   */
  public static compute(input: FailoverBudgetInput, validator?: Validator): FailoverBudget {
    const v = validator ?? new Validator();
    const budget = computeFailoverBudget(input, v);
    if (validator === undefined) v.throwIfInvalid();
    return budget;
  }

  public readonly terms: BudgetTerm[];
  /** Seconds from a failure to traffic served elsewhere (sum of `terms`). */
  public readonly totalSeconds: number;
  public readonly targetSeconds: number;
  public readonly topology: Topology;
  public readonly routing: RoutingMechanism;
  /** The cache writer's recovery, stated separately: serving traffic does not wait for it. */
  public readonly cacheRecovery?: CacheRecovery;

  constructor(
    topology: Topology,
    routing: RoutingMechanism,
    terms: BudgetTerm[],
    targetSeconds: number,
    cacheTerms?: BudgetTerm[],
  ) {
    this.topology = topology;
    this.routing = routing;
    this.terms = terms;
    this.totalSeconds = sum(terms);
    this.targetSeconds = targetSeconds;
    if (cacheTerms && cacheTerms.length > 0) this.cacheRecovery = { terms: cacheTerms, totalSeconds: sum(cacheTerms) };
  }

  public get withinTarget(): boolean {
    return this.totalSeconds <= this.targetSeconds;
  }

  /** The term with the most seconds (the first such, in order). */
  public get largestTerm(): BudgetTerm {
    return this.terms.reduce((a, b) => (b.seconds > a.seconds ? b : a));
  }

  /** `12 s = lb-probe-detection 10 s + lb-probe-timeout 2 s (target 12 s)` */
  public describe(): string {
    const parts = this.terms.map((t) => `${t.name} ${t.seconds} s`).join(' + ');
    return `${this.totalSeconds} s = ${parts} (target ${this.targetSeconds} s)`;
  }

  /** Plain data, for stack outputs, metadata and the synth summary. */
  public toJSON(): Record<string, unknown> {
    return {
      topology: this.topology,
      routing: this.routing,
      totalSeconds: this.totalSeconds,
      targetSeconds: this.targetSeconds,
      withinTarget: this.withinTarget,
      largestTerm: this.largestTerm.name,
      terms: this.terms.map((t) => ({ name: t.name, seconds: t.seconds, source: t.source })),
      ...(this.cacheRecovery ? { cacheRecoverySeconds: this.cacheRecovery.totalSeconds } : {}),
    };
  }
}

/** The tier target that applies to a topology. */
export function targetFor(topology: Topology, targets: FailoverTargets): number {
  switch (topology) {
    case Topology.ACTIVE_ACTIVE: return targets.activeActiveDetectionSeconds;
    case Topology.ACTIVE_PASSIVE: return targets.activePassiveRtoSeconds;
    case Topology.MULTI_REGION: return targets.multiRegionRtoSeconds;
  }
}

/** The probing mechanism behind each cloud's load balancer and DNS failover. */
const LB_MECHANISM: Record<Cloud, ProbeMechanism> = {
  [Cloud.AWS]: ProbeMechanism.AWS_ALB_TARGET_GROUP,
  [Cloud.AZURE]: ProbeMechanism.AZURE_APPLICATION_GATEWAY,
  [Cloud.GCP]: ProbeMechanism.GCP_HEALTH_CHECK,
};
const DNS_MECHANISM: Record<Cloud, ProbeMechanism> = {
  [Cloud.AWS]: ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK,
  [Cloud.AZURE]: ProbeMechanism.AZURE_TRAFFIC_MANAGER,
  // Cloud DNS checks public endpoints with a health check that has source regions: interval >= 30 s.
  [Cloud.GCP]: ProbeMechanism.GCP_DNS_HEALTH_CHECK,
};

/**
 * Settings a cloud imposes under the user's overrides. Google: Cloud DNS checks public endpoints with a
 * health check that has source regions, whose interval must be at least 30 s (PROBE_LIMITS
 * gcp-dns-health-check); its timeout defaults to Google's 5 s.
 */
export function cloudDefaults(cloud: Cloud): TierOverrides {
  if (cloud !== Cloud.GCP) return {};
  const limits = PROBE_LIMITS[ProbeMechanism.GCP_DNS_HEALTH_CHECK];
  return { dnsHealthCheck: { requestIntervalSeconds: (limits.intervalSeconds as NumberRange).min, timeoutSeconds: 5 } };
}

/** The probing mechanism a cloud's load balancer uses. */
export function loadBalancerMechanism(cloud: Cloud): ProbeMechanism {
  return LB_MECHANISM[cloud];
}

/** The probing mechanism a cloud's DNS failover uses. */
export function dnsMechanism(cloud: Cloud): ProbeMechanism {
  return DNS_MECHANISM[cloud];
}

/**
 * Computes the budget. Routing that cannot serve the topology (a lone load
 * balancer for a multi-region deployment, DNS routing without DNS settings) is
 * reported to `v` rather than guessed around.
 */
export function computeFailoverBudget(input: FailoverBudgetInput, v: Validator = new Validator()): FailoverBudget {
  const { topology, routing, probe, cloud } = input;
  const target = targetFor(topology, input.targets);
  const lbService = PROBE_LIMITS[LB_MECHANISM[cloud]].service;
  const lbTerms: BudgetTerm[] = [
    {
      name: 'lb-probe-detection',
      seconds: probe.unhealthyThreshold * probe.intervalSeconds,
      source: TermSource.RENDERED,
      detail: `${lbService}: ${probe.unhealthyThreshold} failed probes x ${probe.intervalSeconds} s interval`
        + ' (the failure lands just after a passing probe)',
    },
    {
      name: 'lb-probe-timeout',
      seconds: probe.timeoutSeconds,
      source: TermSource.RENDERED,
      detail: `the last failing probe waits its ${probe.timeoutSeconds} s timeout when the target hangs`,
    },
  ];

  let terms: BudgetTerm[];
  if (topology === Topology.ACTIVE_ACTIVE) {
    // Any instance serves any request: failover is the load balancer dropping the
    // failed instance, whatever sits in front of the load balancer.
    terms = lbTerms;
  } else if (routing === RoutingMechanism.LOAD_BALANCER) {
    v.add('routing', routing,
      `${RoutingMechanism.DNS} or ${RoutingMechanism.ANYCAST}: a ${topology} topology has two or more load balancers, so something in front of them must move traffic`);
    terms = lbTerms;
  } else if (routing === RoutingMechanism.ANYCAST) {
    const reroute = ASSUMPTIONS.anycastReroute[cloud];
    terms = [...lbTerms, {
      name: 'anycast-reroute',
      seconds: reroute.seconds,
      source: TermSource.ASSUMED,
      detail: reroute.detail,
      docUrl: reroute.docUrl,
    }];
  } else {
    terms = dnsTerms(cloud, input.dns, v);
  }

  if (input.cache?.crossRegion && cloud !== Cloud.AWS) {
    v.add('cache.crossRegion', true,
      'false: cross-region cache promotion is modelled for ElastiCache Global Datastore (AWS) only');
  }
  return new FailoverBudget(topology, routing, terms, target, cacheTerms(input));
}

function dnsTerms(cloud: Cloud, dns: DnsRouting | undefined, v: Validator): BudgetTerm[] {
  if (!dns) {
    v.add('dns', dns, 'DNS settings (health check, record kind, TTL) when routing is dns');
    return [];
  }
  const hc = dns.healthCheck;
  const limits = PROBE_LIMITS[DNS_MECHANISM[cloud]];
  const terms: BudgetTerm[] = [
    {
      name: 'dns-probe-detection',
      seconds: hc.failureThreshold * hc.requestIntervalSeconds,
      source: TermSource.RENDERED,
      detail: `${limits.service}: ${hc.failureThreshold} failed checks x ${hc.requestIntervalSeconds} s interval`,
    },
  ];
  if (limits.timeoutSeconds) {
    const timeout = hc.timeoutSeconds ?? limits.timeoutSeconds.min;
    terms.push({
      name: 'dns-probe-timeout',
      seconds: timeout,
      source: TermSource.RENDERED,
      detail: `the last failing check waits its ${timeout} s timeout when the endpoint hangs`,
    });
  } else if (limits.fixedTimeoutSeconds !== undefined && limits.fixedTimeoutSeconds > 0) {
    terms.push({
      name: 'dns-probe-timeout',
      seconds: limits.fixedTimeoutSeconds,
      source: TermSource.DOCUMENTED,
      detail: `${limits.service} waits up to ${limits.fixedTimeoutSeconds} s for a hung endpoint (fixed by the service)`,
      docUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html',
    });
  }
  terms.push({
    name: 'dns-checker-aggregation',
    seconds: ASSUMPTIONS.dnsCheckerAggregation.seconds,
    source: TermSource.ASSUMED,
    detail: ASSUMPTIONS.dnsCheckerAggregation.detail,
    docUrl: ASSUMPTIONS.dnsCheckerAggregation.docUrl,
  });
  if (dns.calculatedHealthCheck) {
    const hop = ASSUMPTIONS.route53CalculatedAggregation;
    terms.push({ name: 'dns-calculated-aggregation', seconds: hop.seconds, source: TermSource.ASSUMED, detail: hop.detail, docUrl: hop.docUrl });
  }
  if (dns.recordKind === DnsRecordKind.ALIAS) {
    if (cloud !== Cloud.AWS) {
      v.add('recordKind', dns.recordKind, `${DnsRecordKind.CNAME}: alias records exist on Route 53 only`);
    }
    const alias = CLOUD_FACTS.awsRoute53AliasTtlSeconds;
    terms.push({
      name: 'dns-ttl',
      seconds: alias.value,
      source: TermSource.DOCUMENTED,
      detail: `clients cache an alias to a load balancer for ${alias.value} s; the TTL of an alias cannot be set`,
      docUrl: alias.docUrl,
    });
  } else {
    terms.push({
      name: 'dns-ttl',
      seconds: dns.ttlSeconds,
      source: TermSource.RENDERED,
      detail: `clients cache the record for its ${dns.ttlSeconds} s TTL`,
    });
  }
  return terms;
}

function cacheTerms(input: FailoverBudgetInput): BudgetTerm[] {
  const cache = input.cache;
  if (!cache) return [];
  if (!cache.crossRegion) {
    const a = ASSUMPTIONS.cacheAutomaticFailover[input.cloud];
    return [{ name: 'cache-automatic-failover', seconds: a.seconds, source: a.source, detail: a.detail, docUrl: a.docUrl }];
  }
  if (cache.multiWriter) {
    return [{
      name: 'cache-no-promotion', seconds: 0, source: TermSource.RENDERED,
      detail: 'every region writes to its own member of a multi-writer cache: surviving regions never stop writing; nothing is promoted',
    }];
  }
  const trigger = cache.promotionTriggerSeconds ?? 300;
  const p = ASSUMPTIONS.cacheCrossRegionPromotion;
  return [
    {
      name: 'cache-promotion-trigger',
      seconds: trigger,
      source: TermSource.RENDERED,
      detail: `the primary region must be unhealthy for ${trigger} s (extended-outage step) before a secondary is promoted`,
    },
    { name: 'cache-alarm-evaluation', seconds: ASSUMPTIONS.alarmEvaluation.seconds, source: TermSource.RENDERED, detail: ASSUMPTIONS.alarmEvaluation.detail },
    { name: 'cache-promotion', seconds: p.seconds, source: TermSource.ASSUMED, detail: p.detail, docUrl: p.docUrl },
  ];
}

/**
 * Compares a budget with its target. Over target: a problem naming the largest
 * term and a way out (or, with `enforce` false, the same text as a warning,
 * returned for the caller to surface).
 */
export function checkBudget(
  budget: FailoverBudget,
  v: Validator,
  context: { readonly tierName: string; readonly enforce: boolean; readonly dns?: DnsRouting },
): string[] {
  if (budget.withinTarget) return [];
  const largest = budget.largestTerm;
  const allowed =
    `a configuration whose ${budget.topology} failover budget is at most the ${context.tierName} target of `
    + `${budget.targetSeconds} s; now ${budget.describe()}. Largest term: ${largest.name} ${largest.seconds} s: `
    + `${wayOut(budget, largest, context.dns)}. Or set enforceBudget: false to accept it with a warning`;
  if (context.enforce) {
    v.add('routing', budget.routing, allowed);
    return [];
  }
  return [`failover budget over target: ${allowed}`];
}

function wayOut(budget: FailoverBudget, largest: BudgetTerm, dns: DnsRouting | undefined): string {
  const others = budget.totalSeconds - largest.seconds;
  const room = budget.targetSeconds - others;
  switch (largest.name) {
    case 'dns-ttl':
      if (room >= 0 && dns?.recordKind === DnsRecordKind.ALIAS) {
        return `use ${RoutingMechanism.ANYCAST} routing (no DNS step) or a non-alias record with recordTtlSeconds <= ${room}`;
      }
      if (room >= 0) return `lower recordTtlSeconds to ${room} or less, or use ${RoutingMechanism.ANYCAST} routing`;
      return `the other DNS terms alone take ${others} s: use ${RoutingMechanism.ANYCAST} routing (no DNS step)`;
    case 'dns-probe-detection':
    case 'dns-checker-aggregation': {
      const over = budget.totalSeconds - budget.targetSeconds;
      const atFastest = dns !== undefined && dns.healthCheck.failureThreshold === 1 && dns.healthCheck.requestIntervalSeconds <= 10;
      if (atFastest && dns.recordKind === DnsRecordKind.CNAME && dns.ttlSeconds - over >= 0) {
        return `the DNS health check is already at its fastest (1 failure x 10 s): lower recordTtlSeconds to ${dns.ttlSeconds - over} or less, or use ${RoutingMechanism.ANYCAST} routing`;
      }
      if (atFastest) return `the DNS health check is already at its fastest (1 failure x 10 s): use ${RoutingMechanism.ANYCAST} routing, or raise the target`;
      return `lower dnsHealthCheck.failureThreshold or dnsHealthCheck.requestIntervalSeconds (10 s is the fastest), or use ${RoutingMechanism.ANYCAST} routing`;
    }
    case 'lb-probe-detection':
      return 'lower healthCheck.intervalSeconds or healthCheck.unhealthyThreshold';
    case 'lb-probe-timeout':
      return 'lower healthCheck.timeoutSeconds';
    case 'anycast-reroute': {
      const left = budget.targetSeconds - largest.seconds;
      return left >= others
        ? 'lower healthCheck.intervalSeconds or healthCheck.unhealthyThreshold'
        : `the accelerator's documented ${largest.seconds} s alone leaves no room: raise the target (targets.${targetProp(budget.topology)}) `
          + `or choose a lower tier; the load balancer's detection takes ${others} s and ${Math.max(0, left)} s are left, so the target `
          + `must be at least ${budget.totalSeconds} s, or use ${RoutingMechanism.DNS} routing`;
    }
    case 'dns-calculated-aggregation':
      return `lower dnsHealthCheck.failureThreshold or recordTtlSeconds, or set mcpProbe: false (no CALCULATED check; the MCP probe then only alarms), or use ${RoutingMechanism.ANYCAST} routing`;
    default:
      return 'no setting shortens this term: raise the target (targets) or choose a lower tier';
  }
}

function targetProp(topology: Topology): string {
  switch (topology) {
    case Topology.ACTIVE_ACTIVE: return 'activeActiveDetectionSeconds';
    case Topology.ACTIVE_PASSIVE: return 'activePassiveRtoSeconds';
    case Topology.MULTI_REGION: return 'multiRegionRtoSeconds';
  }
}

function sum(terms: readonly BudgetTerm[]): number {
  return terms.reduce((acc, t) => acc + t.seconds, 0);
}

/** The MCP-level probe, as rendered: a scheduled function whose failures feed an alarm. */
export interface McpProbeInput {
  /** Seconds between probe runs (EventBridge schedules run at most once a minute). */
  readonly scheduleSeconds: number;
  /** Alarm period in seconds (standard-resolution metrics: 60 or a multiple). */
  readonly periodSeconds: number;
  /** Failed periods before the alarm fires. */
  readonly evaluationPeriods: number;
}

/**
 * Terms of MCP-level failure detection (a server that answers HTTP health checks
 * but fails MCP requests): slower than HTTP probing, because alarm-based Route 53
 * health checks need standard-resolution metrics. Reported beside the budget, as
 * its own figure: it is not the path a crashed instance takes.
 */
export function mcpProbeTerms(p: McpProbeInput): BudgetTerm[] {
  return [
    {
      name: 'mcp-probe-schedule',
      seconds: p.scheduleSeconds,
      source: TermSource.RENDERED,
      detail: `the probe runs every ${p.scheduleSeconds} s; the failure lands just after a passing run`,
    },
    {
      name: 'mcp-probe-alarm',
      seconds: p.periodSeconds * p.evaluationPeriods,
      source: TermSource.RENDERED,
      detail: `the alarm needs ${p.evaluationPeriods} failed period(s) of ${p.periodSeconds} s (standard resolution)`,
    },
    {
      name: 'route53-alarm-polling',
      seconds: ASSUMPTIONS.route53AlarmPolling.seconds,
      source: TermSource.ASSUMED,
      detail: ASSUMPTIONS.route53AlarmPolling.detail,
      docUrl: ASSUMPTIONS.route53AlarmPolling.docUrl,
    },
  ];
}
