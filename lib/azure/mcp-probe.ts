/**
 * The MCP-level probe: an Application Insights standard availability test that
 * POSTs an MCP `initialize` request to the service from several locations and
 * expects a 200 whose body names the server, with an alert when two or more
 * locations fail. Application Insights runs a standard test at most every
 * 300 s (300, 600 or 900): the probe's detection is minutes, stated beside the
 * budget (budget.ts `azureMcpProbeTerms`), never in it.
 *
 * With authorization on (the servers check OAuth tokens), the test sends no token
 * and expects the 401 challenge instead: an availability test cannot run the
 * client-credentials grant and a token pasted into its headers would expire, so
 * it proves the gateway, a server and its token check answer on the MCP path
 * (the gateway itself never answers 401: an outage shows as 502/503/timeout).
 *
 * With a private (Vault) CA the test cannot be given the CA to trust: its SSL
 * check is then off (it still speaks HTTPS) and the certificate's own expiry
 * warning comes from Key Vault; with a public certificate the check is on.
 */
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { ApplicationInsightsStandardWebTest } from '@cdktf/provider-azurerm/lib/application-insights-standard-web-test';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { Construct } from 'constructs';
import { BudgetTerm } from '../core/failover-budget';
import { AZURE_MCP_PROBE, azureMcpProbeTerms } from './budget';
import { AZURE_FACTS } from './facts';
import { validatorFor } from './validation';

/** Props of `McpProbe`: an Application Insights standard test posting an MCP `initialize`, and its alert. */
export interface McpProbeProps {
  /** The resource group the resources are created in. */
  readonly resourceGroupName: string;
  /** The region of the Application Insights component. */
  readonly location: string;
  /** The Log Analytics workspace Application Insights writes to. */
  readonly workspaceId: string;
  /** `https://mcp.example.com/mcp` */
  readonly url: string;
  /** The action group the availability alert notifies. */
  readonly actionGroupId: string;
  /** True when the service's certificate chains to a public root (turns the SSL check on). */
  readonly publiclyTrusted: boolean;
  /**
   * Seconds between test runs from each location (Application Insights accepts 300, 600 or 900).
   * The same name on every cloud's `McpProbe`.
   * @default 300
   */
  readonly intervalSeconds?: number;
  /**
   * The servers check OAuth tokens: expect the 401 challenge (no token is sent) instead of a 200.
   * @default false
   */
  readonly expectsChallenge?: boolean;
  /** Test locations (Application Insights location ids). @default - five in the US and Europe */
  readonly locations?: string[];
}

/** The MCP-level availability test: an Application Insights standard test and its alert. */
export class McpProbe extends Construct {
  /** The standard web test. */
  public readonly test: ApplicationInsightsStandardWebTest;
  /** The availability alert. */
  public readonly alert: MonitorMetricAlert;
  /** The probe's detection terms, from the rendered test frequency and alert frequency / window. */
  public readonly detectionTerms: BudgetTerm[];
  /** The status the test expects: 401 (the challenge) with authorization on, else 200. */
  public readonly expectedStatus: number;

  constructor(scope: Construct, id: string, props: McpProbeProps) {
    super(scope, id);
    const v = validatorFor(this);
    const frequency = props.intervalSeconds ?? AZURE_MCP_PROBE.frequencySeconds;
    v.oneOf('intervalSeconds', frequency, AZURE_FACTS.webTestFrequencies.values, AZURE_FACTS.webTestFrequencies.docUrl);
    v.check(/^https:\/\/[^\s/]+\/\S*$/.test(props.url), 'url', props.url, 'an https:// URL of the MCP endpoint');
    const locations = props.locations ?? ['us-va-ash-azr', 'us-il-ch1-azr', 'emea-nl-ams-azr', 'emea-gb-db3-azr', 'emea-fr-pra-edge'];
    v.check(locations.length >= 3, 'locations', locations, 'three or more locations: the alert fires when two fail');
    v.throwIfInvalid();
    const challenge = props.expectsChallenge ?? false;
    this.expectedStatus = challenge ? 401 : 200;
    const insights = new ApplicationInsights(this, 'Insights', {
      resourceGroupName: props.resourceGroupName, location: props.location, name: 'mcp-probe', applicationType: 'other',
      workspaceId: props.workspaceId,
    });
    this.test = new ApplicationInsightsStandardWebTest(this, 'Test', {
      resourceGroupName: props.resourceGroupName, location: props.location, name: 'mcp-initialize',
      applicationInsightsId: insights.id, frequency, timeout: 30, retryEnabled: false, geoLocations: locations, enabled: true,
      request: {
        url: props.url,
        httpVerb: 'POST',
        followRedirectsEnabled: false,
        header: [
          { name: 'Content-Type', value: 'application/json' },
          { name: 'Accept', value: 'application/json, text/event-stream' },
        ],
        body: JSON.stringify({
          jsonrpc: '2.0', id: 1, method: 'initialize',
          params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'azure-availability-test', version: '1' } },
        }),
      },
      validationRules: {
        expectedStatusCode: this.expectedStatus,
        sslCheckEnabled: props.publiclyTrusted,
        sslCertRemainingLifetime: props.publiclyTrusted ? 7 : undefined,
        // The challenge's body differs between servers (RFC 6750 requires none): the status alone is checked then.
        content: challenge ? undefined : { contentMatch: 'serverInfo', passIfTextFound: true, ignoreCase: false },
      },
    });
    const alertFrequency = 'PT1M';
    const alertWindow = 'PT5M';
    this.alert = new MonitorMetricAlert(this, 'Alert', {
      resourceGroupName: props.resourceGroupName, name: 'mcp-probe-failing', scopes: [this.test.id, insights.id],
      description: `The MCP initialize request failed from two or more locations (expected HTTP ${this.expectedStatus}).`, severity: 1,
      frequency: alertFrequency, windowSize: alertWindow, autoMitigate: true,
      applicationInsightsWebTestLocationAvailabilityCriteria: { webTestId: this.test.id, componentId: insights.id, failedLocationCount: 2 },
      action: [{ actionGroupId: props.actionGroupId }],
    });
    this.detectionTerms = azureMcpProbeTerms({
      frequencySeconds: frequency, evaluationSeconds: isoMinutes(alertFrequency) * 60, windowSeconds: isoMinutes(alertWindow) * 60,
      expectsChallenge: challenge,
    });
  }
}

/** Minutes of an ISO 8601 duration of minutes or hours (`PT5M`, `PT1H`). */
function isoMinutes(duration: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (!m) throw new Error(`not a PT..H..M duration: ${duration}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}
