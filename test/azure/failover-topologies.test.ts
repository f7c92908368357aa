/**
 * Active-passive (Traffic Manager) and multi-region (Front Door), each
 * synthesized once. Failover paths are simulated on the rendered rules: the
 * lost region's signal fires the standby / survivor scale-up to the capacity
 * the schedule runs at that hour; missing data never fires it; every region
 * writes to its own geo-replicated member.
 */
import { AzureActivePassiveMcpService } from '../../lib/azure/topologies/active-passive';
import { AzureMultiRegionMcpService } from '../../lib/azure/topologies/multi-region';
import { TrafficRouting } from '../../lib/azure/topologies/props';
import { McpCertificate } from '../../lib/azure/certificate';
import { CacheWriteEnv, CacheWriteModel, RegionWriteMode } from '../../lib/core/cache-write-model';
import { ScalingSchedule } from '../../lib/core/schedule';
import { AvailabilityTier, resolveTier } from '../../lib/core/tiers';
import { AUTH, ISSUER, SERVER, SSH_KEY, VAULT_CERT, only, resources, stack, synth } from './support';
import { MetricWorld, RenderedProfile, RenderedRule, bootScripts, containerEnv, profilesOf, ruleFires, settle } from './semantics';

const isCpu = (r: RenderedRule) => r.metric_trigger.metric_name === 'Percentage CPU';
const scaleUpRule = (p: RenderedProfile) => p.rule.find((r) => !isCpu(r) && r.scale_action.direction === 'Increase')!;
/** The lost deployment's signal and the fleet's own CPU, minute by minute. */
const world = (signal: readonly (number | undefined)[], cpu: readonly number[]): MetricWorld => (r) => (isCpu(r) ? cpu : signal);
/** CPU series from the rendered CPU rules: idle (below the scale-in threshold) and busy (between both thresholds). */
function cpuLevels(p: RenderedProfile): { idle: number[]; busy: number[] } {
  const scaleIn = p.rule.find((r) => isCpu(r) && r.scale_action.direction === 'Decrease')!.metric_trigger.threshold;
  const scaleOut = p.rule.find((r) => isCpu(r) && r.scale_action.direction === 'Increase')!.metric_trigger.threshold;
  return { idle: Array(10).fill(scaleIn - 1), busy: Array(10).fill((scaleIn + scaleOut) / 2) };
}
const FIVE = (v: number | undefined) => Array(5).fill(v) as (number | undefined)[];

const common = {
  server: SERVER, capacity: { baseline: 4 }, schedule: ScalingSchedule.guidePreset('America/New_York'),
  domain: { zoneName: 'example.com', recordName: 'mcp' }, namePrefix: 'acme', sshPublicKey: SSH_KEY, authorization: AUTH,
};

describe('active-passive behind Traffic Manager (business-critical)', () => {
  const s = stack();
  const service = new AzureActivePassiveMcpService(s, 'AP', { ...common, certificate: VAULT_CERT, primaryRegion: 'eastus2', standbyRegion: 'centralus' });
  const tf = synth(s);
  const tier = resolveTier(AvailabilityTier.BUSINESS_CRITICAL);
  const tm = only(tf, 'azurerm_traffic_manager_profile');
  const monitor = tm.monitor_config as Record<string, unknown>;

  test('priority routing, the primary first, HTTPS on the region-health path with the service host', () => {
    expect(tm.traffic_routing_method).toBe('Priority');
    const endpoints = Object.values(resources(tf, 'azurerm_traffic_manager_azure_endpoint')).map((e) => [e.name, e.priority, e.always_serve_enabled]);
    expect(endpoints.sort((a, b) => Number(a[1]) - Number(b[1]))).toEqual([['eastus2', 1, false], ['centralus', 2, false]]);
    expect(monitor).toMatchObject({ protocol: 'HTTPS', port: 443, path: '/health/ready', expected_status_code_ranges: ['200-200'] });
    expect(monitor.custom_header).toEqual([{ name: 'host', value: 'mcp.example.com' }]);
  });

  test('a 10 s interval renders an explicit timeout of 5-9 s (the provider\'s default, 10 s, is refused there)', () => {
    expect(monitor.interval_in_seconds).toBe(10);
    expect(monitor.timeout_in_seconds).toBeGreaterThanOrEqual(5);
    expect(monitor.timeout_in_seconds).toBeLessThanOrEqual(9);
    expect(monitor.tolerated_number_of_failures).toBe(tier.dnsHealthCheck.failureThreshold - 1);
    expect(tm.dns_config).toMatchObject({ ttl: tier.recordTtlSeconds });
  });

  test('the budget recomputed from the rendered Traffic Manager values equals the plan\'s and meets the target', () => {
    const m = monitor as { interval_in_seconds: number; timeout_in_seconds: number; tolerated_number_of_failures: number };
    const rendered = (m.tolerated_number_of_failures + 1) * m.interval_in_seconds + m.timeout_in_seconds
      + 5 /* assumed propagation */ + (tm.dns_config as { ttl: number }).ttl;
    expect(service.plan.budget.totalSeconds).toBe(rendered);
    expect(rendered).toBeLessThanOrEqual(tier.targets.activePassiveRtoSeconds);
  });

  test('the standby runs at the tier floor and scales to the primary\'s capacity of that hour when the primary\'s endpoint is down', () => {
    const primary = profilesOf(tf, 'AP_Primary_Scaling');
    const standby = profilesOf(tf, 'AP_Standby_Scaling');
    expect(standby.map((p) => p.name)).toEqual(primary.map((p) => p.name));
    standby.forEach((p, i) => {
      expect(p.capacity.minimum).toBe(tier.minCapacity);
      const rule = scaleUpRule(p);
      expect(rule.metric_trigger.dimensions).toEqual([{ name: 'EndpointName', operator: 'Equals', values: ['eastus2'] }]);
      expect(rule.metric_trigger.metric_resource_id).toMatch(/azurerm_traffic_manager_profile\./);
      // Primary down (endpoint state 0 for the whole window): the rule fires, to the primary's minimum at this hour.
      expect(ruleFires(rule, [0, 0, 0, 0, 0])).toBe(true);
      expect(rule.scale_action).toMatchObject({ direction: 'Increase', value: primary[i].capacity.minimum });
      expect(p.capacity.maximum).toBeGreaterThanOrEqual(rule.scale_action.value);
      // Healthy, flapping back, or no data (a missed evaluation): no scale-up.
      expect(ruleFires(rule, [1, 1, 1, 1, 1])).toBe(false);
      expect(ruleFires(rule, [0, 0, 1, 0, 0])).toBe(false);
      expect(ruleFires(rule, [undefined, undefined])).toBe(false);
    });
    // The primary has no rule scaling it on its own loss.
    expect(primary.every((p) => p.rule.every((r) => isCpu(r)))).toBe(true);
  });

  test('simulated: primary lost -> the standby serves at the primary\'s capacity; failback -> back to its floor, only once the primary was up a whole window and the standby is idle', () => {
    const primary = profilesOf(tf, 'AP_Primary_Scaling');
    profilesOf(tf, 'AP_Standby_Scaling').forEach((p, i) => {
      const floor = p.capacity.minimum;
      const serving = Math.max(floor, primary[i].capacity.minimum);
      const { idle, busy } = cpuLevels(p);
      expect(serving).toBeGreaterThan(floor);
      // The primary's endpoint is down for a whole window: the standby scales to the primary's capacity and stays there
      // while the outage lasts, even idle (the scale-in needs every scale-in rule, the reverse one included).
      const failed = settle(p, floor, world(FIVE(0), idle));
      expect(failed[failed.length - 1]).toBe(serving);
      // Failback, but the primary is not yet up for the whole window (one bad probe): nothing is taken away.
      expect(settle(p, serving, world([1, 1, 0, 1, 1], idle))).toEqual([serving]);
      // The primary is up, but the standby still carries traffic (CPU between the thresholds): kept.
      expect(settle(p, serving, world(FIVE(1), busy))).toEqual([serving]);
      // The primary's signal stops reporting (no data): missing data is not a failback, nothing is scaled in.
      expect(settle(p, serving, world(FIVE(undefined), idle))).toEqual([serving]);
      // The primary up for the whole window and the standby idle: back to the floor, never below it.
      const back = settle(p, serving, world(FIVE(1), idle));
      expect(back[back.length - 1]).toBe(floor);
      expect(Math.min(...back)).toBe(floor);
    });
  });

  test('both regions write to their own member of one geo-replication group (multi-writer)', () => {
    expect(service.plan.writePlan!.model).toBe(CacheWriteModel.MULTI_WRITER);
    const redis = resources(tf, 'azurerm_managed_redis');
    const groups = Object.values(redis).map((r) => (r.default_database as { geo_replication_group_name: string }).geo_replication_group_name);
    expect(new Set(groups)).toEqual(new Set(['acme-mcp']));
    // The link joins the standby's member to the primary's: every member of the group is linked.
    const link = only(tf, 'azurerm_managed_redis_geo_replication');
    expect(link.managed_redis_id).toMatch(/^\$\{azurerm_managed_redis\.AP_Primary_Cache_Redis_\w+\.id\}$/);
    expect(link.linked_managed_redis_ids).toEqual([expect.stringMatching(/^\$\{azurerm_managed_redis\.AP_Standby_Cache_Redis_\w+\.id\}$/)]);
    for (const [id, script] of Object.entries(bootScripts(tf))) {
      const env = containerEnv(script);
      const region = id.includes('Primary') ? 'Primary' : 'Standby';
      expect(env[CacheWriteEnv.MODE]).toBe(RegionWriteMode.LOCAL);
      expect(env[CacheWriteEnv.MODEL]).toBe(CacheWriteModel.MULTI_WRITER);
      // The write endpoint is this region's own member: writable under the multi-writer model.
      expect(env.REDIS_URL).toMatch(new RegExp(`azurerm_managed_redis\\.AP_${region}_Cache_Redis_\\w+\\.hostname`));
    }
  });

  test('snapshot', () => {
    expect(tf).toMatchSnapshot();
  });
});

describe('multi-region behind Front Door (mission-critical)', () => {
  const s = stack();
  const regions = ['westeurope', 'northeurope'];
  const service = new AzureMultiRegionMcpService(s, 'MR', {
    ...common, tier: AvailabilityTier.MISSION_CRITICAL, regions, routing: TrafficRouting.frontDoor(),
    certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp', publiclyTrusted: true }),
  });
  const tf = synth(s);
  const tier = resolveTier(AvailabilityTier.MISSION_CRITICAL);
  const profile = only(tf, 'azurerm_cdn_frontdoor_profile');
  const group = only(tf, 'azurerm_cdn_frontdoor_origin_group');

  test('Front Door waits for the origin at least the origin read timeout (its 120 s default would cut a 150 s response)', () => {
    expect(profile.response_timeout_seconds).toBeGreaterThanOrEqual(tier.timeouts.originReadTimeoutSeconds);
    expect(profile.response_timeout_seconds).toBeLessThanOrEqual(240);
  });

  test('the budget\'s detection term comes from Front Door\'s rendered probe, not the gateway\'s', () => {
    const probe = group.health_probe as { interval_in_seconds: number; protocol: string; request_type: string };
    const lb = group.load_balancing as { sample_size: number; successful_samples_required: number };
    expect(probe).toMatchObject({ protocol: 'Https', request_type: 'GET' });
    const detection = (lb.sample_size - lb.successful_samples_required + 1) * probe.interval_in_seconds;
    const term = service.plan.budget.terms.find((t) => t.name === 'anycast-probe-detection')!;
    expect(term.seconds).toBe(detection);
    expect(service.plan.budget.totalSeconds).toBe(detection + 10);
    expect(service.plan.budget.totalSeconds).toBeLessThanOrEqual(tier.targets.multiRegionRtoSeconds);
  });

  test('origins are the regional names over HTTPS with the name checked', () => {
    const origins = Object.values(resources(tf, 'azurerm_cdn_frontdoor_origin')).map((o) => [o.host_name, o.certificate_name_check_enabled]);
    expect(origins.sort()).toEqual(regions.map((r) => [`mcp-${r}.example.com`, true]).sort());
    expect(only(tf, 'azurerm_cdn_frontdoor_route')).toMatchObject({ supported_protocols: ['Https'], forwarding_protocol: 'HttpsOnly' });
  });

  test('the gateways admit only Front Door: the service tag in the network, this profile\'s id in the WAF', () => {
    const gatewayNsgs = Object.values(resources(tf, 'azurerm_network_security_group')).filter((n) => n.name === 'mcp-gateway-nsg');
    expect(gatewayNsgs).toHaveLength(regions.length);
    for (const n of gatewayNsgs) {
      const https = (n.security_rule as Record<string, unknown>[]).find((r) => r.name === 'allow-https')!;
      expect(https.source_address_prefix).toBe('AzureFrontDoor.Backend');
    }
    for (const waf of Object.values(resources(tf, 'azurerm_web_application_firewall_policy'))) {
      const rules = waf.custom_rules as Record<string, unknown>[];
      const first = rules.find((r) => r.name === 'onlyfromfrontdoor')!;
      const second = rules.find((r) => r.name === 'ratelimitperclient')!;
      expect(rules).toHaveLength(2);
      expect(first).toMatchObject({ action: 'Block', priority: 5, rule_type: 'MatchRule' });
      expect((first.match_conditions as Record<string, unknown>[])[0]).toMatchObject({
        operator: 'Equal', negation_condition: true, match_values: [expect.stringMatching(/azurerm_cdn_frontdoor_profile\.[\w-]+\.resource_guid/)],
        match_variables: [{ variable_name: 'RequestHeaders', selector: 'X-Azure-FDID' }],
      });
      expect(second).toMatchObject({ rule_type: 'RateLimitRule', rate_limit_threshold: 2000 });
    }
  });

  test('a lost region makes each survivor scale to ceil(min x N / (N - 1)) of its window; healthy or missing data does not', () => {
    for (const [i, region] of regions.entries()) {
      const other = regions[1 - i];
      for (const p of profilesOf(tf, `MR_Region-${region}_Scaling`)) {
        const rule = scaleUpRule(p);
        expect(rule.metric_trigger).toMatchObject({ metric_name: 'OriginHealthPercentage', dimensions: [{ name: 'Origin', operator: 'Equals', values: [`mcp-${other}.example.com`] }] });
        expect(rule.scale_action.value).toBe(Math.ceil(p.capacity.minimum * 2));
        expect(ruleFires(rule, [0, 0, 0, 0, 0])).toBe(true);
        expect(ruleFires(rule, [100, 100, 100, 100, 100])).toBe(false);
        expect(ruleFires(rule, [])).toBe(false);
        expect(p.capacity.maximum).toBeGreaterThanOrEqual(rule.scale_action.value);
      }
    }
  });

  test('simulated: a survivor scales up while the other region is lost and back to its window minimum only after failback', () => {
    for (const region of regions) {
      for (const p of profilesOf(tf, `MR_Region-${region}_Scaling`)) {
        const { idle, busy } = cpuLevels(p);
        const up = Math.ceil((p.capacity.minimum * regions.length) / (regions.length - 1));
        const lost = settle(p, p.capacity.minimum, world(FIVE(0), idle));
        expect(lost[lost.length - 1]).toBe(up);
        expect(settle(p, up, world(FIVE(undefined), idle))).toEqual([up]);
        expect(settle(p, up, world([100, 100, 0, 100, 100], idle))).toEqual([up]);
        expect(settle(p, up, world(FIVE(100), busy))).toEqual([up]);
        const back = settle(p, up, world(FIVE(100), idle));
        expect(back[back.length - 1]).toBe(p.capacity.minimum);
      }
    }
  });

  test('every region writes locally; a lost region stops no write elsewhere (write recovery 0 s, lag stated)', () => {
    const wp = service.plan.writePlan!;
    expect(wp.model).toBe(CacheWriteModel.MULTI_WRITER);
    expect(wp.writeRecoverySeconds).toBe(0);
    expect(wp.replicationLag?.source).toBe('assumed');
    const envs = Object.values(bootScripts(tf)).map(containerEnv);
    expect(envs.map((e) => e[CacheWriteEnv.REGION]).sort()).toEqual([...regions].sort());
    expect(envs.every((e) => e[CacheWriteEnv.MODE] === RegionWriteMode.LOCAL && e[CacheWriteEnv.WRITER_REGION] === undefined)).toBe(true);
  });

  test('each region\'s servers accept the service name and their regional name (Front Door\'s origin host header)', () => {
    for (const [id, script] of Object.entries(bootScripts(tf))) {
      const region = regions.find((r) => id.includes(r))!;
      expect(containerEnv(script).MCP_ALLOWED_HOSTS).toBe(`mcp.example.com,mcp-${region}.example.com`);
    }
  });

  test('every region\'s servers check tokens for the one service URL (a token keeps working when Front Door moves the client)', () => {
    const envs = Object.values(bootScripts(tf)).map(containerEnv);
    expect(envs).toHaveLength(regions.length);
    for (const env of envs) {
      expect(env).toMatchObject({ MCP_AUTH_ISSUER: ISSUER, MCP_AUTH_AUDIENCE: `https://mcp.example.com${SERVER.mcpPath}` });
    }
  });

  test('the summary: regions, the budget recomputed from the rendered Front Door probe, the instance bounds of the rendered profiles, the issuer', () => {
    const summary = JSON.parse(tf.output!.McpHa_Summary.value);
    const probe = group.health_probe as { interval_in_seconds: number };
    const lb = group.load_balancing as { sample_size: number; successful_samples_required: number };
    const reroute = service.plan.budget.terms.find((t) => t.name === 'anycast-reroute')!;
    expect(reroute.source).toBe('assumed');
    const maxima = regions.map((r) => Math.max(...profilesOf(tf, `MR_Region-${r}_Scaling`).map((p) => p.capacity.maximum)));
    const scaleSets = Object.values(resources(tf, 'azurerm_linux_virtual_machine_scale_set')).map((v) => Number(v.instances));
    expect(summary).toMatchObject({
      cloud: 'azure', topology: 'multi-region', tier: 'mission-critical', regions, authorization: 'sts.windows.net',
      budgetSeconds: (lb.sample_size - lb.successful_samples_required + 1) * probe.interval_in_seconds + reroute.seconds,
      minInstances: scaleSets.reduce((a, b) => a + b, 0), maxInstances: maxima.reduce((a, b) => a + b, 0),
    });
  });

  test('snapshot', () => {
    expect(tf).toMatchSnapshot();
  });
});

describe('active-passive behind Front Door (priority origins)', () => {
  const s = stack();
  new AzureActivePassiveMcpService(s, 'AP', {
    ...common, primaryRegion: 'westeurope', standbyRegion: 'northeurope', routing: TrafficRouting.frontDoor(),
    certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp', publiclyTrusted: true }),
  });
  const tf = synth(s);
  test('the primary origin has priority 1, the standby 2', () => {
    const origins = Object.values(resources(tf, 'azurerm_cdn_frontdoor_origin')).map((o) => [o.name, o.priority]);
    expect(origins.sort()).toEqual([['northeurope', 2], ['westeurope', 1]]);
  });
  test('the standby scales up on the primary origin\'s health, not its own', () => {
    for (const p of profilesOf(tf, 'AP_Standby_Scaling')) {
      const rule = scaleUpRule(p);
      expect(rule.metric_trigger.dimensions).toEqual([{ name: 'Origin', operator: 'Equals', values: ['mcp-westeurope.example.com'] }]);
      expect(ruleFires(rule, [0, 0, 0, 0, 0])).toBe(true);
      expect(ruleFires(rule, [100, 0, 0, 0, 0])).toBe(false);
    }
  });
});
