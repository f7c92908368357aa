/**
 * What the three Google Cloud topologies share: the props vocabulary (tier,
 * server, capacity, schedule, cache, certificate, domain, routing, alarmTopic,
 * with the same names as on AWS and Azure), how traffic is routed, and the
 * summary each stack carries as a Terraform output.
 */
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { McpAuthorization } from '../../core/authorization';
import { CacheWriteModel, CacheWritePlan } from '../../core/cache-write-model';
import { Cloud, FailoverBudget, computeFailoverBudget, DnsRouting } from '../../core/failover-budget';
import { ServicePlan } from '../../core/plan';
import { McpServerSource } from '../../core/server-source';
import { ScalingSchedule } from '../../core/schedule';
import { SUMMARY_KEY, StackSummary } from '../../core/summary';
import { AvailabilityTier, RoutingMechanism, TierOverrides } from '../../core/tiers';
import { CacheMode, CachePersistence, CacheService } from '../cache';
import { McpCertificate } from '../certificate';
import { FleetCapacity } from '../fleet';
import { McpLoadBalancer, McpWafOptions } from '../load-balancer';
import { ExistingNetwork } from '../network';
import { McpProbe } from '../mcp-probe';

/** How traffic reaches the deployments of a topology on Google Cloud. */
export class TrafficRouting {
  /**
   * The global external Application Load Balancer (anycast): each request goes to
   * the nearest region with healthy capacity. Active-active and multi-region.
   */
  public static globalLoadBalancer(): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.ANYCAST);
  }

  /** Cloud DNS failover routing to regional load balancers (active-passive). Needs `domain`. */
  public static dns(): TrafficRouting {
    return new TrafficRouting(RoutingMechanism.DNS);
  }

  private constructor(public readonly mechanism: RoutingMechanism) {}
}

/** The Cloud DNS zone the service's name lives in. */
export interface McpDomain {
  /** Name of the managed zone resource (e.g. `example-com`). */
  readonly managedZone: string;
  /** DNS name of the zone, e.g. `example.com`. */
  readonly zoneName: string;
  /** Record below the zone, e.g. `mcp` for mcp.example.com; '' for the apex (A records are fine there). */
  readonly recordName: string;
}

/** Cache options shared by the topologies (the tier decides the rest). */
export interface McpServiceCacheOptions {
  /** Which Memorystore service. @default CacheService.VALKEY (Memorystore for Valkey: replicas in other zones, IAM authentication, cross-region replication) */
  readonly service?: CacheService;
  /** Valkey mode: one shard behind one endpoint, or a sharded cluster. @default CacheMode.CLUSTER_DISABLED (one shard; any Redis client works) */
  readonly mode?: CacheMode;
  /** Shards (CLUSTER mode only). @default 1 */
  readonly shardCount?: number;
  /** Node type of every node. @default 'HIGHMEM_MEDIUM' (about 13 GB per node) */
  readonly nodeType?: string;
  /** Engine version. @default 'VALKEY_8_0' */
  readonly engineVersion?: string;
  /** Replicas per shard, in other zones. @default - the tier's cacheReplicasPerShard (at least 1) */
  readonly replicaCount?: number;
  /** Persistence of the data on disk. @default - AOF (every write logged) for mission- and business-critical tiers, RDB snapshots otherwise */
  readonly persistence?: CachePersistence;
  /** Create the network's service connection policy for Memorystore in each region (one per network, region and service class: false when one exists). @default true */
  readonly createServiceConnectionPolicy?: boolean;
  /** Customer-managed key for data at rest. @default - Google-managed encryption */
  readonly kmsKey?: string;
  /** Deletion protection (and Terraform prevent_destroy): set false, deploy, then destroy. @default true */
  readonly deletionProtection?: boolean;
}

/** The props every Google Cloud topology takes, with the same names on every cloud. */
export interface McpServiceProps {
  /** Availability tier: zones, capacity floor, health checks, timeouts, cache replicas, alarms and failover targets follow it. @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /** What runs on each instance. */
  readonly server: McpServerSource;
  /** Instances: the baseline the schedule's percentages refer to, and optional bounds. */
  readonly capacity: FleetCapacity;
  /** Scaling schedule in an IANA time zone, rendered as autoscaler scaling schedules. @default - no schedule (min/max stay as capacity says) */
  readonly schedule?: ScalingSchedule;
  /** Certificates of the HTTPS proxies. */
  readonly certificate: McpCertificate;
  /** The Cloud DNS zone and record of the service's name (certificate, MCP probe, audience, region names). @default - no DNS record (clients use the load balancer's address) */
  readonly domain?: McpDomain;
  /** How traffic reaches the regions. @default - the topology's own (global load balancer; DNS failover for active-passive) */
  readonly routing?: TrafficRouting;
  /** Shared state for the servers. `false`: no cache. @default - Memorystore for Valkey from the tier */
  readonly cache?: McpServiceCacheOptions | false;
  /** Overrides of the tier's defaults, field by field. @default - the tier's values */
  readonly overrides?: TierOverrides;
  /** Compute Engine machine type of every instance. @default 'n2-standard-2' (2 vCPUs, 8 GB) */
  readonly machineType?: string;
  /** Cloud Armor. `false`: none. @default - a per-IP rate limit */
  readonly waf?: McpWafOptions | false;
  /** Pub/Sub topic (`projects/p/topics/t`) the alerts are published to. @default - none (incidents in the console) */
  readonly alarmTopic?: string;
  /** MCP-level uptime check of the service's name. Needs `domain`. @default true when `domain` is set */
  readonly mcpProbe?: boolean;
  /** Project of IAM bindings and endpoints. @default - the provider's project */
  readonly project?: string;
  /** Bring your own VPC. @default - a new VPC */
  readonly network?: ExistingNetwork;
  /** Prefix of every resource name (lowercase, at most 20 characters). @default 'mcp' */
  readonly namePrefix?: string;
  /**
   * Who may call the service (MCP authorization: the servers are OAuth 2.1 resource servers
   * and get core's `MCP_AUTH_*` environment). Every Google topology is internet-facing (an
   * external Application Load Balancer), so synthesis is refused without it; opt out visibly
   * with `McpAuthorization.allowUnauthenticated(reason)` (a synth warning, and the summary says
   * `unauthenticated (opt-out)`). Google's own issuers (Identity Platform, accounts.google.com)
   * are refused: their tokens never carry the service's URL in `aud` (docs/GCP.md, Authorization).
   * @default - none: synthesis fails until one is given
   */
  readonly authorization?: McpAuthorization;
}

/** The fully qualified service name (without the trailing dot). */
export function serviceName(domain: McpDomain): string {
  const zone = domain.zoneName.replace(/\.$/, '');
  return domain.recordName === '' ? zone : `${domain.recordName}.${zone}`;
}

/** The name of one region's deployment. */
export function regionalName(domain: McpDomain, region: string): string {
  const zone = domain.zoneName.replace(/\.$/, '');
  return `${domain.recordName === '' ? region : `${domain.recordName}-${region}`}.${zone}`;
}

/** An A record to an address (global or regional load balancer). */
export function addressRecord(scope: Construct, id: string, domain: McpDomain, name: string, ip: string, ttl: number): DnsRecordSet {
  return new DnsRecordSet(scope, id, { managedZone: domain.managedZone, name: `${name}.`, type: 'A', ttl, rrdatas: [ip] });
}

/** Output name of the summary (`McpHa_Summary`): scripts/synth.ts reads it back. */
export const SUMMARY_OUTPUT = SUMMARY_KEY.replace(/\W+/g, '_');

/**
 * Writes the summary as the stack's Terraform output: computed from the rendered
 * values, printed by `npm run synth`. One topology per stack.
 */
export function recordSummary(scope: Construct, summary: StackSummary, extra: Record<string, unknown>): TerraformOutput {
  const stack = TerraformStack.of(scope);
  const output = new TerraformOutput(stack, SUMMARY_OUTPUT, {
    value: JSON.stringify({ ...summary, ...extra }),
    description: 'MCP service summary (cloud, topology, tier, capacity, failover budget, write model, instance-hours)',
  });
  output.overrideLogicalId(SUMMARY_OUTPUT);
  return output;
}

/** The budget and write fields of a summary. */
export function budgetSummary(budget: FailoverBudget): Pick<StackSummary, 'budgetSeconds' | 'targetSeconds' | 'largestTerm'> {
  return { budgetSeconds: budget.totalSeconds, targetSeconds: budget.targetSeconds, largestTerm: budget.largestTerm.name };
}

/** The MCP-level detection (uptime check + alert), stated beside the serving budget: it alerts, it does not move traffic. */
export function probeSummary(probe: McpProbe | undefined): Record<string, unknown> {
  if (!probe) return {};
  return {
    mcpProbeDetectionSeconds: probe.budgetTerms().reduce((n, t) => n + t.seconds, 0),
    mcpProbeExpects: probe.expectsChallenge ? '401 challenge (no token: uptime checks cannot obtain one)' : 'initialize result',
  };
}

export function writeSummary(cacheWrite: CacheWritePlan | undefined): Record<string, unknown> {
  if (!cacheWrite) return {};
  if (cacheWrite.model === CacheWriteModel.SINGLE_WRITER && cacheWrite.recoveryTerms.length === 0) {
    // Not automated: no figure is promised (0 s would read as instant).
    return { cacheWriteModel: cacheWrite.model, writeRecovery: 'manual switchover (not automated)', regionWriteModes: cacheWrite.regionModes };
  }
  return { cacheWriteModel: cacheWrite.model, writeRecoverySeconds: cacheWrite.writeRecoverySeconds, regionWriteModes: cacheWrite.regionModes };
}

/**
 * Recomputes the budget from what was rendered (the load balancer's health check
 * and, for DNS, the Cloud DNS check and record) and refuses a drift from the plan.
 */
export function renderedBudget(plan: ServicePlan, lb: McpLoadBalancer, dns?: DnsRouting): FailoverBudget {
  const budget = computeFailoverBudget({
    cloud: Cloud.GCP, topology: plan.topology, routing: plan.routing, probe: lb.probe, dns, targets: plan.profile.targets,
  });
  if (budget.totalSeconds !== plan.budget.totalSeconds) {
    throw new Error(`internal error: rendered budget ${budget.describe()} differs from the plan ${plan.budget.describe()}`);
  }
  return budget;
}

/** Google resource names start with this prefix. */
export function resolvePrefix(prefix: string | undefined): string {
  return prefix ?? 'mcp';
}

export { Cloud };
