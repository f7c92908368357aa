/**
 * Active-passive: a primary and a standby deployment (load balancer + fleet each);
 * the standby runs warm at reduced capacity and scales to the primary's capacity
 * when the primary stops answering. Traffic moves by Route 53 failover records with
 * health checks, or by Global Accelerator (dials 100/0, ignored on failover).
 *
 * Two classes, one per scope:
 * - `ActivePassiveMcpService`: the standby in other zones of the same region. A
 *   construct in your Stack: one VPC split in two halves, one shared Multi-AZ cache.
 * - `CrossRegionActivePassiveMcpStage`: the standby in another region. A Stage that
 *   owns a stack per region (`<stage>-<primary region>`, `<stage>-<standby region>`)
 *   and, with accelerator routing, a global stack; a Global Datastore and automated
 *   cache promotion.
 */
import { Duration, Stack, StackProps, Stage, Token } from 'aws-cdk-lib/core';
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
import {
  RegionalProbeCredentials, addAuthorizationWarnings, probeOAuth, resolveAuthorization, validateRegionalProbeCredentials,
} from './authorization';
import { McpDomain, McpServiceProps, budgetSummary, recordSummary, serviceName } from './common';
import { McpDeployment, allowedHostsEnvironment } from './deployment';
import { chooseCacheWriteModel } from './cache-write';
import { FailoverScaling, groupMetric, route53StatusMetric } from './failover-scaling';
import {
  McpRegion, RegionalService, addRegionalWarnings, checkRegionalScope, checkStackProps, resolveAccount, writeSummary,
} from './regional';
import { assertSameBudget, createVpc, deploymentLogKey, routeCertificateAlarms, validateServiceProps, weeklyHours } from './shared';

/**
 * Where the standby runs.
 * @deprecated the standby's location is now chosen by the class: `ActivePassiveMcpService` (other zones of the
 * same region) or `CrossRegionActivePassiveMcpStage` (another region). Removed in the next minor release.
 */
export abstract class StandbyLocation {
  /**
   * Other zones of the same region: one stack, one VPC split in two halves, one Multi-AZ cache.
   * @deprecated the default of `ActivePassiveMcpService`: leave `standby` out.
   */
  public static otherZones(): StandbyLocation {
    return new OtherZones();
  }

  /**
   * Another region.
   * @deprecated use `CrossRegionActivePassiveMcpStage` with `standbyRegion`; `ActivePassiveMcpService` refuses it.
   */
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

/** Props of `ActivePassiveMcpService`: the shared service props, plus the standby's share and the network to use. */
export interface ActivePassiveMcpServiceProps extends McpServiceProps {
  /**
   * Standby capacity while passive, as a percentage of the baseline (at least the
   * tier's minimum). It scales to the primary's capacity on promotion.
   * @default 50
   */
  readonly standbyCapacityPercent?: number;
  /**
   * The VPC; its first `minZones` zones hold the primary, the next `minZones` the standby.
   * @default - a new VPC across twice the tier's zones
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Encrypts every log group the service creates: VPC flow logs, its functions' logs
   * (certificate, MCP probe) and the cache's slow and engine logs. A key you pass
   * must let logs.<region>.amazonaws.com use it (kms:Encrypt*, Decrypt*, ReEncrypt*,
   * GenerateDataKey*, DescribeKey) for this account's log groups.
   * @default - one new rotating key for the deployment
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Where the standby runs: only `StandbyLocation.otherZones()` is accepted.
   * @default StandbyLocation.otherZones()
   * @deprecated leave it out; a standby in another region is `CrossRegionActivePassiveMcpStage`. Removed in the next minor release.
   */
  readonly standby?: StandbyLocation;
  /**
   * Refused: the stack is yours.
   * @default - none
   * @deprecated `CrossRegionActivePassiveMcpStage` takes it. Removed in the next minor release.
   */
  readonly account?: string;
  /**
   * Refused: the primary runs in your stack's region.
   * @default - none
   * @deprecated `CrossRegionActivePassiveMcpStage` takes it. Removed in the next minor release.
   */
  readonly primaryRegion?: string;
  /**
   * Refused: this construct creates no stack.
   * @default - none
   * @deprecated `CrossRegionActivePassiveMcpStage` takes it. Removed in the next minor release.
   */
  readonly stackProps?: StackProps;
}

/**
 * Active-passive in one region: the primary in the first `minZones` zones of the
 * stack's VPC, a warm standby in the next `minZones` zones, one Multi-AZ cache shared
 * by both, Route 53 failover records with health checks in front. A construct in a
 * Stack (its stack holds everything). A standby in another region is
 * `CrossRegionActivePassiveMcpStage`.
 */
export class ActivePassiveMcpService extends Construct {
  /** The validated plan: tier profile, routing, cache write model, budget. */
  public readonly plan: ServicePlan;
  /** Computed from the rendered settings (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  /** The standby's capacity while passive (its minimum is `standbyCapacityPercent` of the baseline). */
  public readonly standbyCapacity: FleetCapacity;
  /** The VPC both deployments run in (yours, or the one created). */
  public readonly vpc: ec2.IVpc;
  /** The key of the service's log groups. */
  public readonly logEncryptionKey: kms.IKey;
  /** The certificate of both load balancers' HTTPS listeners. */
  public readonly certificate: acm.ICertificate;
  /**
   * The Multi-AZ cache both deployments share.
   * @default - none: `cache: false`
   */
  public readonly cache?: McpCache;
  /** The primary deployment (load balancer + fleet) in the first half of the zones. */
  public readonly primary: McpDeployment;
  /** The standby deployment in the second half of the zones. */
  public readonly standby: McpDeployment;
  /**
   * The failover record pair and its health checks.
   * @default - none: no `domain`
   */
  public readonly dns?: McpDnsFailover;
  /**
   * The primary's schedule.
   * @default - none: no `schedule`
   */
  public readonly scheduledScaling?: McpScheduledScaling;
  /** MCP probes of each deployment's own name, by role (`primary`, `standby`); empty without `domain` or with `mcpProbe: false`. */
  public readonly probes: Record<string, McpProbe> = {};
  /** Monitoring of each deployment, by role (`primary`, `standby`). */
  public readonly monitoring: Record<string, McpMonitoring> = {};
  /** Fires while the primary does not serve and the standby runs below the schedule's capacity; scales the standby up. */
  public readonly promotionAlarm: cloudwatch.Alarm;
  /** The standby's scale-up (and its alarm), driven by the signal that moves traffic. */
  public readonly standbyScaleUp: FailoverScaling;
  /** The standby back to its minimum once the primary serves again. */
  public readonly standbyScaleBack: FailoverScaling;
  /** The readiness grace period (instance health vs region health). */
  public readonly regionHealth: RegionHealthPolicy;

  constructor(scope: Construct, id: string, props: ActivePassiveMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const v = validatorFor(this);
    const percent = props.standbyCapacityPercent ?? 50;
    v.integerInRange('standbyCapacityPercent', percent, { min: 1, max: 100 });
    if (props.routing?.mechanism === RoutingMechanism.LOAD_BALANCER) {
      v.add('routing', 'load-balancer', 'dns or accelerator: something in front of the two load balancers must move traffic');
    }
    const standbyRegion = props.standby?.region;
    v.check(standbyRegion === undefined, 'standby', standbyRegion ? `StandbyLocation.region('${standbyRegion}')` : undefined,
      'StandbyLocation.otherZones() or no value: ActivePassiveMcpService keeps the standby in other zones of its stack\'s region. '
      + `A standby in another region is a Stage of its own: new CrossRegionActivePassiveMcpStage(app, '${id}', { ...props, standbyRegion: '${standbyRegion}' }) `
      + '(the same stack names when it takes this id in the same App or Stage; see CHANGELOG.md)');
    v.check(isInStack(this), 'scope', scope.node.path || '(root)',
      'a construct inside a Stack (the standby runs in other zones of the same region); a standby in another region is CrossRegionActivePassiveMcpStage');
    for (const [prop, value] of [['account', props.account], ['primaryRegion', props.primaryRegion], ['stackProps', props.stackProps]] as const) {
      v.check(value === undefined, prop, value,
        'no value with the standby in the same region (the stack is yours); a standby in another region is CrossRegionActivePassiveMcpStage, which takes it');
    }
    if (props.routing?.mechanism === RoutingMechanism.ANYCAST) {
      v.add('routing', 'accelerator',
        'dns with the standby in the same region: Global Accelerator takes one endpoint group per region, so it '
        + 'cannot hold a standby in the same region apart from the primary; or put the standby in another region (CrossRegionActivePassiveMcpStage)');
    }
    validateServiceProps(v, props, { multiRegion: false, regions: [{ prop: 'scope', region: isInStack(this) ? Stack.of(this).region : undefined }] });
    const writeModel = props.cache === false ? undefined : props.cache?.writeModel;
    v.check(writeModel === undefined || writeModel === CacheWriteModel.SINGLE_REGION, 'cache.writeModel', writeModel,
      `${CacheWriteModel.SINGLE_REGION} or no value: both deployments share one Multi-AZ cache in the stack's region`);
    const authorization = resolveAuthorization(v, props, false);
    v.throwIfInvalid();

    this.plan = planService({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, tier,
      overrides: { ...(props.tierOverrides ?? props.overrides), routing: props.routing?.mechanism ?? RoutingMechanism.DNS },
      recordKind: props.routing?.recordKind,
      cache: props.cache === false ? undefined : { crossRegion: false, multiWriter: false },
      cacheRegions: [Stack.of(this).region],
      dnsCalculatedHealthCheck: props.domain !== undefined && (props.mcpProbe ?? true),
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);
    addAuthorizationWarnings(this, authorization);
    const profile = this.plan.profile;
    const baseline = props.capacity.baseline;
    this.standbyCapacity = standbyCapacityOf(props, profile.minCapacity, percent);

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
            logEncryptionKey: logEncryptionKey, trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
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
    const scaling = this.standbyScaling();
    this.standbyScaleUp = scaling.up;
    this.standbyScaleBack = scaling.back;
    this.promotionAlarm = scaling.up.alarm;
    for (const [name, d] of Object.entries(roles)) {
      this.monitoring[name] = new McpMonitoring(this, `${name === 'primary' ? 'Primary' : 'Standby'}Monitoring`, {
        tier, tierOverrides: props.tierOverrides ?? props.overrides, alarmTopic: props.alarmTopic,
        loadBalancer: d.loadBalancer.loadBalancer, targetGroup: d.loadBalancer.targetGroup, autoScalingGroup: d.fleet.autoScalingGroup,
        cache: this.cache && name === 'primary' ? { replicationGroupId: this.cache.replicationGroupId } : undefined,
        probe: this.probes[name],
      });
    }
    routeCertificateAlarms(this.certificate, this.monitoring.primary, props.alarmTopic);

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
  private standbyScaling(): { up: FailoverScaling; back: FailoverScaling } {
    const primary = this.primary;
    const standby = this.standby;
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
    const up = new FailoverScaling(this, 'PromotionScaleUp', {
      autoScalingGroup: standby.fleet.autoScalingGroup, servingSignal: signal, signalDescription: what,
      keyMetrics: { mn: groupMetric(primary.fleet.autoScalingGroup, 'GroupMinSize') }, keyExpression: 'mn',
      targets: primaryTargets, evaluationPeriods: 1,
      description: `${what} does not serve: the standby goes to the primary's scheduled minimum of this moment`,
    });
    const back = FailoverScaling.restore(this, 'PromotionScaleBack', {
      autoScalingGroup: standby.fleet.autoScalingGroup, servingSignal: signal, signalDescription: what,
      minimums: [standby.fleet.capacity.min], periods: STANDBY_RESTORE_MINUTES_SAME_REGION,
    });
    return { up, back };
  }
}

/** Props of `CrossRegionActivePassiveMcpStage`: the shared service props, plus the two regions and the standby's share. */
export interface CrossRegionActivePassiveMcpStageProps extends McpServiceProps {
  /** The standby's region: another region than the primary's. */
  readonly standbyRegion: string;
  /** The primary's region. @default - the enclosing stage's env.region, else CDK_DEFAULT_REGION (it must be known) */
  readonly primaryRegion?: string;
  /**
   * Standby capacity while passive, as a percentage of the baseline (at least the
   * tier's minimum); with a schedule, the standby runs each window at this share. It
   * scales to the primary's capacity on promotion.
   * @default 50
   */
  readonly standbyCapacityPercent?: number;
  /** The account of both stacks. @default - the enclosing stage's account, else CDK_DEFAULT_ACCOUNT (it must be known: zones are per account) */
  readonly account?: string;
  /**
   * Props for every stack created (tags, termination protection, synthesizer...). `env` and `stackName` are
   * set per stack and refused here.
   * @default - none beyond env
   */
  readonly stackProps?: StackProps;
  /**
   * The MCP probes' client credentials in both regions (`probeClientCredentials` is one region's secret, so it is
   * refused here): the primary's probe, the standby's probe and the standby's watch of the primary each get a real
   * token with the client-credentials grant from a secret in their own region. Needs `authorization: McpAuthorization.oauth(...)`.
   * @default - the probes check that every endpoint answers the 401 challenge (no token)
   */
  readonly probeClientCredentialsByRegion?: RegionalProbeCredentials;
}

/**
 * Active-passive across two regions as a CDK Stage: a stack in the primary region
 * (`<stage name>-<primary region>`, construct id: the region) and one in the standby
 * region (`<stage name>-<standby region>`), each self-contained (VPC, cache member,
 * load balancer, fleet, its own record, probe and monitoring), and with accelerator
 * routing a global stack `<stage name>-global` in us-west-2. The cache is an ElastiCache
 * Global Datastore written in the primary region; the standby watches the primary,
 * scales up when it stops serving and promotes its cache member after the extended
 * outage. Create it in an App or another Stage; deploy with `cdk deploy '<stage id>/*'`
 * (the CDK CLI's `--all` selects top-level stacks only) or add it to a CDK Pipeline.
 */
export class CrossRegionActivePassiveMcpStage extends Stage {
  /** The validated plan: tier profile, routing, cache write model, budget. */
  public readonly plan: ServicePlan;
  /** Computed from the rendered settings of the primary region (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  /** The standby's capacity while passive (its minimum is `standbyCapacityPercent` of the baseline). */
  public readonly standbyCapacity: FleetCapacity;
  /** The primary's region. */
  public readonly primaryRegion: string;
  /** The standby's region. */
  public readonly standbyRegion: string;
  /** The primary region's stack. */
  public readonly primaryStack: Stack;
  /** The standby region's stack. */
  public readonly standbyStack: Stack;
  /** What the primary region holds (deployment, cache, record, probe, monitoring). */
  public readonly primary: McpRegion;
  /** What the standby region holds, including its watch of the primary, its scale-up and the cache promotion. */
  public readonly standby: McpRegion;
  /** Both regional stacks, by region (primary first). */
  public readonly regionStacks: Record<string, Stack>;
  /** Both regions, by region (primary first). */
  public readonly regions: Record<string, McpRegion>;
  /**
   * The us-west-2 stack of the accelerator and the service's record.
   * @default - none: DNS routing (each regional stack writes its half of the failover pair)
   */
  public readonly globalStack?: Stack;
  /**
   * The Global Accelerator (dials 100 / 0) in the global stack.
   * @default - none: DNS routing
   */
  public readonly accelerator?: McpAccelerator;

  constructor(scope: Construct, id: string, props: CrossRegionActivePassiveMcpStageProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const v = validatorFor(this);
    checkRegionalScope(v, scope, 'an App or Stage: a CrossRegionActivePassiveMcpStage is a Stage, which holds a stack per region');
    const percent = props.standbyCapacityPercent ?? 50;
    v.integerInRange('standbyCapacityPercent', percent, { min: 1, max: 100 });
    if (props.routing?.mechanism === RoutingMechanism.LOAD_BALANCER) {
      v.add('routing', 'load-balancer', 'dns or accelerator: something in front of the two load balancers must move traffic');
    }
    const account = resolveAccount(scope, props.account);
    v.check(account !== undefined, 'account', props.account, 'an AWS account id (props.account, the stage\'s env, or CDK_DEFAULT_ACCOUNT)');
    const enclosing = Stage.isStage(scope) ? scope : Stage.of(scope);
    const primaryRegion = props.primaryRegion ?? enclosing?.region ?? process.env.CDK_DEFAULT_REGION;
    v.check(primaryRegion !== undefined && !Token.isUnresolved(primaryRegion), 'primaryRegion', props.primaryRegion,
      'the primary\'s region (props.primaryRegion, the stage\'s env.region or CDK_DEFAULT_REGION)');
    const standbyRegion = props.standbyRegion;
    v.check(primaryRegion !== standbyRegion, 'standbyRegion', standbyRegion, `a region other than the primary's (${primaryRegion})`);
    v.check(props.domain !== undefined, 'domain', props.domain,
      'a domain with a standby in another region: each region gets its own name, which the standby watches');
    checkStackProps(v, props.stackProps);
    // Props of ActivePassiveMcpService that have no meaning here (TypeScript refuses them; JavaScript callers are told).
    const given = props as unknown as Record<string, unknown>;
    v.check(given.vpc === undefined, 'vpc', 'a VPC', 'no value with a standby in another region: each regional stack creates its own');
    v.check(given.logEncryptionKey === undefined, 'logEncryptionKey', 'a KMS key',
      'no value with a standby in another region: KMS keys are regional, so each regional stack creates its own');
    v.check(given.standby === undefined, 'standby', 'a StandbyLocation', 'no value: the standby\'s region is standbyRegion');
    validateServiceProps(v, props, {
      multiRegion: true,
      regions: [{ prop: 'primaryRegion', region: primaryRegion }, { prop: 'standbyRegion', region: standbyRegion }],
    });
    const authorization = resolveAuthorization(v, props, true);
    validateRegionalProbeCredentials(v, props.probeClientCredentialsByRegion, authorization,
      [primaryRegion ?? '', standbyRegion].filter((r) => r !== ''), account, props.mcpProbe);
    const writeModel = props.cache !== false
      ? chooseCacheWriteModel([], v, props.cache, [primaryRegion ?? '', standbyRegion], CacheWriteModel.SINGLE_WRITER)
      : undefined;
    v.throwIfInvalid();

    this.primaryRegion = primaryRegion!;
    this.standbyRegion = standbyRegion;
    this.plan = planService({
      cloud: Cloud.AWS, topology: Topology.ACTIVE_PASSIVE, tier,
      overrides: { ...(props.tierOverrides ?? props.overrides), routing: props.routing?.mechanism },
      recordKind: props.routing?.recordKind,
      cache: props.cache === false ? undefined : { crossRegion: true, multiWriter: writeModel === CacheWriteModel.MULTI_WRITER },
      cacheRegions: [this.primaryRegion, standbyRegion],
      dnsCalculatedHealthCheck: props.domain !== undefined && (props.mcpProbe ?? true),
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    this.standbyCapacity = standbyCapacityOf(props, this.plan.profile.minCapacity, percent);
    const built = new RegionalService(this, id, props, this.plan, {
      topology: Topology.ACTIVE_PASSIVE, regions: [this.primaryRegion, standbyRegion], account: account!,
      standbyRegions: [standbyRegion], standbyCapacity: this.standbyCapacity, standbyPercent: percent, stackProps: props.stackProps,
      writeModel, regionStackId: (region) => region, globalStackId: 'global',
      probeClientCredentials: props.probeClientCredentialsByRegion,
    });
    built.assertBudget(this, this.plan.budget);
    addRegionalWarnings(built.regionStacks[this.primaryRegion], this.plan.warnings, [], authorization);
    this.budget = built.budget;
    this.regionStacks = built.regionStacks;
    this.regions = built.regions;
    this.primaryStack = built.regionStacks[this.primaryRegion];
    this.standbyStack = built.regionStacks[standbyRegion];
    this.primary = built.regions[this.primaryRegion];
    this.standby = built.regions[standbyRegion];
    this.globalStack = built.globalStack;
    this.accelerator = built.accelerator;
  }
}

/** The standby's capacity: `percent` of the baseline, at least the tier's minimum; the same maximum. */
function standbyCapacityOf(props: McpServiceProps, minCapacity: number, percent: number): FleetCapacity {
  const baseline = props.capacity.baseline;
  return { baseline, min: Math.max(minCapacity, Math.ceil((baseline * percent) / 100)), max: props.capacity.max };
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
    + '(us-east-1 offers 6, most regions 3); or put the standby in another region (CrossRegionActivePassiveMcpStage)');
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
