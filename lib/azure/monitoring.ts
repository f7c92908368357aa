/**
 * Monitoring of an Azure deployment: a Log Analytics workspace; diagnostic
 * settings on every gateway (all logs, all metrics), scale set and cache
 * (metrics); metric alerts from the tier's thresholds to an action group.
 *
 * Metric alerts have no P95 and no ratio of two metrics (the latency metric
 * alert uses the average backend last-byte time, the 5xx alert counts errors);
 * the guide's composite health score is computed where Azure Monitor can: a log
 * search alert over the workspace (`healthScoreQuery`) with the same components
 * and weights as on AWS: P95 response time and error rate from the gateways'
 * access logs, CPU from the scale sets' metrics, the MCP probe's last results
 * for staleness (missing probe results count as critical).
 */
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MonitorMetricAlert, MonitorMetricAlertCriteria } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { Construct } from 'constructs';
import { AvailabilityTier, COMPOSITE_HEALTH_SCORE, TierOverrides, TierProfile, resolveTier } from '../core/tiers';
import { validatorFor } from './validation';

/** Where alerts go: an existing action group, or a new one mailing these addresses. */
export interface McpAlarmTopic {
  /**
   * An existing action group's id (its receivers get every alert).
   * @default - a new action group
   */
  readonly actionGroupId?: string;
  /**
   * Addresses of a new action group (also the Key Vaults' certificate contacts).
   * @default - no receiver: alerts fire and show in the portal, nobody is notified
   */
  readonly emails?: string[];
}

/** The resources of one region to watch. */
export interface MonitoredRegion {
  /** The region (alert names carry it). */
  readonly region: string;
  /** The region's Application Gateway (unhealthy hosts, 5xx, response time; access logs for the health score). */
  readonly gatewayId: string;
  /** The region's scale set (CPU). */
  readonly scaleSetId: string;
  /**
   * The region's Managed Redis (its metrics go to the workspace).
   * @default - no cache to watch
   */
  readonly cacheId?: string;
}

/** Props of `McpMonitoring`: the workspace, the alerts and the composite health score of a service. */
export interface McpMonitoringProps {
  /** The resource group the resources are created in. */
  readonly resourceGroupName: string;
  /** The region of the workspace and the action group. */
  readonly location: string;
  /**
   * The availability tier: its alarm thresholds.
   * @default AvailabilityTier.BUSINESS_CRITICAL
   */
  readonly tier?: AvailabilityTier;
  /**
   * Changes to the tier's defaults.
   * @default - the tier's values unchanged
   */
  readonly tierOverrides?: TierOverrides;
  /** The regions to watch. */
  readonly regions: MonitoredRegion[];
  /**
   * Where alerts go: an existing action group, or e-mail addresses for a new one.
   * @default - a new action group without receivers: alerts fire and show in the portal, nobody is notified
   */
  readonly alarmTopic?: McpAlarmTopic;
  /** True when the MCP probe writes availability results to the workspace (the staleness component). @default false */
  readonly mcpProbe?: boolean;
  /** The health-score alert fires below this score (0-100). @default 70 */
  readonly healthScoreThreshold?: number;
}

/** CPU where the resources component starts to drop: 25 points below the guide's critical value (as on AWS). */
const RESOURCE_RAMP_POINTS = 25;

/**
 * The composite health score (0-100) as KQL over the service's workspace, the last
 * five minutes: response time 40 % (P95 of the gateways' TimeTaken, 1 at <= 100 ms,
 * 0 at >= 500 ms; no requests scores 1), error rate 30 % (5xx / requests; 1 at
 * <= 0.1 %, 0 at >= 2 %), resources 20 % (average scale-set CPU; 1 at <= 70 %, 0 at
 * >= 95 %), staleness 10 % (the MCP probe's worst result of the last 10 minutes; no
 * result counts as 0). Without the MCP probe the staleness weight is left out.
 */
function healthScoreQuery(withProbe: boolean): string {
  const h = COMPOSITE_HEALTH_SCORE;
  const ramp = (value: string, good: number, bad: number) => `max_of(0.0, min_of(1.0, (${bad}.0 - ${value}) / ${bad - good}.0))`;
  const cpuGood = h.resources.criticalCpuPercent - RESOURCE_RAMP_POINTS;
  const weights = h.responseTime.weightPercent + h.errorRate.weightPercent + h.resources.weightPercent + (withProbe ? h.staleness.weightPercent : 0);
  return [
    'let p95 = toscalar(AGWAccessLogs | where TimeGenerated > ago(5m) | summarize percentile(TimeTaken, 95) * 1000.0);',
    'let err = toscalar(AGWAccessLogs | where TimeGenerated > ago(5m) | summarize 100.0 * countif(HttpStatus >= 500) / count());',
    'let cpu = toscalar(AzureMetrics | where TimeGenerated > ago(5m) and MetricName == "Percentage CPU" | summarize avg(Average));',
    ...(withProbe ? ['let ok = toscalar(AppAvailabilityResults | where TimeGenerated > ago(10m) | summarize min(toint(Success)));'] : []),
    `print rt = iff(isnull(p95), 1.0, ${ramp('p95', h.responseTime.targetMs, h.responseTime.criticalMs)}),`,
    `  er = iff(isnull(err), 1.0, max_of(0.0, min_of(1.0, (${h.errorRate.criticalPercent} - err) / ${h.errorRate.criticalPercent - h.errorRate.targetPercent}))),`,
    `  res = iff(isnull(cpu), 1.0, ${ramp('cpu', cpuGood, h.resources.criticalCpuPercent)})${withProbe ? ',' : ''}`,
    ...(withProbe ? ['  st = iff(isnull(ok), 0.0, todouble(ok))'] : []),
    `| extend score = 100.0 * (${h.responseTime.weightPercent} * rt + ${h.errorRate.weightPercent} * er + ${h.resources.weightPercent} * res`
      + `${withProbe ? ` + ${h.staleness.weightPercent} * st` : ''}) / ${weights}`,
  ].join('\n');
}

/** Azure metric alert windows: the smallest allowed window of at least `minutes`. */
function alertWindow(minutes: number): string {
  const allowed: [number, string][] = [[1, 'PT1M'], [5, 'PT5M'], [15, 'PT15M'], [30, 'PT30M'], [60, 'PT1H'], [360, 'PT6H'], [720, 'PT12H'], [1440, 'P1D']];
  return (allowed.find(([m]) => m >= minutes) ?? allowed[allowed.length - 1])[1];
}

/** The service's Log Analytics workspace, its metric alerts and the composite health-score alert. */
export class McpMonitoring extends Construct {
  /** The Log Analytics workspace every diagnostic setting writes to. */
  public readonly workspace: LogAnalyticsWorkspace;
  /** The composite health score alert (log search over the workspace). */
  public readonly healthScoreAlert?: MonitorScheduledQueryRulesAlertV2;
  /** The action group every alert notifies. */
  public readonly actionGroupId: string;
  /** The metric alerts. */
  public readonly alerts: MonitorMetricAlert[] = [];
  /** The resolved tier profile the thresholds come from. */
  public readonly profile: TierProfile;

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    const v = validatorFor(this);
    this.profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    const t = props.alarmTopic;
    v.check(!(t?.actionGroupId && t.emails), 'alarmTopic', t, 'either actionGroupId or emails, not both');
    (t?.emails ?? []).forEach((e, i) => v.check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), `alarmTopic.emails[${i}]`, e, 'an e-mail address'));
    v.integerInRange('healthScoreThreshold', props.healthScoreThreshold, { min: 1, max: 100 });
    v.throwIfInvalid();
    const a = this.profile.alarms;
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };
    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      ...common, name: 'mcp-logs', sku: 'PerGB2018', retentionInDays: this.profile.tier === AvailabilityTier.STANDARD ? 30 : 90,
    });
    this.actionGroupId = t?.actionGroupId ?? new MonitorActionGroup(this, 'ActionGroup', {
      resourceGroupName: props.resourceGroupName, name: 'mcp-alerts', shortName: 'mcpalerts',
      emailReceiver: (t?.emails ?? []).map((e, i) => ({ name: `email-${i}`, emailAddress: e, useCommonAlertSchema: true })),
    }).id;

    for (const r of props.regions) {
      const diag = (sid: string, target: string, logs: boolean) => new MonitorDiagnosticSetting(this, `${sid}-${r.region}`, {
        name: 'mcp-diagnostics', targetResourceId: target, logAnalyticsWorkspaceId: this.workspace.id,
        logAnalyticsDestinationType: logs ? 'Dedicated' : undefined,
        enabledLog: logs ? [{ categoryGroup: 'allLogs' }] : undefined,
        enabledMetric: [{ category: 'AllMetrics' }],
      });
      diag('GatewayDiagnostics', r.gatewayId, true);
      diag('ScaleSetDiagnostics', r.scaleSetId, false);
      if (r.cacheId) diag('CacheDiagnostics', r.cacheId, false);

      const alert = (sid: string, scope: string, description: string, severity: number, window: string, criteria: MonitorMetricAlertCriteria) => {
        this.alerts.push(new MonitorMetricAlert(this, `${sid}-${r.region}`, {
          resourceGroupName: props.resourceGroupName, name: `mcp-${sid.toLowerCase()}-${r.region}`, scopes: [scope],
          description, severity, frequency: 'PT1M', windowSize: window, autoMitigate: true,
          criteria: [criteria], action: [{ actionGroupId: this.actionGroupId }],
        }));
      };
      const gw = 'Microsoft.Network/applicationGateways';
      alert('UnhealthyHosts', r.gatewayId, 'A backend failed the gateway probe (instance health).', 2, 'PT1M',
        { metricNamespace: gw, metricName: 'UnhealthyHostCount', aggregation: 'Maximum', operator: 'GreaterThan', threshold: 0 });
      alert('Latency', r.gatewayId, `Average backend last-byte time above the tier's P95 threshold (${a.p95LatencyMs} ms); Azure metrics have no P95.`, 2,
        alertWindow(a.latencyEvaluationMinutes),
        { metricNamespace: gw, metricName: 'BackendLastByteResponseTime', aggregation: 'Average', operator: 'GreaterThan', threshold: a.p95LatencyMs });
      alert('ServerErrors', r.gatewayId, '5xx responses from the backends (Azure metric alerts cannot compute an error rate).', 1, 'PT5M',
        { metricNamespace: gw, metricName: 'ResponseStatus', aggregation: 'Total', operator: 'GreaterThan', threshold: 0,
          dimension: [{ name: 'HttpStatusGroup', operator: 'Include', values: ['5xx'] }] });
      alert('Cpu', r.scaleSetId, `Average CPU above ${a.cpuPercent} % for ${a.cpuEvaluationMinutes} minutes.`, 2, alertWindow(a.cpuEvaluationMinutes),
        { metricNamespace: 'Microsoft.Compute/virtualMachineScaleSets', metricName: 'Percentage CPU', aggregation: 'Average', operator: 'GreaterThan', threshold: a.cpuPercent });
    }
    this.healthScoreAlert = new MonitorScheduledQueryRulesAlertV2(this, 'HealthScore', {
      resourceGroupName: props.resourceGroupName, location: props.location, name: 'mcp-health-score',
      description: 'The guide\'s composite health score (response time 40 %, error rate 30 %, resources 20 %, staleness 10 %) fell below the threshold.',
      scopes: [this.workspace.id], severity: 1, evaluationFrequency: 'PT1M', windowDuration: 'PT5M', autoMitigationEnabled: true,
      // The tables appear with the first logs: a query that cannot be validated at creation is accepted.
      skipQueryValidation: true,
      criteria: [{
        query: healthScoreQuery(props.mcpProbe ?? false), timeAggregationMethod: 'Minimum', metricMeasureColumn: 'score',
        operator: 'LessThan', threshold: props.healthScoreThreshold ?? 70,
        failingPeriods: { minimumFailingPeriodsToTriggerAlert: 1, numberOfEvaluationPeriods: 1 },
      }],
      action: { actionGroups: [this.actionGroupId] },
    });
  }
}
