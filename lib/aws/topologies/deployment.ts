/**
 * One deployment of the service: a load balancer and the fleet behind it, wired to
 * the shared cache. Topologies compose one (active-active), two (active-passive)
 * or one per region (multi-region).
 */
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { McpServerSource } from '../../core/server-source';
import { AvailabilityTier, TierOverrides } from '../../core/tiers';
import { FleetCapacity, FleetWarmPoolOptions, McpFleet } from '../fleet';
import { McpLoadBalancer, McpWafOptions } from '../load-balancer';

/** Props of `McpDeployment`: one load balancer and its fleet in one VPC, optionally wired to a cache. */
export interface McpDeploymentProps {
  /** The availability tier of the load balancer and the fleet. */
  readonly tier: AvailabilityTier;
  /** Overrides of the tier's defaults, field by field. @default - the tier's defaults */
  readonly tierOverrides?: TierOverrides;
  /** The VPC: the load balancer in its public subnets, the fleet in its private subnets with egress. */
  readonly vpc: ec2.IVpc;
  /** What runs on each instance. */
  readonly server: McpServerSource;
  /** Instances: the baseline and optional bounds. */
  readonly capacity: FleetCapacity;
  /** The HTTPS listener's certificate (in this deployment's region). */
  readonly certificate: acm.ICertificate;
  /** Zones of this deployment (both tiers of subnets). @default - every zone of the VPC */
  readonly availabilityZones?: string[];
  /**
   * The cache the servers write to: they get REDIS_URL (and REDIS_CLUSTER, REDIS_USERNAME), the AUTH
   * token from Secrets Manager at boot, and network access to its port.
   * @default - no cache: the servers get no cache variables
   */
  readonly cache?: DeploymentCache;
  /**
   * Variables that tell the server how its region writes to the cache (CacheWriteEnv: model, this
   * region's mode, the writer region, the readiness grace period). Rendered next to REDIS_URL.
   * @default - none
   */
  readonly cacheEnvironment?: Record<string, string>;
  /** More variables for the servers (the authorization model's `MCP_AUTH_*`). @default - none */
  readonly serverEnvironment?: Record<string, string>;
  /** EC2 instance type of the servers. @default - the fleet's default (m7i.large) */
  readonly instanceType?: ec2.InstanceType;
  /** Web application firewall of the load balancer. @default - the load balancer's default: rate limit and AWS managed rules */
  readonly waf?: McpWafOptions;
  /** A warm pool of stopped, pre-initialised instances for faster scale-out. @default - no warm pool */
  readonly warmPool?: FleetWarmPoolOptions;
}

/**
 * The cache a deployment writes to: an ElastiCache replication group (McpCache: its PRIMARY endpoint, never the
 * reader endpoint) or a MemoryDB regional cluster (McpMultiRegionCache: its cluster endpoint, writable in every region).
 */
export interface DeploymentCache {
  /** The writable endpoint of this region's member. */
  readonly endpointAddress: string;
  /** The port of that endpoint. */
  readonly endpointPort: number;
  /** True when clients must speak cluster mode (REDIS_CLUSTER=true). */
  readonly clusterModeEnabled: boolean;
  /**
   * The secret holding the AUTH token or the ACL user's password.
   * @default - none: the servers get no REDIS_AUTH_TOKEN
   */
  readonly authSecret?: secretsmanager.ISecret;
  /**
   * The ACL user (MemoryDB).
   * @default - none: the token authenticates the default user (ElastiCache AUTH)
   */
  readonly userName?: string;
  /** Lets the servers reach the cache and read its secret. */
  grantConnect(grantee: ec2.IConnectable & iam.IGrantable): iam.Grant;
}

/** Environment variables that point the server at the shared cache. */
export enum McpCacheEnv {
  /** `rediss://host:port` (TLS). */
  URL = 'REDIS_URL',
  /** The AUTH token, read from Secrets Manager at boot. */
  AUTH_TOKEN = 'REDIS_AUTH_TOKEN',
  /** `true` when the cache runs in cluster mode (the URL is the configuration endpoint). */
  CLUSTER = 'REDIS_CLUSTER',
  /** The ACL user name (MemoryDB), with REDIS_AUTH_TOKEN as its password. */
  USERNAME = 'REDIS_USERNAME',
}

/**
 * The `Host` allow-list a server enforces (MCP transport security: DNS rebinding): the names clients
 * reach this deployment by. Empty without a domain (the server then logs that the check is off).
 */
export function allowedHostsEnvironment(hosts: readonly string[]): Record<string, string> {
  // The reference server's variable (examples/mcp-server: MCP_ALLOWED_HOSTS, comma-separated host names).
  return hosts.length > 0 ? { MCP_ALLOWED_HOSTS: [...new Set(hosts)].join(',') } : {};
}

/**
 * One deployment in one region: an `McpLoadBalancer` and the `McpFleet` behind it, the servers
 * pointed at the cache. The topologies build one per deployment and expose it (`deployment`,
 * `deployments`, a region's `deployment`); it can also be used alone to compose another topology.
 */
export class McpDeployment extends Construct {
  /** The Application Load Balancer (HTTPS listener, WAF, health check). */
  public readonly loadBalancer: McpLoadBalancer;
  /** The Auto Scaling group of servers behind it. */
  public readonly fleet: McpFleet;

  constructor(scope: Construct, id: string, props: McpDeploymentProps) {
    super(scope, id);
    const zones = props.availabilityZones;
    this.loadBalancer = new McpLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      tier: props.tier,
      tierOverrides: props.tierOverrides,
      certificate: props.certificate,
      server: props.server,
      waf: props.waf,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC, availabilityZones: zones },
    });
    const cache = props.cache;
    this.fleet = new McpFleet(this, 'Fleet', {
      vpc: props.vpc,
      tier: props.tier,
      tierOverrides: props.tierOverrides,
      server: props.server,
      capacity: props.capacity,
      loadBalancer: this.loadBalancer,
      instanceType: props.instanceType,
      warmPool: props.warmPool,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, availabilityZones: zones },
      environment: cache ? {
        [McpCacheEnv.URL]: `rediss://${cache.endpointAddress}:${cache.endpointPort}`,
        ...(cache.clusterModeEnabled ? { [McpCacheEnv.CLUSTER]: 'true' } : {}),
        ...(cache.userName ? { [McpCacheEnv.USERNAME]: cache.userName } : {}),
        ...props.cacheEnvironment,
        ...props.serverEnvironment,
      } : props.serverEnvironment,
      secretEnvironment: cache?.authSecret ? { [McpCacheEnv.AUTH_TOKEN]: cache.authSecret } : undefined,
    });
    cache?.grantConnect(this.fleet.autoScalingGroup);
  }
}
