/**
 * Active-active in one region: one Application Gateway across zones 1-3, one
 * scale set spread across them, the zone-redundant cache, the schedule, the
 * MCP probe and monitoring. Any instance serves any request; failover is the
 * gateway no longer routing to a failed instance: its detection is the budget.
 */
import { Construct } from 'constructs';
import { Topology } from '../../core/failover-budget';
import { McpProbe } from '../mcp-probe';
import { McpMonitoring } from '../monitoring';
import { McpRegion } from './regional';
import { AzureMcpServiceProps, AzureTopologyPlan } from './props';
import { clientConfig, createMonitoring, createRecords, globalResourceGroup, planTopology, summarize } from './shared';

export interface AzureActiveActiveMcpServiceProps extends AzureMcpServiceProps {
  /** The region (with availability zones). */
  readonly region: string;
}

export class AzureActiveActiveMcpService extends Construct {
  public readonly plan: AzureTopologyPlan;
  public readonly deployment: McpRegion;
  public readonly monitoring: McpMonitoring;
  public readonly probe?: McpProbe;

  constructor(scope: Construct, id: string, props: AzureActiveActiveMcpServiceProps) {
    super(scope, id);
    this.plan = planTopology(this, Topology.ACTIVE_ACTIVE, [props.region], props);
    const client = clientConfig(this);
    this.deployment = new McpRegion(this, 'Region', { region: props.region, plan: this.plan, service: props, client });
    this.deployment.addScaling();
    const rg = globalResourceGroup(this, props, props.region);
    createRecords(this, props, [this.deployment], this.deployment.loadBalancer.publicIp.fqdn);
    ({ monitoring: this.monitoring, probe: this.probe } = createMonitoring(this, this.plan, props, [this.deployment], rg));
    summarize(this, this.plan, [this.deployment]);
  }

  public get budget() { return this.plan.budget; }
}
