/**
 * The one entry point the cloud constructs call: a tier, the user's overrides and
 * the shape of the deployment in, a complete validated plan out (every default,
 * the failover budget, warnings). Every problem is collected and thrown together,
 * naming the construct path.
 */
import { Validator } from './errors';
import {
  CacheFailoverInput, Cloud, DnsRecordKind, DnsRouting, FailoverBudget, Topology, checkBudget, computeFailoverBudget,
  TermSource, dnsMechanism, loadBalancerMechanism,
} from './failover-budget';
import { validateDnsHealthCheck } from './health-probe';
import { cloudDefaults } from './failover-budget';
import { mergeOverrides } from './tiers';
import { CacheWriteModel, CacheWritePlan } from './cache-write-model';
import { MEMORYDB_MULTI_REGION_REPLICATION, PROBE_LIMITS, ProbeMechanism } from './cloud-limits';

import { AvailabilityTier, RoutingMechanism, TierOverrides, TierProfile, resolveTier } from './tiers';

/** What `planService` resolves: the cloud, topology, tier and overrides, and the cache and DNS choices. */
export interface ServicePlanInput {
  /** The cloud whose documented limits and figures apply (and its own tier defaults). */
  readonly cloud: Cloud;
  /** Active-active, active-passive or multi-region. */
  readonly topology: Topology;
  /** The availability tier whose defaults and targets apply. */
  readonly tier: AvailabilityTier;
  /** Overrides of the tier's defaults, field by field (the same object as a construct's `tierOverrides`). @default - the tier's defaults (with the cloud's own) */
  readonly overrides?: TierOverrides;
  /**
   * The DNS record kind, when DNS is in front.
   * @default DnsRecordKind.CNAME: its TTL is the tier's recordTtlSeconds, which the
   * failover budget needs; choose ALIAS for a zone apex and accept its 60 s TTL
   */
  readonly recordKind?: DnsRecordKind;
  /** The shared cache's failover, when the topology has a cache. @default - no cache: no write plan, no cache terms */
  readonly cache?: CacheFailoverInput;
  /**
   * How the regions write to the cache (with `cache`): the model and the serving regions, the
   * first holding the writer for SINGLE_WRITER. The plan's `cacheWrite` states each region's mode.
   * @default - two unnamed regions across regions, one unnamed region otherwise (the model: SINGLE_REGION
   * without crossRegion, MULTI_WRITER with cache.multiWriter, else SINGLE_WRITER)
   */
  readonly cacheRegions?: string[];
  /**
   * DNS routing only: the records carry a CALCULATED health check (HTTPS AND the MCP probe's alarm),
   * which adds Route 53's aggregation of the children to the budget.
   * @default false
   */
  readonly dnsCalculatedHealthCheck?: boolean;
  /** Path of the construct, for error messages. @default - the messages name no construct */
  readonly constructPath?: string;
  /** Token detector of the calling framework (CDK `Token.isUnresolved`). @default - values that look like CDK or Terraform tokens are skipped */
  readonly isUnresolved?: (value: unknown) => boolean;
}

/** A validated plan: the resolved tier profile, the routing, the DNS settings and the failover budget. */
export interface ServicePlan {
  /** The cloud planned for. */
  readonly cloud: Cloud;
  /** The topology planned for. */
  readonly topology: Topology;
  /** The tier with every override applied, complete and validated. */
  readonly profile: TierProfile;
  /** What moves traffic on failure (the topology's choice or the tier's default). */
  readonly routing: RoutingMechanism;
  /** DNS routing as it will be rendered. @default - absent unless routing is DNS */
  readonly dns?: DnsRouting;
  /** The failover budget: each term, the total and the target it is held to. */
  readonly budget: FailoverBudget;
  /**
   * The write side: each region's write mode and the write recovery time.
   * @default - none: the service has no cache
   */
  readonly cacheWrite?: CacheWritePlan;
  /** Problems accepted because the user opted out of enforcement. */
  readonly warnings: string[];
}

/** Resolves and validates a whole service plan; throws McpHaValidationError listing every problem. */
export function planService(input: ServicePlanInput): ServicePlan {
  const v = new Validator({ constructPath: input.constructPath, isUnresolved: input.isUnresolved });
  const profile = resolveTier(input.tier, mergeOverrides(cloudDefaults(input.cloud), input.overrides ?? {}), v);
  profile.healthProbe.validateFor(loadBalancerMechanism(input.cloud), v.nested('healthCheck'));

  const routing = profile.defaultRouting;
  let dns: DnsRouting | undefined;
  if (routing === RoutingMechanism.DNS && input.topology !== Topology.ACTIVE_ACTIVE) {
    validateDnsHealthCheck(dnsMechanism(input.cloud), v.nested('dnsHealthCheck'), profile.dnsHealthCheck);
    const recordKind = input.recordKind ?? DnsRecordKind.CNAME;
    dns = {
      healthCheck: profile.dnsHealthCheck, recordKind, ttlSeconds: profile.recordTtlSeconds,
      ...(input.dnsCalculatedHealthCheck ? { calculatedHealthCheck: true } : {}),
    };
  }

  const budget = computeFailoverBudget({
    cloud: input.cloud,
    topology: input.topology,
    routing,
    probe: profile.healthProbe,
    dns,
    cache: input.cache,
    targets: profile.targets,
  }, v);
  // Budget arithmetic on invalid settings would only add noise to the real problems.
  const warnings = v.valid
    ? checkBudget(budget, v, { tierName: profile.tier, enforce: profile.enforceBudget, dns })
    : [];
  let cacheWrite: CacheWritePlan | undefined;
  if (input.cache) {
    const regions = input.cacheRegions
      ?? (input.cache.crossRegion ? ['(first region)', '(second region)'] : ['(this region)']);
    const model = !input.cache.crossRegion ? CacheWriteModel.SINGLE_REGION
      : input.cache.multiWriter ? CacheWriteModel.MULTI_WRITER : CacheWriteModel.SINGLE_WRITER;
    const lag = MEMORYDB_MULTI_REGION_REPLICATION;
    cacheWrite = CacheWritePlan.of({
      model, regions,
      recoveryTerms: budget.cacheRecovery?.terms,
      replicationLag: model === CacheWriteModel.MULTI_WRITER
        ? { name: 'cache-replication-lag', seconds: lag.value, source: TermSource.DOCUMENTED, detail: lag.note, docUrl: lag.docUrl }
        : undefined,
    }, v);
  }
  v.throwIfInvalid();
  return { cloud: input.cloud, topology: input.topology, profile, routing, dns, budget, cacheWrite, warnings };
}

/** Documentation page of a mechanism's limits (for messages and docs). */
export function limitsDocUrl(mechanism: ProbeMechanism): string {
  return PROBE_LIMITS[mechanism].docUrl;
}

/** `planService` as a static method, for languages that reach the library through jsii. */
export class ServicePlanner {
  /** Resolves and validates a whole service plan; throws McpHaValidationError listing every problem. */
  public static plan(input: ServicePlanInput): ServicePlan {
    return planService(input);
  }

  private constructor() {}
}
