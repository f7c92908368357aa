/**
 * The cross-region machinery shared by multi-region and cross-region
 * active-passive: one self-contained stack per region (VPC, cache member, load
 * balancer, fleet, schedule, probe, monitoring, its own DNS record and health
 * check) and, with accelerator routing, a global stack in us-west-2. Nothing
 * crosses regions by CloudFormation reference: values travel through SSM
 * parameters of deterministic names, read by the stacks that need them, and
 * stack dependencies order the deployment (primary region, other regions, global).
 */
import { Duration, Stack, StackProps, Stage, Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwactions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { Cloud, FailoverBudget, Topology, computeFailoverBudget } from '../../core/failover-budget';
import { ServicePlan } from '../../core/plan';
import { AvailabilityTier, RoutingMechanism, extendedOutageSeconds } from '../../core/tiers';
import { AcceleratorMode, McpAccelerator } from '../accelerator';
import { GlobalDatastoreRole, McpCache } from '../cache';
import { McpCachePromotion } from '../cache-promotion';
import { VaultIssuedCertificate } from '../certificate';
import { DnsFailoverRole, DnsRoutingPolicy, McpDnsFailover } from '../dns-failover';
import { FleetCapacity } from '../fleet';
import { McpMonitoring } from '../monitoring';
import { McpProbe } from '../mcp-probe';
import { McpScheduledScaling } from '../scheduled-scaling';
import { McpServiceProps, budgetSummary, recordSummary, regionalName, serviceName } from './common';
import { McpDeployment } from './deployment';
import { assertSameBudget, createVpc, deploymentLogKey, publishAcross, routeCertificateAlarms, weeklyHours } from './shared';

/** What one regional stack holds. */
export class McpRegion extends Construct {
  public readonly region: string;
  public readonly vpc: ec2.IVpc;
  /** The key of this region's log groups. */
  public readonly logEncryptionKey: kms.IKey;
  public readonly certificate: acm.ICertificate;
  public readonly cache?: McpCache;
  public readonly deployment: McpDeployment;
  public readonly scheduledScaling?: McpScheduledScaling;
  /** MCP probe of this region's own name; its alarm is part of the region's DNS health check. */
  public readonly probe?: McpProbe;
  public readonly dns?: McpDnsFailover;
  /** `<record>-<region>.<zone>`: this region's own name (probes, operators). */
  public readonly regionalRecord?: route53.CnameRecord;
  public readonly monitoring: McpMonitoring;
  /** Secondary regions watching the primary (promotion, standby scale-up). */
  public readonly primaryWatch?: McpProbe;
  public readonly cachePromotion?: McpCachePromotion;

  constructor(scope: Construct, id: string, props: McpRegionProps) {
    super(scope, id);
    const { service, plan, region } = props;
    const tier = plan.profile.tier;
    const overrides = service.overrides;
    const profile = plan.profile;
    const domain = service.domain;
    this.region = region;

    this.logEncryptionKey = props.logEncryptionKey;
    this.vpc = createVpc(this, profile.minZones, this.logEncryptionKey);
    const zone = domain
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.zoneName })
      : undefined;
    this.certificate = service.certificate.bind(this, {
      region, vpc: this.vpc, logEncryptionKey: this.logEncryptionKey, hostedZone: zone, alarmTopic: service.alarmTopic,
      domainNames: domain ? [serviceName(domain), regionalName(domain, region)] : [],
    });

    if (service.cache !== false) {
      this.cache = new McpCache(this, 'Cache', {
        vpc: this.vpc, tier, tierOverrides: overrides, ...service.cache, logEncryptionKey: this.logEncryptionKey,
        globalDatastore: props.primary
          ? { role: GlobalDatastoreRole.PRIMARY, globalReplicationGroupIdSuffix: props.globalDatastoreSuffix }
          : { role: GlobalDatastoreRole.SECONDARY, globalReplicationGroupId: props.globalReplicationGroupId },
      });
    }
    this.deployment = new McpDeployment(this, 'Deployment', {
      tier, tierOverrides: overrides, vpc: this.vpc, server: service.server, capacity: props.capacity,
      certificate: this.certificate, cache: this.cache, instanceType: service.instanceType,
      waf: service.waf === false ? undefined : (service.waf ?? {}),
    });
    const fleet = this.deployment.fleet;
    if (service.schedule && !props.standby) {
      this.scheduledScaling = new McpScheduledScaling(this, 'Schedule', {
        autoScalingGroup: fleet.autoScalingGroup, schedule: service.schedule, baseline: props.capacity.baseline,
        tier, tierOverrides: overrides, floor: profile.minCapacity,
      });
    }

    const lb = this.deployment.loadBalancer.loadBalancer;
    if (domain && zone) {
      this.regionalRecord = new route53.CnameRecord(this, 'RegionalRecord', {
        zone, recordName: regionalName(domain, region).slice(0, -(domain.zoneName.length + 1)),
        domainName: lb.loadBalancerDnsName, ttl: Duration.seconds(profile.recordTtlSeconds),
      });
      if (service.mcpProbe ?? true) {
        this.probe = new McpProbe(this, 'Probe', {
          url: `https://${regionalName(domain, region)}${service.server.mcpPath}`, endpointName: regionalName(domain, region),
          encryptionKey: this.logEncryptionKey, trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
        });
        this.probe.node.addDependency(this.regionalRecord);
      }
      if (plan.routing === RoutingMechanism.DNS) {
        this.dns = new McpDnsFailover(this, 'Dns', {
          hostedZone: zone, recordName: domain.recordName, tier, tierOverrides: overrides,
          recordKind: plan.dns?.recordKind, pairedElsewhere: true,
          routingPolicy: props.topology === Topology.ACTIVE_PASSIVE ? DnsRoutingPolicy.FAILOVER : DnsRoutingPolicy.LATENCY,
          mcpProbeAlarm: this.probe?.alarm,
          endpoints: {
            [region]: props.topology === Topology.ACTIVE_PASSIVE
              ? { loadBalancer: lb, role: props.primary ? DnsFailoverRole.PRIMARY : DnsFailoverRole.SECONDARY }
              : { loadBalancer: lb, region },
          },
        });
      }
    }
    this.monitoring = new McpMonitoring(this, 'Monitoring', {
      tier, tierOverrides: overrides, topic: service.alarmTopic,
      loadBalancer: lb, targetGroup: this.deployment.loadBalancer.targetGroup, autoScalingGroup: fleet.autoScalingGroup,
      cache: this.cache ? { replicationGroupId: this.cache.replicationGroupId } : undefined,
      probe: this.probe,
    });
    routeCertificateAlarms(this.certificate, this.monitoring, service.alarmTopic);
  }

  /**
   * Watches the primary region from here (a probe of its regional name): scales
   * a standby up when the primary stops answering, and (in the promotion region)
   * promotes this region's cache after the extended-outage time.
   */
  public watchPrimary(props: WatchPrimaryProps): void {
    const { service, plan, primaryRegion } = props;
    const domain = service.domain!;
    const watch = new McpProbe(this, 'PrimaryWatch', {
      url: `https://${regionalName(domain, primaryRegion)}${service.server.mcpPath}`,
      endpointName: regionalName(domain, primaryRegion),
      evaluationPeriods: props.scaleUpAfterMinutes ?? 2,
      encryptionKey: this.logEncryptionKey,
      // Every region's certificate comes from the same source (one Vault PKI): this region's CA chain is the primary's.
      trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
    });
    (this as { primaryWatch?: McpProbe }).primaryWatch = watch;
    if (props.scaleUpTo !== undefined) {
      // A standby that sees the primary down scales to the primary's capacity at once.
      const action = new autoscaling.StepScalingAction(this, 'PromotionScaleUp', {
        autoScalingGroup: this.deployment.fleet.autoScalingGroup,
        adjustmentType: autoscaling.AdjustmentType.EXACT_CAPACITY,
      });
      action.addAdjustment({ lowerBound: 0, adjustment: props.scaleUpTo });
      watch.alarm.addAlarmAction(new cwactions.AutoScalingAction(action));
    }
    this.monitoring.routeAlarm('PrimaryWatch', watch.alarm);
    if (props.promotion && this.cache) {
      // The block owns its trigger (missing data not breaching), re-checks the primary, retries and alarms.
      const promotion = new McpCachePromotion(this, 'CachePromotion', {
        globalReplicationGroupId: props.globalReplicationGroupId!,
        primaryRegion,
        primaryHealthUrl: `https://${regionalName(domain, primaryRegion)}${service.server.readinessPath}`,
        primarySuccessMetric: watch.successMetric,
        extendedOutage: Duration.seconds(extendedOutageSeconds(plan.profile)),
        candidates: props.promotion,
        trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
        encryptionKey: this.logEncryptionKey,
      });
      (this as { cachePromotion?: McpCachePromotion }).cachePromotion = promotion;
      if (promotion.trigger instanceof cloudwatch.Alarm) this.monitoring.routeAlarm('PrimaryExtendedOutage', promotion.trigger);
      this.monitoring.routeAlarm('CachePromotionFailure', promotion.failureAlarm);
      this.monitoring.routeAlarm('CachePromotionBlocked', promotion.blockedAlarm);
      this.monitoring.routeAlarm('CachePromotionTriggerDelivery', promotion.triggerDeliveryAlarm);
      this.monitoring.routeAlarm('CachePromotionDeadLetter', promotion.deadLetterAlarm);
    }
  }
}

export interface McpRegionProps {
  readonly service: McpServiceProps;
  readonly plan: ServicePlan;
  readonly topology: Topology;
  readonly region: string;
  readonly primary: boolean;
  /** Active-passive standby: reduced capacity, no schedule. */
  readonly standby: boolean;
  readonly capacity: FleetCapacity;
  readonly globalDatastoreSuffix?: string;
  readonly globalReplicationGroupId?: string;
  /** The region's log key (created in its stack, before any cross-region reader). */
  readonly logEncryptionKey: kms.IKey;
}

export interface WatchPrimaryProps {
  readonly service: McpServiceProps;
  readonly plan: ServicePlan;
  readonly primaryRegion: string;
  readonly globalReplicationGroupId?: string;
  readonly scaleUpTo?: number;
  readonly scaleUpAfterMinutes?: number;
  readonly promotion?: Record<string, { replicationGroupId: string; healthUrl: string }>;
}

export interface RegionalServiceOptions {
  readonly topology: Topology;
  readonly regions: string[];
  readonly account: string;
  /** Regions that run at standby capacity (active-passive). */
  readonly standbyRegions: string[];
  readonly standbyCapacity?: FleetCapacity;
  readonly stackProps?: StackProps;
}

/** The stacks of a cross-region service and what they hold. */
export class RegionalService {
  public readonly regionStacks: Record<string, Stack> = {};
  public readonly regions: Record<string, McpRegion> = {};
  public readonly globalStack?: Stack;
  public readonly accelerator?: McpAccelerator;
  public readonly record?: route53.CnameRecord;
  public readonly budget: FailoverBudget;
  public readonly globalReplicationGroupId?: string;

  constructor(scope: Construct, id: string, service: McpServiceProps, plan: ServicePlan, o: RegionalServiceOptions) {
    const [primaryRegion, ...secondaryRegions] = o.regions;
    const tier = plan.profile.tier;
    const suffix = id.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, 30).replace(/-$/, '') || 'mcp';

    for (const region of o.regions) {
      const primary = region === primaryRegion;
      const standby = o.standbyRegions.includes(region);
      const stack = new Stack(scope, `${id}-${region}`, {
        ...o.stackProps,
        env: { account: o.account, region },
        description: `MCP service ${id}: ${primary ? 'primary' : standby ? 'standby' : 'secondary'} region ${region} (${o.topology}, ${tier})`,
      });
      this.regionStacks[region] = stack;
      // The region's log key exists before its first cross-region reader, whose logs it encrypts too.
      const logEncryptionKey = deploymentLogKey(stack, undefined);
      let globalId: string | undefined;
      if (!primary && service.cache !== false) {
        globalId = publishAcross(this.regions[primaryRegion].cache!, stack, 'global-replication-group-id',
          this.regions[primaryRegion].cache!.globalReplicationGroupId!, logEncryptionKey);
      }
      this.regions[region] = new McpRegion(stack, 'Service', {
        service, plan, topology: o.topology, region, primary, standby, logEncryptionKey,
        capacity: standby && o.standbyCapacity ? o.standbyCapacity : service.capacity,
        globalDatastoreSuffix: suffix, globalReplicationGroupId: globalId,
      });
    }
    this.globalReplicationGroupId = this.regions[primaryRegion].cache?.globalReplicationGroupId;

    // The first secondary watches the primary: standby scale-up, cache promotion.
    const promotionRegion = secondaryRegions[0];
    const watcher = this.regions[promotionRegion];
    if (service.domain) {
      const promotion = service.cache === false ? undefined : Object.fromEntries(secondaryRegions.map((r) => [r, {
        replicationGroupId: r === promotionRegion
          ? this.regions[r].cache!.replicationGroupId
          : publishAcross(this.regions[r].cache!, this.regionStacks[promotionRegion], 'replication-group-id', this.regions[r].cache!.replicationGroupId,
            watcher.logEncryptionKey),
        healthUrl: `https://${regionalName(service.domain!, r)}${service.server.readinessPath}`,
      }]));
      watcher.watchPrimary({
        service, plan, primaryRegion,
        globalReplicationGroupId: service.cache === false ? undefined
          : publishAcross(this.regions[primaryRegion].cache!, this.regionStacks[promotionRegion], 'global-replication-group-id',
            this.globalReplicationGroupId!, watcher.logEncryptionKey),
        scaleUpTo: o.standbyRegions.includes(promotionRegion) ? this.regions[primaryRegion].deployment.fleet.capacity.min : undefined,
        promotion,
      });
    }

    if (plan.routing === RoutingMechanism.ANYCAST) {
      this.globalStack = new Stack(scope, `${id}-global`, {
        ...o.stackProps,
        env: { account: o.account, region: 'us-west-2' },
        description: `MCP service ${id}: Global Accelerator across ${o.regions.join(', ')} (the Global Accelerator API lives in us-west-2)`,
      });
      this.accelerator = new McpAccelerator(this.globalStack, 'Accelerator', {
        mode: o.topology === Topology.ACTIVE_PASSIVE ? AcceleratorMode.ACTIVE_PASSIVE : AcceleratorMode.ACTIVE_ACTIVE,
        clientAffinity: service.routing?.clientAffinity,
        endpointGroups: Object.fromEntries(o.regions.map((r) => [r, {
          region: r,
          loadBalancer: publishAcross(this.regions[r].deployment, this.globalStack!, 'load-balancer-arn',
            this.regions[r].deployment.loadBalancer.loadBalancer.loadBalancerArn),
        }])),
      });
      if (service.domain) {
        this.record = new route53.CnameRecord(this.globalStack, 'Record', {
          zone: route53.HostedZone.fromHostedZoneAttributes(this.globalStack, 'Zone', {
            hostedZoneId: service.domain.hostedZoneId, zoneName: service.domain.zoneName,
          }),
          recordName: service.domain.recordName, domainName: this.accelerator.dnsName,
          ttl: Duration.seconds(plan.profile.recordTtlSeconds),
        });
      }
    }

    // The budget, from what the primary region rendered.
    const primary = this.regions[primaryRegion];
    this.budget = computeFailoverBudget({
      cloud: Cloud.AWS, topology: o.topology, routing: plan.routing,
      probe: primary.deployment.loadBalancer.healthProbe, dns: primary.dns?.dnsRouting, targets: plan.profile.targets,
      cache: primary.cache ? {
        crossRegion: true,
        promotionTriggerSeconds: watcher.cachePromotion?.triggerSeconds,
      } : undefined,
    });
    for (const [region, r] of Object.entries(this.regions)) {
      const fleet = r.deployment.fleet;
      recordSummary(r, {
        cloud: Cloud.AWS, topology: o.topology, tier: tier as AvailabilityTier, zones: plan.profile.minZones,
        minInstances: fleet.capacity.min, maxInstances: fleet.capacity.max, ...budgetSummary(this.budget),
        ...weeklyHours(o.standbyRegions.includes(region) ? undefined : service.schedule, service.capacity.baseline,
          plan.profile.minCapacity, fleet.capacity.min, fleet.capacity.max),
      });
    }
    if (this.globalStack && this.accelerator) {
      recordSummary(this.accelerator, {
        cloud: Cloud.AWS, topology: o.topology, tier, regions: o.regions, ...budgetSummary(this.budget),
      });
    }
  }

  /** Checks the rendered budget against the plan's (see assertSameBudget). */
  public assertBudget(scope: Construct, planned: FailoverBudget): void {
    assertSameBudget(scope, planned, this.budget);
  }
}

/** The account stacks are created in: explicit, or the stage's; it must be known (zones are per account). */
export function resolveAccount(scope: Construct, account: string | undefined): string | undefined {
  const a = account ?? Stage.of(scope)?.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  return a && !Token.isUnresolved(a) ? a : undefined;
}
