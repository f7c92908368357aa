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

export interface McpDeploymentProps {
  readonly tier: AvailabilityTier;
  readonly tierOverrides?: TierOverrides;
  readonly vpc: ec2.IVpc;
  readonly server: McpServerSource;
  readonly capacity: FleetCapacity;
  readonly certificate: acm.ICertificate;
  /** Zones of this deployment (both tiers of subnets). @default - every zone of the VPC */
  readonly availabilityZones?: string[];
  readonly cache?: DeploymentCache;
  /**
   * Variables that tell the server how its region writes to the cache (CacheWriteEnv: model, this
   * region's mode, the writer region, the readiness grace period). Rendered next to REDIS_URL.
   * @default - none
   */
  readonly cacheEnvironment?: Record<string, string>;
  /** More variables for the servers (the authorization model's `MCP_AUTH_*`). @default - none */
  readonly serverEnvironment?: Record<string, string>;
  readonly instanceType?: ec2.InstanceType;
  readonly waf?: McpWafOptions;
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

export class McpDeployment extends Construct {
  public readonly loadBalancer: McpLoadBalancer;
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
