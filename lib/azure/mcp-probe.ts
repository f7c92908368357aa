/**
 * The MCP-level probe: an Application Insights standard availability test that
 * POSTs an MCP `initialize` request to the service from several locations and
 * expects a 200 whose body names the server, with an alert when two or more
 * locations fail. Application Insights runs a standard test at most every
 * 300 s (300, 600 or 900): the probe's detection is minutes, stated beside the
 * budget (budget.ts `azureMcpProbeTerms`), never in it.
 *
 * With a private (Vault) CA the test cannot be given the CA to trust: its SSL
 * check is then off (it still speaks HTTPS) and the certificate's own expiry
 * warning comes from Key Vault; with a public certificate the check is on.
 */
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { ApplicationInsightsStandardWebTest } from '@cdktf/provider-azurerm/lib/application-insights-standard-web-test';
import { MonitorMetricAlert } from '@cdktf/provider-azurerm/lib/monitor-metric-alert';
import { Construct } from 'constructs';
import { AZURE_MCP_PROBE } from './budget';
import { AZURE_FACTS } from './facts';
import { validatorFor } from './validation';

export interface McpProbeProps {
  readonly resourceGroupName: string;
  readonly location: string;
  /** The Log Analytics workspace Application Insights writes to. */
  readonly workspaceId: string;
  /** `https://mcp.example.com/mcp` */
  readonly url: string;
  readonly actionGroupId: string;
  /** True when the service's certificate chains to a public root (turns the SSL check on). */
  readonly publiclyTrusted: boolean;
  /** @default 300 */
  readonly frequencySeconds?: number;
  /** Test locations (Application Insights location ids). @default - five in the US and Europe */
  readonly locations?: string[];
}

export class McpProbe extends Construct {
  public readonly test: ApplicationInsightsStandardWebTest;
  public readonly alert: MonitorMetricAlert;

  constructor(scope: Construct, id: string, props: McpProbeProps) {
    super(scope, id);
    const v = validatorFor(this);
    const frequency = props.frequencySeconds ?? AZURE_MCP_PROBE.frequencySeconds;
    v.oneOf('frequencySeconds', frequency, AZURE_FACTS.webTestFrequencies.values, AZURE_FACTS.webTestFrequencies.docUrl);
    v.check(/^https:\/\/[^\s/]+\/\S*$/.test(props.url), 'url', props.url, 'an https:// URL of the MCP endpoint');
    const locations = props.locations ?? ['us-va-ash-azr', 'us-il-ch1-azr', 'emea-nl-ams-azr', 'emea-gb-db3-azr', 'emea-fr-pra-edge'];
    v.check(locations.length >= 3, 'locations', locations, 'three or more locations: the alert fires when two fail');
    v.throwIfInvalid();
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
        expectedStatusCode: 200,
        sslCheckEnabled: props.publiclyTrusted,
        sslCertRemainingLifetime: props.publiclyTrusted ? 7 : undefined,
        content: { contentMatch: 'serverInfo', passIfTextFound: true, ignoreCase: false },
      },
    });
    this.alert = new MonitorMetricAlert(this, 'Alert', {
      resourceGroupName: props.resourceGroupName, name: 'mcp-probe-failing', scopes: [this.test.id, insights.id],
      description: 'The MCP initialize request failed from two or more locations.', severity: 1,
      frequency: 'PT1M', windowSize: 'PT5M', autoMitigate: true,
      applicationInsightsWebTestLocationAvailabilityCriteria: { webTestId: this.test.id, componentId: insights.id, failedLocationCount: 2 },
      action: [{ actionGroupId: props.actionGroupId }],
    });
  }
}
