/**
 * Multi-region active-active: N >= 2 regions behind Traffic Manager
 * (performance or weighted routing) or Front Door, one active geo-replication
 * group (multi-writer: every region writes locally). When a region is lost,
 * each survivor scales up to ceil(its window minimum x N / (N - 1)), driven by
 * the lost region's Traffic Manager endpoint state or Front Door origin health
 * (the signal that moved the traffic); a reverse rule per lost region returns
 * it to its window minimum once every other region has been up for a whole
 * window and the survivor is idle (missing data never scales in). At most 5
 * regions: a profile holds 10 rules (2 CPU + 2 per other region).
 * azurerm 4.55 cannot create geo-replication groups of 3+ members: with a
 * cache, two regions (see cache.ts).
 */
import { Construct } from 'constructs';
import { FailoverBudget, Topology } from '../../core/failover-budget';
import { McpCacheGeoReplication } from '../cache';
import { McpFrontDoor } from '../anycast';
import { McpTrafficManager } from '../dns-failover';
import { McpProbe } from '../mcp-probe';
import { McpMonitoring } from '../monitoring';
import { AzureMcpServiceProps, AzureTopologyPlan } from './props';
import { McpRegion } from './regional';
import { clientConfig, createMonitoring, createRecords, createRouting, globalResourceGroup, planTopology, summarize } from './shared';

/** Props of `AzureMultiRegionMcpService`. */
export interface AzureMultiRegionMcpServiceProps extends AzureMcpServiceProps {
  /** Two or more regions with availability zones; every one serves. */
  readonly regions: string[];
}

/** Multi-region active-active: every region serves, and the survivors absorb a lost region's share. */
export class AzureMultiRegionMcpService extends Construct {
  /** The plan the stack renders (profile, budget, routing settings, cache write plan, authorization). */
  public readonly plan: AzureTopologyPlan;
  /** One deployment per region, in the order given. */
  public readonly deployments: McpRegion[];
  /** The Traffic Manager profile (DNS routing). */
  public readonly trafficManager?: McpTrafficManager;
  /** The Front Door profile (anycast routing). */
  public readonly frontDoor?: McpFrontDoor;
  /** The link joining the regions' caches into one active geo-replication group. */
  public readonly geoReplication?: McpCacheGeoReplication;
  /** The alerts and the health-score query. */
  public readonly monitoring: McpMonitoring;
  /** The MCP availability test (absent with `mcpProbe: false`). */
  public readonly probe?: McpProbe;

  constructor(scope: Construct, id: string, props: AzureMultiRegionMcpServiceProps) {
    super(scope, id);
    const regions = props.regions ?? [];
    this.plan = planTopology(this, Topology.MULTI_REGION, regions, props);
    const client = clientConfig(this);
    const geo = props.cache !== false ? `${props.namePrefix}-mcp` : undefined;
    this.deployments = regions.map((region) => new McpRegion(this, `Region-${region}`, { region, plan: this.plan, service: props, client, geoReplicationGroupName: geo }));
    const caches = this.deployments.map((d) => d.cache).filter((c) => c !== undefined);
    if (caches.length > 1) this.geoReplication = new McpCacheGeoReplication(this, 'CacheGeoReplication', { caches });
    const rg = globalResourceGroup(this, props, regions[0]);
    const routing = createRouting(this, this.plan, props, this.deployments, rg, props.routing?.routingMethod ?? 'Performance');
    this.trafficManager = routing.trafficManager;
    this.frontDoor = routing.frontDoor;
    const n = regions.length;
    for (const d of this.deployments) {
      const signals = regions.filter((r) => r !== d.region).map((lost) => routing.signalFor(lost)).filter((s) => s !== undefined)
        .map((s) => ({ ...s, regionCount: n }));
      d._addScaling(signals);
    }
    createRecords(this, props, this.deployments, routing.target);
    ({ monitoring: this.monitoring, probe: this.probe } = createMonitoring(this, this.plan, props, this.deployments, rg));
    summarize(this, this.plan, this.deployments);
  }

  /** The failover budget (`plan.budget`). */
  public get budget(): FailoverBudget { return this.plan.budget; }
}
