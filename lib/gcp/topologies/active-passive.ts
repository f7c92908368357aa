/**
 * Active-passive on Google Cloud: a primary region and a warm standby region, each
 * with its regional external Application Load Balancer and managed instance group,
 * behind one Cloud DNS record with a failover routing policy (Google's documented
 * pattern for regional load balancers: https://cloud.google.com/load-balancing/docs/https/regional-ha).
 * Cloud DNS answers the primary's address while its source-region health check
 * passes, else the standby's.
 *
 * Budget: Cloud DNS health checks of public endpoints run at most every 30 s, so
 * the DNS terms are larger than on AWS; the tier targets refuse what they cannot
 * keep (business-critical needs dnsHealthCheck.failureThreshold 1; mission-critical
 * cannot be kept by DNS failover: use MultiRegionMcpService).
 *
 * Cache: a Memorystore for Valkey primary in the primary region and a cross-region
 * secondary in the standby region (single writer). The standby region's servers
 * read locally and refuse writes clearly until the secondary is switched over
 * (core write model); the write recovery time is stated beside the serving RTO.
 *
 * Standby scale-up: the standby runs `standbyCapacityPercent` of every window's
 * minimum and the primary's maximum; when DNS moves traffic, its autoscaler's
 * load-balancing utilization signal (the same traffic) raises it up to that maximum.
 */
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ResolvedAuthorization } from '../../core/authorization';
import { CacheWriteModel, CacheWritePlan, RegionHealthPolicy } from '../../core/cache-write-model';
import { Cloud, DnsRecordKind, FailoverBudget, Topology } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier, RoutingMechanism, extendedOutageSeconds } from '../../core/tiers';
import { addAuthorizationWarnings, checksTokens, resolveGoogleAuthorization } from '../authorization';
import { McpCache } from '../cache';
import { McpCachePromotion } from '../cache-promotion';
import { McpDnsFailover } from '../dns-failover';
import { McpFleet } from '../fleet';
import { LoadBalancerScope, McpLoadBalancer } from '../load-balancer';
import { McpMonitoring } from '../monitoring';
import { McpNetwork } from '../network';
import { McpProbe } from '../mcp-probe';
import { addWarnings, checkRegion, validatorFor } from '../validation';
import {
  McpDomain, McpServiceProps, addressRecord, budgetSummary, probeSummary, recordSummary, regionalName, renderedBudget, resolvePrefix, serviceName, writeSummary,
} from './props';
import { switchoverTerms } from '../private/switchover';
import { allowedHostsEnvironment, cacheEnvironment, googleRegionHealth, regionFleet } from './shared';

/** Props of `ActivePassiveMcpService`: a primary region and a warm standby behind a Cloud DNS failover record. */
export interface ActivePassiveMcpServiceProps extends McpServiceProps {
  /** Region that serves while healthy and holds the cache writer. */
  readonly primaryRegion: string;
  /** Region of the warm standby (Cloud DNS backup, cache secondary). */
  readonly standbyRegion: string;
  /** Required: Cloud DNS failover is the record of this domain. */
  readonly domain: McpDomain;
  /**
   * Standby minimum while passive, as a percentage of each window's minimum (at
   * least the tier's minimum); its maximum is the primary's.
   * @default 50
   */
  readonly standbyCapacityPercent?: number;
  /**
   * Switch the cache over automatically after the extended-outage step (McpCachePromotion).
   * `false`: the standby region stays read-only until you switch over by hand (docs/GCP.md).
   * @default true
   */
  readonly cachePromotion?: boolean;
}

export { switchoverTerms };

export class ActivePassiveMcpService extends Construct {
  public readonly plan: ServicePlan;
  public readonly budget: FailoverBudget;
  public readonly network: McpNetwork;
  public readonly loadBalancers: Record<string, McpLoadBalancer> = {};
  public readonly fleets: Record<string, McpFleet> = {};
  public readonly caches: Record<string, McpCache> = {};
  public readonly cacheWrite?: CacheWritePlan;
  public readonly regionHealth: RegionHealthPolicy;
  public readonly dnsFailover: McpDnsFailover;
  public readonly probe?: McpProbe;
  public readonly cachePromotion?: McpCachePromotion;
  public readonly monitoring: McpMonitoring;
  /** The authorization as resolved against the service (its `MCP_AUTH_*` environment is on every server). */
  public readonly authorization?: ResolvedAuthorization;

  constructor(scope: Construct, id: string, props: ActivePassiveMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const v = validatorFor(this);
    checkRegion(v, 'primaryRegion', props.primaryRegion);
    checkRegion(v, 'standbyRegion', props.standbyRegion);
    v.check(props.standbyRegion !== props.primaryRegion, 'standbyRegion', props.standbyRegion,
      `a region other than primaryRegion (${props.primaryRegion}): within one region use ActiveActiveMcpService (the load balancer already fails over between zones)`);
    v.check(props.routing === undefined || props.routing.mechanism === RoutingMechanism.DNS, 'routing', props.routing?.mechanism,
      'TrafficRouting.dns(): Google\'s global load balancer sends each request to the nearest healthy region, so it cannot keep a region passive; for anycast use MultiRegionMcpService');
    v.check(props.domain !== undefined, 'domain', props.domain, 'a Cloud DNS zone: the failover is a record of it');
    const standbyPercent = props.standbyCapacityPercent ?? 50;
    v.integerInRange('standbyCapacityPercent', standbyPercent, { min: 1, max: 100 });
    props.certificate.validate([props.primaryRegion, props.standbyRegion], v);
    this.authorization = resolveGoogleAuthorization(v, {
      authorization: props.authorization, serviceName: props.domain ? serviceName(props.domain) : undefined, mcpPath: props.server.mcpPath,
    });
    v.throwIfInvalid();
    addAuthorizationWarnings(this, this.authorization);
    this.plan = planService({
      cloud: Cloud.GCP, topology: Topology.ACTIVE_PASSIVE, tier,
      overrides: { ...props.overrides, routing: RoutingMechanism.DNS },
      recordKind: DnsRecordKind.CNAME,
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);
    const profile = this.plan.profile;
    const prefix = resolvePrefix(props.namePrefix);
    const regions = [props.primaryRegion, props.standbyRegion];

    this.network = new McpNetwork(this, 'Network', {
      regions, serverPort: props.server.port, regionalLoadBalancerRegions: regions, existing: props.network, namePrefix: prefix,
    });
    if (props.cache !== false) {
      const primary = new McpCache(this, 'Cache', {
        network: this.network, region: props.primaryRegion, tier, tierOverrides: props.overrides, ...(props.cache ?? {}),
        project: props.project, namePrefix: `${prefix}-cache`,
      });
      this.caches[props.primaryRegion] = primary;
      this.caches[props.standbyRegion] = new McpCache(this, 'StandbyCache', {
        network: this.network, region: props.standbyRegion, tier, tierOverrides: props.overrides, ...(props.cache ?? {}),
        primary, project: props.project, namePrefix: `${prefix}-cache`,
        // One service connection policy per network, region and service class.
        createServiceConnectionPolicy: props.cache?.createServiceConnectionPolicy,
      });
      // Write recovery: the promotion trigger (extended-outage step, rendered as the trigger alert's duration),
      // its evaluation and the switchover. Without automation the standby stays read-only until someone switches
      // over by hand: no figure is promised.
      const automated = primary.valkey !== undefined && (props.cachePromotion ?? true);
      this.cacheWrite = CacheWritePlan.of({
        model: CacheWriteModel.SINGLE_WRITER, regions, recoveryTerms: automated ? switchoverTerms(extendedOutageSeconds(profile)) : [],
      });
    }
    this.regionHealth = googleRegionHealth(this.plan);

    const fullCapacity = props.capacity;
    regions.forEach((region, i) => {
      const standby = i === 1;
      const lb = new McpLoadBalancer(this, standby ? 'StandbyLoadBalancer' : 'LoadBalancer', {
        network: this.network, server: props.server, scope: LoadBalancerScope.REGIONAL, region,
        sslCertificates: props.certificate.bind(this, { location: region, domainNames: [serviceName(props.domain), regionalName(props.domain, region)] }),
        tier, tierOverrides: props.overrides, waf: props.waf, namePrefix: `${prefix}-${region}`,
      });
      this.loadBalancers[region] = lb;
      const capacity = standby
        ? { baseline: Math.max(1, Math.ceil((fullCapacity.baseline * standbyPercent) / 100)), min: undefined, max: undefined }
        : fullCapacity;
      const primaryFleet = this.fleets[props.primaryRegion];
      this.fleets[region] = regionFleet(this, standby ? 'StandbyFleet' : 'Fleet', {
        props, plan: this.plan, network: this.network, region, loadBalancer: lb,
        // The standby keeps the primary's maximum: its autoscaler can take the whole load after a failover.
        capacity: standby ? { ...capacity, max: primaryFleet.scaling.maxReplicas } : capacity,
        schedule: props.schedule, prefix,
        environment: {
          ...cacheEnvironment(this.caches[region], this.cacheWrite, region, this.regionHealth),
          // MCP authorization (core's model): issuer, audience, scopes, JWKS limits; none for the explicit opt-out.
          ...this.authorization?.environment(),
          // The service's name and this region's own (the promotion probes it).
          ...allowedHostsEnvironment([serviceName(props.domain), regionalName(props.domain, region)]),
        },
      });
      this.caches[props.primaryRegion]?.grantClient(this.fleets[region].serviceAccountEmail);
      if (standby) this.caches[region]?.grantClient(this.fleets[region].serviceAccountEmail);
    });

    this.dnsFailover = new McpDnsFailover(this, 'DnsFailover', {
      zone: props.domain,
      primary: { region: props.primaryRegion, ipAddress: this.loadBalancers[props.primaryRegion].ipAddress },
      backup: { region: props.standbyRegion, ipAddress: this.loadBalancers[props.standbyRegion].ipAddress },
      healthPath: profile.healthProbe.path,
      tier, tierOverrides: props.overrides,
      namePrefix: prefix,
    });
    // Each region's own name (covered by its certificate): the promotion re-checks and probes regions by it.
    regions.forEach((region, i) => addressRecord(this, `RegionRecord${i}`, props.domain, regionalName(props.domain, region),
      this.loadBalancers[region].ipAddress, profile.recordTtlSeconds));
    const primaryCache = this.caches[props.primaryRegion];
    if (primaryCache?.valkey && (props.cachePromotion ?? true)) {
      const healthUrl = (region: string) => `https://${regionalName(props.domain, region)}${profile.healthProbe.path}`;
      this.cachePromotion = new McpCachePromotion(this, 'CachePromotion', {
        caches: [primaryCache, this.caches[props.standbyRegion]],
        primaryHealthUrl: healthUrl(props.primaryRegion),
        candidates: [{ region: props.standbyRegion, healthUrl: healthUrl(props.standbyRegion) }],
        triggerSeconds: extendedOutageSeconds(profile),
        functionRegion: props.standbyRegion,
        // The health URLs are the service's own names: trust the CA that issued their certificate.
        trustedCaPem: props.certificate.trustedCaPem(this),
        project: primaryCache.project,
        namePrefix: prefix,
      });
    }
    if (props.mcpProbe ?? true) {
      this.probe = new McpProbe(this, 'Probe', {
        host: serviceName(props.domain), server: props.server, validateSsl: !props.certificate.privateCa, project: props.project,
          expectsChallenge: checksTokens(this.authorization),
      });
    }
    if (this.cachePromotion && JSON.stringify(this.cacheWrite?.recoveryTerms) !== JSON.stringify(this.cachePromotion.recoveryTerms())) {
      throw new Error('internal error: the write recovery must be the rendered promotion\'s (trigger check period, alert duration, evaluation, switchover)');
    }
    this.monitoring = new McpMonitoring(this, 'Monitoring', {
      loadBalancers: regions.map((r) => this.loadBalancers[r]),
      instanceGroupNames: regions.map((r) => this.fleets[r].instanceGroupManager.name),
      thresholds: profile.alarms, probe: this.probe, alarmTopic: props.alarmTopic,
    });

    const d = this.dnsFailover;
    this.budget = renderedBudget(this.plan, this.loadBalancers[props.primaryRegion], {
      healthCheck: { requestIntervalSeconds: d.intervalSeconds, failureThreshold: d.failureThreshold, timeoutSeconds: d.timeoutSeconds, measureLatency: false },
      recordKind: DnsRecordKind.CNAME,
      ttlSeconds: d.ttlSeconds,
    });
    const primaryScaling = this.fleets[props.primaryRegion].scaling;
    const standbyScaling = this.fleets[props.standbyRegion].scaling;
    recordSummary(this, {
      cloud: Cloud.GCP, topology: Topology.ACTIVE_PASSIVE, tier, regions,
      minInstances: primaryScaling.minReplicas + standbyScaling.minReplicas,
      maxInstances: primaryScaling.maxReplicas + standbyScaling.maxReplicas,
      ...budgetSummary(this.budget),
      weeklyInstanceHours: primaryScaling.weeklyFloorInstanceHours + standbyScaling.weeklyFloorInstanceHours,
      flatPeakInstanceHours: 2 * primaryScaling.weeklyCeilingInstanceHours,
      authorization: this.authorization?.summary,
    }, { ...writeSummary(this.cacheWrite), ...probeSummary(this.probe) });
  }
}
