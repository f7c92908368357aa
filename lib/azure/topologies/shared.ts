/** What the three Azure topologies do the same way: plan, global resources, routing, monitoring, summary. */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { DnsCnameRecord } from '@cdktf/provider-azurerm/lib/dns-cname-record';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { Annotations, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AuthorizationMode, ResolvedAuthorization, resolveServiceAuthorization } from '../../core/authorization';
import { Validator } from '../../core/errors';
import { Topology } from '../../core/failover-budget';
import { StackSummary } from '../../core/summary';
import { AvailabilityTier, RoutingMechanism } from '../../core/tiers';
import { AZURE_FACTS, AZURE_ZONES } from '../facts';
import { AZURE_MCP_PROBE, azureMcpProbeTerms, planAzureService } from '../budget';
import { AzureServicePlan } from '../plan';
import { validateCacheOptions } from '../private/cache-options';
import { McpFrontDoor } from '../anycast';
import { McpTrafficManager } from '../dns-failover';
import { McpProbe } from '../mcp-probe';
import { McpMonitoring } from '../monitoring';
import { resolveFleetCapacity } from '../private/fleet-capacity';
import { planProfiles } from '../private/autoscale-profiles';
import { FailoverSignal } from '../scheduled-scaling';
import { validateZonalRegion } from '../validation';
import { recordSummary, regionSuffix, serviceName, validateServiceProps } from '../private/service-names';
import { AzureMcpServiceProps, AzureTopologyPlan } from './props';
import { McpRegion } from './regional';

/**
 * Plans a topology: validates the shared props, the regions, the authorization and the
 * Azure-only rules, all reported together; the plan's and the authorization's warnings
 * go to `cdktf synth` (Annotations).
 */
export function planTopology(scope: Construct, topology: Topology, regions: readonly string[], props: AzureMcpServiceProps): AzureTopologyPlan {
  const tier = props.tier ?? AvailabilityTier.BUSINESS_CRITICAL;
  let authorization: ResolvedAuthorization | undefined;
  const plan = planAzureService({
    topology, tier, overrides: props.tierOverrides, regions,
    routing: props.routing?.mechanism, frontDoor: props.routing?.frontDoorOptions,
    cache: props.cache !== false,
    constructPath: scope.node.path,
    isUnresolved: (x) => Token.isUnresolved(x),
  }, (v: Validator, plan) => {
    validateServiceProps(v, props, regions);
    // Every gateway has a public IP: an authorization, or the explicit opt-out, is required.
    authorization = resolveServiceAuthorization(v, props.authorization, {
      serviceName: props.domain && typeof props.domain.zoneName === 'string' ? serviceName(props.domain) : undefined,
      mcpPath: props.server.mcpPath,
      internetFacing: true,
    });
    // Each survivor's profiles carry 2 CPU rules and 2 rules per other region (scale-up, reverse): at most 10 rules.
    const rulesLimit = AZURE_FACTS.autoscaleMaxRulesPerProfile;
    const maxRegions = (rulesLimit.value - 2) / 2 + 1;
    v.check(topology === Topology.ACTIVE_ACTIVE || regions.length <= maxRegions, 'regions', `${regions.length} regions`,
      `at most ${maxRegions}: each region's autoscale profiles carry 2 CPU rules and, per other region, a failover scale-up `
      + `and its reverse, and a profile holds at most ${rulesLimit.value} rules (${rulesLimit.docUrl})`);
    regions.forEach((r, i) => validateZonalRegion(v, regions.length === 1 ? 'region' : `regions[${i}]`, r));
    const distinct = [...new Set(regions)];
    if (props.cache !== false) {
      validateCacheOptions(v, props.cache ?? {}, { tier, geoReplicated: distinct.length > 1, members: distinct.length });
    }
    props.certificate._validate(v, distinct, [serviceName(props.domain)]);
    // The schedule's Azure rules (time zone list, holiday years, 20 profiles), reported at the topology's path.
    if (v.valid) planProfiles({ ...props, resourceGroupName: '', location: '', targetResourceId: '', capacity: resolveFleetCapacity(props.capacity, plan.profile) }, v);
    if (plan.routing === RoutingMechanism.ANYCAST && topology !== Topology.ACTIVE_ACTIVE) {
      v.check(props.certificate.publiclyTrusted, 'certificate', 'a private CA',
        'a publicly trusted certificate with Front Door routing (Front Door validates origin certificates against public roots): '
        + 'McpCertificate.vault({ ..., publiclyTrusted: true }) for a public CA, McpCertificate.fromKeyVaultSecretIds, or TrafficRouting.dns()');
    }
    if (plan.routing === RoutingMechanism.ANYCAST && topology !== Topology.ACTIVE_ACTIVE) {
      v.check(props.waf !== false, 'waf', props.waf,
        'a WAF with Front Door routing: the gateways accept only requests carrying this Front Door profile\'s X-Azure-FDID header, checked by the WAF');
    }
    if (topology === Topology.ACTIVE_ACTIVE && props.routing && props.routing.mechanism !== RoutingMechanism.LOAD_BALANCER) {
      v.add('routing', props.routing.mechanism, `${RoutingMechanism.LOAD_BALANCER}: an active-active service in one region has one gateway and nothing to route between`);
    }
  });
  for (const w of [...plan.warnings, ...(authorization?.warnings ?? [])]) Annotations.of(scope).addWarning(w);
  const challenge = authorization?.mode === AuthorizationMode.OAUTH;
  return { ...plan, authorization, mcpProbeTerms: azureMcpProbeTerms({ ...AZURE_MCP_PROBE, expectsChallenge: challenge }) };
}

/** The resource group of the service's global resources (Traffic Manager, Front Door, monitoring), in the first region. */
export function globalResourceGroup(scope: Construct, props: AzureMcpServiceProps, region: string): ResourceGroup {
  return new ResourceGroup(scope, 'GlobalResourceGroup', { name: `${props.namePrefix}-mcp-global`, location: region });
}

/** The client the deployment runs as (its object id gets write access to the Key Vaults). */
export function clientConfig(scope: Construct): DataAzurermClientConfig {
  return new DataAzurermClientConfig(scope, 'Client', {});
}

export interface RoutingResult {
  readonly trafficManager?: McpTrafficManager;
  readonly frontDoor?: McpFrontDoor;
  /** The name clients' DNS points at (Traffic Manager or Front Door host). */
  readonly target?: string;
  /** For region `r`: the signal that says `r` was lost. */
  readonly signalFor: (region: string) => FailoverSignal | undefined;
}

/** Traffic Manager or Front Door in front of the regions. */
export function createRouting(scope: Construct, plan: AzureServicePlan, props: AzureMcpServiceProps, regions: McpRegion[],
  rg: ResourceGroup, method: 'Priority' | 'Performance' | 'Weighted'): RoutingResult {
  const health = plan.profile.healthProbe.path;
  if (plan.routing === RoutingMechanism.DNS && plan.trafficManager) {
    const tm = new McpTrafficManager(scope, 'TrafficManager', {
      resourceGroupName: rg.name, relativeName: `${props.namePrefix}-mcp-${regionSuffix(regions.map((r) => r.region).join('-'))}`,
      routingMethod: method, settings: plan.trafficManager, healthPath: health, hostHeader: serviceName(props.domain),
      targets: regions.map((r, i) => ({ name: r.region, publicIpId: r.loadBalancer.publicIp.id, priority: i + 1 })),
    });
    return {
      trafficManager: tm, target: tm.fqdn,
      signalFor: (region) => ({
        metricResourceId: tm.profile.id, metricNamespace: 'Microsoft.Network/trafficManagerProfiles',
        metricName: 'ProbeAgentCurrentEndpointStateByProfileResourceId', dimensionName: 'EndpointName', dimensionValues: [region], downBelow: 1,
      }),
    };
  }
  if (plan.routing === RoutingMechanism.ANYCAST && plan.frontDoor) {
    const fd = new McpFrontDoor(scope, 'FrontDoor', {
      resourceGroupName: rg.name, name: `${props.namePrefix}-mcp`, settings: plan.frontDoor, healthPath: health,
      skuName: props.routing?.frontDoorOptions?.skuName,
      origins: regions.map((r, i) => ({ name: r.region, hostName: r.regionalName, priority: method === 'Priority' ? i + 1 : 1 })),
    });
    for (const r of regions) r.loadBalancer.restrictToFrontDoor(fd.profile.resourceGuid);
    return {
      frontDoor: fd, target: fd.hostName,
      signalFor: (region) => ({
        metricResourceId: fd.profile.id, metricNamespace: 'Microsoft.Cdn/profiles', metricName: 'OriginHealthPercentage',
        dimensionName: 'Origin', dimensionValues: [regions.find((r) => r.region === region)!.regionalName], downBelow: 50,
      }),
    };
  }
  return { signalFor: () => undefined };
}

/** DNS records in an Azure DNS zone, when the domain names one. */
export function createRecords(scope: Construct, props: AzureMcpServiceProps, regions: McpRegion[], target: string | undefined): void {
  const zone = props.domain.azureDnsZone;
  if (!zone) return;
  const record = (id: string, name: string, value: string) => new DnsCnameRecord(scope, id, {
    name, zoneName: props.domain.zoneName, resourceGroupName: zone.resourceGroupName, ttl: 60, record: value,
  });
  for (const r of regions) record(`Record-${r.region}`, r.regionalName.slice(0, -(props.domain.zoneName.length + 1)), r.loadBalancer.publicIp.fqdn);
  if (target && props.domain.recordName !== '') record('ServiceRecord', props.domain.recordName, target);
}

/** Monitoring and the MCP probe of a topology. */
export function createMonitoring(scope: Construct, plan: AzureTopologyPlan, props: AzureMcpServiceProps, regions: McpRegion[], rg: ResourceGroup): { monitoring: McpMonitoring; probe?: McpProbe } {
  const monitoring = new McpMonitoring(scope, 'Monitoring', {
    resourceGroupName: rg.name, location: rg.location, tier: plan.profile.tier, tierOverrides: props.tierOverrides, alarmTopic: props.alarmTopic, mcpProbe: props.mcpProbe !== false,
    regions: regions.map((r) => ({ region: r.region, gatewayId: r.loadBalancer.gateway.id, scaleSetId: r.fleet.scaleSet.id, cacheId: r.cache?.redis.id })),
  });
  const probe = props.mcpProbe === false ? undefined : new McpProbe(scope, 'Probe', {
    resourceGroupName: rg.name, location: rg.location, workspaceId: monitoring.workspace.id,
    url: `https://${serviceName(props.domain)}${props.server.mcpPath}`, actionGroupId: monitoring.actionGroupId,
    publiclyTrusted: props.certificate.publiclyTrusted,
    expectsChallenge: plan.authorization?.mode === AuthorizationMode.OAUTH,
  });
  return { monitoring, probe };
}

/** The stack summary, from the plan and what was rendered. */
export function summarize(scope: Construct, plan: AzureTopologyPlan, regions: McpRegion[]): StackSummary {
  const capacities = regions.map((r) => r.fleet.capacity);
  // The most instances each region's autoscale profiles allow (failover scale-up included).
  const maxima = regions.map((r) => Math.max(r.fleet.capacity.max, ...(r.scaling?.profiles ?? []).map((p) => p.maximum)));
  const summary: StackSummary = {
    cloud: 'azure',
    topology: plan.topology,
    tier: plan.profile.tier,
    ...(regions.length > 1 ? { regions: regions.map((r) => r.region) } : { zones: AZURE_ZONES.length }),
    minInstances: capacities.reduce((a, c) => a + c.min, 0),
    maxInstances: maxima.reduce((a, m) => a + m, 0),
    budgetSeconds: plan.budget.totalSeconds,
    targetSeconds: plan.budget.targetSeconds,
    largestTerm: plan.budget.largestTerm.name,
    authorization: plan.authorization?.summary,
    ...(plan.writePlan ? {
      cacheWriteModel: plan.writePlan.model,
      writeRecoverySeconds: plan.writePlan.writeRecoverySeconds,
      regionWriteModes: plan.writePlan.regionModes,
    } : {}),
    ...weeklyHours(regions),
  };
  recordSummary(scope, summary);
  return summary;
}

/**
 * Instance-hours of a week without holidays, from the rendered autoscale profiles: each weekly window's
 * minutes times the minimum its profile keeps (a warm standby keeps its floor); flat peak is 168 h at
 * the largest profile maximum of each region.
 */
function weeklyHours(regions: McpRegion[]): Pick<StackSummary, 'weeklyInstanceHours' | 'flatPeakInstanceHours'> {
  let floor = 0;
  let peak = 0;
  for (const r of regions) {
    const profiles = (r.scaling?.profiles ?? []).filter((p) => p.kind !== 'fixed-date');
    const schedule = r.scaling?.schedule;
    if (profiles.length === 0) continue;
    if (schedule && profiles.every((p) => p.kind === 'recurring')) {
      for (const w of schedule.windows) floor += (w.minutesPerWeek / 60) * profiles.find((p) => p.windowName === w.name)!.minimum;
    } else {
      floor += 168 * profiles[0].minimum;
    }
    peak += 168 * Math.max(...profiles.map((p) => p.maximum));
  }
  return peak > 0 ? { weeklyInstanceHours: Math.round(floor * 10) / 10, flatPeakInstanceHours: peak } : {};
}
