/**
 * Availability tiers (from the guide's "Enterprise SLA Requirements") and the
 * defaults each one implies. A user picks a tier; every default can then be
 * overridden field by field, and the result is validated once.
 */
import { Validator } from './errors';
import { DnsHealthCheck, DnsHealthCheckOptions, HealthProbe, HealthProbeOptions, definedOnly } from './health-probe';
import { TimeoutChain, TimeoutChainOptions } from './timeouts';

export enum AvailabilityTier {
  /** 99.99 %: trading, emergency response, real-time fraud detection. */
  MISSION_CRITICAL = 'mission-critical',
  /** 99.9 %: customer service AI, personalization, operational analytics. */
  BUSINESS_CRITICAL = 'business-critical',
  /** 99.5 %: internal productivity tools, reporting, development. */
  STANDARD = 'standard',
}

/** How traffic reaches the regions or deployments of a topology. */
export enum RoutingMechanism {
  /** One regional load balancer and nothing in front: failover is the load balancer dropping a dead instance. */
  LOAD_BALANCER = 'load-balancer',
  /** DNS records with health checks (Route 53, Traffic Manager, Cloud DNS): clients follow after the record TTL. */
  DNS = 'dns',
  /** An anycast front (Global Accelerator, Google global load balancer): no DNS change, no client TTL. */
  ANYCAST = 'anycast',
}

/** Alarm thresholds, from the guide's failover decision matrix, scaling triggers and composite health score. */
export interface AlarmThresholds {
  /** P95 latency that scales out and alarms ("Response time P95 > 500ms for 2+ minutes"). */
  readonly p95LatencyMs: number;
  /** Minutes the P95 latency must stay above the threshold. */
  readonly latencyEvaluationMinutes: number;
  /** 5xx / error rate that alarms and, sustained, fails over ("error rate elevation (> 1 %)"). */
  readonly errorRatePercent: number;
  /** CPU that alarms ("CPU > 80 % for 5+ minutes"). */
  readonly cpuPercent: number;
  /** Minutes the CPU must stay above `cpuPercent` before the alarm fires ("for 5+ minutes"). */
  readonly cpuEvaluationMinutes: number;
  /** CPU the fleet's target tracking holds ("CPU utilization > 70 % sustained" scales out). */
  readonly targetCpuPercent: number;
  /** Memory that alarms ("critical when memory > 90 %"). */
  readonly memoryPercent: number;
  /** Connection-pool use that alarms ("alerting thresholds at 80 % utilization"). */
  readonly connectionPoolPercent: number;
}

/** One rung of the guide's escalation ladder. */
export interface EscalationStep {
  /** The step's name: lowercase letters, digits and hyphens ('transient', 'extended-outage'). */
  readonly name: string;
  /** The outage has lasted at least this long when this step applies. */
  readonly afterSeconds: number;
  /** What operators (or the library, for the last step: promotion) do at this step. */
  readonly action: string;
}

/** The tier's failover targets; the failover budget is compared with them. */
export interface FailoverTargets {
  /** Active-active: seconds until the load balancer stops routing to a failed instance. */
  readonly activeActiveDetectionSeconds: number;
  /** Active-passive: seconds until traffic is served by the standby. */
  readonly activePassiveRtoSeconds: number;
  /** Multi-region: seconds until traffic is served by another region. */
  readonly multiRegionRtoSeconds: number;
}

/** What a tier resolves to: every default, complete and validated. */
export interface TierProfile {
  /** The tier this profile resolves. */
  readonly tier: AvailabilityTier;
  /** The tier's availability objective (99.99, 99.9 or 99.5). */
  readonly availabilityPercent: number;
  /** Downtime the availability allows in a year of 365.25 days, in minutes. */
  readonly downtimeMinutesPerYear: number;
  /** Availability zones the fleet, load balancer and cache must span. */
  readonly minZones: number;
  /** Instances that must be running at all times (at least one per zone). */
  readonly minCapacity: number;
  /** Share of capacity that stays in service during instance refresh and deploys. */
  readonly minHealthyPercent: number;
  /** The load balancer's health probe (paths, interval, timeout, thresholds). */
  readonly healthProbe: HealthProbe;
  /** The DNS checkers' settings (Route 53 health check, Traffic Manager, Cloud DNS). */
  readonly dnsHealthCheck: DnsHealthCheck;
  /** TTL of non-alias DNS records (alias records to AWS load balancers are 60 s and cannot be set). */
  readonly recordTtlSeconds: number;
  /** The routing a topology uses when its `routing` prop is not set. */
  readonly defaultRouting: RoutingMechanism;
  /** The timeout chain (tool call < origin read < idle; keep-alive; drain). */
  readonly timeouts: TimeoutChain;
  /** Alarm and scaling thresholds. */
  readonly alarms: AlarmThresholds;
  /** The escalation ladder; its last step's `afterSeconds` is when standby systems are promoted. */
  readonly escalation: EscalationStep[];
  /** Failover targets the failover budget is compared with. */
  readonly targets: FailoverTargets;
  /** Refuse a configuration whose failover budget exceeds the target (else warn). */
  readonly enforceBudget: boolean;
  /** Load balancer deletion protection. */
  readonly deletionProtection: boolean;
  /** Cache read replicas per shard (Multi-AZ needs at least 1). */
  readonly cacheReplicasPerShard: number;
  /** Days of automatic cache snapshots kept. */
  readonly cacheSnapshotRetentionDays: number;
}

/** Overrides of some alarm thresholds; each one left out keeps the guide's value. */
export interface AlarmThresholdOverrides {
  /** P95 latency (ms) that scales out and alarms. @default 500 */
  readonly p95LatencyMs?: number;
  /** Minutes the P95 latency must stay above the threshold (1-60). @default 2 */
  readonly latencyEvaluationMinutes?: number;
  /** Error rate (%) that alarms (0.01-100). @default 1 */
  readonly errorRatePercent?: number;
  /** CPU (%) that alarms; must stay above `targetCpuPercent`. @default 80 */
  readonly cpuPercent?: number;
  /** Minutes the CPU must stay above `cpuPercent` (1-60). @default 5 */
  readonly cpuEvaluationMinutes?: number;
  /** CPU (%) the fleet's target tracking holds; must stay below `cpuPercent`. @default 70 */
  readonly targetCpuPercent?: number;
  /** Memory (%) that alarms. @default 90 */
  readonly memoryPercent?: number;
  /** Connection-pool use (%) that alarms. @default 80 */
  readonly connectionPoolPercent?: number;
}

/** Overrides of some failover targets; each one left out keeps the tier's. */
export interface FailoverTargetOverrides {
  /** Seconds until the load balancer stops routing to a failed instance. @default - the tier's (12 / 15 / 30 s) */
  readonly activeActiveDetectionSeconds?: number;
  /** Seconds until the standby serves. @default - the tier's (30 / 60 / 120 s) */
  readonly activePassiveRtoSeconds?: number;
  /** Seconds until another region serves. @default - the tier's (60 / 120 / 300 s) */
  readonly multiRegionRtoSeconds?: number;
}

/**
 * Overrides, field by field; anything left out comes from the tier. Figures in the defaults are
 * mission-critical / business-critical / standard.
 */
export interface TierOverrides {
  /** Availability zones the fleet, load balancer and cache span (at least the tier's, at most 6). @default - the tier's (3 / 3 / 2) */
  readonly minZones?: number;
  /** Instances running at all times (at least `minZones`). @default - the tier's (3 / 3 / 2) */
  readonly minCapacity?: number;
  /** Share of capacity kept in service during instance refresh and deploys (0-100). @default - the tier's (100 / 90 / 50) */
  readonly minHealthyPercent?: number;
  /**
   * The load balancer's health probe, field by field.
   * @default - the tier's: '/health/ready', every 5 / 5 / 10 s, timeout 2 / 3 / 5 s, 2 failures out, 2 successes in
   */
  readonly healthCheck?: HealthProbeOptions;
  /**
   * The DNS checkers' settings, field by field.
   * @default - the tier's: every 10 s, 1 / 2 / 3 failures, latency measured for mission-critical only (Google Cloud:
   * every 30 s with a 5 s timeout, its documented minimum interval)
   */
  readonly dnsHealthCheck?: DnsHealthCheckOptions;
  /** TTL of non-alias DNS records, seconds (0 to 2 days). @default - the tier's (5 / 15 / 60 s) */
  readonly recordTtlSeconds?: number;
  /** Routing when the topology's `routing` prop is not set. @default - the tier's (ANYCAST / DNS / DNS) */
  readonly routing?: RoutingMechanism;
  /**
   * The timeout chain, field by field.
   * @default - 120 s longest tool call, 150 s origin read, 180 s idle, 15 s keep-alive, 130 s drain
   */
  readonly timeouts?: TimeoutChainOptions;
  /** Alarm and scaling thresholds, field by field. @default - the guide's (P95 500 ms for 2 min, 1 % errors, CPU 80 % for 5 min, target CPU 70 %, memory 90 %, pool 80 %) */
  readonly alarms?: AlarmThresholdOverrides;
  /** The escalation ladder (replaces it whole; the first step at 0 s, in time order). @default GUIDE_ESCALATION - 0 / 30 / 60 / 300 s */
  readonly escalation?: EscalationStep[];
  /** Failover targets, field by field. @default - the tier's */
  readonly targets?: FailoverTargetOverrides;
  /** Refuse (true) or only warn about (false) a failover budget above the target. @default true - refused at synth time */
  readonly enforceBudget?: boolean;
  /** Load balancer deletion protection. @default - the tier's (on for mission- and business-critical, off for standard) */
  readonly deletionProtection?: boolean;
  /** Cache read replicas per shard (1-5; Multi-AZ needs 1). @default - the tier's (2 / 1 / 1) */
  readonly cacheReplicasPerShard?: number;
  /** Days of automatic cache snapshots kept (1-35). @default - the tier's (35 / 7 / 1) */
  readonly cacheSnapshotRetentionDays?: number;
}

/** The guide's ladder: transient, degraded, critical, extended outage. */
export const GUIDE_ESCALATION: readonly EscalationStep[] = [
  { name: 'transient', afterSeconds: 0, action: 'Increase health check frequency, log warnings' },
  { name: 'degraded', afterSeconds: 30, action: 'Reduce traffic allocation, alert operations' },
  { name: 'critical', afterSeconds: 60, action: 'Remove from load balancer, initiate failover' },
  { name: 'extended-outage', afterSeconds: 300, action: 'Promote standby systems, engage incident response' },
];

/** The guide's composite health score (used by the monitoring constructs). */
export const COMPOSITE_HEALTH_SCORE = {
  responseTime: { weightPercent: 40, targetMs: 100, criticalMs: 500 },
  errorRate: { weightPercent: 30, targetPercent: 0.1, criticalPercent: 2 },
  resources: { weightPercent: 20, criticalCpuPercent: 95, criticalMemoryPercent: 90 },
  staleness: { weightPercent: 10, criticalSeconds: 300 },
} as const;

const GUIDE_ALARMS: AlarmThresholds = {
  p95LatencyMs: 500,
  latencyEvaluationMinutes: 2,
  errorRatePercent: 1,
  cpuPercent: 80,
  cpuEvaluationMinutes: 5,
  targetCpuPercent: 70,
  memoryPercent: 90,
  connectionPoolPercent: 80,
};

const HEALTH_PATHS = { path: '/health/ready', livenessPath: '/health/live', healthyHttpStatus: 200 };

/** One MCP tool call may stream for two minutes; every other timeout is derived to keep the chain. */
const TIMEOUTS: Required<TimeoutChainOptions> = {
  longestToolCallSeconds: 120,
  originReadTimeoutSeconds: 150,
  idleTimeoutSeconds: 180,
  keepAliveSeconds: 15,
  drainSeconds: 130,
};

interface TierBase {
  readonly availabilityPercent: number;
  readonly minZones: number;
  readonly minCapacity: number;
  readonly minHealthyPercent: number;
  readonly healthCheck: Required<HealthProbeOptions>;
  readonly dnsHealthCheck: DnsHealthCheck;
  readonly recordTtlSeconds: number;
  readonly defaultRouting: RoutingMechanism;
  readonly targets: FailoverTargets;
  readonly deletionProtection: boolean;
  readonly cacheReplicasPerShard: number;
  readonly cacheSnapshotRetentionDays: number;
}

/**
 * The tier table. Probe numbers are the fastest each tier's target needs on every
 * cloud: 5 s x 2 failures is the Application Load Balancer's floor. Targets are
 * tighter than the guide (which allows 30-120 s for active-passive) where the
 * infrastructure can keep them; see docs/FAILOVER.md for the arithmetic.
 */
const TIERS: Readonly<Record<AvailabilityTier, TierBase>> = {
  [AvailabilityTier.MISSION_CRITICAL]: {
    availabilityPercent: 99.99,
    minZones: 3,
    minCapacity: 3,
    minHealthyPercent: 100,
    healthCheck: { ...HEALTH_PATHS, intervalSeconds: 5, timeoutSeconds: 2, healthyThreshold: 2, unhealthyThreshold: 2 },
    // One failed check per checker: Route 53 still needs 82 % of its checkers to agree,
    // which filters a single checker's transient error; two would miss the 30 s target.
    dnsHealthCheck: { requestIntervalSeconds: 10, failureThreshold: 1, measureLatency: true },
    recordTtlSeconds: 5,
    defaultRouting: RoutingMechanism.ANYCAST,
    // 12 s, not 10 s: 2 x 5 s is the ALB's probe floor for a target that refuses
    // connections; a hung target also costs the last probe's 2 s minimum timeout.
    targets: { activeActiveDetectionSeconds: 12, activePassiveRtoSeconds: 30, multiRegionRtoSeconds: 60 },
    deletionProtection: true,
    cacheReplicasPerShard: 2,
    cacheSnapshotRetentionDays: 35,
  },
  [AvailabilityTier.BUSINESS_CRITICAL]: {
    availabilityPercent: 99.9,
    minZones: 3,
    minCapacity: 3,
    minHealthyPercent: 90,
    healthCheck: { ...HEALTH_PATHS, intervalSeconds: 5, timeoutSeconds: 3, healthyThreshold: 2, unhealthyThreshold: 2 },
    dnsHealthCheck: { requestIntervalSeconds: 10, failureThreshold: 2, measureLatency: false },
    recordTtlSeconds: 15,
    defaultRouting: RoutingMechanism.DNS,
    targets: { activeActiveDetectionSeconds: 15, activePassiveRtoSeconds: 60, multiRegionRtoSeconds: 120 },
    deletionProtection: true,
    cacheReplicasPerShard: 1,
    cacheSnapshotRetentionDays: 7,
  },
  [AvailabilityTier.STANDARD]: {
    availabilityPercent: 99.5,
    minZones: 2,
    minCapacity: 2,
    minHealthyPercent: 50,
    healthCheck: { ...HEALTH_PATHS, intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
    dnsHealthCheck: { requestIntervalSeconds: 10, failureThreshold: 3, measureLatency: false },
    recordTtlSeconds: 60,
    defaultRouting: RoutingMechanism.DNS,
    targets: { activeActiveDetectionSeconds: 30, activePassiveRtoSeconds: 120, multiRegionRtoSeconds: 300 },
    deletionProtection: false,
    cacheReplicasPerShard: 1,
    cacheSnapshotRetentionDays: 1,
  },
};

const ALL_TIERS = Object.values(AvailabilityTier);

/** Minutes of downtime a year that an availability percentage allows (365.25-day year). */
export function downtimeMinutesPerYear(availabilityPercent: number): number {
  return Math.round((1 - availabilityPercent / 100) * 365.25 * 24 * 60 * 100) / 100;
}

/**
 * Resolves a tier and the user's overrides into a complete, validated profile.
 *
 * @param validator where problems go; when omitted, problems are thrown here.
 */
export function resolveTier(tier: AvailabilityTier, overrides: TierOverrides = {}, validator?: Validator): TierProfile {
  const v = validator ?? new Validator();
  if (!ALL_TIERS.includes(tier)) {
    v.add('tier', tier, `one of ${ALL_TIERS.map((t) => JSON.stringify(t)).join(', ')}`);
    v.throwIfInvalid();
  }
  const base = TIERS[tier];
  const o = overrides;

  const minZones = o.minZones ?? base.minZones;
  v.integerInRange('minZones', minZones, { min: base.minZones, max: 6 },
    `${tier} spans at least ${base.minZones} zones; no AWS, Azure or Google region offers more than 6 to one account`);
  const minCapacity = o.minCapacity ?? base.minCapacity;
  v.check(Number.isInteger(minCapacity) && minCapacity >= minZones, 'minCapacity', minCapacity,
    `a whole number of at least minZones (${minZones}): one running instance per zone`);
  const minHealthyPercent = o.minHealthyPercent ?? base.minHealthyPercent;
  v.integerInRange('minHealthyPercent', minHealthyPercent, { min: 0, max: 100 });

  const healthProbe = HealthProbe.of({ ...base.healthCheck, ...definedOnly(o.healthCheck ?? {}) }, '/mcp',
    v.nested('healthCheck'));

  const dnsHealthCheck: DnsHealthCheck = { ...base.dnsHealthCheck, ...definedOnly(o.dnsHealthCheck ?? {}) };
  const dv = v.nested('dnsHealthCheck');
  dv.check(Number.isInteger(dnsHealthCheck.requestIntervalSeconds) && dnsHealthCheck.requestIntervalSeconds > 0,
    'requestIntervalSeconds', dnsHealthCheck.requestIntervalSeconds, 'a positive whole number of seconds');
  dv.integerInRange('failureThreshold', dnsHealthCheck.failureThreshold, { min: 1, max: 10 },
    'Route 53, Traffic Manager and Cloud DNS all accept 1 to 10');

  const recordTtlSeconds = o.recordTtlSeconds ?? base.recordTtlSeconds;
  v.integerInRange('recordTtlSeconds', recordTtlSeconds, { min: 0, max: 172800 },
    'seconds; Route 53 accepts 0 to 2147483647, we refuse more than 2 days for a failover record');

  const defaultRouting = o.routing ?? base.defaultRouting;
  v.oneOf('routing', defaultRouting, Object.values(RoutingMechanism));

  const timeouts = TimeoutChain.of({ ...TIMEOUTS, ...definedOnly(o.timeouts ?? {}) }, v.nested('timeouts'));

  const alarms: AlarmThresholds = { ...GUIDE_ALARMS, ...definedOnly(o.alarms ?? {}) };
  const av = v.nested('alarms');
  av.check(alarms.p95LatencyMs > 0, 'p95LatencyMs', alarms.p95LatencyMs, 'a positive number of milliseconds');
  av.integerInRange('latencyEvaluationMinutes', alarms.latencyEvaluationMinutes, { min: 1, max: 60 });
  av.numberInRange('errorRatePercent', alarms.errorRatePercent, { min: 0.01, max: 100 });
  for (const p of ['cpuPercent', 'targetCpuPercent', 'memoryPercent', 'connectionPoolPercent'] as const) {
    av.integerInRange(p, alarms[p], { min: 1, max: 100 });
  }
  av.integerInRange('cpuEvaluationMinutes', alarms.cpuEvaluationMinutes, { min: 1, max: 60 });
  av.check(alarms.targetCpuPercent < alarms.cpuPercent, 'targetCpuPercent', alarms.targetCpuPercent,
    `less than cpuPercent (${alarms.cpuPercent}): scaling must act before the alarm fires`);

  const escalation = [...(o.escalation ?? GUIDE_ESCALATION)];
  validateEscalation(escalation, v.nested('escalation'));

  const targets: FailoverTargets = { ...base.targets, ...definedOnly(o.targets ?? {}) };
  const tv = v.nested('targets');
  for (const p of ['activeActiveDetectionSeconds', 'activePassiveRtoSeconds', 'multiRegionRtoSeconds'] as const) {
    tv.check(targets[p] > 0, p, targets[p], 'a positive number of seconds');
  }

  const cacheReplicasPerShard = o.cacheReplicasPerShard ?? base.cacheReplicasPerShard;
  v.integerInRange('cacheReplicasPerShard', cacheReplicasPerShard, { min: 1, max: 5 },
    'Multi-AZ automatic failover needs at least 1 replica; ElastiCache allows up to 5 per shard');
  const cacheSnapshotRetentionDays = o.cacheSnapshotRetentionDays ?? base.cacheSnapshotRetentionDays;
  v.integerInRange('cacheSnapshotRetentionDays', cacheSnapshotRetentionDays, { min: 1, max: 35 },
    'ElastiCache keeps automatic snapshots 1 to 35 days; 0 would turn backups off');

  if (!validator) v.throwIfInvalid();
  return {
    tier,
    availabilityPercent: base.availabilityPercent,
    downtimeMinutesPerYear: downtimeMinutesPerYear(base.availabilityPercent),
    minZones,
    minCapacity,
    minHealthyPercent,
    healthProbe,
    dnsHealthCheck,
    recordTtlSeconds,
    defaultRouting,
    timeouts,
    alarms,
    escalation,
    targets,
    enforceBudget: o.enforceBudget ?? true,
    deletionProtection: o.deletionProtection ?? base.deletionProtection,
    cacheReplicasPerShard,
    cacheSnapshotRetentionDays,
  };
}

/** The step of the ladder whose action promotes standby systems (the last one). */
export function extendedOutageSeconds(profile: TierProfile): number {
  return profile.escalation[profile.escalation.length - 1].afterSeconds;
}

function validateEscalation(steps: readonly EscalationStep[], v: Validator): void {
  if (steps.length === 0) {
    v.add('', steps, 'at least one step');
    return;
  }
  v.check(steps[0].afterSeconds === 0, '[0].afterSeconds', steps[0].afterSeconds, '0: the first step starts with the failure');
  steps.forEach((s, i) => {
    v.check(typeof s.name === 'string' && /^[a-z][a-z0-9-]{0,39}$/.test(s.name), `[${i}].name`, s.name,
      'lowercase letters, digits and hyphens, starting with a letter, at most 40 characters');
    if (i > 0) {
      v.check(s.afterSeconds > steps[i - 1].afterSeconds, `[${i}].afterSeconds`, s.afterSeconds,
        `more than the previous step's ${steps[i - 1].afterSeconds} s: steps escalate in time order`);
    }
  });
}

/**
 * Merges two sets of overrides field by field (nested structs too): `top` wins
 * where it sets a value. Building blocks merge a topology's overrides under their
 * own specific props this way.
 */
export function mergeOverrides(base: TierOverrides = {}, top: TierOverrides = {}): TierOverrides {
  const nested = <T extends object>(a?: T, b?: T): T | undefined =>
    (a || b ? ({ ...definedOnly(a ?? ({} as T)), ...definedOnly(b ?? ({} as T)) } as T) : undefined);
  return {
    ...definedOnly(base),
    ...definedOnly(top),
    healthCheck: nested(base.healthCheck, top.healthCheck),
    dnsHealthCheck: nested(base.dnsHealthCheck, top.dnsHealthCheck),
    timeouts: nested(base.timeouts, top.timeouts),
    alarms: nested(base.alarms, top.alarms),
    targets: nested(base.targets, top.targets),
  };
}

/**
 * The tier functions as static methods (`resolveTier`, `downtimeMinutesPerYear`, `extendedOutageSeconds`),
 * for languages that reach the library through jsii, where a capability needs a class to live on.
 */
export class TierProfiles {
  /**
   * Resolves a tier and the user's overrides into a complete, validated profile (`resolveTier`).
   * @param validator where problems go; when omitted, problems are thrown here.
   */
  public static resolve(tier: AvailabilityTier, overrides?: TierOverrides, validator?: Validator): TierProfile {
    return resolveTier(tier, overrides ?? {}, validator);
  }

  /** Minutes of downtime a year that an availability percentage allows (365.25-day year). */
  public static downtimeMinutesPerYear(availabilityPercent: number): number {
    return downtimeMinutesPerYear(availabilityPercent);
  }

  /** Seconds of outage after which the escalation ladder promotes standby systems (its last step). */
  public static extendedOutageSeconds(profile: TierProfile): number {
    return extendedOutageSeconds(profile);
  }

  private constructor() {}
}
