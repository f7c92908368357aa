/**
 * Multi-region on Google Cloud: N >= 2 regions, each with a regional managed
 * instance group, behind ONE global external Application Load Balancer (one
 * backend service, one backend per region). The load balancer sends each request
 * to the nearest region with healthy capacity (WATERFALL_BY_REGION) and spills to
 * the next when a region is unhealthy or full: no DNS change, no client TTL.
 *
 * Cache: Memorystore for Valkey cross-region replication is single-writer: the
 * first region holds the primary, the others read-only secondaries. A Google VPC is
 * global and Memorystore documents cross-region access to an instance
 * (https://cloud.google.com/memorystore/docs/valkey/connect-instance#cross_region_access),
 * but this topology does not send writes across regions: a lost writer region
 * would fail every region's writes at once. Each server uses its region's member
 * and, in a secondary region, refuses writes clearly (core write model:
 * read-only-unless-promoted) until that member is switched over.
 *
 * Switchover, automated (McpCachePromotion) when the service has a domain: each region
 * gets a name of its own, `<recordName>-<region>.<zone>`, an A record to the global
 * address that a URL-map host rule sends to a backend service holding only that
 * region's group (same health check, Cloud Armor policy and timeouts as the main one),
 * and a name on the certificate. The promotion's uptime check watches the writer
 * region's name; when its readiness has failed from more than one checker region for
 * the extended-outage step, a Cloud Run function re-checks that name, probes the
 * other regions' names, and switches the healthiest secondary over (or fails loudly).
 *
 * Survivors absorb a lost region: each region's maximum is the service's maximum
 * times N / (N - 1), so the N - 1 survivors together reach the whole maximum; their
 * autoscalers follow the load-balancing utilization the spilled traffic raises.
 */
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ResolvedAuthorization } from '../../core/authorization';
import { CacheWriteModel, CacheWritePlan, RegionHealthPolicy } from '../../core/cache-write-model';
import { Cloud, FailoverBudget, Topology } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier, RoutingMechanism, extendedOutageSeconds } from '../../core/tiers';
import { addAuthorizationWarnings, checksTokens, resolveGoogleAuthorization } from '../authorization';
import { McpCache } from '../cache';
import { McpCachePromotion } from '../cache-promotion';
import { McpFleet } from '../fleet';
import { LoadBalancerScope, McpLoadBalancer } from '../load-balancer';
import { McpMonitoring } from '../monitoring';
import { McpNetwork } from '../network';
import { McpProbe } from '../mcp-probe';
import { planGoogleScaling } from '../scheduled-scaling';
import { addWarnings, checkRegion, validatorFor } from '../validation';
import {
  McpServiceProps, addressRecord, budgetSummary, probeSummary, recordSummary, regionalName, renderedBudget, resolvePrefix, serviceName, writeSummary,
} from './props';
import { allowedHostsEnvironment, cacheEnvironment, googleRegionHealth, regionFleet } from './shared';

/** Props of `MultiRegionMcpService`: N >= 2 regions behind one global load balancer, the cache written in the first. */
export interface MultiRegionMcpServiceProps extends McpServiceProps {
  /** Regions, the first holding the cache's writer. At least 2. */
  readonly regions: string[];
  /**
   * Switch the cache over automatically after the extended-outage step (McpCachePromotion, watching
   * each region through its own name `<recordName>-<region>.<zone>`: needs `domain`). `false`: the
   * secondary regions stay read-only until you switch over by hand (docs/GCP.md).
   * @default true when the service has a domain and a Valkey cache
   */
  readonly cachePromotion?: boolean;
}

export class MultiRegionMcpService extends Construct {
  public readonly plan: ServicePlan;
  public readonly budget: FailoverBudget;
  public readonly network: McpNetwork;
  public readonly loadBalancer: McpLoadBalancer;
  public readonly fleets: Record<string, McpFleet> = {};
  public readonly caches: Record<string, McpCache> = {};
  public readonly cacheWrite?: CacheWritePlan;
  public readonly regionHealth: RegionHealthPolicy;
  public readonly record?: DnsRecordSet;
  /** Each region's own name (`<recordName>-<region>.<zone>`, served only by that region), by region. */
  public readonly regionRecords: Record<string, DnsRecordSet> = {};
  public readonly cachePromotion?: McpCachePromotion;
  public readonly probe?: McpProbe;
  public readonly monitoring: McpMonitoring;
  /** The authorization as resolved against the service (its `MCP_AUTH_*` environment is on every server). */
  public readonly authorization?: ResolvedAuthorization;

  constructor(scope: Construct, id: string, props: MultiRegionMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const v = validatorFor(this);
    v.check(props.regions.length >= 2, 'regions', props.regions, 'at least two regions');
    v.check(new Set(props.regions).size === props.regions.length, 'regions', props.regions, 'distinct regions');
    props.regions.forEach((r, i) => checkRegion(v, `regions[${i}]`, r));
    v.check(props.routing === undefined || props.routing.mechanism === RoutingMechanism.ANYCAST, 'routing', props.routing?.mechanism,
      'TrafficRouting.globalLoadBalancer(): the regions sit behind one global external Application Load Balancer');
    v.check(!props.certificate.needsDomain || props.domain !== undefined, 'domain', props.domain,
      'a domain: the certificate is issued for the service\'s name');
    props.certificate.validate(['global'], v);
    v.check(props.cachePromotion !== true || props.domain !== undefined, 'cachePromotion', props.cachePromotion,
      'false without a domain: the promotion watches and probes each region through its own name (<recordName>-<region>.<zone>)');
    v.check(props.cachePromotion !== true || props.cache !== false, 'cachePromotion', props.cachePromotion, 'false without a cache');
    this.authorization = resolveGoogleAuthorization(v, {
      authorization: props.authorization, serviceName: props.domain ? serviceName(props.domain) : undefined, mcpPath: props.server.mcpPath,
    });
    v.throwIfInvalid();
    addAuthorizationWarnings(this, this.authorization);
    this.plan = planService({
      cloud: Cloud.GCP, topology: Topology.MULTI_REGION, tier,
      overrides: { ...props.overrides, routing: RoutingMechanism.ANYCAST },
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);
    const profile = this.plan.profile;
    const prefix = resolvePrefix(props.namePrefix);
    const regions = props.regions;
    const [writer] = regions;

    this.network = new McpNetwork(this, 'Network', {
      regions, serverPort: props.server.port, existing: props.network, namePrefix: prefix,
    });
    // Each region's own name (behind the same global address) is on the certificate too.
    const regionNames = props.domain ? Object.fromEntries(regions.map((r) => [r, regionalName(props.domain!, r)])) : {};
    const domainNames = props.domain ? [serviceName(props.domain), ...Object.values(regionNames)] : [];
    this.loadBalancer = new McpLoadBalancer(this, 'LoadBalancer', {
      network: this.network, server: props.server, scope: LoadBalancerScope.GLOBAL,
      sslCertificates: props.certificate.bind(this, { location: 'global', domainNames }),
      tier, tierOverrides: props.overrides, waf: props.waf, namePrefix: prefix,
    });
    if (props.cache !== false) {
      const primary = new McpCache(this, 'Cache', {
        network: this.network, region: writer, tier, tierOverrides: props.overrides, ...(props.cache ?? {}),
        project: props.project, namePrefix: `${prefix}-cache`,
      });
      this.caches[writer] = primary;
      regions.slice(1).forEach((region) => {
        this.caches[region] = new McpCache(this, `Cache-${region}`, {
          network: this.network, region, tier, tierOverrides: props.overrides, ...(props.cache ?? {}),
          primary, project: props.project, namePrefix: `${prefix}-cache`,
        });
      });
      const automated = primary.valkey !== undefined && props.domain !== undefined && (props.cachePromotion ?? true);
      if (primary.valkey !== undefined && props.domain === undefined && props.cachePromotion === undefined) {
        addWarnings(this, [`cachePromotion: without a domain the regions have no names of their own to watch, so the cache switchover is not automated: the secondary regions (${regions.slice(1).join(', ')}) stay read-only after the loss of ${writer} until you switch over by hand (docs/GCP.md)`]);
      }
      if (automated) {
        const healthUrl = (region: string) => `https://${regionNames[region]}${profile.healthProbe.path}`;
        this.cachePromotion = new McpCachePromotion(this, 'CachePromotion', {
          caches: regions.map((r) => this.caches[r]),
          primaryHealthUrl: healthUrl(writer),
          candidates: regions.slice(1).map((region) => ({ region, healthUrl: healthUrl(region) })),
          triggerSeconds: extendedOutageSeconds(profile),
          // The first secondary's region: it survives the writer region's loss.
          functionRegion: regions[1],
          // The health URLs are the service's own names: trust the CA that issued their certificate.
          trustedCaPem: props.certificate.trustedCaPem(this),
          project: primary.project,
          namePrefix: prefix,
        });
      }
      // Write recovery from what the promotion renders; without automation no figure is promised.
      this.cacheWrite = CacheWritePlan.of({
        model: CacheWriteModel.SINGLE_WRITER, regions, recoveryTerms: this.cachePromotion?.recoveryTerms() ?? [],
      });
    }
    this.regionHealth = googleRegionHealth(this.plan);

    // Each region's maximum lets N - 1 survivors carry the whole service's maximum.
    const n = regions.length;
    const whole = planGoogleScaling({
      schedule: props.schedule, baseline: props.capacity.baseline, floor: profile.minCapacity,
      min: props.capacity.min, max: props.capacity.max,
    }, v);
    v.throwIfInvalid();
    const regionMax = Math.ceil((whole.maxReplicas * n) / (n - 1) / n);
    const regionBaseline = Math.max(1, Math.ceil(props.capacity.baseline / n));
    for (const region of regions) {
      this.fleets[region] = regionFleet(this, `Fleet-${region}`, {
        props, plan: this.plan, network: this.network, region, loadBalancer: this.loadBalancer,
        capacity: { baseline: regionBaseline, max: Math.max(regionMax, profile.minCapacity) },
        schedule: props.schedule, prefix,
        environment: {
          ...cacheEnvironment(this.caches[region], this.cacheWrite, region, this.regionHealth),
          // MCP authorization (core's model): issuer, audience, scopes, JWKS limits; none for the explicit opt-out.
          ...this.authorization?.environment(),
          // The service's name and this region's own (served only by this region's group).
          ...allowedHostsEnvironment(props.domain ? [serviceName(props.domain), regionNames[region]] : []),
        },
      });
      this.caches[region]?.grantClient(this.fleets[region].serviceAccountEmail);
    }

    if (props.domain) {
      this.record = addressRecord(this, 'Record', props.domain, serviceName(props.domain), this.loadBalancer.ipAddress,
        profile.recordTtlSeconds);
      // Each region's own name: an A record to the same global address, served only by that region's backend service.
      for (const region of regions) {
        this.loadBalancer.addHostBackend({ host: regionNames[region], instanceGroup: this.fleets[region].instanceGroupManager.instanceGroup, id: region });
        this.regionRecords[region] = addressRecord(this, `RegionRecord-${region}`, props.domain, regionNames[region],
          this.loadBalancer.ipAddress, profile.recordTtlSeconds);
      }
      if (props.mcpProbe ?? true) {
        this.probe = new McpProbe(this, 'Probe', {
          host: serviceName(props.domain), server: props.server, validateSsl: !props.certificate.privateCa, project: props.project,
          expectsChallenge: checksTokens(this.authorization),
        });
      }
    }
    this.monitoring = new McpMonitoring(this, 'Monitoring', {
      loadBalancers: [this.loadBalancer], instanceGroupNames: regions.map((r) => this.fleets[r].instanceGroupManager.name),
      thresholds: profile.alarms, probe: this.probe, alarmTopic: props.alarmTopic,
    });

    this.budget = renderedBudget(this.plan, this.loadBalancer);
    const scalings = regions.map((r) => this.fleets[r].scaling);
    const sum = (f: (s: (typeof scalings)[number]) => number) => scalings.reduce((a, s) => a + f(s), 0);
    recordSummary(this, {
      cloud: Cloud.GCP, topology: Topology.MULTI_REGION, tier, regions,
      minInstances: sum((s) => s.minReplicas), maxInstances: sum((s) => s.maxReplicas),
      ...budgetSummary(this.budget),
      weeklyInstanceHours: sum((s) => s.weeklyFloorInstanceHours),
      flatPeakInstanceHours: sum((s) => s.weeklyCeilingInstanceHours),
      authorization: this.authorization?.summary,
    }, { ...writeSummary(this.cacheWrite), ...probeSummary(this.probe) });
  }
}
