/**
 * The cross-region machinery shared by multi-region and cross-region
 * active-passive: one self-contained stack per region (VPC, cache member, load
 * balancer, fleet, schedule, probe, monitoring, its own DNS record and health
 * check) and, with accelerator routing, a global stack in us-west-2. Nothing
 * crosses regions by CloudFormation reference: values travel through SSM
 * parameters of deterministic names, read by the stacks that need them, and
 * stack dependencies order the deployment (primary region, other regions, global).
 */
import { Annotations, Duration, Stack, StackProps, Stage, Token } from 'aws-cdk-lib/core';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CacheWriteModel, RegionHealthPolicy, regionHealthPolicy } from '../../core/cache-write-model';
import { ASSUMPTIONS, Cloud, FailoverBudget, Topology, computeFailoverBudget } from '../../core/failover-budget';
import { ServicePlan } from '../../core/plan';
import { StackSummary } from '../../core/summary';
import { AvailabilityTier, RoutingMechanism, extendedOutageSeconds } from '../../core/tiers';
import { AcceleratorMode, McpAccelerator } from '../accelerator';
import { GlobalDatastoreRole, McpCache, McpMultiRegionCache, MultiRegionClusterRole } from '../cache';
import { McpCachePromotion } from '../cache-promotion';
import { VaultIssuedCertificate } from '../certificate';
import { DnsFailoverRole, DnsRoutingPolicy, McpDnsFailover } from '../dns-failover';
import { FleetCapacity } from '../fleet';
import { McpMonitoring } from '../monitoring';
import { McpProbe } from '../mcp-probe';
import { McpScheduledScaling } from '../scheduled-scaling';
import { ResolvedAuthorization } from '../../core/authorization';
import { Validator } from '../../core/errors';
import { addWarnings } from '../validation';
import { RegionalProbeCredentials, addAuthorizationWarnings, authorizationOf, probeOAuth } from './authorization';
import { McpServiceProps, budgetSummary, recordSummary, regionalName, serviceName } from './common';
import { DeploymentCache, McpDeployment, allowedHostsEnvironment } from './deployment';
import { FailoverScaling, TargetTable, ownScheduleTable } from './failover-scaling';
import { assertSameBudget, createVpc, deploymentLogKey, publishAcross, routeCertificateAlarms, weeklyHours } from './shared';

/** What one regional stack holds. */
export class McpRegion extends Construct {
  public readonly region: string;
  public readonly vpc: ec2.IVpc;
  /** The key of this region's log groups. */
  public readonly logEncryptionKey: kms.IKey;
  public readonly certificate: acm.ICertificate;
  /** The ElastiCache member (single-writer Global Datastore). */
  public readonly cache?: McpCache;
  /** The MemoryDB regional cluster (multi-writer). */
  public readonly multiRegionCache?: McpMultiRegionCache;
  public readonly deployment: McpDeployment;
  public readonly scheduledScaling?: McpScheduledScaling;
  /** MCP probe of this region's own name; its alarm is part of the region's DNS health check. */
  public readonly probe?: McpProbe;
  public readonly dns?: McpDnsFailover;
  /** `<record>-<region>.<zone>`: this region's own name (probes, operators). */
  public readonly regionalRecord?: route53.CnameRecord;
  public readonly monitoring: McpMonitoring;
  /** Probes of the other regions, by region (multi-region: the survivors' signal). */
  public readonly regionWatches: Record<string, McpProbe> = {};
  /**
   * The secret in this region that every probe of this region (its own, its watches of the other regions)
   * reads its client credentials from.
   * @default - none: the probes check the 401 challenge only (no `probeClientCredentialsByRegion`)
   */
  public readonly probeClientCredentials?: secretsmanager.ISecret;
  // Set by the wiring methods the topology calls once every region exists (each region watches the others).
  private _primaryWatch?: McpProbe;
  private _cachePromotion?: McpCachePromotion;
  private _standbyScaleUp?: FailoverScaling;
  private _standbyScaleBack?: FailoverScaling;
  private _absorbScaleUp?: FailoverScaling;

  constructor(scope: Construct, id: string, props: McpRegionProps) {
    super(scope, id);
    const { service, plan, region } = props;
    const tier = plan.profile.tier;
    const overrides = service.tierOverrides ?? service.overrides;
    const profile = plan.profile;
    const domain = service.domain;
    this.region = region;
    this.probeClientCredentials = props.probeClientCredentials?._secretIn(this, region);

    this.logEncryptionKey = props.logEncryptionKey;
    this.vpc = createVpc(this, profile.minZones, this.logEncryptionKey);
    const zone = domain
      ? route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.zoneName })
      : undefined;
    this.certificate = service.certificate.bind(this, {
      region, vpc: this.vpc, logEncryptionKey: this.logEncryptionKey, hostedZone: zone, alarmTopic: service.alarmTopic,
      domainNames: domain ? [serviceName(domain), regionalName(domain, region)] : [],
    });

    let deploymentCache: DeploymentCache | undefined;
    if (service.cache !== false) {
      const { writeModel: _model, ...cacheOptions } = service.cache ?? {};
      if (props.writeModel === CacheWriteModel.MULTI_WRITER) {
        this.multiRegionCache = new McpMultiRegionCache(this, 'Cache', {
          vpc: this.vpc, tier, tierOverrides: overrides,
          role: props.primary ? MultiRegionClusterRole.CREATE : MultiRegionClusterRole.JOIN,
          multiRegionClusterNameSuffix: props.primary ? props.globalDatastoreSuffix : undefined,
          multiRegionClusterName: props.primary ? undefined : props.multiRegionClusterName,
          name: props.globalDatastoreSuffix ?? 'mcp',
          nodeType: cacheOptions.cacheNodeType, engineVersion: cacheOptions.engineVersion,
          numShards: cacheOptions.numNodeGroups, port: cacheOptions.port, dataEncryptionKey: cacheOptions.dataEncryptionKey,
        });
        deploymentCache = this.multiRegionCache;
      } else {
        // A Global Datastore secondary inherits the engine, its version and the node type from the primary's global
        // group (McpCache refuses them on a secondary): only the primary's cache takes them.
        const { engine: _engine, engineVersion: _engineVersion, cacheNodeType: _nodeType, ...memberOptions } = cacheOptions;
        this.cache = new McpCache(this, 'Cache', {
          vpc: this.vpc, tier, tierOverrides: overrides, ...(props.primary ? cacheOptions : memberOptions), logEncryptionKey: this.logEncryptionKey,
          globalDatastore: props.primary
            ? { role: GlobalDatastoreRole.PRIMARY, globalReplicationGroupIdSuffix: props.globalDatastoreSuffix }
            : { role: GlobalDatastoreRole.SECONDARY, globalReplicationGroupId: props.globalReplicationGroupId },
        });
        deploymentCache = this.cache;
      }
    }
    this.deployment = new McpDeployment(this, 'Deployment', {
      tier, tierOverrides: overrides, vpc: this.vpc, server: service.server, capacity: props.capacity,
      certificate: this.certificate, cache: deploymentCache, cacheEnvironment: props.cacheEnvironment,
      serverEnvironment: {
        ...authorizationOf(service)?.environment(),
        ...allowedHostsEnvironment(domain ? [serviceName(domain), regionalName(domain, region)] : []),
      },
      instanceType: service.instanceType,
      waf: service.waf === false ? undefined : (service.waf ?? {}),
    });
    const fleet = this.deployment.fleet;
    if (service.schedule) {
      // A standby runs the primary's schedule at its standby share (the failover raises it to the full window);
      // a region of a multi-region service carries the headroom to absorb a lost region's share.
      this.scheduledScaling = new McpScheduledScaling(this, 'Schedule', {
        autoScalingGroup: fleet.autoScalingGroup, schedule: service.schedule, baseline: props.capacity.baseline,
        tier, tierOverrides: overrides, floor: profile.minCapacity,
        minCapacityPercent: props.standby ? props.standbyPercent : undefined,
        maxCapacityPercent: props.absorbPercent,
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
          logEncryptionKey: this.logEncryptionKey, trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
          oauth: probeOAuth(authorizationOf(service), service, this.probeClientCredentials),
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
      tier, tierOverrides: overrides, alarmTopic: service.alarmTopic,
      loadBalancer: lb, targetGroup: this.deployment.loadBalancer.targetGroup, autoScalingGroup: fleet.autoScalingGroup,
      cache: this.cache ? { replicationGroupId: this.cache.replicationGroupId } : undefined,
      probe: this.probe,
    });
    routeCertificateAlarms(this.certificate, this.monitoring, service.alarmTopic);
  }

  /**
   * The probe of the primary region's regional name from this region (the first secondary region).
   * @default - none: this region does not watch the primary
   */
  public get primaryWatch(): McpProbe | undefined { return this._primaryWatch; }

  /**
   * The cache promotion of the first secondary region (single-writer Global Datastore only).
   * @default - none: this region promotes nothing
   */
  public get cachePromotion(): McpCachePromotion | undefined { return this._cachePromotion; }

  /**
   * Standby (cross-region active-passive): the scale-up to the primary schedule's capacity while the primary does not serve.
   * @default - none: this region is not a standby
   */
  public get standbyScaleUp(): FailoverScaling | undefined { return this._standbyScaleUp; }

  /**
   * Standby: back to its own scheduled minimum once the primary serves again.
   * @default - none: this region is not a standby
   */
  public get standbyScaleBack(): FailoverScaling | undefined { return this._standbyScaleBack; }

  /**
   * Multi-region: this region absorbs a lost region's share while another region does not serve.
   * @default - none: not a multi-region service, or no domain (nothing watches the other regions)
   */
  public get absorbScaleUp(): FailoverScaling | undefined { return this._absorbScaleUp; }

  /**
   * A probe of `other`'s regional name from this region (the primary watch when it exists): the signal that
   * `other` serves, as the accelerator and the DNS checks see it (its load balancer answering MCP).
   * @internal
   */
  public watchRegion(service: McpServiceProps, other: string): McpProbe {
    const existing = this.regionWatches[other];
    if (existing) return existing;
    const domain = service.domain!;
    const watch = new McpProbe(this, `Watch-${other}`, {
      url: `https://${regionalName(domain, other)}${service.server.mcpPath}`,
      endpointName: regionalName(domain, other),
      evaluationPeriods: 2,
      logEncryptionKey: this.logEncryptionKey,
      // Every region's certificate comes from the same source: this region's CA chain is the other's.
      trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
      oauth: probeOAuth(authorizationOf(service), service, this.probeClientCredentials),
    });
    this.regionWatches[other] = watch;
    this.monitoring.routeAlarm(`Watch-${other}`, watch.alarm);
    return watch;
  }

  /**
   * While any of `watches` (probes of the other regions) fails, this region goes to its schedule window's
   * minimum x `absorbPercent` / 100 (its schedule's max carries that headroom). Target tracking scales it back
   * in once the recovered region takes its traffic again: the raise only moves desired capacity, and a forced
   * scale-in would cut capacity the load may still need.
   * @internal
   */
  public absorbLostRegion(watches: McpProbe[], regions: string[], absorbPercent: number): FailoverScaling {
    const serving = watches.length === 1 ? watches[0].successMetric : new cloudwatch.MathExpression({
      expression: `MIN([${watches.map((_, i) => `w${i}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(watches.map((w, i) => [`w${i}`, w.successMetric])),
      period: Duration.minutes(1),
      label: 'every other region serves (1) or not (0)',
    });
    const fleet = this.deployment.fleet;
    const table = ownScheduleTable(fleet.autoScalingGroup, this.scheduledScaling, fleet.capacity,
      (scheduleMin, renderedMax) => Math.min(renderedMax, Math.ceil((scheduleMin * absorbPercent) / 100 - 1e-9)));
    const signal = `the other region(s) ${regions.join(', ')} (MCP probes of their regional names from ${this.region})`;
    const scaling = new FailoverScaling(this, 'AbsorbLostRegion', {
      autoScalingGroup: fleet.autoScalingGroup, servingSignal: serving, signalDescription: signal,
      keyMetrics: table.keyMetrics, keyExpression: table.keyExpression, targets: table.targets, evaluationPeriods: 2,
      description: `${signal}: one does not serve, so this region takes its share (window minimum x ${Math.round(absorbPercent)} %)`,
    });
    this._absorbScaleUp = scaling;
    return scaling;
  }

  /**
   * Watches the primary region from here (a probe of its regional name): scales
   * a standby up when the primary stops answering, and (in the promotion region)
   * promotes this region's cache after the extended-outage time.
   * @internal
   */
  public watchPrimary(props: WatchPrimaryProps): void {
    const { service, plan, primaryRegion } = props;
    const domain = service.domain!;
    const watch = new McpProbe(this, 'PrimaryWatch', {
      url: `https://${regionalName(domain, primaryRegion)}${service.server.mcpPath}`,
      endpointName: regionalName(domain, primaryRegion),
      evaluationPeriods: props.scaleUpAfterMinutes ?? 2,
      logEncryptionKey: this.logEncryptionKey,
      // Every region's certificate comes from the same source (one Vault PKI): this region's CA chain is the primary's.
      trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
      oauth: probeOAuth(authorizationOf(service), service, this.probeClientCredentials),
    });
    this._primaryWatch = watch;
    this.regionWatches[primaryRegion] = watch;
    if (props.standbyScaling) {
      // The standby sees the primary fail the same MCP probe the primary's DNS check and the accelerator act on
      // (the primary's regional name through its load balancer): it goes to the capacity the primary's schedule
      // runs at that moment, read from its own schedule (see FailoverScaling), and back after failback.
      const signal = `the primary region ${primaryRegion} (MCP probe of its regional name from ${this.region})`;
      const table = props.standbyScaling;
      this._standbyScaleUp = new FailoverScaling(this, 'PromotionScaleUp', {
        autoScalingGroup: this.deployment.fleet.autoScalingGroup, servingSignal: watch.successMetric,
        signalDescription: signal, keyMetrics: table.keyMetrics, keyExpression: table.keyExpression, targets: table.targets,
        evaluationPeriods: props.scaleUpAfterMinutes ?? 2,
        description: `${signal} does not serve: the standby goes to the capacity the primary's schedule runs now`,
      });
      this._standbyScaleBack = FailoverScaling.restore(this, 'PromotionScaleBack', {
        autoScalingGroup: this.deployment.fleet.autoScalingGroup, servingSignal: watch.successMetric,
        signalDescription: signal, minimums: table.minimums, periods: STANDBY_RESTORE_MINUTES,
      });
    }
    this.monitoring.routeAlarm('PrimaryWatch', watch.alarm);
    if (props.promotion && this.cache) {
      // The block owns its trigger (missing data not breaching), re-checks the primary, retries and alarms.
      const promotion = new McpCachePromotion(this, 'CachePromotion', {
        globalReplicationGroupId: props.globalReplicationGroupId!,
        primaryRegion,
        primaryHealthUrl: `https://${regionalName(domain, primaryRegion)}${service.server.readinessPath}`,
        primarySuccessMetric: watch.successMetric,
        extendedOutageSeconds: extendedOutageSeconds(plan.profile),
        candidates: props.promotion,
        trustedCa: VaultIssuedCertificate.trustedCaOf(this.certificate),
        logEncryptionKey: this.logEncryptionKey,
      });
      this._cachePromotion = promotion;
      if (promotion.trigger instanceof cloudwatch.Alarm) this.monitoring.routeAlarm('PrimaryExtendedOutage', promotion.trigger);
      this.monitoring.routeAlarm('CachePromotionFailure', promotion.failureAlarm);
      this.monitoring.routeAlarm('CachePromotionBlocked', promotion.blockedAlarm);
      this.monitoring.routeAlarm('CachePromotionTriggerDelivery', promotion.triggerDeliveryAlarm);
      this.monitoring.routeAlarm('CachePromotionDeadLetter', promotion.deadLetterAlarm);
    }
  }
}

/** The write side of a summary (see StackSummary). */
export function writeSummary(plan: ServicePlan): Pick<StackSummary, 'cacheWriteModel' | 'writeRecoverySeconds' | 'regionWriteModes'> {
  const w = plan.cacheWrite;
  if (!w) return {};
  return { cacheWriteModel: w.model, writeRecoverySeconds: w.writeRecoverySeconds, regionWriteModes: { ...w.regionModes } };
}

/** Minutes the primary must serve again before a standby goes back to its own minimum (hysteresis). */
export const STANDBY_RESTORE_MINUTES = 10;

/**
 * Props of `McpRegion`, which `MultiRegionMcpService` and a cross-region `ActivePassiveMcpService` create
 * (one per regional stack); not meant to be built by hand.
 */
export interface McpRegionProps {
  /** The service's props, as the topology was given them. */
  readonly service: McpServiceProps;
  /** The topology's validated plan (tier profile, routing, budget). */
  readonly plan: ServicePlan;
  /** The topology this region belongs to. */
  readonly topology: Topology;
  /** This stack's region. */
  readonly region: string;
  /** True in the first region: it creates the cross-region cache and holds its writer (SINGLE_WRITER). */
  readonly primary: boolean;
  /** Active-passive standby: reduced capacity, no schedule. */
  readonly standby: boolean;
  /** This region's fleet capacity. */
  readonly capacity: FleetCapacity;
  /**
   * The suffix of the cross-region cache's ID (Global Datastore ID suffix; MemoryDB multi-Region cluster name
   * suffix and regional names).
   * @default - no cross-region cache (the regional cluster is named 'mcp')
   */
  readonly globalDatastoreSuffix?: string;
  /** SINGLE_WRITER, every region but the first: the Global Datastore's full ID to join. @default - none (the first region creates it) */
  readonly globalReplicationGroupId?: string;
  /** The region's log key (created in its stack, before any cross-region reader). */
  readonly logEncryptionKey: kms.IKey;
  /** The cache write model. @default CacheWriteModel.SINGLE_WRITER */
  readonly writeModel?: CacheWriteModel;
  /**
   * Where this region's probes read their client credentials (a secret in this region).
   * @default - none: the probes check the 401 challenge only
   */
  readonly probeClientCredentials?: RegionalProbeCredentials;
  /**
   * MULTI_WRITER, every region but the first: the full MemoryDB multi-Region cluster name.
   * @default - none (the first region creates it)
   */
  readonly multiRegionClusterName?: string;
  /**
   * CacheWriteEnv variables of this region's servers.
   * @default - none
   */
  readonly cacheEnvironment?: Record<string, string>;
  /**
   * Standby: its share of each schedule window's minimum, in percent.
   * @default 100 (not a standby)
   */
  readonly standbyPercent?: number;
  /**
   * Multi-region: each window's max in percent of the schedule's (the headroom to absorb a lost region).
   * @default 100
   */
  readonly absorbPercent?: number;
}

export interface WatchPrimaryProps {
  readonly service: McpServiceProps;
  readonly plan: ServicePlan;
  readonly primaryRegion: string;
  readonly globalReplicationGroupId?: string;
  /**
   * Standby only: the scale-up table (see FailoverScaling) and its own scheduled minimums.
   * @default - no standby scaling (the watcher is not a standby)
   */
  readonly standbyScaling?: TargetTable;
  readonly scaleUpAfterMinutes?: number;
  readonly promotion?: Record<string, { replicationGroupId: string; healthUrl: string }>;
}

export interface RegionalServiceOptions {
  readonly topology: Topology;
  /**
   * Construct id, under the scope, of a region's stack. A Stage names its stacks after their region (stack
   * name `<stage name>-<region>`); the deprecated MultiRegionMcpService after itself (`<id>-<region>`, siblings
   * of the service).
   */
  readonly regionStackId: (region: string) => string;
  /** Construct id, under the scope, of the global stack (accelerator routing). */
  readonly globalStackId: string;
  readonly regions: string[];
  readonly account: string;
  /** Regions that run at standby capacity (active-passive). */
  readonly standbyRegions: string[];
  readonly standbyCapacity?: FleetCapacity;
  /** Standby share of each schedule window, in percent. */
  readonly standbyPercent?: number;
  readonly stackProps?: StackProps;
  /** The cache write model (chooseCacheWriteModel). @default CacheWriteModel.SINGLE_WRITER */
  readonly writeModel?: CacheWriteModel;
  /** The probes' client credentials, a secret per region. @default - none (the probes check the 401 challenge) */
  readonly probeClientCredentials?: RegionalProbeCredentials;
}

/** The stacks of a cross-region service and what they hold. */
export class RegionalService {
  public readonly regionStacks: Record<string, Stack> = {};
  public readonly regions: Record<string, McpRegion> = {};
  public readonly globalStack?: Stack;
  public readonly accelerator?: McpAccelerator;
  /** The service name: a CNAME to the accelerator, or an alias A record at the zone apex. */
  public readonly record?: route53.CnameRecord | route53.ARecord;
  public readonly budget: FailoverBudget;
  public readonly globalReplicationGroupId?: string;
  /** Readiness grace period of every server (instance health vs region health). */
  public readonly regionHealth: RegionHealthPolicy;

  constructor(scope: Construct, id: string, service: McpServiceProps, plan: ServicePlan, o: RegionalServiceOptions) {
    const [primaryRegion, ...secondaryRegions] = o.regions;
    const tier = plan.profile.tier;
    const suffix = id.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-').slice(0, 30).replace(/-$/, '') || 'mcp';
    const writeModel = o.writeModel ?? CacheWriteModel.SINGLE_WRITER;
    const multiWriter = writeModel === CacheWriteModel.MULTI_WRITER;
    // Instance health vs region health: readiness outlasts the in-region cache failover by one probe interval.
    const grace = regionHealthPolicy(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds, plan.profile.healthProbe.intervalSeconds);
    this.regionHealth = grace;
    // A region of N carries, when one region is lost, N / (N - 1) of its share.
    const absorbPercent = (100 * o.regions.length) / (o.regions.length - 1);

    for (const region of o.regions) {
      const primary = region === primaryRegion;
      const standby = o.standbyRegions.includes(region);
      const stack = new Stack(scope, o.regionStackId(region), {
        ...o.stackProps,
        env: { account: o.account, region },
        description: `MCP service ${id}: ${primary ? 'primary' : standby ? 'standby' : 'secondary'} region ${region} (${o.topology}, ${tier})`,
      });
      this.regionStacks[region] = stack;
      // The region's log key exists before its first cross-region reader, whose logs it encrypts too.
      const logEncryptionKey = deploymentLogKey(stack, undefined);
      let globalId: string | undefined;
      let multiRegionClusterName: string | undefined;
      if (!primary && service.cache !== false && !multiWriter) {
        globalId = publishAcross(this.regions[primaryRegion].cache!, stack, 'global-replication-group-id',
          this.regions[primaryRegion].cache!.globalReplicationGroupId!, logEncryptionKey);
      } else if (!primary && service.cache !== false) {
        const first = this.regions[primaryRegion].multiRegionCache!;
        multiRegionClusterName = publishAcross(first, stack, 'multi-region-cluster-name', first.multiRegionClusterName, logEncryptionKey);
      }
      this.regions[region] = new McpRegion(stack, 'Service', {
        service, plan, topology: o.topology, region, primary, standby, logEncryptionKey,
        capacity: standby && o.standbyCapacity ? o.standbyCapacity : service.capacity,
        globalDatastoreSuffix: suffix, globalReplicationGroupId: globalId, multiRegionClusterName,
        writeModel, standbyPercent: o.standbyPercent, probeClientCredentials: o.probeClientCredentials,
        absorbPercent: o.topology === Topology.MULTI_REGION ? absorbPercent : undefined,
        cacheEnvironment: plan.cacheWrite?.environmentFor(region, grace.cacheGraceSeconds),
      });
    }
    this.globalReplicationGroupId = this.regions[primaryRegion].cache?.globalReplicationGroupId;

    // The first secondary watches the primary: standby scale-up, cache promotion (single writer only).
    const promotionRegion = secondaryRegions[0];
    const watcher = this.regions[promotionRegion];
    if (service.domain) {
      const promotion = service.cache === false || multiWriter ? undefined : Object.fromEntries(secondaryRegions.map((r) => [r, {
        replicationGroupId: r === promotionRegion
          ? this.regions[r].cache!.replicationGroupId
          : publishAcross(this.regions[r].cache!, this.regionStacks[promotionRegion], 'replication-group-id', this.regions[r].cache!.replicationGroupId,
            watcher.logEncryptionKey),
        healthUrl: `https://${regionalName(service.domain!, r)}${service.server.readinessPath}`,
      }]));
      watcher.watchPrimary({
        service, plan, primaryRegion,
        globalReplicationGroupId: service.cache === false || multiWriter ? undefined
          : publishAcross(this.regions[primaryRegion].cache!, this.regionStacks[promotionRegion], 'global-replication-group-id',
            this.globalReplicationGroupId!, watcher.logEncryptionKey),
        // The standby's own schedule (at its standby share) keys the primary schedule's window minimum.
        standbyScaling: o.standbyRegions.includes(promotionRegion)
          ? ownScheduleTable(watcher.deployment.fleet.autoScalingGroup, watcher.scheduledScaling, watcher.deployment.fleet.capacity,
            (scheduleMin) => (watcher.scheduledScaling ? scheduleMin : this.regions[primaryRegion].deployment.fleet.capacity.min))
          : undefined,
        promotion,
      });
      if (o.topology === Topology.MULTI_REGION) {
        // Survivors absorb a lost region: every region watches the others and, while one does not serve,
        // raises itself to its window's minimum x N / (N - 1) (its schedule carries the headroom in max).
        for (const r of o.regions) {
          const region = this.regions[r];
          const others = o.regions.filter((x) => x !== r).map((x) => region.watchRegion(service, x));
          region.absorbLostRegion(others, o.regions.filter((x) => x !== r), absorbPercent);
        }
      }
    }

    if (plan.routing === RoutingMechanism.ANYCAST) {
      this.globalStack = new Stack(scope, o.globalStackId, {
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
        const zone = route53.HostedZone.fromHostedZoneAttributes(this.globalStack, 'Zone', {
          hostedZoneId: service.domain.hostedZoneId, zoneName: service.domain.zoneName,
        });
        // DNS forbids a CNAME at the zone apex (Route 53 refuses it): the apex gets an alias A record to the accelerator.
        this.record = service.domain.recordName === ''
          ? new route53.ARecord(this.globalStack, 'ApexRecord', {
            zone, target: route53.RecordTarget.fromAlias(new route53targets.GlobalAcceleratorTarget(this.accelerator.accelerator)),
          })
          : new route53.CnameRecord(this.globalStack, 'Record', {
            zone, recordName: service.domain.recordName, domainName: this.accelerator.dnsName,
            ttl: Duration.seconds(plan.profile.recordTtlSeconds),
          });
      }
    }

    // The budget, from what the primary region rendered.
    const primary = this.regions[primaryRegion];
    this.budget = computeFailoverBudget({
      cloud: Cloud.AWS, topology: o.topology, routing: plan.routing,
      probe: primary.deployment.loadBalancer.healthProbe, dns: primary.dns?.dnsRouting, targets: plan.profile.targets,
      cache: primary.cache || primary.multiRegionCache ? {
        crossRegion: true,
        promotionTriggerSeconds: watcher.cachePromotion?.triggerSeconds,
        multiWriter,
      } : undefined,
    });
    for (const [region, r] of Object.entries(this.regions)) {
      const fleet = r.deployment.fleet;
      recordSummary(r, {
        cloud: Cloud.AWS, topology: o.topology, tier: tier as AvailabilityTier, zones: plan.profile.minZones,
        authorization: authorizationOf(service)?.summary,
        minInstances: fleet.capacity.min, maxInstances: fleet.capacity.max, ...budgetSummary(this.budget),
        ...writeSummary(plan),
        ...weeklyHours(service.schedule, service.capacity.baseline, plan.profile.minCapacity, fleet.capacity.min, fleet.capacity.max),
        // A standby runs the schedule at its standby share: its floor is its own rendered minimums.
        ...(o.standbyRegions.includes(region) && r.scheduledScaling ? { weeklyInstanceHours: r.scheduledScaling.weeklyFloorInstanceHours() } : {}),
      });
    }
    if (this.globalStack && this.accelerator) {
      recordSummary(this.accelerator, {
        cloud: Cloud.AWS, topology: o.topology, tier, regions: o.regions, ...budgetSummary(this.budget), ...writeSummary(plan),
        authorization: authorizationOf(service)?.summary,
      });
    }
  }

  /** Checks the rendered budget against the plan's (see assertSameBudget). */
  public assertBudget(scope: Construct, planned: FailoverBudget): void {
    assertSameBudget(scope, planned, this.budget);
  }
}

/** A service that creates stacks needs an App or Stage to create them in (CDK accepts a Stage inside a Stack; we do not). */
export function checkRegionalScope(v: Validator, scope: Construct, allowed: string): void {
  v.check(Stage.isStage(scope), 'scope', scope.node.path || '(root)', allowed);
}

/** Props given to every stack: the env and the name are per stack, so a value for all of them is refused. */
export function checkStackProps(v: Validator, stackProps: StackProps | undefined): void {
  v.check(stackProps?.env === undefined, 'stackProps.env', stackProps?.env,
    'no value: each stack\'s env is its region and the service\'s account (props.account)');
  v.check(stackProps?.stackName === undefined, 'stackProps.stackName', stackProps?.stackName,
    'no value: each stack gets its own name (<name>-<region>, <name>-global)');
}

/**
 * Warnings of a service that spans stacks go on its first region's stack, where `cdk synth` prints them (a
 * construct outside every stack carries no metadata into the cloud assembly).
 */
export function addRegionalWarnings(
  stack: Stack, planWarnings: readonly string[], writeWarnings: readonly string[], authorization: ResolvedAuthorization | undefined,
): void {
  addWarnings(stack, planWarnings);
  for (const w of writeWarnings) Annotations.of(stack).addWarningV2('mcp-ha:cache-single-writer', w);
  addAuthorizationWarnings(stack, authorization);
}

/** The account stacks are created in: explicit, or the stage's; it must be known (zones are per account). */
export function resolveAccount(scope: Construct, account: string | undefined): string | undefined {
  const stage = Stage.isStage(scope) ? scope : Stage.of(scope);
  const a = account ?? stage?.account ?? process.env.CDK_DEFAULT_ACCOUNT;
  return a && !Token.isUnresolved(a) ? a : undefined;
}
