/**
 * The documented limits the library relies on, in one table, each with the page
 * that documents it, so a reader can check every number we validate against.
 *
 * Nothing here is a guess: where a cloud documents no figure the library needs
 * (for instance how long Route 53 takes to aggregate its checkers' verdicts),
 * the figure lives in `ASSUMPTIONS` in failover-budget.ts, marked as assumed.
 */
import { NumberRange } from './errors';

/** The health-probing mechanisms whose settings the library renders. */
export enum ProbeMechanism {
  /** Elastic Load Balancing v2 target group health checks (Application Load Balancer). */
  AWS_ALB_TARGET_GROUP = 'aws-alb-target-group',
  /** Amazon Route 53 endpoint health checks (DNS failover). */
  AWS_ROUTE53_HEALTH_CHECK = 'aws-route53-health-check',
  /** Azure Application Gateway custom probes. */
  AZURE_APPLICATION_GATEWAY = 'azure-application-gateway',
  /** Azure Load Balancer health probes. */
  AZURE_LOAD_BALANCER = 'azure-load-balancer',
  /** Azure Traffic Manager endpoint monitoring (DNS failover). */
  AZURE_TRAFFIC_MANAGER = 'azure-traffic-manager',
  /** Google Cloud Compute Engine health checks (load balancers, managed instance group autohealing). */
  GCP_HEALTH_CHECK = 'gcp-health-check',
  /** Google Cloud health checks with source regions: Cloud DNS routing policies on public endpoints. */
  GCP_DNS_HEALTH_CHECK = 'gcp-dns-health-check',
}

/** How a probe's timeout must relate to its interval. */
export enum TimeoutRule {
  /** The timeout must be strictly shorter than the interval. */
  BELOW_INTERVAL = 'below-interval',
  /** The timeout may equal the interval but not exceed it. */
  AT_MOST_INTERVAL = 'at-most-interval',
  /** The service fixes the timeout; it cannot be set. */
  FIXED = 'fixed',
}

/** The documented ranges of one probing mechanism. */
export interface ProbeLimits {
  /** The probing service these limits belong to. */
  readonly mechanism: ProbeMechanism;
  /** Human name used in messages. */
  readonly service: string;
  /** Where the ranges below are documented. */
  readonly docUrl: string;
  /** Allowed intervals: a range, or the only values the service accepts. */
  readonly intervalSeconds: NumberRange | number[];
  /** Allowed timeouts. @default - absent: the service fixes the timeout (see `fixedTimeoutSeconds`) */
  readonly timeoutSeconds?: NumberRange;
  /** How the timeout must relate to the interval (less than, or at most). */
  readonly timeoutRule: TimeoutRule;
  /**
   * The fixed worst-case time a probe waits for a hung endpoint where the timeout cannot be set.
   * @default - absent: the timeout is configurable (`timeoutSeconds`)
   */
  readonly fixedTimeoutSeconds?: number;
  /** Consecutive successes before healthy. @default - absent: not settable (see `fixedHealthyThreshold`) */
  readonly healthyThreshold?: NumberRange;
  /**
   * Where the service has no healthy-threshold setting: the successes it takes to
   * restore a target (Application Gateway: one). A configured healthyThreshold
   * other than this cannot be rendered and is refused by the cloud layer.
   * @default - absent: the healthy threshold is settable (`healthyThreshold`)
   */
  readonly fixedHealthyThreshold?: number;
  /**
   * True when every instance of the load balancer probes each target on its own
   * (Application Gateway): detection is per instance, and until the last instance
   * has seen the failure some requests still reach the failed target.
   * @default false - one shared view of each target's health
   */
  readonly probesPerInstance?: boolean;
  /**
   * Consecutive failures before unhealthy. For Traffic Manager the setting is
   * "tolerated failures" (0-9), i.e. unhealthy after tolerated + 1 failures: the
   * range here is expressed as failures-before-unhealthy (1-10) so every cloud
   * shares one meaning.
   */
  readonly unhealthyThreshold: NumberRange;
}

export const PROBE_LIMITS: Readonly<Record<ProbeMechanism, ProbeLimits>> = {
  [ProbeMechanism.AWS_ALB_TARGET_GROUP]: {
    mechanism: ProbeMechanism.AWS_ALB_TARGET_GROUP,
    service: 'Application Load Balancer target group health check',
    docUrl: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html',
    intervalSeconds: { min: 5, max: 300 },
    timeoutSeconds: { min: 2, max: 120 },
    // The user guide is silent; the API refuses "Health check interval must be greater than the timeout."
    timeoutRule: TimeoutRule.BELOW_INTERVAL,
    healthyThreshold: { min: 2, max: 10 },
    unhealthyThreshold: { min: 2, max: 10 },
  },
  [ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK]: {
    mechanism: ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK,
    service: 'Route 53 health check',
    docUrl: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html',
    intervalSeconds: [10, 30],
    timeoutRule: TimeoutRule.FIXED,
    // "Route 53 must be able to establish a TCP connection with the endpoint within four
    // seconds ... the endpoint must respond with an HTTP status code ... within two seconds
    // after connecting." (dns-failover-determining-health-of-endpoints.html)
    fixedTimeoutSeconds: 6,
    unhealthyThreshold: { min: 1, max: 10 },
  },
  [ProbeMechanism.AZURE_APPLICATION_GATEWAY]: {
    mechanism: ProbeMechanism.AZURE_APPLICATION_GATEWAY,
    service: 'Application Gateway custom probe',
    // The API reference documents the numbers: interval and timeout "Acceptable values are from 1 second to
    // 86400 seconds"; unhealthyThreshold (the retry count) "Acceptable values are from 1 ... to 20". The
    // overview page documents the behaviour: no healthy threshold ("responds successfully to one request ...
    // it is added back as healthy") and every gateway instance probes the backends independently
    // (https://learn.microsoft.com/azure/application-gateway/application-gateway-probe-overview).
    docUrl: 'https://learn.microsoft.com/javascript/api/@azure/arm-network/applicationgatewayprobe',
    intervalSeconds: { min: 1, max: 86400 },
    timeoutSeconds: { min: 1, max: 86400 },
    timeoutRule: TimeoutRule.AT_MOST_INTERVAL,
    fixedHealthyThreshold: 1,
    probesPerInstance: true,
    unhealthyThreshold: { min: 1, max: 20 },
  },
  [ProbeMechanism.AZURE_LOAD_BALANCER]: {
    mechanism: ProbeMechanism.AZURE_LOAD_BALANCER,
    service: 'Azure Load Balancer health probe',
    docUrl: 'https://learn.microsoft.com/azure/load-balancer/load-balancer-custom-probe-overview',
    // Minimum interval 5 s; the HTTP(S) probe timeout is fixed by the service.
    intervalSeconds: { min: 5, max: 2147483646 },
    timeoutRule: TimeoutRule.FIXED,
    fixedTimeoutSeconds: 30,
    unhealthyThreshold: { min: 1, max: 100 },
  },
  [ProbeMechanism.AZURE_TRAFFIC_MANAGER]: {
    mechanism: ProbeMechanism.AZURE_TRAFFIC_MANAGER,
    service: 'Traffic Manager endpoint monitoring',
    docUrl: 'https://learn.microsoft.com/azure/traffic-manager/traffic-manager-monitoring',
    intervalSeconds: [10, 30],
    // 5-10 s with a 30 s interval, 5-9 s with a 10 s interval: the range plus "below interval".
    timeoutSeconds: { min: 5, max: 10 },
    timeoutRule: TimeoutRule.BELOW_INTERVAL,
    unhealthyThreshold: { min: 1, max: 10 },
  },
  [ProbeMechanism.GCP_HEALTH_CHECK]: {
    mechanism: ProbeMechanism.GCP_HEALTH_CHECK,
    service: 'Google Cloud health check',
    // Documented: "It is invalid for timeoutSec to have greater value than checkIntervalSec";
    // thresholds above 10 are refused by the API ("Must be less than or equal to 10").
    // Google publishes no upper bound for the interval; 300 s matches the console's limit.
    docUrl: 'https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks',
    intervalSeconds: { min: 1, max: 300 },
    timeoutSeconds: { min: 1, max: 300 },
    timeoutRule: TimeoutRule.AT_MOST_INTERVAL,
    healthyThreshold: { min: 1, max: 10 },
    unhealthyThreshold: { min: 1, max: 10 },
  },
  [ProbeMechanism.GCP_DNS_HEALTH_CHECK]: {
    mechanism: ProbeMechanism.GCP_DNS_HEALTH_CHECK,
    service: 'Google Cloud health check with source regions (Cloud DNS failover)',
    // healthChecks.sourceRegions: "If any regions are specified, then exactly 3 regions should be
    // specified ... The checkIntervalSec field must be at least 30. The health check cannot be used
    // with BackendService nor with managed instance group auto-healing." Cloud DNS checks public
    // endpoints only with such a check (https://cloud.google.com/dns/docs/routing-policies-overview).
    docUrl: 'https://cloud.google.com/compute/docs/reference/rest/v1/healthChecks',
    intervalSeconds: { min: 30, max: 300 },
    timeoutSeconds: { min: 1, max: 300 },
    timeoutRule: TimeoutRule.AT_MOST_INTERVAL,
    healthyThreshold: { min: 1, max: 10 },
    unhealthyThreshold: { min: 1, max: 10 },
  },
};

/** A single documented limit or figure. */
export interface DocumentedFact {
  /** The figure, in `unit`. */
  readonly value: number;
  /** Unit of `value` ('seconds', 'regions', ...). */
  readonly unit: string;
  /** The documentation page stating it. */
  readonly docUrl: string;
  /** What the documentation says, briefly. */
  readonly note: string;
}

/** Every other cloud limit the library validates against or reports. */
export const CLOUD_FACTS = {
  awsAlbIdleTimeoutSeconds: {
    min: 1,
    max: 4000,
    docUrl: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#connection-idle-timeout',
  },
  awsDeregistrationDelaySeconds: {
    min: 0,
    max: 3600,
    docUrl: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#deregistration-delay',
  },
  awsSlowStartSeconds: {
    min: 30,
    max: 900,
    docUrl: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-target-group-attributes.html#slow-start-mode',
  },
  awsScheduledActionsPerGroup: {
    value: 125,
    unit: 'scheduled actions',
    docUrl: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html',
    note: 'Scheduled actions per Auto Scaling group: 125.',
  } satisfies DocumentedFact,
  awsStepAdjustmentsPerPolicy: {
    value: 20,
    unit: 'step adjustments',
    docUrl: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-quotas.html',
    note: 'Step adjustments per step scaling policy: 20 (cannot be changed).',
  } satisfies DocumentedFact,
  awsRoute53AliasTtlSeconds: {
    value: 60,
    unit: 's',
    docUrl: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html',
    note: 'An alias record to an Elastic Load Balancing load balancer takes the TTL of the load balancer record, 60 seconds; the TTL of an alias record cannot be set.',
  } satisfies DocumentedFact,
  awsElastiCacheReplicationGroupIdMaxLength: {
    value: 40,
    unit: 'characters',
    docUrl: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-elasticache-replicationgroup.html',
    note: 'ReplicationGroupId: 1-40 alphanumeric characters or hyphens, begins with a letter, no two consecutive hyphens, does not end with a hyphen.',
  } satisfies DocumentedFact,
  azureTrafficManagerTimeoutSeconds: {
    /** With a 10 s interval the timeout is 5-9 s; with 30 s it is 5-10 s. */
    tenSecondInterval: { min: 5, max: 9 },
    thirtySecondInterval: { min: 5, max: 10 },
    docUrl: 'https://learn.microsoft.com/azure/traffic-manager/traffic-manager-monitoring',
  },
} as const;

/**
 * AWS region names the library accepts (commercial, AWS GovCloud (US) and China partitions), as listed on
 * the AWS Regions page. A name outside this list (a typo such as "eu-westt-1") is refused at synth time:
 * otherwise it surfaces at deployment as a misleading credentials or endpoint error.
 */
export const AWS_REGIONS = {
  docUrl: 'https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html',
  names: [
    'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    'af-south-1',
    'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3',
    'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ap-northeast-1', 'ap-northeast-2',
    'ap-northeast-3',
    'ca-central-1', 'ca-west-1',
    'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1',
    'il-central-1', 'me-south-1', 'me-central-1', 'mx-central-1', 'sa-east-1',
    'us-gov-east-1', 'us-gov-west-1',
    'cn-north-1', 'cn-northwest-1',
  ] as readonly string[],
} as const;

/** True when `region` is a documented AWS region name. */
export function isAwsRegion(region: string): boolean {
  return AWS_REGIONS.names.includes(region);
}

/**
 * Amazon MemoryDB Multi-Region (active-active, multi-writer): where and on what it runs.
 * https://docs.aws.amazon.com/memorydb/latest/devguide/multi-region.prereq.html
 */
export const MEMORYDB_MULTI_REGION = {
  docUrl: 'https://docs.aws.amazon.com/memorydb/latest/devguide/multi-region.prereq.html',
  /** "US East (N. Virginia and Ohio), US West (Oregon, N. California), Europe (Ireland, Frankfurt, and London) and Asia Pacific (Tokyo, Sydney, Mumbai, Seoul and Singapore)." */
  regions: [
    'us-east-1', 'us-east-2', 'us-west-2', 'us-west-1', 'eu-west-1', 'eu-central-1', 'eu-west-2',
    'ap-northeast-1', 'ap-southeast-2', 'ap-south-1', 'ap-northeast-2', 'ap-southeast-1',
  ] as readonly string[],
  /** "you can automatically replicate MemoryDB cluster data across up to five AWS Regions" */
  maxRegions: 5,
  /** "supported on R7g nodes of size XL and above" */
  nodeTypePattern: /^db\.r7g\.(\d*)xlarge$/,
  nodeTypeRule: 'an R7g node of size xlarge or above (db.r7g.xlarge, db.r7g.2xlarge, ...)',
  /** "supports Valkey engine version 7.3 and above": the only engine. */
  engine: 'valkey',
  minEngineVersion: { major: 7, minor: 3 },
  /** All regional clusters share shards, node type, engine version, TLS and parameter group. */
  sharedSettings: 'shards, node type, Valkey engine version, TLS and parameter group',
  /** The multi-Region cluster name is a suffix behind a prefix AWS assigns per region (like a Global Datastore ID). */
  nameRule: 'MultiRegionClusterNameSuffix: MemoryDB prefixes it per region; regional clusters join by the full name',
} as const;

/** MemoryDB Multi-Region's documented replication figure (the multi-writer RPO term). */
export const MEMORYDB_MULTI_REGION_REPLICATION: DocumentedFact = {
  value: 1,
  unit: 's',
  docUrl: 'https://docs.aws.amazon.com/memorydb/latest/devguide/multi-region.html',
  note: 'MemoryDB Multi-Region "asynchronously replicates data between Regions, and data is typically propagated within a second"; '
    + 'conflicts resolve last-writer-wins (CRDT). No RPO/RTO SLA is given: an isolated region keeps accepting writes and its lag can grow without bound.',
};

/**
 * ElastiCache Global Datastore (single writer): "You can set up replication for a primary cluster from one
 * AWS Region to a secondary cluster in up to two other AWS Regions"; M5/R5 or newer nodes, size large and above.
 */
export const ELASTICACHE_GLOBAL_DATASTORE = {
  docUrl: 'https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html',
  maxSecondaryRegions: 2,
  /** "When you add a secondary cluster to a global datastore, the secondary cluster inherits the Multi-AZ and automatic failover settings from the primary cluster." */
  secondaryInherits: 'Multi-AZ and automatic failover',
} as const;

/** True when `value` is allowed by `allowed` (a range or a list of values). */
export function allows(allowed: NumberRange | readonly number[], value: number): boolean {
  if (isRange(allowed)) return value >= allowed.min && value <= allowed.max && Number.isInteger(value);
  return allowed.includes(value);
}

/** Describes `allowed` for a message. */
export function describeAllowed(allowed: NumberRange | readonly number[]): string {
  if (isRange(allowed)) return `an integer from ${allowed.min} to ${allowed.max}`;
  return allowed.length === 2 ? `${allowed[0]} or ${allowed[1]}` : `one of ${allowed.join(', ')}`;
}

function isRange(allowed: NumberRange | readonly number[]): allowed is NumberRange {
  return !Array.isArray(allowed);
}
