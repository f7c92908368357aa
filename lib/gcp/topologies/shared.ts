/**
 * Building one region of a Google Cloud topology: the fleet (with its cache
 * environment) behind a load balancer. Shared by the three topologies.
 */
import { Construct } from 'constructs';
import { CacheWritePlan, regionHealthPolicy, RegionHealthPolicy } from '../../core/cache-write-model';
import { ASSUMPTIONS, Cloud } from '../../core/failover-budget';
import { ServicePlan } from '../../core/plan';
import { ScalingSchedule } from '../../core/schedule';
import { McpCache } from '../cache';
import { FleetCapacity, McpFleet } from '../fleet';
import { McpLoadBalancer } from '../load-balancer';
import { McpNetwork } from '../network';
import { McpServiceProps } from './props';

/** Variables the servers get for the cache: where it is and how this region writes (core write model). */
export function cacheEnvironment(
  cache: McpCache | undefined, cacheWrite: CacheWritePlan | undefined, region: string, health: RegionHealthPolicy,
): Record<string, string> {
  if (!cache || !cacheWrite) return {};
  return {
    REDIS_URL: `rediss://${cache.host}:${cache.port}`,
    // Memorystore IAM authentication: the server sends its service account's access token as the AUTH password.
    REDIS_AUTH_MODE: cache.valkey ? 'gcp-iam' : 'auth-string',
    // No public root signs Memorystore's server certificates: the servers trust the instance's own CA.
    REDIS_TLS_CA: cache.tlsCaPem,
    // Memorystore for Redis: the AUTH string stays in Secret Manager; the server reads it at start (a new
    // version is a new startup script, so a new AUTH string rolls the fleet).
    ...(cache.authSecretVersion ? { REDIS_AUTH_SECRET: cache.authSecretVersion.name } : {}),
    ...cacheWrite.environmentFor(region, health.cacheGraceSeconds),
  };
}

/**
 * The `Host` allow-list a server enforces (MCP transport security against DNS rebinding): the names
 * clients and the service's own checks reach its region by. The reference server's variable
 * (examples/mcp-server: `MCP_ALLOWED_HOSTS`, comma-separated); health paths are exempt. Empty without a
 * domain (the server then logs that the check is off).
 */
export function allowedHostsEnvironment(hosts: readonly string[]): Record<string, string> {
  return hosts.length > 0 ? { MCP_ALLOWED_HOSTS: [...new Set(hosts)].join(',') } : {};
}

/** Readiness tolerates the cache's in-region failover plus one probe interval (a routine failover moves no region). */
export function googleRegionHealth(plan: ServicePlan): RegionHealthPolicy {
  return regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.GCP].seconds, plan.profile.healthProbe.intervalSeconds);
}

export interface RegionFleetInput {
  readonly props: McpServiceProps;
  readonly plan: ServicePlan;
  readonly network: McpNetwork;
  readonly region: string;
  readonly loadBalancer: McpLoadBalancer;
  readonly capacity: FleetCapacity;
  readonly schedule?: ScalingSchedule;
  readonly environment: Record<string, string>;
  readonly zones?: string[];
  readonly prefix: string;
}

export function regionFleet(scope: Construct, id: string, i: RegionFleetInput): McpFleet {
  return new McpFleet(scope, id, {
    network: i.network,
    region: i.region,
    server: i.props.server,
    capacity: i.capacity,
    loadBalancer: i.loadBalancer,
    tier: i.plan.profile.tier,
    tierOverrides: i.props.overrides,
    zones: i.zones,
    machineType: i.props.machineType,
    schedule: i.schedule,
    environment: i.environment,
    project: i.props.project,
    namePrefix: `${i.prefix}-${i.region}`,
  });
}
