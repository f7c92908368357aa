/**
 * Alerting and a dashboard for an MCP service on Google Cloud, from the tier's
 * thresholds (the guide's failover decision matrix and scaling triggers): 5xx
 * ratio, P95 latency, fleet CPU, healthy backends, and the certificate's expiry
 * seen by the MCP uptime check. Alerts go to a Pub/Sub notification channel when
 * `alarmTopic` is given.
 */
import { MonitoringAlertPolicy, MonitoringAlertPolicyConditions } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard';
import { MonitoringNotificationChannel } from '@cdktf/provider-google/lib/monitoring-notification-channel';
import { Construct } from 'constructs';
import { AlarmThresholds } from '../core/tiers';
import { LoadBalancerScope, McpLoadBalancer } from './load-balancer';
import { McpProbe } from './mcp-probe';

/** Props of `McpMonitoring`: alert policies from the tier's thresholds and a dashboard. */
export interface McpMonitoringProps {
  /** Load balancers of the service (one per region for DNS failover, one global otherwise). */
  readonly loadBalancers: McpLoadBalancer[];
  /** Names of the managed instance groups (CPU alert and dashboard). */
  readonly instanceGroupNames: string[];
  /** Alarm thresholds (the tier's `alarms`). */
  readonly thresholds: AlarmThresholds;
  /** The MCP uptime check (certificate expiry alert). @default - no certificate expiry alert */
  readonly probe?: McpProbe;
  /** Days before expiry the certificate alert fires. @default 7 */
  readonly certificateWarningDays?: number;
  /** Pub/Sub topic (`projects/p/topics/t`) alerts are published to. @default - no channel (incidents in the console only) */
  readonly alarmTopic?: string;
  /** Prefix of the alert and dashboard names. @default 'MCP' */
  readonly displayName?: string;
}

interface LbMetrics { readonly resource: string; readonly requests: string; readonly latency: string; readonly rule: string }

function lbMetrics(lb: McpLoadBalancer): LbMetrics {
  const rule = lb.forwardingRule.name;
  return lb.scope === LoadBalancerScope.GLOBAL
    ? { resource: 'https_lb_rule', requests: 'loadbalancing.googleapis.com/https/request_count', latency: 'loadbalancing.googleapis.com/https/total_latencies', rule }
    : {
      resource: 'http_external_regional_lb_rule',
      requests: 'loadbalancing.googleapis.com/https/external/regional/request_count',
      latency: 'loadbalancing.googleapis.com/https/external/regional/total_latencies',
      rule,
    };
}

export class McpMonitoring extends Construct {
  public readonly alerts: MonitoringAlertPolicy[] = [];
  public readonly dashboard: MonitoringDashboard;
  public readonly channel?: MonitoringNotificationChannel;

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    const t = props.thresholds;
    const name = props.displayName ?? 'MCP';
    if (props.alarmTopic) {
      this.channel = new MonitoringNotificationChannel(this, 'Channel', {
        displayName: `${name} alerts`, type: 'pubsub', labels: { topic: props.alarmTopic },
      });
    }
    const channels = this.channel ? [this.channel.id] : undefined;
    const alert = (cid: string, displayName: string, conditions: MonitoringAlertPolicyConditions[], doc: string) => {
      const policy = new MonitoringAlertPolicy(this, cid, {
        displayName: `${name}: ${displayName}`,
        combiner: 'OR',
        conditions,
        notificationChannels: channels,
        documentation: { mimeType: 'text/markdown', content: doc },
        alertStrategy: { autoClose: '1800s' },
      });
      this.alerts.push(policy);
      return policy;
    };

    props.loadBalancers.forEach((lb, i) => {
      const m = lbMetrics(lb);
      const base = `resource.type="${m.resource}" AND resource.label.forwarding_rule_name="${m.rule}"`;
      alert(`ErrorRate${i}`, `5xx above ${t.errorRatePercent} %`, [{
        displayName: `5xx ratio > ${t.errorRatePercent} %`,
        conditionThreshold: {
          filter: `${base} AND metric.type="${m.requests}" AND metric.label.response_code_class=500`,
          denominatorFilter: `${base} AND metric.type="${m.requests}"`,
          aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM' }],
          denominatorAggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM' }],
          comparison: 'COMPARISON_GT',
          thresholdValue: t.errorRatePercent / 100,
          duration: '120s',
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      }], 'The guide\'s failover matrix: error rate elevation above 1 % means degraded service.');
      alert(`Latency${i}`, `P95 above ${t.p95LatencyMs} ms`, [{
        displayName: `P95 latency > ${t.p95LatencyMs} ms for ${t.latencyEvaluationMinutes} min`,
        conditionThreshold: {
          filter: `${base} AND metric.type="${m.latency}"`,
          aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_DELTA', crossSeriesReducer: 'REDUCE_PERCENTILE_95' }],
          comparison: 'COMPARISON_GT',
          thresholdValue: t.p95LatencyMs,
          duration: `${t.latencyEvaluationMinutes * 60}s`,
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      }], 'Response time P95 above the tier threshold: scale out or investigate a slow dependency.');
    });

    props.instanceGroupNames.forEach((group, i) => {
      alert(`Cpu${i}`, `CPU above ${t.cpuPercent} % (${group})`, [{
        displayName: `mean CPU > ${t.cpuPercent} % for ${t.cpuEvaluationMinutes} min`,
        conditionThreshold: {
          filter: `resource.type="gce_instance" AND metric.type="compute.googleapis.com/instance/cpu/utilization" AND metadata.system_labels.instance_group="${group}"`,
          aggregations: [{ alignmentPeriod: '60s', perSeriesAligner: 'ALIGN_MEAN', crossSeriesReducer: 'REDUCE_MEAN' }],
          comparison: 'COMPARISON_GT',
          thresholdValue: t.cpuPercent / 100,
          duration: `${t.cpuEvaluationMinutes * 60}s`,
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      }], `The autoscaler targets ${t.targetCpuPercent} %; sustained CPU above ${t.cpuPercent} % means it cannot keep up (max_replicas reached?).`);
    });

    if (props.probe) {
      const days = props.certificateWarningDays ?? 7;
      alert('CertificateExpiry', `certificate expires within ${days} days`, [{
        displayName: `time until the certificate expires < ${days} days`,
        conditionThreshold: {
          filter: `metric.type="monitoring.googleapis.com/uptime_check/time_until_ssl_cert_expires" AND resource.type="uptime_url" AND metric.label.check_id="\${${props.probe.uptimeCheck.fqn}.uptime_check_id}"`,
          aggregations: [{ alignmentPeriod: '3600s', perSeriesAligner: 'ALIGN_NEXT_OLDER', crossSeriesReducer: 'REDUCE_MIN' }],
          comparison: 'COMPARISON_LT',
          thresholdValue: days,
          duration: '0s',
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
        },
      }], 'The certificate was not renewed: run `cdktf deploy` (the Vault certificate renews on apply).');
    }

    const tiles: unknown[] = [];
    props.loadBalancers.forEach((lb) => {
      const m = lbMetrics(lb);
      const base = `resource.type="${m.resource}" AND resource.label.forwarding_rule_name="${m.rule}"`;
      tiles.push(chart(`Requests by class (${m.rule})`, `${base} AND metric.type="${m.requests}"`, 'ALIGN_RATE', 'REDUCE_SUM', ['metric.label.response_code_class']));
      tiles.push(chart(`P95 latency (${m.rule})`, `${base} AND metric.type="${m.latency}"`, 'ALIGN_DELTA', 'REDUCE_PERCENTILE_95', []));
    });
    props.instanceGroupNames.forEach((group) => tiles.push(chart(`CPU (${group})`,
      `resource.type="gce_instance" AND metric.type="compute.googleapis.com/instance/cpu/utilization" AND metadata.system_labels.instance_group="${group}"`,
      'ALIGN_MEAN', 'REDUCE_MEAN', [])));
    this.dashboard = new MonitoringDashboard(this, 'Dashboard', {
      dashboardJson: JSON.stringify({
        displayName: `${name} service`,
        gridLayout: { columns: '2', widgets: tiles },
      }),
    });
  }
}

function chart(title: string, filter: string, aligner: string, reducer: string, groupBy: string[]): unknown {
  return {
    title,
    xyChart: {
      dataSets: [{
        plotType: 'LINE',
        timeSeriesQuery: {
          timeSeriesFilter: { filter, aggregation: { alignmentPeriod: '60s', perSeriesAligner: aligner, crossSeriesReducer: reducer, groupByFields: groupBy } },
        },
      }],
    },
  };
}
