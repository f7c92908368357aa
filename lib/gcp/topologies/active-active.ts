/**
 * Active-active on Google Cloud: one region, a regional managed instance group
 * over the tier's zones behind the global external Application Load Balancer,
 * a Memorystore for Valkey cache with replicas in other zones. Failover is the
 * load balancer dropping a failed instance (and autohealing replacing it).
 */
import { DnsRecordSet } from '@cdktf/provider-google/lib/dns-record-set';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ResolvedAuthorization } from '../../core/authorization';
import { CacheWriteModel, CacheWritePlan, RegionHealthPolicy } from '../../core/cache-write-model';
import { Cloud, FailoverBudget, Topology } from '../../core/failover-budget';
import { ServicePlan, planService } from '../../core/plan';
import { AvailabilityTier, RoutingMechanism } from '../../core/tiers';
import { addAuthorizationWarnings, checksTokens, resolveGoogleAuthorization } from '../authorization';
import { McpCache } from '../cache';
import { McpFleet } from '../fleet';
import { LoadBalancerScope, McpLoadBalancer } from '../load-balancer';
import { McpMonitoring } from '../monitoring';
import { McpNetwork } from '../network';
import { McpProbe } from '../mcp-probe';
import { addWarnings, checkRegion, validatorFor } from '../validation';
import {
  McpServiceProps, addressRecord, budgetSummary, probeSummary, recordSummary, renderedBudget, resolvePrefix, serviceName, writeSummary,
} from './props';
import { allowedHostsEnvironment, cacheEnvironment, googleRegionHealth, regionFleet } from './shared';

/** Props of `ActiveActiveMcpService`: one region, instances over the tier's zones behind the global load balancer. */
export interface ActiveActiveMcpServiceProps extends McpServiceProps {
  /** The region (a Compute Engine region such as us-east1). */
  readonly region: string;
  /** Zones of the region the instances spread over (at least the tier's minZones). @default - the first minZones zones of the region */
  readonly zones?: string[];
}

export class ActiveActiveMcpService extends Construct {
  public readonly plan: ServicePlan;
  /** Computed from the rendered health check (equals `plan.budget`). */
  public readonly budget: FailoverBudget;
  public readonly network: McpNetwork;
  public readonly loadBalancer: McpLoadBalancer;
  public readonly fleet: McpFleet;
  public readonly cache?: McpCache;
  public readonly cacheWrite?: CacheWritePlan;
  public readonly regionHealth: RegionHealthPolicy;
  public readonly record?: DnsRecordSet;
  public readonly probe?: McpProbe;
  public readonly monitoring: McpMonitoring;
  /** The authorization as resolved against the service (its `MCP_AUTH_*` environment is on every server). */
  public readonly authorization?: ResolvedAuthorization;

  constructor(scope: Construct, id: string, props: ActiveActiveMcpServiceProps) {
    super(scope, id);
    const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
    const v = validatorFor(this);
    checkRegion(v, 'region', props.region);
    v.check(props.routing === undefined || props.routing.mechanism === RoutingMechanism.ANYCAST, 'routing', props.routing?.mechanism,
      'TrafficRouting.globalLoadBalancer(): an active-active service in one region sits behind the global external Application Load Balancer');
    v.check(!props.certificate.needsDomain || props.domain !== undefined, 'domain', props.domain,
      'a domain: the certificate is issued for the service\'s name');
    props.certificate.validate(['global'], v);
    this.authorization = resolveGoogleAuthorization(v, {
      authorization: props.authorization, serviceName: props.domain ? serviceName(props.domain) : undefined, mcpPath: props.server.mcpPath,
    });
    v.throwIfInvalid();
    addAuthorizationWarnings(this, this.authorization);
    this.plan = planService({
      cloud: Cloud.GCP, topology: Topology.ACTIVE_ACTIVE, tier,
      overrides: { ...props.overrides, routing: RoutingMechanism.ANYCAST },
      cache: props.cache === false ? undefined : { crossRegion: false },
      constructPath: this.node.path,
      isUnresolved: (x) => Token.isUnresolved(x),
    });
    addWarnings(this, this.plan.warnings);
    const prefix = resolvePrefix(props.namePrefix);
    const region = props.region;

    this.network = new McpNetwork(this, 'Network', {
      regions: [region], serverPort: props.server.port, existing: props.network, namePrefix: prefix,
    });
    const domainNames = props.domain ? [serviceName(props.domain)] : [];
    this.loadBalancer = new McpLoadBalancer(this, 'LoadBalancer', {
      network: this.network, server: props.server, scope: LoadBalancerScope.GLOBAL,
      sslCertificates: props.certificate.bind(this, { location: 'global', domainNames }),
      tier, tierOverrides: props.overrides, waf: props.waf, namePrefix: prefix,
    });
    if (props.cache !== false) {
      this.cache = new McpCache(this, 'Cache', {
        network: this.network, region, tier, tierOverrides: props.overrides, ...(props.cache ?? {}),
        project: props.project, namePrefix: `${prefix}-cache`,
      });
      this.cacheWrite = CacheWritePlan.of({
        model: CacheWriteModel.SINGLE_REGION, regions: [region], recoveryTerms: this.plan.budget.cacheRecovery?.terms,
      });
    }
    this.regionHealth = googleRegionHealth(this.plan);
    this.fleet = regionFleet(this, 'Fleet', {
      props, plan: this.plan, network: this.network, region, loadBalancer: this.loadBalancer,
      capacity: props.capacity, schedule: props.schedule, zones: props.zones, prefix,
      environment: {
        ...cacheEnvironment(this.cache, this.cacheWrite, region, this.regionHealth),
        // MCP authorization (core's model): issuer, audience, scopes, JWKS limits; none for the explicit opt-out.
        ...this.authorization?.environment(),
        ...allowedHostsEnvironment(props.domain ? [serviceName(props.domain)] : []),
      },
    });
    this.cache?.grantClient(this.fleet.serviceAccountEmail);

    if (props.domain) {
      this.record = addressRecord(this, 'Record', props.domain, serviceName(props.domain), this.loadBalancer.ipAddress,
        this.plan.profile.recordTtlSeconds);
      if (props.mcpProbe ?? true) {
        this.probe = new McpProbe(this, 'Probe', {
          host: serviceName(props.domain), server: props.server, validateSsl: !props.certificate.privateCa, project: props.project,
          expectsChallenge: checksTokens(this.authorization),
        });
      }
    }
    this.monitoring = new McpMonitoring(this, 'Monitoring', {
      loadBalancers: [this.loadBalancer], instanceGroupNames: [this.fleet.instanceGroupManager.name],
      thresholds: this.plan.profile.alarms, probe: this.probe, alarmTopic: props.alarmTopic,
    });

    this.budget = renderedBudget(this.plan, this.loadBalancer);
    recordSummary(this, {
      cloud: Cloud.GCP, topology: Topology.ACTIVE_ACTIVE, tier, zones: this.fleet.zones.length,
      minInstances: this.fleet.scaling.minReplicas, maxInstances: this.fleet.scaling.maxReplicas,
      ...budgetSummary(this.budget),
      weeklyInstanceHours: this.fleet.scaling.weeklyFloorInstanceHours,
      flatPeakInstanceHours: this.fleet.scaling.weeklyCeilingInstanceHours,
      authorization: this.authorization?.summary,
    }, { ...writeSummary(this.cacheWrite), ...probeSummary(this.probe) });
  }
}
