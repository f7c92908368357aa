import { LoadBalancerScope, McpLoadBalancer, SslPolicyProfile } from '../../lib/gcp/load-balancer';
import { McpNetwork } from '../../lib/gcp/network';
import { AvailabilityTier } from '../../lib/core/tiers';
import { CERT, errorOf, only, resourcesOf, server, synthJson, testStack, Tf } from './support';

// GIVEN a business-critical global load balancer with one backend, and a regional one with the redirect (built once)
const { stack } = testStack();
const network = new McpNetwork(stack, 'Net', { regions: ['us-east1'], serverPort: 8080, regionalLoadBalancerRegions: ['us-east1'] });
const global = new McpLoadBalancer(stack, 'Global', { network, server, sslCertificates: [CERT] });
global.addBackend({ instanceGroup: 'projects/p/regions/us-east1/instanceGroups/mig' });
const regional = new McpLoadBalancer(stack, 'Regional', {
  network, server, scope: LoadBalancerScope.REGIONAL, region: 'us-east1', sslCertificates: [CERT],
  tier: AvailabilityTier.MISSION_CRITICAL, sslPolicyProfile: SslPolicyProfile.RESTRICTED, httpRedirect: true,
});
const t = synthJson(stack);

describe('McpLoadBalancer', () => {
  test('EXTERNAL_MANAGED on the backend service AND the forwarding rule (the provider default EXTERNAL is the classic balancer)', () => {
    expect(only(t, 'google_compute_backend_service').load_balancing_scheme).toBe('EXTERNAL_MANAGED');
    expect(only(t, 'google_compute_global_forwarding_rule').load_balancing_scheme).toBe('EXTERNAL_MANAGED');
    expect(only(t, 'google_compute_region_backend_service').load_balancing_scheme).toBe('EXTERNAL_MANAGED');
    for (const fr of Object.values(resourcesOf(t, 'google_compute_forwarding_rule'))) expect(fr.load_balancing_scheme).toBe('EXTERNAL_MANAGED');
  });

  test('timeout_sec bounds a whole streamed response: it outlasts the longest tool call; draining lets calls in flight end', () => {
    for (const [bs, lb] of [[only(t, 'google_compute_backend_service'), global], [only(t, 'google_compute_region_backend_service'), regional]] as const) {
      const chain = lb.profile.timeouts;
      expect(bs.timeout_sec).toBeGreaterThan(chain.longestToolCallSeconds);
      expect(bs.timeout_sec).toBe(lb.backendTimeoutSeconds);
      expect(bs.connection_draining_timeout_sec).toBeGreaterThanOrEqual(chain.longestToolCallSeconds);
    }
  });

  test('the health check probes readiness on the server port; a dead instance is out after threshold x interval + timeout', () => {
    const hc = only(t, 'google_compute_health_check');
    expect(hc.http_health_check).toEqual({ port: 8080, request_path: server.readinessPath });
    // The tier's active-active target is what this detection must keep.
    expect(hc.unhealthy_threshold * hc.check_interval_sec + hc.timeout_sec).toBeLessThanOrEqual(global.profile.targets.activeActiveDetectionSeconds);
    const rhc = only(t, 'google_compute_region_health_check');
    expect(rhc.unhealthy_threshold * rhc.check_interval_sec + rhc.timeout_sec).toBeLessThanOrEqual(regional.profile.targets.activeActiveDetectionSeconds);
    expect(only(t, 'google_compute_region_backend_service').health_checks[0]).toMatch(/google_compute_region_health_check/);
  });

  test('TLS 1.2 minimum with MODERN (default) or RESTRICTED profiles, attached to the HTTPS proxies', () => {
    expect(only(t, 'google_compute_ssl_policy')).toMatchObject({ profile: 'MODERN', min_tls_version: 'TLS_1_2' });
    expect(only(t, 'google_compute_region_ssl_policy')).toMatchObject({ profile: 'RESTRICTED', min_tls_version: 'TLS_1_2' });
    expect(only(t, 'google_compute_target_https_proxy').ssl_policy).toMatch(/google_compute_ssl_policy\./);
    expect(only(t, 'google_compute_region_target_https_proxy').ssl_policy).toMatch(/google_compute_region_ssl_policy\./);
  });

  test('port 80 only on request, and then it only redirects to HTTPS', () => {
    expect(resourcesOf(t, 'google_compute_target_http_proxy')).toEqual({});
    const redirect = Object.values(resourcesOf(t, 'google_compute_region_url_map')).find((m) => m.default_url_redirect);
    expect(redirect.default_url_redirect).toMatchObject({ https_redirect: true });
    expect(redirect.default_service).toBeUndefined();
    const ports = Object.values(resourcesOf(t, 'google_compute_forwarding_rule')).map((f) => f.port_range).sort();
    expect(ports).toEqual(['443', '80']);
  });

  test('Cloud Armor: a per-client rate rule answering 429 and the default rule a policy with inline rules needs', () => {
    for (const [policy, rulesKey] of [[only(t, 'google_compute_security_policy'), 'rule'], [only(t, 'google_compute_region_security_policy'), 'rules']] as const) {
      const rules = policy[rulesKey];
      const rate = rules.find((r: Tf) => r.action === 'throttle');
      expect(rate.rate_limit_options).toMatchObject({ exceed_action: 'deny(429)', enforce_on_key: 'IP', rate_limit_threshold: { count: 600, interval_sec: 60 } });
      const last = rules.find((r: Tf) => r.priority === 2147483647);
      expect(last).toMatchObject({ action: 'allow', match: { config: { src_ip_ranges: ['*'] } } });
    }
    expect(only(t, 'google_compute_backend_service').security_policy).toMatch(/google_compute_security_policy/);
  });

  test('outlier detection ejects instances that keep failing; the backend group is balanced on utilization', () => {
    expect(only(t, 'google_compute_backend_service').outlier_detection).toMatchObject({
      consecutive_errors: 5, interval: { seconds: 10 }, base_ejection_time: { seconds: 30 }, max_ejection_percent: 50,
    });
    expect(only(t, 'google_compute_backend_service').backend).toEqual([
      { group: 'projects/p/regions/us-east1/instanceGroups/mig', balancing_mode: 'UTILIZATION', max_utilization: 0.8, capacity_scaler: 1 }]);
  });

  test('bad inputs are refused together, each naming the prop, the value and what is allowed', () => {
    const msg = errorOf((s) => {
      const n = new McpNetwork(s, 'N', { regions: ['us-east1'], serverPort: 8080 });
      new McpLoadBalancer(s, 'L', {
        network: n, server, sslCertificates: [], region: 'us-east1', sslPolicyProfile: 'COMPATIBLE' as never,
        tierOverrides: { timeouts: { longestToolCallSeconds: 300, originReadTimeoutSeconds: 150, drainSeconds: 4000, idleTimeoutSeconds: 320 } },
        waf: { rateLimitIntervalSeconds: 45 },
      });
    });
    expect(msg).toMatch(/^test\/L: \d+ invalid settings/);
    expect(msg).toMatch(/region: got "us-east1"; allowed: undefined: a global load balancer has no region/);
    expect(msg).toMatch(/sslPolicyProfile: got "COMPATIBLE"; allowed: one of "MODERN", "RESTRICTED"/);
    expect(msg).toMatch(/waf\.rateLimitIntervalSeconds: got 45; allowed: one of 10, 30, 60/);
    expect(msg).toMatch(/sslCertificates: got \[\]; allowed: 1 to 15 certificates/);
    // The backend timeout (the chain's origin read timeout) shorter than the longest tool call.
    expect(msg).toMatch(/timeouts\.originReadTimeoutSeconds: got 150; allowed: more than longestToolCallSeconds \(300\)/);
    expect(msg).toMatch(/drainSeconds: got 4000; allowed: an integer from 0 to 3600/);
  });

  test('the regional forwarding rules wait for the proxy-only subnet (Google refuses them before it is active)', () => {
    for (const fr of Object.values(resourcesOf(t, 'google_compute_forwarding_rule'))) {
      expect(fr.depends_on).toEqual([expect.stringMatching(/^google_compute_subnetwork\.Net_ProxyOnly-us-east1/)]);
    }
  });

  test('a regional load balancer needs a proxy-only subnet in its region', () => {
    expect(errorOf((s) => new McpLoadBalancer(s, 'L', {
      network: new McpNetwork(s, 'N', { regions: ['us-east1'], serverPort: 8080 }), server, sslCertificates: [CERT],
      scope: LoadBalancerScope.REGIONAL, region: 'us-east1',
    }))).toMatch(/region: got "us-east1"; allowed: a region whose network has a proxy-only subnet/);
  });

  test('a health path the server does not serve is refused (it would take every instance out)', () => {
    expect(errorOf((s) => new McpLoadBalancer(s, 'L', {
      network: new McpNetwork(s, 'N', { regions: ['us-east1'], serverPort: 8080 }), server, sslCertificates: [CERT],
      tierOverrides: { healthCheck: { path: '/healthz' } },
    }))).toMatch(/healthCheck\.path: got "\/healthz"; allowed: a path the server serves/);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});

describe('McpLoadBalancer.addHostBackend (a name served by one group only)', () => {
  test('refuses a regional load balancer, a name that is not a DNS name, and a host routed twice', () => {
    const { stack: s } = testStack('hosts');
    const net = new McpNetwork(s, 'Net', { regions: ['us-east1'], serverPort: 8080, regionalLoadBalancerRegions: ['us-east1'] });
    const reg = new McpLoadBalancer(s, 'Reg', { network: net, server, scope: LoadBalancerScope.REGIONAL, region: 'us-east1', sslCertificates: [CERT] });
    expect(() => reg.addHostBackend({ host: 'mcp-us-east1.example.com', instanceGroup: 'g', id: 'us-east1' }))
      .toThrow(/hosts\/Reg: 1 invalid setting\n {2}- scope: got "regional"; allowed: global: host backends route names behind the global load balancer/);
    const glob = new McpLoadBalancer(s, 'Glob', { network: net, server, sslCertificates: [CERT] });
    expect(() => glob.addHostBackend({ host: 'MCP_us-east1', instanceGroup: 'g', id: 'x' })).toThrow(/host: got "MCP_us-east1"; allowed: a lowercase DNS name/);
    glob.addHostBackend({ host: 'mcp-us-east1.example.com', instanceGroup: 'g', id: 'us-east1' });
    expect(() => glob.addHostBackend({ host: 'mcp-us-east1.example.com', instanceGroup: 'g2', id: 'again' }))
      .toThrow(/host: got "mcp-us-east1\.example\.com"; allowed: a host not already routed/);
  });
});
