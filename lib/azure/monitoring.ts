/**
 * Monitoring of an Azure deployment: a Log Analytics workspace; diagnostic
 * settings on every gateway (all logs, all metrics), scale set and cache
 * (metrics); metric alerts from the tier's thresholds to an action group.
 *
 * What Azure Monitor cannot compute, said rather than faked: metric alerts have
 * no P95 (the latency alert uses the average backend last-byte time against
 * the P95 threshold: it fires later than a P95 alarm would), no ratio of two
 * metrics (the 5xx alert counts errors), and no weighted composite score (the
 * guide's composite health score stays a dashboard/KQL query, docs/AZURE.md).
 */
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MonitorMetricAlert, MonitorMetricAlertCriteria } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { Construct } from 'constructs';
import { AvailabilityTier, TierOverrides, TierProfile, resolveTier } from '../core/tiers';
import { validatorFor } from './validation';

/** Where alerts go: an existing action group, or a new one mailing these addresses. */
export interface McpAlarmTopic {
  /** An existing action group's id. */
  readonly actionGroupId?: string;
  /** Addresses of a new action group. */
  readonly emails?: string[];
}

/** The resources of one region to watch. */
export interface MonitoredRegion {
  readonly region: string;
  readonly gatewayId: string;
  readonly scaleSetId: string;
  readonly cacheId?: string;
}

export interface McpMonitoringProps {
  readonly resourceGroupName: string;
  readonly location: string;
  /** @default AvailabilityTier.BUSINESS_CRITICAL */
  readonly tier?: AvailabilityTier;
  readonly tierOverrides?: TierOverrides;
  readonly regions: MonitoredRegion[];
  /** @default - a new action group without receivers (add them, or pass one) */
  readonly alarmTopic?: McpAlarmTopic;
}

/** Azure metric alert windows: the smallest allowed window of at least `minutes`. */
export function alertWindow(minutes: number): string {
  const allowed: [number, string][] = [[1, 'PT1M'], [5, 'PT5M'], [15, 'PT15M'], [30, 'PT30M'], [60, 'PT1H'], [360, 'PT6H'], [720, 'PT12H'], [1440, 'P1D']];
  return (allowed.find(([m]) => m >= minutes) ?? allowed[allowed.length - 1])[1];
}

export class McpMonitoring extends Construct {
  public readonly workspace: LogAnalyticsWorkspace;
  public readonly actionGroupId: string;
  public readonly alerts: MonitorMetricAlert[] = [];
  public readonly profile: TierProfile;

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    const v = validatorFor(this);
    this.profile = resolveTier(props.tier ?? AvailabilityTier.BUSINESS_CRITICAL, props.tierOverrides, v);
    const t = props.alarmTopic;
    v.check(!(t?.actionGroupId && t.emails), 'alarmTopic', t, 'either actionGroupId or emails, not both');
    (t?.emails ?? []).forEach((e, i) => v.check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e), `alarmTopic.emails[${i}]`, e, 'an e-mail address'));
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
  }
}
