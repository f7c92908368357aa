/**
 * Active-active in one region: one Application Gateway across zones 1-3, one
 * scale set spread across them, the zone-redundant cache, the schedule, the
 * MCP probe and monitoring. Any instance serves any request; failover is the
 * gateway no longer routing to a failed instance: its detection is the budget.
 */
import { Construct } from 'constructs';
import { FailoverBudget, Topology } from '../../core/failover-budget';
import { McpProbe } from '../mcp-probe';
import { McpMonitoring } from '../monitoring';
import { McpRegion } from './regional';
import { AzureMcpServiceProps, AzureTopologyPlan } from './props';
import { clientConfig, createMonitoring, createRecords, globalResourceGroup, planTopology, summarize } from './shared';

/** Props of `AzureActiveActiveMcpService`. */
export interface AzureActiveActiveMcpServiceProps extends AzureMcpServiceProps {
  /** The region (with availability zones). */
  readonly region: string;
}

/** Active-active in one region: one zone-redundant gateway in front of a scale set across zones 1-3. */
export class AzureActiveActiveMcpService extends Construct {
  /** The plan the stack renders (profile, budget, cache write plan, authorization). */
  public readonly plan: AzureTopologyPlan;
  /** The region's deployment. */
  public readonly deployment: McpRegion;
  /** The alerts and the health-score query. */
  public readonly monitoring: McpMonitoring;
  /** The MCP availability test (absent with `mcpProbe: false`). */
  public readonly probe?: McpProbe;

  constructor(scope: Construct, id: string, props: AzureActiveActiveMcpServiceProps) {
    super(scope, id);
    this.plan = planTopology(this, Topology.ACTIVE_ACTIVE, [props.region], props);
    const client = clientConfig(this);
    this.deployment = new McpRegion(this, 'Region', { region: props.region, plan: this.plan, service: props, client });
    this.deployment._addScaling();
    const rg = globalResourceGroup(this, props, props.region);
    createRecords(this, props, [this.deployment], this.deployment.loadBalancer.publicIp.fqdn);
    ({ monitoring: this.monitoring, probe: this.probe } = createMonitoring(this, this.plan, props, [this.deployment], rg));
    summarize(this, this.plan, [this.deployment]);
  }

  /** The failover budget (`plan.budget`). */
  public get budget(): FailoverBudget { return this.plan.budget; }
}
