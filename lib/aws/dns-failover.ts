/**
 * DNS routing between load balancers: one Route 53 record per endpoint (failover,
 * latency or weighted), each with an HTTPS health check on the readiness path
 * the target group probes, optionally combined with a CloudWatch alarm (the MCP
 * probe) in a calculated health check. It also returns the DNS settings it
 * rendered, so the failover budget is computed from them.
 *
 * Route 53 health-check metrics exist only in us-east-1: alarms on them are a
 * separate construct (`Route53HealthCheckAlarms`) meant for a us-east-1 stack.
 */
import { Annotations, Arn, ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib/core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { AWS_REGIONS, CLOUD_FACTS, ProbeMechanism, isAwsRegion } from '../core/cloud-limits';
import { Validator } from '../core/errors';
import { DnsRecordKind, DnsRouting } from '../core/failover-budget';
import { DnsHealthCheckOptions, validateDnsHealthCheck } from '../core/health-probe';
import { AvailabilityTier, TierProfile, TierOverrides, mergeOverrides, resolveTier } from '../core/tiers';
import { validatorFor } from './validation';

/** How Route 53 chooses among the endpoints' records. */
export enum DnsRoutingPolicy {
  /** Active-passive: the PRIMARY while healthy, else the SECONDARY. */
  FAILOVER = 'failover',
  /** Active-active across regions: the lowest-latency healthy region. */
  LATENCY = 'latency',
  /** Active-active by share: healthy endpoints in proportion to their weights. */
  WEIGHTED = 'weighted',
}

/** The role of an endpoint under FAILOVER routing. */
export enum DnsFailoverRole {
  PRIMARY = 'primary',
  SECONDARY = 'secondary',
}

/** One load balancer behind the record. */
export interface DnsEndpoint {
  /** The Application Load Balancer the record points at (and the health check probes). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /**
   * PRIMARY or SECONDARY, with FAILOVER routing.
   * @default - none: required with FAILOVER, refused with the other policies (synth-time errors)
   */
  readonly role?: DnsFailoverRole;
  /**
   * LATENCY only: the AWS region of the load balancer.
   * @default - the load balancer's stack region, when known
   */
  readonly region?: string;
  /**
   * WEIGHTED only: relative share, 0-255.
   * @default 1 (an equal share)
   */
  readonly weight?: number;
  /**
   * Host name the health check resolves, connects to and sends as SNI/Host.
   * @default - the load balancer's DNS name
   */
  readonly healthCheckFqdn?: string;
  /**
   * An alarm on the MCP probe of this endpoint; overrides the construct-level one.
   * @default - McpDnsFailoverProps.mcpProbeAlarm
   */
  readonly mcpProbeAlarm?: cloudwatch.IAlarm;
}

/** Props of `McpDnsFailover`: the zone and name, the routing policy, the endpoints and their health checks. */
export interface McpDnsFailoverProps {
  /** The zone the records go in. */
  readonly hostedZone: route53.IHostedZone;
  /** Record name, relative to the zone (`mcp`) or fully qualified. ALIAS records may use the apex. */
  readonly recordName: string;
  /** How Route 53 answers: failover (primary, then secondary), latency or weighted. @default DnsRoutingPolicy.FAILOVER */
  readonly routingPolicy?: DnsRoutingPolicy;
  /** Endpoints keyed by a stable name (used as construct ID and SetIdentifier). */
  readonly endpoints: Record<string, DnsEndpoint>;
  /**
   * ALIAS: an A alias to the load balancer (works at the zone apex; 60 s TTL that cannot be set;
   * EvaluateTargetHealth on). CNAME: the TTL is recordTtlSeconds.
   * @default DnsRecordKind.CNAME
   */
  readonly recordKind?: DnsRecordKind;
  /** The availability tier: the DNS checks, the record TTL and the health path. @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  /**
   * Overrides of the tier's defaults, field by field (a topology passes its own
   * here). This construct's specific props win over them.
   * @default - none
   */
  readonly tierOverrides?: TierOverrides;
  /**
   * Request interval, failure threshold and latency measurement of the health checks.
   * Route 53 fixes the timeout (4 s to connect, 2 s to answer), so timeoutSeconds is refused.
   * RequestInterval and MeasureLatency cannot change after creation (a change replaces the check).
   * @default - the tier's dnsHealthCheck
   */
  readonly dnsHealthCheck?: DnsHealthCheckOptions;
  /**
   * TTL of CNAME records.
   * @default - the tier's recordTtlSeconds
   */
  readonly recordTtlSeconds?: number;
  /**
   * Path the HTTPS health checks request: keep it the target group's readiness path.
   * @default - the tier's healthProbe.path ('/health/ready')
   */
  readonly healthCheckPath?: string;
  /**
   * An alarm on the MCP probe, for every endpoint without its own. With an alarm, each endpoint's
   * record carries a CALCULATED health check that is healthy only when both the HTTPS check and
   * the alarm-based check are. The alarm must use a standard-resolution metric (period >= 60 s)
   * and a plain statistic (Average, Minimum, Maximum, Sum, SampleCount).
   * @default - HTTPS health checks only
   */
  readonly mcpProbeAlarm?: cloudwatch.IAlarm;
  /**
   * The other record(s) of the same name live in another stack (one stack per
   * region, each writing its own record into the shared zone). With FAILOVER, this
   * construct then holds one half of the pair: one PRIMARY or one SECONDARY.
   * @default false
   */
  readonly pairedElsewhere?: boolean;
}

/** The HTTPS port of the load balancers' listeners, which the health checks use. */
export const DNS_HEALTH_CHECK_PORT = 443;

const ENDPOINT_NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;
const ALARM_STATISTICS = ['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'];

/**
 * Route 53 records with health checks in front of two or more Application Load Balancers.
 */
export class McpDnsFailover extends Construct {
  /** HTTPS health check of each endpoint, by endpoint name. */
  public readonly healthChecks: Record<string, route53.HealthCheck> = {};
  /** Alarm-based health check of each endpoint that has an MCP probe alarm. */
  public readonly alarmHealthChecks: Record<string, route53.HealthCheck> = {};
  /** Calculated (HTTPS AND alarm) health check of each endpoint that has an MCP probe alarm. */
  public readonly calculatedHealthChecks: Record<string, route53.HealthCheck> = {};
  /** The health check attached to each endpoint's record (calculated when there is one, else HTTPS). */
  public readonly recordHealthChecks: Record<string, route53.IHealthCheck> = {};
  /** The record of each endpoint. */
  public readonly records: Record<string, route53.RecordSet> = {};
  /** DNS routing as rendered, for the failover budget. */
  public readonly dnsRouting: DnsRouting;
  public readonly routingPolicy: DnsRoutingPolicy;
  public readonly profile: TierProfile;

  constructor(scope: Construct, id: string, props: McpDnsFailoverProps) {
    super(scope, id);
    const v = validatorFor(this);
    const profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, mergeOverrides(props.tierOverrides, {
      dnsHealthCheck: props.dnsHealthCheck,
      recordTtlSeconds: props.recordTtlSeconds,
      healthCheck: props.healthCheckPath !== undefined ? { path: props.healthCheckPath } : undefined,
    }), v);
    this.profile = profile;
    const policy = props.routingPolicy ?? DnsRoutingPolicy.FAILOVER;
    const recordKind = props.recordKind ?? DnsRecordKind.CNAME;
    const dns = profile.dnsHealthCheck;
    const path = profile.healthProbe.path;

    // ---- validate ----
    validateDnsHealthCheck(ProbeMechanism.AWS_ROUTE53_HEALTH_CHECK, v.nested('dnsHealthCheck'), dns);
    v.oneOf('routingPolicy', policy, Object.values(DnsRoutingPolicy));
    v.oneOf('recordKind', recordKind, Object.values(DnsRecordKind));
    validateRecordName(v, props.recordName, props.hostedZone, recordKind);
    const regions = validateEndpoints(v, policy, props.endpoints, props.pairedElsewhere ?? false);
    if (props.mcpProbeAlarm) validateAlarm(v, 'mcpProbeAlarm', props.mcpProbeAlarm);
    if (recordKind === DnsRecordKind.ALIAS && props.recordTtlSeconds !== undefined) {
      v.add('recordTtlSeconds', props.recordTtlSeconds,
        `no value with recordKind ${DnsRecordKind.ALIAS}: an alias to a load balancer takes its ${CLOUD_FACTS.awsRoute53AliasTtlSeconds.value} s TTL, which cannot be set (${CLOUD_FACTS.awsRoute53AliasTtlSeconds.docUrl})`);
    }
    v.throwIfInvalid();

    // ---- build ----
    this.routingPolicy = policy;
    for (const [name, ep] of Object.entries(props.endpoints)) {
      const scopeOf = new Construct(this, name);
      const https = new route53.HealthCheck(scopeOf, 'HealthCheck', {
        type: route53.HealthCheckType.HTTPS,
        fqdn: ep.healthCheckFqdn ?? ep.loadBalancer.loadBalancerDnsName,
        port: DNS_HEALTH_CHECK_PORT,
        resourcePath: path,
        enableSNI: true,
        requestInterval: Duration.seconds(dns.requestIntervalSeconds),
        failureThreshold: dns.failureThreshold,
        measureLatency: dns.measureLatency,
      });
      this.healthChecks[name] = https;
      let attached: route53.IHealthCheck = https;

      const alarm = ep.mcpProbeAlarm ?? props.mcpProbeAlarm;
      if (alarm) {
        const alarmCheck = new route53.HealthCheck(scopeOf, 'AlarmHealthCheck', {
          type: route53.HealthCheckType.CLOUDWATCH_METRIC,
          alarmIdentifier: { region: alarmRegion(alarm), name: alarm.alarmName },
          insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
        });
        const calculated = new route53.HealthCheck(scopeOf, 'CalculatedHealthCheck', {
          type: route53.HealthCheckType.CALCULATED,
          childHealthChecks: [https, alarmCheck],
          healthThreshold: 2,
        });
        this.alarmHealthChecks[name] = alarmCheck;
        this.calculatedHealthChecks[name] = calculated;
        attached = calculated;
      }
      this.recordHealthChecks[name] = attached;

      const routing: Partial<route53.RecordSetOptions> = {
        setIdentifier: name,
        healthCheck: attached,
        ...(policy === DnsRoutingPolicy.FAILOVER ? {
          failover: ep.role === DnsFailoverRole.PRIMARY ? route53.Failover.PRIMARY : route53.Failover.SECONDARY,
        } : {}),
        ...(policy === DnsRoutingPolicy.LATENCY ? { region: regions[name] } : {}),
        ...(policy === DnsRoutingPolicy.WEIGHTED ? { weight: ep.weight ?? 1 } : {}),
      };
      this.records[name] = recordKind === DnsRecordKind.ALIAS
        ? new route53.ARecord(scopeOf, 'Record', {
          zone: props.hostedZone,
          recordName: props.recordName,
          target: route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(ep.loadBalancer, { evaluateTargetHealth: true })),
          ...routing,
        })
        : new route53.CnameRecord(scopeOf, 'Record', {
          zone: props.hostedZone,
          recordName: props.recordName,
          domainName: ep.loadBalancer.loadBalancerDnsName,
          ttl: Duration.seconds(profile.recordTtlSeconds),
          ...routing,
        });
    }

    this.dnsRouting = {
      healthCheck: dns,
      recordKind,
      ttlSeconds: recordKind === DnsRecordKind.ALIAS ? CLOUD_FACTS.awsRoute53AliasTtlSeconds.value : profile.recordTtlSeconds,
      ...(Object.keys(this.calculatedHealthChecks).length > 0 ? { calculatedHealthCheck: true } : {}),
    };
  }

  /**
   * Alarms on the status of the health checks attached to the records. Route 53 publishes
   * health-check metrics only in us-east-1, so `scope` must be in a us-east-1 stack.
   */
  public healthCheckAlarms(scope: Construct, id: string, options: HealthCheckAlarmOptions = {}): Route53HealthCheckAlarms {
    return new Route53HealthCheckAlarms(scope, id, { ...options, healthChecks: this.recordHealthChecks });
  }
}

function validateRecordName(v: Validator, name: string, zone: route53.IHostedZone, kind: DnsRecordKind): void {
  if (Token.isUnresolved(name)) return;
  v.check(name.length <= 253 && /^[A-Za-z0-9_*.-]*$/.test(name), 'recordName', name,
    'a DNS name of letters, digits, hyphens, underscores and dots, at most 253 characters');
  const zoneName = zone.zoneName;
  const apex = name === '' || name === '@'
    || (!Token.isUnresolved(zoneName) && (name === zoneName || name === `${zoneName}.`));
  if (apex && kind === DnsRecordKind.CNAME) {
    v.add('recordName', name,
      `a name below the zone apex with recordKind ${DnsRecordKind.CNAME} (DNS forbids a CNAME at the apex); use recordKind ${DnsRecordKind.ALIAS} for the apex`);
  }
}

function validateEndpoints(
  v: Validator, policy: DnsRoutingPolicy, endpoints: Record<string, DnsEndpoint>, pairedElsewhere: boolean,
): Record<string, string> {
  const names = Object.keys(endpoints);
  const regions: Record<string, string> = {};
  v.check(names.length >= 1, 'endpoints', endpoints, 'at least one endpoint');
  for (const name of names) {
    const ep = endpoints[name];
    const ev = v.nested(`endpoints.${name}`);
    v.check(ENDPOINT_NAME.test(name), 'endpoints', name,
      'names of 1-64 letters, digits and hyphens starting with a letter (they become construct IDs and SetIdentifiers)');
    if (policy === DnsRoutingPolicy.FAILOVER) {
      ev.check(ep.role !== undefined, 'role', ep.role, `${DnsFailoverRole.PRIMARY} or ${DnsFailoverRole.SECONDARY} with routingPolicy ${DnsRoutingPolicy.FAILOVER}`);
    } else {
      ev.check(ep.role === undefined, 'role', ep.role, `no value: roles apply to routingPolicy ${DnsRoutingPolicy.FAILOVER} only`);
    }
    if (policy === DnsRoutingPolicy.WEIGHTED) {
      ev.integerInRange('weight', ep.weight, { min: 0, max: 255 }, 'Route 53 weighted records');
    } else {
      ev.check(ep.weight === undefined, 'weight', ep.weight, `no value: weights apply to routingPolicy ${DnsRoutingPolicy.WEIGHTED} only`);
    }
    if (policy === DnsRoutingPolicy.LATENCY) {
      const lbRegion = ep.loadBalancer.env.region;
      const region = ep.region ?? (Token.isUnresolved(lbRegion) ? undefined : lbRegion);
      if (region === undefined) {
        ev.add('region', region, `the load balancer's AWS region (it cannot be derived from an environment-agnostic stack) with routingPolicy ${DnsRoutingPolicy.LATENCY}`);
      } else {
        ev.check(isAwsRegion(region), 'region', region, `an AWS region name such as "eu-west-1" (the list: ${AWS_REGIONS.docUrl})`);
        regions[name] = region;
      }
    } else {
      ev.check(ep.region === undefined, 'region', ep.region, `no value: regions apply to routingPolicy ${DnsRoutingPolicy.LATENCY} only`);
    }
    if (ep.mcpProbeAlarm) validateAlarm(ev, 'mcpProbeAlarm', ep.mcpProbeAlarm);
  }
  if (policy === DnsRoutingPolicy.FAILOVER && pairedElsewhere) {
    v.check(names.length === 1, 'endpoints', names,
      'exactly one endpoint with pairedElsewhere: the other half of the failover pair is written by another stack');
  } else if (policy === DnsRoutingPolicy.FAILOVER) {
    const roles = names.map((n) => endpoints[n].role);
    const ok = names.length === 2
      && roles.filter((r) => r === DnsFailoverRole.PRIMARY).length === 1
      && roles.filter((r) => r === DnsFailoverRole.SECONDARY).length === 1;
    v.check(ok, 'endpoints', Object.fromEntries(names.map((n) => [n, endpoints[n].role ?? null])),
      `exactly one ${DnsFailoverRole.PRIMARY} and one ${DnsFailoverRole.SECONDARY} endpoint with routingPolicy ${DnsRoutingPolicy.FAILOVER} (Route 53 failover records come in pairs)`);
  }
  return regions;
}

/** The region an alarm lives in: from its ARN when known (imported alarms), else its stack's. */
function alarmRegion(alarm: cloudwatch.IAlarm): string {
  if (!Token.isUnresolved(alarm.alarmArn)) {
    const region = Arn.split(alarm.alarmArn, ArnFormat.COLON_RESOURCE_NAME).region;
    if (region) return region;
  }
  return alarm.env.region;
}

/** Route 53 alarm-based health checks accept standard-resolution metrics and plain statistics only. */
function validateAlarm(v: Validator, prop: string, alarm: cloudwatch.IAlarm): void {
  if (!(alarm instanceof cloudwatch.Alarm)) return; // imported alarms cannot be inspected
  const config = alarm.metric.toMetricConfig();
  const stat = config.metricStat;
  if (!stat) {
    v.add(prop, alarm.alarmName, 'an alarm on a single metric: Route 53 alarm-based health checks do not support metric math');
    return;
  }
  const period = stat.period.toSeconds();
  v.check(period >= 60, `${prop}.period`, period,
    'at least 60 seconds: Route 53 alarm-based health checks support standard-resolution metrics only '
    + '(https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html)');
  v.check(ALARM_STATISTICS.includes(stat.statistic), `${prop}.statistic`, stat.statistic,
    `one of ${ALARM_STATISTICS.join(', ')}: Route 53 does not support extended statistics (percentiles)`);
}

/** Options of the health-check status alarms. */
export interface HealthCheckAlarmOptions {
  /**
   * Consecutive unhealthy minutes before an alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /** What the alarms do when they fire (and return to OK). @default - no actions: the alarms are only visible in CloudWatch */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/** Props of `Route53HealthCheckAlarms`: the health checks to alarm on (Route 53 metrics live in us-east-1). */
export interface Route53HealthCheckAlarmsProps extends HealthCheckAlarmOptions {
  /**
   * Health checks by name. From another region's stack, import them with
   * `route53.HealthCheck.fromHealthCheckId` (IDs travel by parameter, not cross-region references).
   */
  readonly healthChecks: Record<string, route53.IHealthCheck>;
}

/**
 * One alarm per Route 53 health check on its HealthCheckStatus metric (AWS/Route53,
 * dimension HealthCheckId): 1 healthy, 0 unhealthy. Route 53 publishes these metrics
 * only in us-east-1, so this construct belongs in a us-east-1 stack.
 */
export class Route53HealthCheckAlarms extends Construct {
  public readonly alarms: Record<string, cloudwatch.Alarm> = {};

  constructor(scope: Construct, id: string, props: Route53HealthCheckAlarmsProps) {
    super(scope, id);
    const v = validatorFor(this);
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region)) {
      v.check(region === 'us-east-1', 'region', region,
        'us-east-1 (the stack\'s region): Route 53 publishes health-check metrics only in US East (N. Virginia), '
        + 'so an alarm elsewhere would never see data '
        + '(https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html)');
    }
    const evaluationPeriods = props.evaluationPeriods ?? 1;
    v.integerInRange('evaluationPeriods', evaluationPeriods, { min: 1, max: 60 });
    v.check(Object.keys(props.healthChecks).length > 0, 'healthChecks', props.healthChecks, 'at least one health check');
    for (const name of Object.keys(props.healthChecks)) {
      v.check(ENDPOINT_NAME.test(name), 'healthChecks', name, 'names of 1-64 letters, digits and hyphens starting with a letter');
    }
    v.throwIfInvalid();
    if (Token.isUnresolved(region)) {
      Annotations.of(this).addWarningV2('mcp-ha:route53-alarms-region',
        'Route 53 health-check metrics exist only in us-east-1; deploy this stack there, or the alarms never see data.');
    }

    for (const [name, hc] of Object.entries(props.healthChecks)) {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmDescription: `Route 53 health check ${name} reports the endpoint unhealthy`,
        metric: new cloudwatch.Metric({
          namespace: 'AWS/Route53',
          metricName: 'HealthCheckStatus',
          dimensionsMap: { HealthCheckId: hc.healthCheckId },
          statistic: cloudwatch.Stats.MINIMUM,
          period: Duration.minutes(1),
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      for (const action of props.alarmActions ?? []) alarm.addAlarmAction(action);
      this.alarms[name] = alarm;
    }
  }
}
