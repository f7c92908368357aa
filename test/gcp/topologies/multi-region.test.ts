import { McpAuthorization } from '../../../lib/core/authorization';
import { ScalingSchedule } from '../../../lib/core/schedule';
import { AvailabilityTier } from '../../../lib/core/tiers';
import { McpCertificate } from '../../../lib/gcp/certificate';
import { MultiRegionMcpService, MultiRegionMcpServiceProps } from '../../../lib/gcp/topologies/multi-region';
import { TrafficRouting } from '../../../lib/gcp/topologies/props';
import { envOf, errorOf, only, resourcesOf, server, summaryOf, synthJson, templatesByRegion, testStack } from '../support';

const regions = ['us-east1', 'europe-west1', 'asia-southeast1'];
const domain = { managedZone: 'example-com', zoneName: 'example.com', recordName: 'mcp' };
const ISSUER = 'https://auth.example.com/realms/mcp';
const base: MultiRegionMcpServiceProps = {
  tier: AvailabilityTier.MISSION_CRITICAL, regions, server, capacity: { baseline: 9 },
  schedule: ScalingSchedule.guidePreset('America/New_York'),
  certificate: McpCertificate.existing({ global: ['projects/p/global/sslCertificates/mcp'] }),
  authorization: McpAuthorization.oauth({ issuer: ISSUER }), domain,
};
// GIVEN a mission-critical service in three regions behind the global load balancer (built once)
const { stack } = testStack();
const svc = new MultiRegionMcpService(stack, 'Mcp', base);
const t = synthJson(stack);
const summary = summaryOf(t);
const scalers = Object.values(resourcesOf(t, 'google_compute_region_autoscaler'));

describe('MultiRegionMcpService (Google Cloud)', () => {
  test('one global backend service with one regional group per region (nearest healthy region first)', () => {
    const bs = only(t, 'google_compute_backend_service');
    expect(bs.backend).toHaveLength(3);
    expect(Object.values(resourcesOf(t, 'google_compute_region_instance_group_manager')).map((m) => m.region).sort()).toEqual([...regions].sort());
    expect(summary).toMatchObject({ topology: 'multi-region', regions, largestTerm: 'lb-probe-detection' });
    expect(svc.budget.terms.map((x) => x.name)).toEqual(['lb-probe-detection', 'lb-probe-timeout', 'anycast-reroute']);
    expect(summary.budgetSeconds).toBeLessThanOrEqual(summary.targetSeconds);
  });

  test('when any one region is lost, the survivors\' maxima still cover the whole service\'s maximum', () => {
    const whole = Math.max(...base.schedule!.capacityFor(base.capacity.baseline, svc.plan.profile.minCapacity).map((c) => c.maxCapacity));
    for (const lost of regions) {
      const survivors = scalers.filter((a) => a.region !== lost).reduce((n, a) => n + a.autoscaling_policy.max_replicas, 0);
      expect(survivors).toBeGreaterThanOrEqual(whole);
    }
  });

  test('every region can write, or clearly refuses: the writer region writes locally; the others read their secondary and name the writer', () => {
    const tpl = templatesByRegion(t);
    const instances = resourcesOf(t, 'google_memorystore_instance');
    for (const region of regions) {
      const script = tpl[region].script;
      const instance = Object.keys(instances).find((k) => instances[k].location === region)!;
      expect(envOf(script, 'REDIS_URL')).toContain(`google_memorystore_instance.${instance}.`);
      if (region === regions[0]) {
        expect(instances[instance].cross_instance_replication_config).toBeUndefined();
        expect(envOf(script, 'CACHE_WRITE_MODE')).toBe('local');
      } else {
        expect(instances[instance].cross_instance_replication_config.instance_role).toBe('SECONDARY');
        expect(envOf(script, 'CACHE_WRITE_MODE')).toBe('read-only-unless-promoted');
        expect(envOf(script, 'CACHE_WRITER_REGION')).toBe(regions[0]);
      }
    }
  });

  test('bad inputs: one region, a duplicate, an unknown region, DNS routing', () => {
    expect(errorOf((s) => new MultiRegionMcpService(s, 'M', { ...base, regions: ['us-east1'] }))).toMatch(/regions: got \["us-east1"\]; allowed: at least two regions/);
    const msg = errorOf((s) => new MultiRegionMcpService(s, 'M', { ...base, regions: ['us-east1', 'us-east1', 'mars-north1'], routing: TrafficRouting.dns() }));
    expect(msg).toMatch(/regions: got \["us-east1","us-east1","mars-north1"\]; allowed: distinct regions/);
    expect(msg).toMatch(/regions\[2\]: got "mars-north1"; allowed: a Compute Engine region/);
    expect(msg).toMatch(/routing: got "dns"; allowed: TrafficRouting\.globalLoadBalancer\(\)/);
  });

  test('snapshot', () => {
    expect(t).toMatchSnapshot();
  });
});
