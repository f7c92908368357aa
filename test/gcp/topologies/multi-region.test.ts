import { McpAuthorization } from '../../../lib/core/authorization';
import { ASSUMPTIONS } from '../../../lib/core/failover-budget';
import { PromotionAction, PromotionConfig } from '../../../lib/core/promotion';
import { HttpJson, MemorystoreApi, run } from '../../../lib/gcp/cache-promotion-handler';
import { GOOGLE_ALERT_EVALUATION_ASSUMED_SECONDS } from '../../../lib/gcp/private/switchover';
import { ScalingSchedule } from '../../../lib/core/schedule';
import { AvailabilityTier } from '../../../lib/core/tiers';
import { McpCertificate } from '../../../lib/gcp/certificate';
import { MultiRegionMcpService, MultiRegionMcpServiceProps } from '../../../lib/gcp/topologies/multi-region';
import { TrafficRouting } from '../../../lib/gcp/topologies/props';
import { Tf, envOf, errorOf, only, resourcesOf, server, summaryOf, synthJson, templatesByRegion, testStack } from '../support';

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
const backends = resourcesOf(t, 'google_compute_backend_service');
const mainBackend = Object.values(backends).find((b) => b.backend.length === regions.length);
const groupOf = (region: string) => {
  const migs = resourcesOf(t, 'google_compute_region_instance_group_manager');
  return `\${google_compute_region_instance_group_manager.${Object.keys(migs).find((k) => migs[k].region === region)}.instance_group}`;
};
const nameOf = (region: string) => `mcp-${region}.example.com`;
const policies = Object.values(resourcesOf(t, 'google_monitoring_alert_policy'));
const trigger = policies.find((p: Tf) => /switch the cache over/.test(p.display_name));
const fn = only(t, 'google_cloudfunctions2_function');
const renderedConfig = JSON.parse(fn.service_config.environment_variables.PROMOTION_CONFIG) as PromotionConfig;
const renderedMembers = JSON.parse(fn.service_config.environment_variables.PROMOTION_MEMBERS) as string[];

/**
 * What Cloud Monitoring does with the trigger's condition for one evaluation: `check_passed` per checker
 * region, counted false (REDUCE_COUNT_FALSE), compared with the threshold; no sample at all is missing data.
 */
function conditionMet(cond: Tf, passedByCheckerRegion: Record<string, boolean>): boolean | 'missing' {
  const samples = Object.values(passedByCheckerRegion);
  if (samples.length === 0) return cond.evaluation_missing_data === 'EVALUATION_MISSING_DATA_ACTIVE' ? true : 'missing';
  expect(cond.aggregations[0].cross_series_reducer).toBe('REDUCE_COUNT_FALSE');
  const failing = samples.filter((p) => !p).length;
  const compare: Record<string, (a: number, b: number) => boolean> = { COMPARISON_GT: (a, b) => a > b, COMPARISON_LT: (a, b) => a < b };
  return compare[cond.comparison](failing, cond.threshold_value);
}

describe('MultiRegionMcpService (Google Cloud)', () => {
  test('one global backend service with one regional group per region (nearest healthy region first)', () => {
    expect(mainBackend.backend.map((b: Tf) => b.group).sort()).toEqual(regions.map(groupOf).sort());
    expect(only(t, 'google_compute_url_map').default_service).toMatch(new RegExp(`^\\$\\{google_compute_backend_service\\.${Object.keys(backends).find((k) => backends[k] === mainBackend)}\\.id\\}$`));
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

  test('each region has a name of its own, served only by that region\'s group (same health check and Cloud Armor policy)', () => {
    const urlMap = only(t, 'google_compute_url_map');
    const records = Object.values(resourcesOf(t, 'google_dns_record_set'));
    for (const region of regions) {
      const rule = urlMap.host_rule.find((r: Tf) => r.hosts.includes(nameOf(region)));
      expect(rule.hosts).toEqual([nameOf(region)]);
      const matcher = urlMap.path_matcher.find((m: Tf) => m.name === rule.path_matcher);
      const key = /google_compute_backend_service\.([^.]+)\.id/.exec(matcher.default_service)![1];
      // Only this region's group: when it is down, the name fails instead of spilling to another region.
      expect(backends[key].backend.map((b: Tf) => b.group)).toEqual([groupOf(region)]);
      expect([backends[key].health_checks, backends[key].security_policy, backends[key].timeout_sec, backends[key].load_balancing_scheme])
        .toEqual([mainBackend.health_checks, mainBackend.security_policy, mainBackend.timeout_sec, 'EXTERNAL_MANAGED']);
      const record = records.find((r) => r.name === `${nameOf(region)}.`);
      expect(record.rrdatas[0]).toMatch(/google_compute_global_address\..*\.address/);
    }
    expect(urlMap.host_rule).toHaveLength(regions.length);
  });

  test('the cache switchover is automated: the trigger watches the writer region\'s own name and fires only when more than one checker region fails', () => {
    const check = Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config')).find((u) => /writer region/.test(u.display_name));
    expect(check.monitored_resource.labels.host).toBe(nameOf(regions[0]));
    expect(check.http_check.path).toBe(svc.plan.profile.healthProbe.path);
    expect(trigger.conditions[0].condition_threshold.filter).toContain(check.uptime_check_id ?? 'uptime_check_id');
    const cond = trigger.conditions[0].condition_threshold;
    // The writer region lost: every checker region fails -> incident; one flaky checker region -> none.
    expect(conditionMet(cond, { usa: false, europe: false, asia: false })).toBe(true);
    expect(conditionMet(cond, { usa: false, europe: true, asia: true })).toBe(false);
    expect(conditionMet(cond, { usa: true, europe: true, asia: true })).toBe(false);
    // No data (the checks stopped reporting) opens no incident: nothing is promoted on missing data.
    expect(conditionMet(cond, {})).toBe('missing');
    // The trigger lasts the extended-outage step.
    const extended = svc.plan.profile.escalation[svc.plan.profile.escalation.length - 1].afterSeconds;
    expect(cond.duration).toBe(`${extended}s`);
    expect(fn.location).not.toBe(regions[0]);
  });

  test('the function re-checks the writer region\'s own name and probes the other regions\' names', () => {
    expect(renderedConfig.failedRegion).toBe(regions[0]);
    expect(renderedConfig.failedRegionHealthUrl).toBe(`https://${nameOf(regions[0])}${svc.plan.profile.healthProbe.path}`);
    expect(renderedConfig.candidates.map((c) => [c.region, c.healthUrl])).toEqual(
      regions.slice(1).map((r) => [r, `https://${nameOf(r)}${svc.plan.profile.healthProbe.path}`]));
    // The candidates are the secondaries of the other regions.
    expect(renderedMembers.map((m) => m.split('/')[3])).toEqual(regions);
  });

  test('the rendered function, driven through a region loss: promotes a healthy secondary, refuses while the writer answers', async () => {
    const config = { ...renderedConfig, healthTimeoutMs: 50, recheckAttempts: 2, recheckIntervalMs: 1, completionPollMs: 1, completionTimeoutMs: 50 };
    const members = renderedMembers.map((m) => m.replace(/\$\{[^}]+\}/g, 'p'));
    const cfg = { ...config, globalReplicationGroupId: members[0], candidates: config.candidates.map((c, i) => ({ ...c, replicationGroupId: members[i + 1] })) };
    const roles: Record<string, string> = Object.fromEntries(members.map((m, i) => [m, i === 0 ? 'PRIMARY' : 'SECONDARY']));
    const patched: string[] = [];
    const api = (writerUp: boolean) => new MemorystoreApi((async (method, url) => {
      const name = url.replace(/^https:\/\/memorystore\.googleapis\.com\/v1\//, '').split('?')[0];
      if (name === members[0] && !writerUp) throw new TypeError('fetch failed');
      if (method === 'PATCH') {
        patched.push(name);
        for (const m of members) roles[m] = m === name ? 'PRIMARY' : 'SECONDARY';
        return { status: 200, json: {} };
      }
      return { status: 200, json: { state: 'ACTIVE', crossInstanceReplicationConfig: { instanceRole: roles[name] } } };
    }) as HttpJson, members);
    const health = (up: string[]) => async (url: string) => {
      if (!up.includes(new URL(url).hostname)) throw new TypeError('fetch failed');
      return { status: 200 };
    };
    const open = { incident: { state: 'open' } };
    // The writer region still answers its own name: the trigger was wrong, nothing is switched.
    const refused = await run(open, cfg, api(true), health(regions.map(nameOf)), () => undefined);
    expect(refused.action).toBe(PromotionAction.PRIMARY_ANSWERS);
    expect(patched).toEqual([]);
    // The writer region lost, the first secondary's region down too: the other healthy one is promoted.
    const promoted = await run(open, cfg, api(false), health([nameOf(regions[2])]), () => undefined);
    expect(promoted.action).toBe(PromotionAction.PROMOTED);
    expect(patched).toEqual([members[2]]);
  });

  test('write recovery is computed from the rendered promotion: check period + trigger duration + evaluation + switchover', () => {
    const check = Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config')).find((u) => /writer region/.test(u.display_name));
    const expected = Number.parseInt(check.period, 10) + Number.parseInt(trigger.conditions[0].condition_threshold.duration, 10)
      + GOOGLE_ALERT_EVALUATION_ASSUMED_SECONDS + ASSUMPTIONS.memorystoreSwitchover.seconds;
    expect(summary.writeRecoverySeconds).toBe(expected);
    expect(svc.cacheWrite!.recoveryTerms).toEqual(svc.cachePromotion!.recoveryTerms());
  });

  test('without a domain the switchover is not automated: a warning, and no write-recovery figure is promised', () => {
    const { stack: s2 } = testStack('nodomain');
    const manual = new MultiRegionMcpService(s2, 'Mcp', { ...base, regions: regions.slice(0, 2), schedule: undefined, domain: undefined, mcpProbe: false,
      authorization: McpAuthorization.oauth({ issuer: ISSUER, audience: 'https://mcp.example.com/mcp' }) });
    expect(manual.cachePromotion).toBeUndefined();
    expect(manual.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)))
      .toEqual(expect.arrayContaining([expect.stringMatching(/cachePromotion: without a domain .* stay read-only after the loss of us-east1 until you switch over by hand/)]));
    expect(manual.cacheWrite!.recoveryTerms).toEqual([]);
    expect(errorOf((x) => new MultiRegionMcpService(x, 'M', { ...base, domain: undefined, cachePromotion: true,
      authorization: McpAuthorization.oauth({ issuer: ISSUER, audience: 'https://mcp.example.com/mcp' }) })))
      .toMatch(/cachePromotion: got true; allowed: false without a domain: the promotion watches and probes each region through its own name/);
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
