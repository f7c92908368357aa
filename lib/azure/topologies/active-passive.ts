/**
 * Active-passive across two regions: the primary serves, the warm standby runs
 * at its floor and takes over through Traffic Manager priority routing or Front
 * Door priority origins. The standby scales up to the capacity the primary's
 * schedule runs at that hour, driven by the same signal that moved traffic (the
 * primary's Traffic Manager endpoint state or Front Door origin health); an
 * explicit reverse rule on the same signal returns it to its floor once the
 * primary has been up for a whole window and the standby is idle (Azure scales
 * in only when every scale-in rule is met; missing data meets none). The regions' caches are
 * one active geo-replication group (multi-writer): the standby writes locally
 * the moment it serves, nothing is promoted.
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

/** Props of `AzureActivePassiveMcpService`. */
export interface AzureActivePassiveMcpServiceProps extends AzureMcpServiceProps {
  /** The region that serves (with availability zones). */
  readonly primaryRegion: string;
  /** The warm standby's region (with availability zones), another than the primary's. */
  readonly standbyRegion: string;
}

/** Active-passive across two regions: a serving primary and a warm standby that takes over and scales up. */
export class AzureActivePassiveMcpService extends Construct {
  /** The plan the stack renders (profile, budget, routing settings, cache write plan, authorization). */
  public readonly plan: AzureTopologyPlan;
  /** The serving region's deployment. */
  public readonly primary: McpRegion;
  /** The warm standby's deployment (at the tier's floor until the primary is lost). */
  public readonly standby: McpRegion;
  /** The Traffic Manager profile (DNS routing). */
  public readonly trafficManager?: McpTrafficManager;
  /** The Front Door profile (anycast routing). */
  public readonly frontDoor?: McpFrontDoor;
  /** The link joining the two caches into one active geo-replication group. */
  public readonly geoReplication?: McpCacheGeoReplication;
  /** The alerts and the health-score query. */
  public readonly monitoring: McpMonitoring;
  /** The MCP availability test (absent with `mcpProbe: false`). */
  public readonly probe?: McpProbe;

  constructor(scope: Construct, id: string, props: AzureActivePassiveMcpServiceProps) {
    super(scope, id);
    const regions = [props.primaryRegion, props.standbyRegion];
    this.plan = planTopology(this, Topology.ACTIVE_PASSIVE, regions, props);
    const client = clientConfig(this);
    const group = `${props.namePrefix}-mcp`;
    const geo = this.plan.writePlan !== undefined && props.cache !== false ? group : undefined;
    this.primary = new McpRegion(this, 'Primary', { region: props.primaryRegion, plan: this.plan, service: props, client, geoReplicationGroupName: geo });
    // Warm standby: the tier's floor, scaled up when the primary is lost.
    const floor = this.plan.profile.minCapacity;
    this.standby = new McpRegion(this, 'Standby', {
      region: props.standbyRegion, plan: this.plan, client, geoReplicationGroupName: geo,
      service: { ...props, capacity: { ...props.capacity, min: floor } },
    });
    if (this.primary.cache && this.standby.cache) {
      this.geoReplication = new McpCacheGeoReplication(this, 'CacheGeoReplication', { caches: [this.primary.cache, this.standby.cache] });
    }
    const rg = globalResourceGroup(this, props, props.primaryRegion);
    const routing = createRouting(this, this.plan, props, [this.primary, this.standby], rg, 'Priority');
    this.trafficManager = routing.trafficManager;
    this.frontDoor = routing.frontDoor;
    const primaryScaling = this.primary._addScaling();
    const primaryMin = new Map(primaryScaling.profiles.map((p) => [p.windowName, p.minimum]));
    const signal = routing.signalFor(props.primaryRegion);
    this.standby._addScaling(signal ? [{ ...signal, capacityByWindow: Object.fromEntries(primaryMin) }] : [], true);
    createRecords(this, props, [this.primary, this.standby], routing.target);
    ({ monitoring: this.monitoring, probe: this.probe } = createMonitoring(this, this.plan, props, [this.primary, this.standby], rg));
    summarize(this, this.plan, [this.primary, this.standby]);
  }

  /** The failover budget (`plan.budget`). */
  public get budget(): FailoverBudget { return this.plan.budget; }
}
