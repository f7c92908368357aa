/**
 * Active-passive: a primary and a standby deployment (load balancer + fleet each);
 * the standby runs warm at reduced capacity and scales to the primary's capacity
 * when the primary stops answering. Traffic moves by Route 53 failover records with
 * health checks, or by Global Accelerator (dials 100/0, ignored on failover).
 *
 * The standby lives in other zones of the same region (one stack, shared Multi-AZ
 * cache; takes a Stack scope) or in another region (a stack per region, a Global
 * Datastore, automated cache promotion; takes an App or Stage).
 */
import { Duration, Stack, StackProps, Stage, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Validator } from '../../core/errors';
import { CacheWriteModel, RegionHealthPolicy, regionHealthPolicy } from '../../core/cache-write-model';
import { ASSUMPTIONS, Cloud, FailoverBudget, Topology, computeFailoverBudget } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier, RoutingMechanism } from '../../core/tiers';
import { McpAccelerator } from '../accelerator';
import { McpCache } from '../cache';
import { DnsFailoverRole, DnsRoutingPolicy, McpDnsFailover } from '../dns-failover';
import { FleetCapacity } from '../fleet';
import { McpMonitoring } from '../monitoring';
import { VaultIssuedCertificate } from '../certificate';
import { McpProbe } from '../mcp-probe';
import { McpScheduledScaling } from '../scheduled-scaling';
import { addWarnings, validatorFor } from '../validation';
import { addAuthorizationWarnings, probeOAuth, resolveAuthorization } from './authorization';
import { McpDomain, McpServiceProps, budgetSummary, recordSummary, serviceName } from './common';
import { McpDeployment, allowedHostsEnvironment } from './deployment';
import { chooseCacheWriteModel } from './cache-write';
import { FailoverScaling, groupMetric, route53StatusMetric } from './failover-scaling';
import { McpRegion, RegionalService, resolveAccount, writeSummary } from './regional';
import { assertSameBudget, createVpc, deploymentLogKey, routeCertificateAlarms, validateServiceProps, weeklyHours } from './shared';

/** Where the standby runs. */
export abstract class StandbyLocation {
  /** Other zones of the same region: one stack, one VPC split in two halves, one Multi-AZ cache. */
  public static otherZones(): StandbyLocation {
    return new OtherZones();
  }

  /** Another region: a stack per region and a Global Datastore. */
  public static region(region: string): StandbyLocation {
    return new OtherRegion(region);
  }

  /** The standby's region, or undefined for the same region. */
  public abstract readonly region?: string;
}

class OtherZones extends StandbyLocation {
  public readonly region = undefined;
}

class OtherRegion extends StandbyLocation {
  constructor(public readonly region: string) { super(); }
}

/** Props of `ActivePassiveMcpService`: the shared service props, plus where the standby runs and at what share. */
export interface ActivePassiveMcpServiceProps extends McpServiceProps {
  /** Where the standby runs: other zones of the primary's region, or another region. @default StandbyLocation.otherZones() */
  readonly standby?: StandbyLocation;
  /**
   * Standby capacity while passive, as a percentage of the baseline (at least the
   * tier's minimum). It scales to the primary's capacity on promotion.
   * @default 50
   */
  readonly standbyCapacityPercent?: number;
  /** Same region only. @default - a new VPC across twice the tier's zones */
  readonly vpc?: ec2.IVpc;
  /**
   * Same region only. Encrypts every log group the service creates: VPC flow logs, its functions' logs
   * (certificate, MCP probe) and the cache's slow and engine logs. A key you pass
   * must let logs.<region>.amazonaws.com use it (kms:Encrypt*, Decrypt*, ReEncrypt*,
   * GenerateDataKey*, DescribeKey) for this account's log groups.
   * @default - one new rotating key for the deployment
   */
  readonly logEncryptionKey?: kms.IKey;
  /** Another region only. @default - the stage's account, else CDK_DEFAULT_ACCOUNT */
  readonly account?: string;
  /** Another region only: the primary's region. @default - the stage's region, else CDK_DEFAULT_REGION */
  readonly primaryRegion?: string;
  /** Another region only: props for every stack created (tags, termination protection, synthesizer...). @default - none beyond env */
  readonly stackProps?: StackProps;
}

export class ActivePassiveMcpService extends Construct {
  public readonly plan: ServicePlan;
  /** Computed from the rendered settings (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  public readonly standbyCapacity: FleetCapacity;

  // Same region:
  public readonly vpc?: ec2.IVpc;
  /** Same region only: the key of the service's log groups. */
  public readonly logEncryptionKey?: kms.IKey;
  public readonly certificate?: acm.ICertificate;
  public readonly cache?: McpCache;
  public readonly primary?: McpDeployment;
  public readonly standby?: McpDeployment;
  public readonly dns?: McpDnsFailover;
  public readonly scheduledScaling?: McpScheduledScaling;
  public readonly probes: Record<string, McpProbe> = {};
  public readonly monitoring: Record<string, McpMonitoring> = {};
  /** Fires while the primary does not serve and the standby runs below the schedule's capacity; scales the standby up. */
  public readonly promotionAlarm?: cloudwatch.Alarm;
  /** Same region: the standby's scale-up (and its alarm), driven by the signal that moves traffic. */
  public readonly standbyScaleUp?: FailoverScaling;
  /** Same region: the standby back to its minimum once the primary serves again. */
  public readonly standbyScaleBack?: FailoverScaling;
  /** Same region: the readiness grace period (instance health vs region health). */
  public readonly regionHealth?: RegionHealthPolicy;

  // Another region:
  public readonly regionStacks?: Record<string, Stack>;
  public readonly regions?: Record<string, McpRegion>;
  public readonly globalStack?: Stack;
  public readonly accelerator?: McpAccelerator;

  constructor(scope: Construct, id: string, props: ActivePassiveMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const standbyRegion = (props.standby ?? StandbyLocation.otherZones()).region;
    const crossRegion = standbyRegion !== undefined;
    const v = validatorFor(this);
    const percent = props.standbyCapacityPercent ?? 50;
    v.integerInRange('standbyCapacityPercent', percent, { min: 1, max: 100 });
    if (props.routing?.mechanism === RoutingMechanism.LOAD_BALANCER) {
      v.add('routing', 'load-balancer', 'dns or accelerator: something in front of the two load balancers must move traffic');
    }
    let account: string | undefined;
    let primaryRegion: string | undefined;
    if (crossRegion) {
      v.check(Stage.isStage(scope), 'scope', scope.node.path || '(root)',
        'an App or Stage with a standby in another region (a stack per region)');
      account = resolveAccount(this, props.account);
      v.check(account !== undefined, 'account', props.account, 'an AWS account id (props.account, the stage\'s env, or CDK_DEFAULT_ACCOUNT)');
      primaryRegion = props.primaryRegion ?? Stage.of(this)?.region ?? process.env.CDK_DEFAULT_REGION;
      v.check(primaryRegion !== undefined && !Token.isUnresolved(primaryRegion), 'primaryRegion', props.primaryRegion,
        'the primary\'s region (props.primaryRegion, the stage\'s env.region or CDK_DEFAULT_REGION)');
      v.check(primaryRegion !== standbyRegion, 'standby', standbyRegion, `a region other than the primary's (${primaryRegion})`);
      v.check(props.domain !== undefined, 'domain', props.domain,
        'a domain with a standby in another region: each region gets its own name, which the standby watches');
      v.check(props.vpc === undefined, 'vpc', 'a VPC', 'no value with a standby in another region: each regional stack creates its own');
      v.check(props.logEncryptionKey === undefined, 'logEncryptionKey', 'a KMS key',
        'no value with a standby in another region: KMS keys are regional, so each regional stack creates its own');
    } else {
      v.check(isInStack(this), 'scope', scope.node.path || '(root)', 'a construct inside a Stack with the standby in the same region');
      for (const [prop, value] of [['account', props.account], ['primaryRegion', props.primaryRegion], ['stackProps', props.stackProps]] as const) {
        v.check(value === undefined, prop, value, 'no value with the standby in the same region (the stack is yours)');
      }
      if (props.routing?.mechanism === RoutingMechanism.ANYCAST) {
        v.add('routing', 'accelerator',
          'dns with the standby in the same region: Global Accelerator takes one endpoint group per region, so it '
          + 'cannot hold a standby in the same region apart from the primary; or put the standby in another region');
      }
    }
    validateServiceProps(v, props, {
      multiRegion: crossRegion,
      regions: crossRegion
        ? [{ prop: 'primaryRegion', region: primaryRegion }, { prop: 'standby', region: standbyRegion }]
        : [{ prop: 'scope', region: isInStack(this) ? Stack.of(this).region : undefined }],
    });
    const authorization = resolveAuthorization(v, props, crossRegion);
    const writeModel = crossRegion && props.cache !== false
      ? chooseCacheWriteModel([], v, props.cache, [primaryRegion ?? '', standbyRegion ?? ''], CacheWriteModel.SINGLE_WRITER)
      : undefined;
    v.throwIfInvalid();

    const cacheRegions = crossRegion ? [primaryRegion!, standbyRegion!] : [Stack.of(this).region];
    this.plan = planService({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, tier,
      overrides: { ...(props.tierOverrides ?? props.overrides), routing: props.routing?.mechanism ?? (crossRegion ? undefined : RoutingMechanism.DNS) },
      recordKind: props.routing?.recordKind,
      cache: props.cache === false ? undefined : { crossRegion, multiWriter: writeModel === CacheWriteModel.MULTI_WRITER },
      cacheRegions,
      dnsCalculatedHealthCheck: props.domain !== undefined && (props.mcpProbe ?? true),
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);
    addAuthorizationWarnings(this, authorization);
    const profile = this.plan.profile;
    const baseline = props.capacity.baseline;
    const standbyMin = Math.max(profile.minCapacity, Math.ceil((baseline * percent) / 100));
    this.standbyCapacity = { baseline, min: standbyMin, max: props.capacity.max };

    if (crossRegion) {
      const primary = primaryRegion!;
      const built = new RegionalService(scope, id, props, this.plan, {
        topology: Topology.ACTIVE_PASSIVE, regions: [primary, standbyRegion!], account: account!,
        standbyRegions: [standbyRegion!], standbyCapacity: this.standbyCapacity, standbyPercent: percent, stackProps: props.stackProps,
        writeModel,
      });
      built.assertBudget(this, this.plan.budget);
      this.budget = built.budget;
      this.regionStacks = built.regionStacks;
      this.regions = built.regions;
      this.globalStack = built.globalStack;
      this.accelerator = built.accelerator;
      return;
    }

    // ---- same region ----
    const stack = Stack.of(this);
    const logEncryptionKey = deploymentLogKey(this, props.logEncryptionKey);
    this.logEncryptionKey = logEncryptionKey;
    const vpc = props.vpc ?? createVpc(this, 2 * profile.minZones, logEncryptionKey);
    this.vpc = vpc;
    const zones = vpc.availabilityZones;
    const zv = validatorFor(this);
    checkZones(zv, zones, profile.minZones, props.vpc !== undefined, tier);
    zv.throwIfInvalid();
    const primaryZones = zones.slice(0, profile.minZones);
    const standbyZones = zones.slice(profile.minZones, 2 * profile.minZones);

    const domain = props.domain;
    const zone = domain
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.zoneName })
      : undefined;
    this.certificate = props.certificate.bind(this, {
      region: stack.region, vpc, logEncryptionKey, hostedZone: zone, alarmTopic: props.alarmTopic,
      domainNames: domain ? [serviceName(domain), deploymentName(domain, 'primary'), deploymentName(domain, 'standby')] : [],
    });
    const { writeModel: _model, ...cacheOptions } = props.cache === false ? {} : (props.cache ?? {});
    this.cache = props.cache === false ? undefined : new McpCache(this, 'Cache', {
      vpc, tier, tierOverrides: props.tierOverrides ?? props.overrides, ...cacheOptions, logEncryptionKey,
    });
    // One cache for both deployments: readiness outlasts its in-region failover, so neither fails its checks on it.
    this.regionHealth = regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds, profile.healthProbe.intervalSeconds);
    const common = {
      tier, tierOverrides: props.tierOverrides ?? props.overrides, vpc, server: props.server, certificate: this.certificate, cache: this.cache,
      cacheEnvironment: this.plan.cacheWrite?.environmentFor(stack.region, this.regionHealth.cacheGraceSeconds),
      serverEnvironment: {
        ...authorization?.environment(),
        ...allowedHostsEnvironment(domain ? [serviceName(domain), deploymentName(domain, 'primary'), deploymentName(domain, 'standby')] : []),
      },
      instanceType: props.instanceType, waf: props.waf === false ? undefined : (props.waf ?? {}),
    };
    this.primary = new McpDeployment(this, 'Primary', { ...common, capacity: props.capacity, availabilityZones: primaryZones });
    this.standby = new McpDeployment(this, 'Standby', { ...common, capacity: this.standbyCapacity, availabilityZones: standbyZones });
    if (props.schedule) {
      this.scheduledScaling = new McpScheduledScaling(this, 'Schedule', {
        autoScalingGroup: this.primary.fleet.autoScalingGroup, schedule: props.schedule, baseline,
        tier, tierOverrides: props.tierOverrides ?? props.overrides, floor: profile.minCapacity,
      });
    }

    const roles = { primary: this.primary, standby: this.standby };
    if (domain && zone) {
      for (const [name, d] of Object.entries(roles)) {
        const record = new route53.CnameRecord(this, `${name === 'primary' ? 'Primary' : 'Standby'}Record`, {
          zone, recordName: deploymentName(domain, name).slice(0, -(domain.zoneName.length + 1)),
          domainName: d.loadBalancer.loadBalancer.loadBalancerDnsName, ttl: Duration.seconds(profile.recordTtlSeconds),
        });
        if (props.mcpProbe ?? true) {
          const probe = new McpProbe(this, `${name === 'primary' ? 'Primary' : 'Standby'}Probe`, {
            url: `https://${deploymentName(domain, name)}${props.server.mcpPath}`, endpointName: deploymentName(domain, name),
            encryptionKey: logEncryptionKey, trustedCa: this.certificate && VaultIssuedCertificate.trustedCaOf(this.certificate),
            oauth: probeOAuth(authorization, props),
          });
          probe.node.addDependency(record);
          this.probes[name] = probe;
        }
      }
      this.dns = new McpDnsFailover(this, 'Dns', {
        hostedZone: zone, recordName: domain.recordName, tier, tierOverrides: props.tierOverrides ?? props.overrides,
        routingPolicy: DnsRoutingPolicy.FAILOVER, recordKind: this.plan.dns?.recordKind,
        endpoints: {
          primary: { loadBalancer: this.primary.loadBalancer.loadBalancer, role: DnsFailoverRole.PRIMARY, mcpProbeAlarm: this.probes.primary?.alarm },
          standby: { loadBalancer: this.standby.loadBalancer.loadBalancer, role: DnsFailoverRole.SECONDARY, mcpProbeAlarm: this.probes.standby?.alarm },
        },
      });
    }
    this.wireStandbyScaling();
    for (const [name, d] of Object.entries(roles)) {
      this.monitoring[name] = new McpMonitoring(this, `${name === 'primary' ? 'Primary' : 'Standby'}Monitoring`, {
        tier, tierOverrides: props.tierOverrides ?? props.overrides, alarmTopic: props.alarmTopic,
        loadBalancer: d.loadBalancer.loadBalancer, targetGroup: d.loadBalancer.targetGroup, autoScalingGroup: d.fleet.autoScalingGroup,
        cache: this.cache && name === 'primary' ? { replicationGroupId: this.cache.replicationGroupId } : undefined,
        probe: this.probes[name],
      });
    }
    if (this.certificate) routeCertificateAlarms(this.certificate, this.monitoring.primary, props.alarmTopic);

    this.budget = computeFailoverBudget({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, routing: this.plan.routing,
      probe: this.primary.loadBalancer.healthProbe, dns: this.dns?.dnsRouting, targets: profile.targets,
      cache: this.cache?.failoverInput,
    });
    assertSameBudget(this, this.plan.budget, this.budget);
    recordSummary(this, {
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, tier, zones: 2 * profile.minZones, authorization: authorization?.summary,
      minInstances: this.primary.fleet.capacity.min + this.standby.fleet.capacity.min,
      maxInstances: this.primary.fleet.capacity.max + this.standby.fleet.capacity.max,
      ...budgetSummary(this.budget),
      ...writeSummary(this.plan),
      ...sumHours(
        weeklyHours(props.schedule, baseline, profile.minCapacity, this.primary.fleet.capacity.min, this.primary.fleet.capacity.max),
        weeklyHours(undefined, baseline, profile.minCapacity, this.standby.fleet.capacity.min, this.standby.fleet.capacity.max),
      ),
    });
  }

  /**
   * The standby follows the signal that moves traffic (same region). That signal is the Route 53 health check
   * of the primary's record (CALCULATED: HTTPS readiness AND the MCP probe alarm), read from CloudWatch's
   * AWS/Route53 HealthCheckStatus, which Route 53 publishes in us-east-1 only. Elsewhere the same two inputs
   * are read in the region: the primary's healthy targets (what the HTTPS readiness check reaches) and its
   * MCP probe's success. Without DNS records, healthy targets alone. While the primary does not serve, the
   * standby goes to the primary's scheduled minimum of that moment (its GroupMinSize, moved by the schedule);
   * after STANDBY_RESTORE_MINUTES_SAME_REGION minutes of serving again, back to its own minimum.
   */
  private wireStandbyScaling(): void {
    const primary = this.primary!;
    const standby = this.standby!;
    const healthy = primary.loadBalancer.targetGroup.metrics.healthyHostCount({ statistic: cloudwatch.Stats.MINIMUM, period: Duration.minutes(1) });
    const recordCheck = this.dns?.recordHealthChecks.primary;
    const r53 = recordCheck ? route53StatusMetric(this, recordCheck.healthCheckId) : undefined;
    const probe = this.probes.primary;
    let signal: cloudwatch.IMetric;
    let what: string;
    if (r53) {
      signal = r53;
      what = 'the primary (the Route 53 health check of its failover record)';
    } else if (this.dns && probe) {
      signal = new cloudwatch.MathExpression({
        expression: 'IF(hh >= 1 AND ps >= 1, 1, 0)', usingMetrics: { hh: healthy, ps: probe.successMetric },
        period: Duration.minutes(1), label: 'the primary serves (healthy targets and MCP probe)',
      });
      what = 'the primary (its healthy targets and MCP probe: the inputs of its record\'s CALCULATED check)';
    } else {
      signal = new cloudwatch.MathExpression({
        expression: 'IF(hh >= 1, 1, 0)', usingMetrics: { hh: healthy }, period: Duration.minutes(1), label: 'the primary has a healthy target',
      });
      what = 'the primary (its healthy targets)';
    }
    const primaryTargets = (this.scheduledScaling?.capacities ?? [{ windowName: 'always (no schedule)', minCapacity: primary.fleet.capacity.min }])
      .map((c) => ({ window: c.windowName, key: c.minCapacity, capacity: c.minCapacity }));
    const largest = Math.max(...primaryTargets.map((t) => t.capacity));
    const v = validatorFor(this);
    v.check(standby.fleet.capacity.max >= largest, 'capacity.max', standby.fleet.capacity.max,
      `at least ${largest}: the standby must reach the primary's largest scheduled minimum on failover`);
    v.throwIfInvalid();
    (this as { standbyScaleUp?: FailoverScaling }).standbyScaleUp = new FailoverScaling(this, 'PromotionScaleUp', {
      autoScalingGroup: standby.fleet.autoScalingGroup, servingSignal: signal, signalDescription: what,
      keyMetrics: { mn: groupMetric(primary.fleet.autoScalingGroup, 'GroupMinSize') }, keyExpression: 'mn',
      targets: primaryTargets, evaluationPeriods: 1,
      description: `${what} does not serve: the standby goes to the primary's scheduled minimum of this moment`,
    });
    (this as { promotionAlarm?: cloudwatch.Alarm }).promotionAlarm = this.standbyScaleUp!.alarm;
    (this as { standbyScaleBack?: FailoverScaling }).standbyScaleBack = FailoverScaling.restore(this, 'PromotionScaleBack', {
      autoScalingGroup: standby.fleet.autoScalingGroup, servingSignal: signal, signalDescription: what,
      minimums: [standby.fleet.capacity.min], periods: STANDBY_RESTORE_MINUTES_SAME_REGION,
    });
  }
}

/** Minutes the primary must serve again before the standby goes back to its own minimum. */
const STANDBY_RESTORE_MINUTES_SAME_REGION = 10;

function isInStack(c: Construct): boolean {
  try {
    Stack.of(c);
    return true;
  } catch {
    return false;
  }
}

/** `<record>-<role>.<zone>`: one deployment's own name. */
function deploymentName(domain: McpDomain, role: string): string {
  const label = domain.recordName === '' ? role : `${domain.recordName}-${role}`;
  return `${label}.${domain.zoneName}`;
}

function checkZones(v: Validator, zones: string[], minZones: number, byo: boolean, tier: AvailabilityTier): void {
  v.check(zones.length >= 2 * minZones, byo ? 'vpc' : 'standby', `${zones.length} zones`,
    `a VPC spanning at least ${2 * minZones} zones: the ${tier} primary and standby each need ${minZones} zones of their own `
    + '(us-east-1 offers 6, most regions 3); or put the standby in another region (StandbyLocation.region)');
}

function sumHours(
  a: { weeklyInstanceHours?: number; flatPeakInstanceHours?: number },
  b: { weeklyInstanceHours?: number; flatPeakInstanceHours?: number },
): { weeklyInstanceHours: number; flatPeakInstanceHours: number } {
  return {
    weeklyInstanceHours: (a.weeklyInstanceHours ?? 0) + (b.weeklyInstanceHours ?? 0),
    flatPeakInstanceHours: (a.flatPeakInstanceHours ?? 0) + (b.flatPeakInstanceHours ?? 0),
  };
}
