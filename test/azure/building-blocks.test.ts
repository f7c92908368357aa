import { TerraformStack } from 'cdktf';
/**
 * Building blocks on their own (options the topologies do not exercise) and the
 * pure Azure plan: bring-your-own network, the optional HTTP redirect, Standard_v2
 * without WAF, autoscale without a schedule, the provider's time-zone list.
 */
import { McpLoadBalancer } from '../../lib/azure/load-balancer';
import { McpProbe } from '../../lib/azure/mcp-probe';
import { McpTrafficManager } from '../../lib/azure/dns-failover';
import { McpFrontDoor } from '../../lib/azure/anycast';
import { McpNetwork } from '../../lib/azure/network';
import { McpScheduledScaling } from '../../lib/azure/scheduled-scaling';
import { planAzureService } from '../../lib/azure/budget';
import { AZURERM_AUTOSCALE_TIME_ZONES } from '../../lib/azure/private/autoscale-time-zones';
import { windowsTimeZoneForAzure } from '../../lib/azure/validation';
import { Validator } from '../../lib/core/errors';
import { Topology } from '../../lib/core/failover-budget';
import { mappedIanaTimeZones, windowsTimeZone } from '../../lib/core/timezones';
import { AvailabilityTier, RoutingMechanism, resolveTier } from '../../lib/core/tiers';
import { AzureActiveActiveMcpService } from '../../lib/azure/topologies/active-active';
import { AUTH, SERVER, SSH_KEY, VAULT_CERT, only, resources, stack, synth } from './support';

describe('network', () => {
  test('existing subnets: nothing is created, the ids pass through', () => {
    const s = stack();
    const n = new McpNetwork(s, 'Net', {
      resourceGroupName: 'rg', location: 'westeurope', serverPort: 8080,
      existing: { virtualNetworkId: 'vnet', gatewaySubnetId: 'gw', applicationSubnetId: 'app', dataSubnetId: 'data' },
    });
    expect([n.gatewaySubnetId, n.applicationSubnetId, n.dataSubnetId]).toEqual(['gw', 'app', 'data']);
    expect(synth(s).resource ?? {}).toEqual({});
  });

  test('the HTTP redirect opens port 80 on the gateway subnet only', () => {
    const s = stack();
    new McpNetwork(s, 'Net', { resourceGroupName: 'rg', location: 'westeurope', serverPort: 8080, httpRedirect: true });
    const nsgs = Object.values(resources(synth(s), 'azurerm_network_security_group'));
    const with80 = nsgs.filter((n) => (n.security_rule as { destination_port_range: string }[]).some((r) => r.destination_port_range === '80'));
    expect(with80.map((n) => n.name)).toEqual(['mcp-gateway-nsg']);
  });
});

describe('load balancer options', () => {
  const s = stack();
  new McpLoadBalancer(s, 'Lb', {
    resourceGroupName: 'rg', location: 'westeurope', subnetId: 'gw', server: SERVER, waf: false, httpRedirect: true,
    certificate: { keyVaultSecretId: 'https://kv.vault.azure.net/secrets/c', identityId: 'id' }, domainNameLabel: 'acme-mcp',
    tier: AvailabilityTier.STANDARD,
  });
  const tf = synth(s);
  const gw = only(tf, 'azurerm_application_gateway');
  test('waf: false renders Standard_v2 and no policy', () => {
    expect(gw.sku).toEqual({ name: 'Standard_v2', tier: 'Standard_v2' });
    expect(gw.firewall_policy_id).toBeUndefined();
    expect(resources(tf, 'azurerm_web_application_firewall_policy')).toEqual({});
  });
  test('httpRedirect adds a port-80 listener that only redirects, permanently, to the HTTPS listener', () => {
    expect(gw.redirect_configuration).toEqual([expect.objectContaining({ redirect_type: 'Permanent', target_listener_name: 'mcp-https' })]);
    const rules = gw.request_routing_rule as Record<string, unknown>[];
    const redirect = rules.find((r) => r.http_listener_name === 'mcp-http')!;
    expect(redirect.backend_address_pool_name).toBeUndefined();
    expect(redirect.redirect_configuration_name).toBe('to-https');
  });
  test('snapshot', () => {
    expect(tf).toMatchSnapshot();
  });
  test('the standard tier\'s probe and a two-zone minimum', () => {
    const t = resolveTier(AvailabilityTier.STANDARD);
    expect((gw.probe as Record<string, unknown>[])[0]).toMatchObject({ interval: t.healthProbe.intervalSeconds, timeout: t.healthProbe.timeoutSeconds });
    expect(gw.autoscale_configuration).toEqual({ min_capacity: 2, max_capacity: 10 });
  });
});

describe('autoscale without a schedule', () => {
  test('one profile from capacity.min to capacity.max', () => {
    const s = stack();
    const a = new McpScheduledScaling(s, 'Scaling', {
      resourceGroupName: 'rg', location: 'westeurope', targetResourceId: '/subscriptions/x/vmss', capacity: { baseline: 3, min: 3, max: 9 },
    });
    expect(a.profiles).toEqual([expect.objectContaining({ kind: 'default', minimum: 3, maximum: 9 })]);
    const profile = (only(synth(s), 'azurerm_monitor_autoscale_setting').profile as Record<string, unknown>[])[0];
    expect(profile.recurrence).toBeUndefined();
    expect(profile.capacity).toEqual({ minimum: 3, maximum: 9, default: 3 });
    // Without failover signals a profile holds exactly the two CPU rules (scale out, scale in).
    expect((profile.rule as Record<string, Record<string, unknown>>[]).map((r) => (r.scale_action as Record<string, unknown>).direction)).toEqual(['Increase', 'Decrease']);
  });

  test('a profile maximum above what azurerm accepts (1000) is refused, naming the profile; 1000 itself is accepted', () => {
    const build = (max: number) => () => new McpScheduledScaling(stack(), 'Scaling', {
      resourceGroupName: 'rg', location: 'westeurope', targetResourceId: '/subscriptions/x/vmss', capacity: { baseline: 3, min: 3, max },
    });
    expect(build(1000)).not.toThrow();
    expect(build(1001)).toThrow(/profiles\.[\w-]+\.maximum: got 1001; allowed: at most 1000 instances in an autoscale profile \(azurerm schema\): lower capacity\.max or the schedule's peak/);
  });
});

describe('time zones', () => {
  test('every IANA zone either maps to a name azurerm 4.55 accepts or is refused with an accepted zone of the same offsets', () => {
    const accepted = new Set(AZURERM_AUTOSCALE_TIME_ZONES);
    const refusedWindows = new Set<string>();
    for (const iana of mappedIanaTimeZones()) {
      const v = new Validator();
      const w = windowsTimeZoneForAzure(iana, v);
      if (w !== undefined) {
        expect(accepted.has(w)).toBe(true);
        continue;
      }
      refusedWindows.add(windowsTimeZone(iana));
      const m = /Nearby accepted zone: "[^"]+" \("([^"]+)"\)/.exec(v.problems[0].allowed);
      expect(m && accepted.has(m[1])).toBe(true);
    }
    // The 33 CLDR Windows names the provider's list lacks.
    expect(refusedWindows.size).toBe(33);
    expect(refusedWindows).toContain('Eastern Standard Time (Mexico)');
  });
});

describe('the Azure plan', () => {
  test('Front Door defaults follow the tier: same failures to unhealthy, a response timeout covering the origin read timeout', () => {
    const t = resolveTier(AvailabilityTier.BUSINESS_CRITICAL);
    const plan = planAzureService({ topology: Topology.MULTI_REGION, tier: AvailabilityTier.BUSINESS_CRITICAL, regions: ['a', 'b'], routing: RoutingMechanism.ANYCAST });
    expect(plan.frontDoor).toEqual({
      probeIntervalSeconds: t.healthProbe.intervalSeconds, sampleSize: 4, successfulSamplesRequired: 4 - t.healthProbe.unhealthyThreshold + 1,
      responseTimeoutSeconds: t.timeouts.idleTimeoutSeconds,
    });
    expect(plan.frontDoor!.responseTimeoutSeconds).toBeGreaterThanOrEqual(t.timeouts.originReadTimeoutSeconds);
  });

  test('an over-target configuration is refused naming the largest term, or accepted with a warning when enforcement is off', () => {
    const slow = { dnsHealthCheck: { requestIntervalSeconds: 30, failureThreshold: 10 }, recordTtlSeconds: 300 };
    expect(() => planAzureService({ topology: Topology.ACTIVE_PASSIVE, tier: AvailabilityTier.BUSINESS_CRITICAL, regions: ['a', 'b'], routing: RoutingMechanism.DNS, overrides: slow }))
      .toThrow(/now 610 s = .*Largest term: dns-probe-detection 300 s: lower dnsHealthCheck.failureThreshold/);
    const plan = planAzureService({
      topology: Topology.ACTIVE_PASSIVE, tier: AvailabilityTier.BUSINESS_CRITICAL, regions: ['a', 'b'], routing: RoutingMechanism.DNS,
      overrides: { ...slow, enforceBudget: false },
    });
    expect(plan.warnings[0]).toMatch(/^failover budget over target/);
  });

  test('the MCP probe\'s minutes are stated beside the budget, never in it', () => {
    const plan = planAzureService({ topology: Topology.ACTIVE_ACTIVE, tier: AvailabilityTier.STANDARD, regions: ['a'] });
    expect(plan.mcpProbeTerms.map((t) => [t.name, t.seconds])).toEqual([['mcp-probe-schedule', 300], ['mcp-probe-alert', 60]]);
    expect(plan.budget.terms.map((t) => t.name)).not.toContain('mcp-probe-schedule');
  });
});

describe('topology with your own network', () => {
  test('the regional deployment uses the given subnets and creates no network', () => {
    const s = stack();
    new AzureActiveActiveMcpService(s, 'AA', {
      region: 'westeurope', server: SERVER, capacity: { baseline: 3 }, certificate: VAULT_CERT, domain: { zoneName: 'example.com', recordName: 'mcp' },
      namePrefix: 'acme', sshPublicKey: SSH_KEY, authorization: AUTH,
      networks: { westeurope: { virtualNetworkId: '/vnet', gatewaySubnetId: '/gw', applicationSubnetId: '/app', dataSubnetId: '/data' } },
    });
    const tf = synth(s);
    expect(resources(tf, 'azurerm_virtual_network')).toEqual({});
    expect(resources(tf, 'azurerm_network_security_group')).toEqual({});
    expect((only(tf, 'azurerm_application_gateway').gateway_ip_configuration as { subnet_id: string }[])[0].subnet_id).toBe('/gw');
    const nic = (only(tf, 'azurerm_linux_virtual_machine_scale_set').network_interface as { ip_configuration: { subnet_id: string }[] }[])[0];
    expect(nic.ip_configuration[0].subnet_id).toBe('/app');
    expect(Object.values(resources(tf, 'azurerm_private_endpoint')).map((p) => p.subnet_id)).toEqual(['/data', '/data']);
  });
});

describe('DNS records at the zone apex', () => {
  test('a service at the apex gets no CNAME there (the regional names still get theirs)', () => {
    const s = stack();
    new AzureActiveActiveMcpService(s, 'AA', {
      region: 'westeurope', server: SERVER, capacity: { baseline: 3 }, certificate: VAULT_CERT, namePrefix: 'acme', sshPublicKey: SSH_KEY, authorization: AUTH,
      domain: { zoneName: 'example.com', recordName: '', azureDnsZone: { resourceGroupName: 'dns' } },
    });
    const names = Object.values(resources(synth(s), 'azurerm_dns_cname_record')).map((r) => r.name);
    expect(names).toEqual(['westeurope']);
  });
});

describe('McpProbe (Application Insights standard test): one interval name on every cloud', () => {
  const probeProps = {
    actionGroupId: '/subscriptions/s/resourceGroups/rg/providers/microsoft.insights/actionGroups/ag', location: 'eastus',
    publiclyTrusted: true, resourceGroupName: 'rg', url: 'https://mcp.example.com/mcp', workspaceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w',
  };
  const errorOf = (build: (s: TerraformStack) => void): string => {
    try {
      build(stack());
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  test('intervalSeconds sets the test frequency and the budget term', () => {
    const s = stack();
    const probe = new McpProbe(s, 'P', { ...probeProps, intervalSeconds: 600 });
    expect(only(synth(s), 'azurerm_application_insights_standard_web_test').frequency).toBe(600);
    expect(probe.detectionTerms[0]).toMatchObject({ name: 'mcp-probe-schedule', seconds: 600 });
  });

  test('an interval Application Insights does not offer is refused', () => {
    expect(errorOf((s) => new McpProbe(s, 'P', { ...probeProps, intervalSeconds: 60 }))).toMatch(/intervalSeconds: got 60; allowed: one of 300, 600, 900/);
  });
});

/** A rendered Terraform block, read loosely (the assertions name the fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = Record<string, any>;

describe('McpProbe (Application Insights standard test): what it expects, with and without authorization', () => {
  const props = {
    actionGroupId: '/subscriptions/s/resourceGroups/rg/providers/microsoft.insights/actionGroups/ag', location: 'eastus',
    resourceGroupName: 'rg', url: 'https://mcp.example.com/mcp', workspaceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w',
  };
  const render = (extra: Partial<ConstructorParameters<typeof McpProbe>[2]>) => {
    const s = stack();
    const probe = new McpProbe(s, 'P', { ...props, publiclyTrusted: true, ...extra });
    const tf = synth(s);
    return { probe, test: only(tf, 'azurerm_application_insights_standard_web_test') as Tf, alert: only(tf, 'azurerm_monitor_metric_alert') as Tf };
  };

  test('without authorization: an MCP initialize POST that must answer 200 with serverInfo in the body (case-sensitive), certificate checked', () => {
    const { probe, test: t, alert } = render({});
    expect(probe.expectedStatus).toBe(200);
    expect(t.request).toMatchObject({ url: 'https://mcp.example.com/mcp', http_verb: 'POST', follow_redirects_enabled: false });
    expect(JSON.parse(t.request.body)).toMatchObject({ jsonrpc: '2.0', method: 'initialize' });
    expect(t.validation_rules).toEqual({
      expected_status_code: 200, ssl_check_enabled: true, ssl_cert_remaining_lifetime: 7,
      content: { content_match: 'serverInfo', pass_if_text_found: true, ignore_case: false },
    });
    expect(t.retry_enabled).toBe(false);
    // The alert fires when two locations fail, and its terms are what it renders.
    expect(alert.application_insights_web_test_location_availability_criteria.failed_location_count).toBe(2);
    expect(alert.description).toMatch(/expected HTTP 200/);
    expect(probe.detectionTerms.reduce((n, x) => n + x.seconds, 0)).toBeGreaterThan(300);
  });

  test('with authorization: no token is sent and only the 401 challenge passes (a 2xx means a server stopped checking tokens); a private CA turns the certificate check off', () => {
    const { probe, test: t, alert } = render({ expectsChallenge: true, publiclyTrusted: false });
    expect(probe.expectedStatus).toBe(401);
    expect(t.request.header.map((h: { name: string }) => h.name.toLowerCase())).not.toContain('authorization');
    expect(t.validation_rules).toEqual({ expected_status_code: 401, ssl_check_enabled: false });
    expect(alert.description).toMatch(/expected HTTP 401/);
  });

  test('exactly three locations are enough; a URL with a space, or with https:// not at its start, is refused', () => {
    const s = stack();
    expect(() => new McpProbe(s, 'Three', { ...props, publiclyTrusted: true, locations: ['us-va-ash-azr', 'us-il-ch1-azr', 'emea-nl-ams-azr'] })).not.toThrow();
    for (const url of ['https://mcp.example.com/mcp path', 'ftp://x/https://mcp.example.com/mcp']) {
      expect(() => new McpProbe(stack(), 'P', { ...props, publiclyTrusted: true, url })).toThrow(/url: got .*; allowed: an https:\/\/ URL of the MCP endpoint/);
    }
  });

  test('the detection terms state the rendered schedule and the alert\'s evaluation and window', () => {
    const { probe, alert } = render({});
    expect([alert.frequency, alert.window_size]).toEqual(['PT1M', 'PT5M']);
    expect(probe.detectionTerms.map((t) => [t.name, t.seconds])).toEqual([['mcp-probe-schedule', 300], ['mcp-probe-alert', 60]]);
    expect(probe.detectionTerms[1].detail).toBe('the availability alert evaluates every 60 s over a 300 s window');
  });

  test('fewer than three locations and a non-https URL are refused', () => {
    const s = stack();
    expect(() => new McpProbe(s, 'P', { ...props, publiclyTrusted: true, locations: ['us-va-ash-azr', 'us-il-ch1-azr'], url: 'http://mcp.example.com/mcp' }))
      .toThrow(/2 invalid settings[\s\S]*url: got "http:\/\/mcp\.example\.com\/mcp"; allowed: an https:\/\/ URL of the MCP endpoint[\s\S]*locations: got \["us-va-ash-azr","us-il-ch1-azr"\]; allowed: three or more locations: the alert fires when two fail/);
  });
});

describe('McpTrafficManager: each routing method renders only its own endpoint fields', () => {
  const settings = { intervalSeconds: 10, timeoutSeconds: 9, toleratedFailures: 1, ttlSeconds: 10 };
  const targets = [{ name: 'eastus', publicIpId: 'ip-east', priority: 1, weight: 3 }, { name: 'westus', publicIpId: 'ip-west', priority: 2 }];
  const endpoints = (routingMethod: 'Priority' | 'Performance' | 'Weighted') => {
    const s = stack();
    new McpTrafficManager(s, 'Tm', { resourceGroupName: 'rg', relativeName: 'mcp-example', routingMethod, settings, healthPath: '/health/ready', hostHeader: 'mcp.example.com', targets });
    const tf = synth(s);
    return { profile: only(tf, 'azurerm_traffic_manager_profile') as Tf, eps: Object.values(resources(tf, 'azurerm_traffic_manager_azure_endpoint')) as Tf[] };
  };

  test('Priority: priorities in order, no weight; Weighted: weights (1 by default), no priority; Performance: neither', () => {
    expect(endpoints('Priority').eps.map((e) => [e.name, e.priority, e.weight])).toEqual([['eastus', 1, undefined], ['westus', 2, undefined]]);
    expect(endpoints('Weighted').eps.map((e) => [e.name, e.priority, e.weight])).toEqual([['eastus', undefined, 3], ['westus', undefined, 1]]);
    const perf = endpoints('Performance');
    expect(perf.profile.traffic_routing_method).toBe('Performance');
    expect(perf.eps.map((e) => [e.name, e.priority, e.weight])).toEqual([['eastus', undefined, undefined], ['westus', undefined, undefined]]);
    // Never an unhealthy endpoint; the monitor is the readiness path over HTTPS with the service's Host.
    expect(perf.eps.every((e) => e.always_serve_enabled === false)).toBe(true);
    expect(perf.profile.monitor_config).toMatchObject({
      protocol: 'HTTPS', port: 443, path: '/health/ready', interval_in_seconds: 10, timeout_in_seconds: 9, tolerated_number_of_failures: 1,
      expected_status_code_ranges: ['200-200'], custom_header: [{ name: 'host', value: 'mcp.example.com' }],
    });
  });
});

describe('McpFrontDoor (the anycast routing): probes, origins and the route as planned', () => {
  const s = stack();
  const settings = { probeIntervalSeconds: 5, sampleSize: 4, successfulSamplesRequired: 3, responseTimeoutSeconds: 150 };
  const fd = new McpFrontDoor(s, 'FrontDoor', {
    resourceGroupName: 'rg', name: 'mcp-example', settings, healthPath: '/health/ready',
    origins: [{ name: 'westeurope', hostName: 'westeurope.mcp.example.com' }, { name: 'northeurope', hostName: 'northeurope.mcp.example.com', priority: 2, weight: 10 }],
  });
  const tf = synth(s);

  test('the origin group probes the readiness path over HTTPS at the planned interval and decides on the planned samples; no stickiness, instant restore', () => {
    expect(only(tf, 'azurerm_cdn_frontdoor_origin_group')).toMatchObject({
      session_affinity_enabled: false, restore_traffic_time_to_healed_or_new_endpoint_in_minutes: 0,
      health_probe: { protocol: 'Https', request_type: 'GET', interval_in_seconds: 5, path: '/health/ready' },
      load_balancing: { sample_size: 4, successful_samples_required: 3, additional_latency_in_milliseconds: 50 },
    });
    // The response timeout covers the planned origin read timeout.
    expect(only(tf, 'azurerm_cdn_frontdoor_profile')).toMatchObject({ sku_name: 'Standard_AzureFrontDoor', response_timeout_seconds: 150 });
  });

  test('each origin is its regional name over HTTPS with the name checked; priority 1 and weight 1000 unless given', () => {
    const origins = Object.values(resources(tf, 'azurerm_cdn_frontdoor_origin')) as Record<string, unknown>[];
    expect(origins.map((o) => [o.name, o.host_name, o.origin_host_header, o.https_port, o.certificate_name_check_enabled, o.priority, o.weight, o.enabled])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      ['northeurope', 'northeurope.mcp.example.com', 'northeurope.mcp.example.com', 443, true, 2, 10, true],
      ['westeurope', 'westeurope.mcp.example.com', 'westeurope.mcp.example.com', 443, true, 1, 1000, true],
    ]);
    expect(fd.origins).toHaveLength(2);
  });

  test('one HTTPS-only route for every path to every origin, on the default domain', () => {
    const route = only(tf, 'azurerm_cdn_frontdoor_route') as Record<string, unknown>;
    expect(route).toMatchObject({ patterns_to_match: ['/*'], supported_protocols: ['Https'], forwarding_protocol: 'HttpsOnly', https_redirect_enabled: false, link_to_default_domain: true });
    expect(route.cdn_frontdoor_origin_ids).toHaveLength(2);
    expect(route.cdn_frontdoor_endpoint_id).toMatch(/azurerm_cdn_frontdoor_endpoint\..*\.id/);
    expect(route.cdn_frontdoor_origin_group_id).toMatch(/azurerm_cdn_frontdoor_origin_group\..*\.id/);
  });

  test('snapshot', () => {
    expect(tf.resource).toMatchSnapshot();
  });
});
