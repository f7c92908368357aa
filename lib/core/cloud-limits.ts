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
  readonly mechanism: ProbeMechanism;
  /** Human name used in messages. */
  readonly service: string;
  /** Where the ranges below are documented. */
  readonly docUrl: string;
  /** Allowed intervals: a range, or the only values the service accepts. */
  readonly intervalSeconds: NumberRange | readonly number[];
  /** Allowed timeouts (absent where the service fixes it). */
  readonly timeoutSeconds?: NumberRange;
  readonly timeoutRule: TimeoutRule;
  /** The fixed worst-case time a probe waits for a hung endpoint where the timeout cannot be set. */
  readonly fixedTimeoutSeconds?: number;
  /** Consecutive successes before healthy (absent where not settable). */
  readonly healthyThreshold?: NumberRange;
  /**
   * Where the service has no healthy-threshold setting: the successes it takes to
   * restore a target (Application Gateway: one). A configured healthyThreshold
   * other than this cannot be rendered and is refused by the cloud layer.
   */
  readonly fixedHealthyThreshold?: number;
  /**
   * True when every instance of the load balancer probes each target on its own
   * (Application Gateway): detection is per instance, and until the last instance
   * has seen the failure some requests still reach the failed target.
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
  readonly value: number;
  readonly unit: string;
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
