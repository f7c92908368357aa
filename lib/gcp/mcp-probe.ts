/**
 * The MCP-level probe on Google Cloud: a Cloud Monitoring uptime check that POSTs
 * an MCP `initialize` request to the public endpoint from several checker regions
 * and passes only when the answer carries `"protocolVersion"` (a server that
 * answers HTTP health checks but fails MCP fails here), with an alert policy.
 *
 * Google's uptime checks run every 60, 300, 600 or 900 s
 * (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.uptimeCheckConfigs,
 * `period`); the fastest, 60 s, is in the MCP-level detection budget below, with
 * the alert's alignment period and duration. Cloud DNS routing policies cannot
 * follow an alert (they follow health checks only), so on Google an MCP-level
 * failure alerts; it does not move traffic.
 *
 * With authorization on (the servers check OAuth tokens) the check sends no token
 * and passes only on the servers' 401 challenge: an uptime check cannot run the
 * client-credentials grant and a token pasted into its headers would expire. It then
 * proves the load balancer, a server and its token check answer on the MCP path.
 */
import { DataGoogleClientConfig } from '@cdktf/provider-google/lib/data-google-client-config';
import { MonitoringAlertPolicy } from '@cdktf/provider-google/lib/monitoring-alert-policy';
import { MonitoringUptimeCheckConfig } from '@cdktf/provider-google/lib/monitoring-uptime-check-config';
import { Construct } from 'constructs';
import { BudgetTerm, TermSource } from '../core/failover-budget';
import { McpServerSource } from '../core/server-source';
import { validatorFor } from './validation';

/** Uptime check periods Google accepts, in seconds. */
export const UPTIME_CHECK_PERIODS: readonly number[] = [60, 300, 600, 900];
export const UPTIME_CHECK_DOC = 'https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.uptimeCheckConfigs';
/** Cloud Monitoring alert evaluation: assumed delay between a failed period and the incident (undocumented). */
export const ALERT_EVALUATION_ASSUMED_SECONDS = 60;

/** The JSON-RPC `initialize` request the probe sends (MCP 2025-06-18). */
export const MCP_INITIALIZE_BODY = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-ha-uptime-check', version: '1' } },
});

/** Props of `McpProbe`: an MCP-level uptime check of the service's name with its alert. */
export interface McpProbeProps {
  /** Host name the check calls (the service's public name). */
  readonly host: string;
  /** The server (its MCP path). */
  readonly server: McpServerSource;
  /** Seconds between two checks from each checker region (60, 300, 600 or 900); the same name on every cloud's `McpProbe`. @default 60 (Google's fastest) */
  readonly intervalSeconds?: number;
  /** Seconds a check waits for the answer before it fails. @default 10 */
  readonly timeoutSeconds?: number;
  /** Validate the certificate (false for a private CA: uptime checks cannot be given one). @default true */
  readonly validateSsl?: boolean;
  /** Notification channels of the alert. @default - none (the incident shows in the console) */
  readonly notificationChannels?: string[];
  /** Headers sent with the request (e.g. a probe token); masked in the console. @default - none */
  readonly headers?: Record<string, string>;
  /** Name shown in Cloud Monitoring. @default `MCP <host>` */
  readonly displayName?: string;
  /** Project of the uptime check and its alert. @default - the provider's project */
  readonly project?: string;
  /**
   * The servers check OAuth tokens: the check sends no token and passes only on the 401
   * challenge (uptime checks cannot obtain a token; a static bearer header would expire).
   * @default false (the check expects a 2xx whose body carries "protocolVersion")
   */
  readonly expectsChallenge?: boolean;
}

export class McpProbe extends Construct {
  public readonly uptimeCheck: MonitoringUptimeCheckConfig;
  public readonly alert: MonitoringAlertPolicy;
  /** Seconds between two checks from each checker region. */
  public readonly intervalSeconds: number;
  /** Alert alignment period and duration as rendered. */
  public readonly alertAlignmentSeconds: number;
  public readonly alertDurationSeconds: number;
  public readonly validateSsl: boolean;
  /** True when the check expects the 401 challenge (authorization on) instead of an `initialize` result. */
  public readonly expectsChallenge: boolean;

  constructor(scope: Construct, id: string, props: McpProbeProps) {
    super(scope, id);
    const v = validatorFor(this);
    const period = props.intervalSeconds ?? 60;
    v.oneOf('intervalSeconds', period, UPTIME_CHECK_PERIODS, UPTIME_CHECK_DOC);
    const timeout = props.timeoutSeconds ?? 10;
    v.integerInRange('timeoutSeconds', timeout, { min: 1, max: 60 }, UPTIME_CHECK_DOC);
    v.throwIfInvalid();
    this.intervalSeconds = period;
    this.validateSsl = props.validateSsl ?? true;
    this.expectsChallenge = props.expectsChallenge ?? false;
    this.alertAlignmentSeconds = period;
    this.alertDurationSeconds = period;
    const name = props.displayName ?? `MCP ${props.host}`;

    this.uptimeCheck = new MonitoringUptimeCheckConfig(this, 'Check', {
      displayName: `${name} initialize`,
      period: `${period}s`,
      timeout: `${timeout}s`,
      monitoredResource: { type: 'uptime_url', labels: { host: props.host, project_id: props.project ?? new DataGoogleClientConfig(this, 'Client').project } },
      httpCheck: {
        requestMethod: 'POST',
        path: props.server.mcpPath,
        port: 443,
        useSsl: true,
        validateSsl: this.validateSsl,
        contentType: 'USER_PROVIDED',
        customContentType: 'application/json',
        // "As with all bytes fields JSON representations are base64 encoded."
        body: Buffer.from(MCP_INITIALIZE_BODY).toString('base64'),
        headers: { Accept: 'application/json, text/event-stream', ...(props.headers ?? {}) },
        maskHeaders: props.headers !== undefined,
        // With authorization on: only the servers' 401 passes (the load balancer and Cloud Armor never answer 401;
        // an outage is a 502, 503 or a timeout). Uptime checks validate the status and the body, not response
        // headers (https://cloud.google.com/monitoring/uptime-checks/response-validation): the WWW-Authenticate
        // challenge itself is not asserted here.
        acceptedResponseStatusCodes: this.expectsChallenge ? [{ statusValue: 401 }] : [{ statusClass: 'STATUS_CLASS_2XX' }],
      },
      contentMatchers: this.expectsChallenge ? undefined : [{ content: '"protocolVersion"', matcher: 'CONTAINS_STRING' }],
      checkerType: 'STATIC_IP_CHECKERS',
    });

    this.alert = new MonitoringAlertPolicy(this, 'Alert', {
      displayName: `${name}: MCP initialize failing`,
      combiner: 'OR',
      severity: 'CRITICAL',
      conditions: [{
        displayName: 'initialize fails from more than one checker region',
        conditionThreshold: {
          filter: `metric.type="monitoring.googleapis.com/uptime_check/check_passed" AND resource.type="uptime_url" AND metric.label.check_id="\${${this.uptimeCheck.fqn}.uptime_check_id}"`,
          comparison: 'COMPARISON_GT',
          thresholdValue: 1,
          duration: `${this.alertDurationSeconds}s`,
          aggregations: [{
            alignmentPeriod: `${this.alertAlignmentSeconds}s`,
            perSeriesAligner: 'ALIGN_NEXT_OLDER',
            crossSeriesReducer: 'REDUCE_COUNT_FALSE',
            groupByFields: ['resource.label.*'],
          }],
          // A probe that stops reporting is not an outage: no incident (and nothing acts) on missing data.
          evaluationMissingData: 'EVALUATION_MISSING_DATA_INACTIVE',
          trigger: { count: 1 },
        },
      }],
      notificationChannels: props.notificationChannels,
      documentation: {
        mimeType: 'text/markdown',
        content: `The MCP endpoint of ${props.host} does not answer \`initialize\` with a protocol version from more than one region. `
          + 'Check the servers\' logs and the cache; HTTP health checks may still pass.',
      },
      alertStrategy: { autoClose: '1800s' },
    });
  }

  /** What the check proves, in the words the budget and the summary print. */
  public get checks(): string {
    return this.expectsChallenge
      ? 'it POSTs an MCP initialize without a token and expects the 401 challenge: an uptime check cannot obtain an OAuth token '
        + '(no client-credentials grant; a static bearer header would expire), so it proves the load balancer, a server and its token '
        + 'check answer on the MCP path, not that a tool call succeeds'
      : 'it POSTs an MCP initialize and expects a 2xx whose body carries "protocolVersion"';
  }

  /** The MCP-level detection terms (reported beside the serving budget, not part of it). */
  public budgetTerms(): BudgetTerm[] {
    return [
      { name: 'mcp-uptime-period', seconds: this.intervalSeconds, source: TermSource.RENDERED,
        detail: `the uptime check runs every ${this.intervalSeconds} s from each checker region (Google's fastest period is 60 s, ${UPTIME_CHECK_DOC}); ${this.checks}` },
      { name: 'mcp-alert-duration', seconds: this.alertAlignmentSeconds + this.alertDurationSeconds, source: TermSource.RENDERED,
        detail: `the alert aligns ${this.alertAlignmentSeconds} s periods and needs the failure to last ${this.alertDurationSeconds} s` },
      { name: 'mcp-alert-evaluation', seconds: ALERT_EVALUATION_ASSUMED_SECONDS, source: TermSource.ASSUMED,
        detail: 'Cloud Monitoring documents no delay between the data and the incident: assumed 60 s',
        docUrl: 'https://cloud.google.com/monitoring/alerts/concepts-indepth' },
    ];
  }
}
