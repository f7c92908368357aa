import { AvailabilityTier } from '../../lib/core/tiers';
import { McpDnsFailover } from '../../lib/gcp/dns-failover';
import { errorOf, only, synthJson, testStack } from './support';

const zone = { managedZone: 'example-com', zoneName: 'example.com', recordName: 'mcp' };
// GIVEN a business-critical failover pair (built once)
const { stack } = testStack();
const failover = new McpDnsFailover(stack, 'Dns', {
  zone, primary: { region: 'us-east1', ipAddress: '203.0.113.10' }, backup: { region: 'us-central1', ipAddress: '203.0.113.20' },
  healthPath: '/health/ready', tier: AvailabilityTier.BUSINESS_CRITICAL,
});
const t = synthJson(stack);
const hc = only(t, 'google_compute_health_check');
const record = only(t, 'google_dns_record_set');

describe('McpDnsFailover (Cloud DNS failover routing)', () => {
  test('the primary answers while its check passes; the standby\'s address is the health-checked backup; no trickle', () => {
    expect(record).toMatchObject({ name: 'mcp.example.com.', type: 'A', ttl: 15, managed_zone: 'example-com' });
    expect(record.routing_policy.primary_backup).toEqual({
      primary: { external_endpoints: ['203.0.113.10'] },
      backup_geo: [{ location: 'us-central1', health_checked_targets: { external_endpoints: ['203.0.113.20'] } }],
      trickle_ratio: 0,
    });
    expect(record.routing_policy.health_check).toMatch(/google_compute_health_check\./);
  });

  test('external endpoints are checked from exactly 3 source regions over HTTPS, every 30 s at the fastest', () => {
    expect(hc.source_regions).toHaveLength(3);
    expect(hc.https_health_check).toEqual({ port: 443, request_path: '/health/ready', host: 'mcp.example.com' });
    expect(hc.check_interval_sec).toBeGreaterThanOrEqual(30);
    expect(hc.timeout_sec).toBeLessThanOrEqual(hc.check_interval_sec);
    expect([failover.intervalSeconds, failover.failureThreshold, failover.timeoutSeconds]).toEqual([hc.check_interval_sec, hc.unhealthy_threshold, hc.timeout_sec]);
  });

  test('a lost primary is answered with the standby after failures x 30 s: the tier\'s 10 s DNS interval cannot be rendered on Google', () => {
    expect(hc.check_interval_sec * hc.unhealthy_threshold).toBe(60);
    expect(errorOf((s) => new McpDnsFailover(s, 'D', {
      zone, primary: { region: 'us-east1', ipAddress: '1.1.1.1' }, backup: { region: 'us-east1', ipAddress: '1.1.1.2' },
      healthPath: '/health/ready', sourceRegions: ['us-east1', 'us-west1'],
      tierOverrides: { dnsHealthCheck: { requestIntervalSeconds: 10 } },
    }))).toMatch(/tierOverrides\.dnsHealthCheck\.requestIntervalSeconds: got 10; allowed: an integer from 30 to 300[\s\S]*sourceRegions: got \["us-east1","us-west1"\]; allowed: exactly 3 distinct regions[\s\S]*backup\.region: got "us-east1"; allowed: a region other than the primary's/);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});
