import { ASSUMPTIONS } from '../../../lib/core/failover-budget';
import { GOOGLE_ALERT_EVALUATION_ASSUMED_SECONDS } from '../../../lib/gcp/private/switchover';
import { McpAuthorization } from '../../../lib/core/authorization';
import { ScalingSchedule } from '../../../lib/core/schedule';
import { AvailabilityTier } from '../../../lib/core/tiers';
import { McpCertificate } from '../../../lib/gcp/certificate';
import { ActivePassiveMcpService, ActivePassiveMcpServiceProps } from '../../../lib/gcp/topologies/active-passive';
import { TrafficRouting } from '../../../lib/gcp/topologies/props';
import { envOf, errorOf, only, resourcesOf, server, summaryOf, synthJson, templatesByRegion, testStack } from '../support';

const domain = { managedZone: 'example-com', zoneName: 'example.com', recordName: 'mcp' };
const ISSUER = 'https://auth.example.com/realms/mcp';
const base: ActivePassiveMcpServiceProps = {
  tier: AvailabilityTier.BUSINESS_CRITICAL, primaryRegion: 'us-east1', standbyRegion: 'us-central1', server,
  capacity: { baseline: 4 }, schedule: ScalingSchedule.guidePreset('America/New_York'),
  certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com:8200', role: 'mcp' }), domain,
  overrides: { dnsHealthCheck: { failureThreshold: 1 } },
  authorization: McpAuthorization.oauth({ issuer: ISSUER }),
};
// GIVEN a business-critical active-passive service across two regions (built once)
const { stack } = testStack();
const svc = new ActivePassiveMcpService(stack, 'Mcp', base);
const t = synthJson(stack);
const summary = summaryOf(t);
const addresses = resourcesOf(t, 'google_compute_address');
const addressOf = (region: string) => Object.keys(addresses).find((k) => addresses[k].region === region)!;
const failoverRecord = () => Object.values(resourcesOf(t, 'google_dns_record_set')).find((r) => r.routing_policy);

describe('ActivePassiveMcpService (Google Cloud)', () => {
  test('two regional external load balancers; Cloud DNS answers the primary\'s address and fails over to the standby\'s', () => {
    const record = failoverRecord();
    expect(record.routing_policy.primary_backup.primary.external_endpoints[0]).toMatch(new RegExp(`google_compute_address\\.${addressOf('us-east1')}\\.address`));
    const backup = record.routing_policy.primary_backup.backup_geo[0];
    expect(backup.location).toBe('us-central1');
    expect(backup.health_checked_targets.external_endpoints[0]).toMatch(new RegExp(`google_compute_address\\.${addressOf('us-central1')}\\.address`));
  });

  test('the serving budget is recomputed from the rendered DNS check and record: failures x interval + timeout + aggregation + TTL', () => {
    const hc = Object.values(resourcesOf(t, 'google_compute_health_check')).find((h) => h.source_regions);
    const record = failoverRecord();
    const expected = hc.unhealthy_threshold * hc.check_interval_sec + hc.timeout_sec + ASSUMPTIONS.dnsCheckerAggregation.seconds + record.ttl;
    expect(summary.budgetSeconds).toBe(expected);
    expect(expected).toBeLessThanOrEqual(60);
    expect(svc.budget.terms.map((x) => x.name)).toEqual(['dns-probe-detection', 'dns-probe-timeout', 'dns-checker-aggregation', 'dns-ttl']);
  });

  test('the tier\'s own DNS settings cannot keep 60 s on Google (30 s checks): refused, naming the largest term', () => {
    expect(errorOf((s) => new ActivePassiveMcpService(s, 'Ap', { ...base, overrides: undefined })))
      .toMatch(/routing: got "dns"; allowed: .*now 85 s = dns-probe-detection 60 s \+ dns-probe-timeout 5 s \+ dns-checker-aggregation 5 s \+ dns-ttl 15 s \(target 60 s\)\. Largest term: dns-probe-detection/);
    expect(errorOf((s) => new ActivePassiveMcpService(s, 'Ap', { ...base, tier: AvailabilityTier.MISSION_CRITICAL })))
      .toMatch(/active-passive failover budget is at most the mission-critical target of 30 s/);
  });

  test('single writer: the standby region reads its secondary and refuses writes naming the writer until switched over', () => {
    const tpl = templatesByRegion(t);
    const instances = resourcesOf(t, 'google_memorystore_instance');
    const secondary = Object.keys(instances).find((k) => instances[k].cross_instance_replication_config)!;
    const primary = Object.keys(instances).find((k) => k !== secondary)!;
    expect(envOf(tpl['us-east1'].script, 'REDIS_URL')).toContain(`google_memorystore_instance.${primary}.`);
    expect(envOf(tpl['us-east1'].script, 'CACHE_WRITE_MODE')).toBe('local');
    expect(envOf(tpl['us-central1'].script, 'REDIS_URL')).toContain(`google_memorystore_instance.${secondary}.`);
    expect(envOf(tpl['us-central1'].script, 'CACHE_WRITE_MODE')).toBe('read-only-unless-promoted');
    expect(envOf(tpl['us-central1'].script, 'CACHE_WRITER_REGION')).toBe('us-east1');
  });

  test('write recovery is stated beside the serving RTO, from the rendered promotion: check period + trigger duration + evaluation + switchover', () => {
    const trigger = Object.values(resourcesOf(t, 'google_monitoring_alert_policy')).find((p) => /switch the cache over/.test(p.display_name));
    const check = Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config')).find((u) => /writer region/.test(u.display_name));
    const extended = svc.plan.profile.escalation[svc.plan.profile.escalation.length - 1].afterSeconds;
    expect(trigger.conditions[0].condition_threshold.duration).toBe(`${extended}s`);
    expect(summary.writeRecoverySeconds).toBe(Number.parseInt(check.period, 10) + extended
      + GOOGLE_ALERT_EVALUATION_ASSUMED_SECONDS + ASSUMPTIONS.memorystoreSwitchover.seconds);
    expect(summary).toMatchObject({ cacheWriteModel: 'single-writer', regionWriteModes: { 'us-east1': 'local', 'us-central1': 'read-only-unless-promoted' } });
  });

  test('the warm standby runs less, and can scale to the primary\'s whole maximum when traffic moves to it', () => {
    const scalers = Object.values(resourcesOf(t, 'google_compute_region_autoscaler'));
    const [p, s] = ['us-east1', 'us-central1'].map((r) => scalers.find((a) => a.region === r).autoscaling_policy);
    expect(s.min_replicas).toBeLessThanOrEqual(p.min_replicas);
    expect(svc.fleets['us-central1'].scaling.weeklyFloorInstanceHours).toBeLessThan(svc.fleets['us-east1'].scaling.weeklyFloorInstanceHours);
    expect(s.max_replicas).toBe(p.max_replicas);
    // The signal is the traffic itself: load-balancing utilization.
    expect(s.load_balancing_utilization.target).toBeGreaterThan(0);
  });

  test('each region has its own name (the promotion re-checks and probes regions by it), pointing at its own load balancer', () => {
    const records = Object.values(resourcesOf(t, 'google_dns_record_set')).filter((r) => !r.routing_policy);
    expect(records.map((r) => [r.name, r.rrdatas[0].match(/google_compute_address\.([^.]+)\./)![1]])).toEqual([
      ['mcp-us-east1.example.com.', addressOf('us-east1')], ['mcp-us-central1.example.com.', addressOf('us-central1')],
    ]);
  });

  test('the cache switchover is automated: the writer region\'s readiness failing for the extended-outage step triggers it', () => {
    expect(svc.cachePromotion!.triggerSeconds).toBe(svc.plan.profile.escalation[svc.plan.profile.escalation.length - 1].afterSeconds);
    expect(svc.cachePromotion!.config).toMatchObject({
      failedRegion: 'us-east1', failedRegionHealthUrl: 'https://mcp-us-east1.example.com/health/ready',
      candidates: [{ region: 'us-central1', healthUrl: 'https://mcp-us-central1.example.com/health/ready' }],
    });
    expect(only(t, 'google_cloudfunctions2_function').location).toBe('us-central1');
  });

  test('bad inputs: same region twice, anycast routing, no domain', () => {
    const msg = errorOf((s) => new ActivePassiveMcpService(s, 'Ap', {
      ...base, standbyRegion: 'us-east1', routing: TrafficRouting.globalLoadBalancer(), domain: undefined as never, standbyCapacityPercent: 0,
    }));
    expect(msg).toMatch(/standbyRegion: got "us-east1"; allowed: a region other than primaryRegion/);
    expect(msg).toMatch(/routing: got "anycast"; allowed: TrafficRouting\.dns\(\): Google's global load balancer sends each request to the nearest healthy region/);
    expect(msg).toMatch(/domain: got undefined; allowed: a Cloud DNS zone/);
    expect(msg).toMatch(/standbyCapacityPercent: got 0; allowed: an integer from 1 to 100/);
  });

  test('snapshot', () => {
    expect(t).toMatchSnapshot();
  });
});
