import { AvailabilityTier, resolveTier } from '../../lib/core/tiers';
import { LoadBalancerScope, McpLoadBalancer } from '../../lib/gcp/load-balancer';
import { MCP_INITIALIZE_BODY, McpProbe } from '../../lib/gcp/mcp-probe';
import { McpMonitoring } from '../../lib/gcp/monitoring';
import { McpNetwork } from '../../lib/gcp/network';
import { CERT, errorOf, only, resourcesOf, server, synthJson, testStack, Tf } from './support';

// GIVEN the MCP probe of mcp.example.com (private CA) and monitoring of a global and a regional load balancer (built once)
const { stack } = testStack();
const network = new McpNetwork(stack, 'Net', { regions: ['us-east1'], serverPort: 8080, regionalLoadBalancerRegions: ['us-east1'] });
const global = new McpLoadBalancer(stack, 'G', { network, server, sslCertificates: [CERT] });
const regional = new McpLoadBalancer(stack, 'R', { network, server, sslCertificates: [CERT], scope: LoadBalancerScope.REGIONAL, region: 'us-east1' });
const probe = new McpProbe(stack, 'Probe', { host: 'mcp.example.com', server, validateSsl: false, project: 'p' });
const thresholds = resolveTier(AvailabilityTier.BUSINESS_CRITICAL).alarms;
const monitoring = new McpMonitoring(stack, 'Mon', {
  loadBalancers: [global, regional], instanceGroupNames: ['mcp-mig'], thresholds, probe, alarmTopic: 'projects/p/topics/alerts',
});
const t = synthJson(stack);
const policies = Object.values(resourcesOf(t, 'google_monitoring_alert_policy'));
const conditionOf = (name: RegExp) => policies.find((p) => name.test(p.display_name)).conditions[0].condition_threshold;

describe('McpProbe (MCP-level uptime check)', () => {
  const check = only(t, 'google_monitoring_uptime_check_config');

  test('POSTs an MCP initialize to the MCP path and passes only on a protocol version', () => {
    expect(check.http_check).toMatchObject({ request_method: 'POST', path: '/mcp', port: 443, use_ssl: true, custom_content_type: 'application/json' });
    expect(JSON.parse(Buffer.from(check.http_check.body, 'base64').toString())).toEqual(JSON.parse(MCP_INITIALIZE_BODY));
    expect(check.content_matchers).toEqual([{ content: '"protocolVersion"', matcher: 'CONTAINS_STRING' }]);
  });

  test('a private CA cannot be given to an uptime check: it does not validate, and says why (validateSsl false)', () => {
    expect(check.http_check.validate_ssl).toBe(false);
  });

  test('every 60 s (Google\'s fastest); the MCP-level detection budget is built from the rendered period and alert', () => {
    expect(check.period).toBe('60s');
    const terms = probe.budgetTerms();
    const alert = conditionOf(/MCP initialize failing/);
    expect(terms.map((x) => [x.name, x.seconds])).toEqual([
      ['mcp-uptime-period', Number.parseInt(check.period, 10)],
      ['mcp-alert-duration', Number.parseInt(alert.aggregations[0].alignment_period, 10) + Number.parseInt(alert.duration, 10)],
      ['mcp-alert-evaluation', 60],
    ]);
  });

  test('a probe that stops reporting raises no incident (missing data is not an outage); more than one failing region does', () => {
    const alert = conditionOf(/MCP initialize failing/);
    expect(alert.evaluation_missing_data).toBe('EVALUATION_MISSING_DATA_INACTIVE');
    expect(alert).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 1 });
    expect(alert.aggregations[0].cross_series_reducer).toBe('REDUCE_COUNT_FALSE');
  });

  test('a period Google does not offer is refused', () => {
    expect(errorOf((s) => new McpProbe(s, 'P', { host: 'h.example.com', server, intervalSeconds: 30 })))
      .toMatch(/intervalSeconds: got 30; allowed: one of 60, 300, 600, 900/);
    const t = testStack('interval');
    const probe = new McpProbe(t.stack, 'P5', { host: 'h.example.com', server, intervalSeconds: 300 });
    const check = only(synthJson(t.stack), 'google_monitoring_uptime_check_config');
    expect(check.period).toBe('300s');
    expect(probe.budgetTerms()[0]).toMatchObject({ name: 'mcp-uptime-period', seconds: 300 });
    // Left unset, the certificate is validated (a publicly trusted certificate is the default).
    expect([probe.validateSsl, check.http_check.validate_ssl]).toEqual([true, true]);
  });
});

describe('McpMonitoring', () => {
  test('5xx ratio above the tier\'s error rate, on each load balancer\'s own metric', () => {
    const c = conditionOf(/5xx above 1 %/);
    expect(c.threshold_value).toBe(thresholds.errorRatePercent / 100);
    expect(c.filter).toMatch(/response_code_class=500/);
    expect(c.denominator_filter).not.toMatch(/response_code_class/);
    const filters = policies.filter((p) => /5xx/.test(p.display_name)).map((p) => p.conditions[0].condition_threshold.filter);
    expect(filters[0]).toMatch(/resource\.type="https_lb_rule".*loadbalancing\.googleapis\.com\/https\/request_count/);
    expect(filters[1]).toMatch(/resource\.type="http_external_regional_lb_rule".*https\/external\/regional\/request_count/);
  });

  test('P95 latency and CPU from the tier, sustained for the tier\'s minutes', () => {
    const lat = conditionOf(/P95 above/);
    expect([lat.threshold_value, lat.duration]).toEqual([thresholds.p95LatencyMs, `${thresholds.latencyEvaluationMinutes * 60}s`]);
    const cpu = conditionOf(/CPU above/);
    expect([cpu.threshold_value, cpu.duration]).toEqual([thresholds.cpuPercent / 100, `${thresholds.cpuEvaluationMinutes * 60}s`]);
  });

  test('the certificate expiry warning reads the uptime check\'s certificate metric', () => {
    const c = conditionOf(/certificate expires within 7 days/);
    expect(c.filter).toMatch(/uptime_check\/time_until_ssl_cert_expires/);
    expect([c.comparison, c.threshold_value]).toEqual(['COMPARISON_LT', 7]);
  });

  test('alerts go to the Pub/Sub channel; a dashboard shows traffic, latency and CPU', () => {
    expect(only(t, 'google_monitoring_notification_channel')).toMatchObject({ type: 'pubsub', labels: { topic: 'projects/p/topics/alerts' } });
    for (const a of monitoring.alerts) expect(a).toBeTruthy();
    const dashboard = JSON.parse(only(t, 'google_monitoring_dashboard').dashboard_json);
    expect(dashboard.gridLayout.widgets.map((w: Tf) => w.title.split(' (')[0])).toEqual(['Requests by class', 'P95 latency', 'Requests by class', 'P95 latency', 'CPU']);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});
