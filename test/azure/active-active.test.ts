/**
 * Active-active in one region, synthesized once: every building block's
 * behaviour is read back from the Terraform JSON, then the semantic checks
 * (write endpoint, week coverage, budget recomputed from rendered values).
 */
import { AzureActiveActiveMcpService } from '../../lib/azure/topologies/active-active';
import { McpCacheEnv } from '../../lib/azure/topologies/regional';
import { ScalingSchedule, WEEKDAYS, WindowKind } from '../../lib/core/schedule';
import { AvailabilityTier, resolveTier } from '../../lib/core/tiers';
import { CacheWriteEnv } from '../../lib/core/cache-write-model';
import { AUTH, ISSUER, SERVER, SSH_KEY, VAULT_CERT, only, resources, stack, synth } from './support';
import { activeRecurringProfile, bootScripts, containerEnv, profilesOf } from './semantics';

const schedule = ScalingSchedule.guidePreset('Europe/Berlin', { holidays: [{ month: 1, day: 1 }, { month: 12, day: 25 }] });
const s = stack();
const service = new AzureActiveActiveMcpService(s, 'AA', {
  region: 'westeurope', server: SERVER, capacity: { baseline: 4 }, schedule, holidayYears: [2027, 2028],
  certificate: VAULT_CERT, domain: { zoneName: 'example.com', recordName: 'mcp' }, namePrefix: 'acme', sshPublicKey: SSH_KEY, authorization: AUTH,
  alarmTopic: { emails: ['oncall@example.com'] },
});
const tf = synth(s);
const tier = resolveTier(AvailabilityTier.BUSINESS_CRITICAL);

describe('network', () => {
  const nsgs = Object.values(resources(tf, 'azurerm_network_security_group'));
  const rules = (name: string) => (nsgs.find((n) => n.name === name)!.security_rule as Record<string, unknown>[]);
  test('the application subnet accepts only the gateway subnet on the server port and denies the rest of the network', () => {
    const inbound = rules('mcp-application-nsg').filter((r) => r.direction === 'Inbound' && r.access === 'Allow' && r.source_address_prefix !== 'AzureLoadBalancer');
    expect(inbound).toEqual([expect.objectContaining({ source_address_prefix: '10.20.0.0/24', destination_port_range: '8080', protocol: 'Tcp' })]);
    expect(rules('mcp-application-nsg')).toContainEqual(expect.objectContaining({ direction: 'Inbound', access: 'Deny', source_address_prefix: 'VirtualNetwork', priority: 4000 }));
  });
  test('the data subnet accepts the application subnet on the cache port and HTTPS (Key Vault), the gateway on HTTPS only', () => {
    const allowed = rules('mcp-data-nsg').filter((r) => r.access === 'Allow').map((r) => [r.source_address_prefix, r.destination_port_range]);
    expect(allowed).toEqual([['10.20.4.0/22', '10000'], ['10.20.4.0/22', '443'], ['10.20.0.0/24', '443']]);
  });
  test('port 80 is closed unless the redirect is asked for', () => {
    expect(rules('mcp-gateway-nsg').map((r) => r.destination_port_range)).not.toContain('80');
  });
  test('private endpoints for the cache and Key Vault, with policies enforced on the data subnet', () => {
    const pes = Object.values(resources(tf, 'azurerm_private_endpoint')).map((p) => (p.private_service_connection as { subresource_names: string[] }).subresource_names[0]);
    expect(pes.sort()).toEqual(['redisEnterprise', 'vault']);
    const data = Object.values(resources(tf, 'azurerm_subnet')).find((x) => x.name === 'data')!;
    expect(data.private_endpoint_network_policies).toBe('Enabled');
  });
});

describe('load balancer (Application Gateway v2)', () => {
  const gw = only(tf, 'azurerm_application_gateway');
  const settings = (gw.backend_http_settings as Record<string, unknown>[])[0];
  const probe = (gw.probe as Record<string, unknown>[])[0];
  test('WAF_v2, zone-redundant across zones 1-3, autoscaling from the tier\'s zone count', () => {
    expect(gw.sku).toEqual({ name: 'WAF_v2', tier: 'WAF_v2' });
    expect(gw.zones).toEqual(['1', '2', '3']);
    expect(gw.autoscale_configuration).toEqual({ min_capacity: tier.minZones, max_capacity: 10 });
  });
  test('the backend request timeout is the chain\'s origin read timeout, not the 30 s default that cuts streamed responses', () => {
    expect(settings.request_timeout).toBe(tier.timeouts.originReadTimeoutSeconds);
    expect(settings.request_timeout).toBeGreaterThan(tier.timeouts.longestToolCallSeconds);
    expect(settings.connection_draining).toEqual({ enabled: true, drain_timeout_sec: tier.timeouts.drainSeconds });
  });
  test('the probe is the tier\'s, on the readiness path, and only the healthy status counts', () => {
    expect(probe).toMatchObject({
      path: '/health/ready', interval: tier.healthProbe.intervalSeconds, timeout: tier.healthProbe.timeoutSeconds,
      unhealthy_threshold: tier.healthProbe.unhealthyThreshold, port: 8080, match: { status_code: ['200'] },
    });
  });
  test('HTTPS only with a TLS 1.2+ policy and a versionless Key Vault secret read by a user-assigned identity', () => {
    expect(gw.ssl_policy).toEqual({ policy_type: 'Predefined', policy_name: 'AppGwSslPolicy20220101S' });
    expect((gw.http_listener as Record<string, unknown>[]).map((l) => l.protocol)).toEqual(['Https']);
    expect((gw.ssl_certificate as Record<string, unknown>[])[0].key_vault_secret_id).toMatch(/azurerm_key_vault_certificate\.[\w-]+\.versionless_secret_id/);
    expect((gw.identity as { type: string }).type).toBe('UserAssigned');
  });
  test('the gateway waits for its Key Vault read role before it reads the certificate', () => {
    const readers = Object.entries(resources(tf, 'azurerm_role_assignment'))
      .filter(([, r]) => r.role_definition_name === 'Key Vault Secrets User').map(([id]) => `azurerm_role_assignment.${id}`);
    expect(readers).toHaveLength(2);
    expect(gw.depends_on).toEqual(readers);
  });
  test('the WAF policy blocks a client above the rate limit', () => {
    const waf = only(tf, 'azurerm_web_application_firewall_policy');
    expect(waf.custom_rules).toEqual([expect.objectContaining({ rule_type: 'RateLimitRule', action: 'Block', rate_limit_threshold: 2000, group_rate_limit_by: 'ClientAddr' })]);
    expect(waf.policy_settings).toMatchObject({ enabled: true, mode: 'Prevention' });
  });
});

describe('fleet (scale set)', () => {
  const vmss = only(tf, 'azurerm_linux_virtual_machine_scale_set');
  const script = Object.values(bootScripts(tf))[0];
  test('three zones; zone lost: best-effort balance lets the surviving zones scale out (strict balance would fail every scale-out); SSH keys only', () => {
    expect(vmss).toMatchObject({ zones: ['1', '2', '3'], zone_balance: false, overprovision: false, disable_password_authentication: true, upgrade_mode: 'Rolling' });
    expect((vmss.identity as { type: string }).type).toBe('UserAssigned');
  });
  test('one health source: the Application Health extension on the liveness path drives automatic repairs (10-90 min grace)', () => {
    expect(vmss.automatic_instance_repair).toEqual({ enabled: true, grace_period: 'PT10M', action: 'Replace' });
    const ext = (vmss.extension as Record<string, string>[])[0];
    expect(ext.type).toBe('ApplicationHealthLinux');
    expect(JSON.parse(ext.settings)).toMatchObject({ protocol: 'http', port: 8080, requestPath: '/health/live' });
    expect(vmss.health_probe_id).toBeUndefined();
  });
  test('the boot script installs Docker with apt (Ubuntu image), not dnf', () => {
    expect((vmss.source_image_reference as { publisher: string }).publisher).toBe('Canonical');
    expect(script).toContain('apt-get install -y -q docker.io');
    expect(script).not.toContain('dnf ');
  });
  test('the server gets the timeout chain and the cache, its key read from Key Vault at boot (never in custom data)', () => {
    const env = containerEnv(script);
    expect(env.MCP_REQUEST_TIMEOUT_SECONDS).toBe(String(tier.timeouts.originReadTimeoutSeconds));
    expect(env[McpCacheEnv.URL]).toMatch(/^rediss:\/\/", azurerm_managed_redis\.[\w-]+\.hostname, ":10000$/);
    expect(script).toMatch(/REDIS_AUTH_TOKEN=.*azurerm_key_vault_secret\.[\w-]+\.versionless_id/);
    expect(script).not.toMatch(/primary_access_key/);
  });
  test('the servers are OAuth resource servers of the Entra issuer, for the audience the domain and MCP path name', () => {
    const env = containerEnv(script);
    expect(env).toMatchObject({
      MCP_AUTH_ISSUER: ISSUER,
      MCP_AUTH_AUDIENCE: `https://mcp.example.com${SERVER.mcpPath}`,
      MCP_RESOURCE_METADATA_URL: `https://mcp.example.com/.well-known/oauth-protected-resource${SERVER.mcpPath}`,
      MCP_AUTH_SCOPES_READ: 'mcp.read',
      MCP_AUTH_SCOPES_WRITE: 'mcp.write',
    });
    // Entra ID signs its access tokens with RS256: the accepted algorithms must include it, and never none or HS*.
    expect(env.MCP_AUTH_ALGORITHMS.split(',')).toContain('RS256');
    expect(env.MCP_AUTH_ALGORITHMS).not.toMatch(/none|HS/);
  });
  test('the scale set leaves its instance count to autoscale', () => {
    expect((vmss.lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual(['instances']);
  });
});

describe('cache (Azure Managed Redis)', () => {
  const redis = only(tf, 'azurerm_managed_redis');
  test('highly available, TLS only, private, non-cluster-aware clients work, retained', () => {
    expect(redis).toMatchObject({ high_availability_enabled: true, public_network_access: 'Disabled', sku_name: 'Balanced_B3' });
    expect(redis.default_database).toMatchObject({ client_protocol: 'Encrypted', clustering_policy: 'EnterpriseCluster', access_keys_authentication_enabled: true });
    expect((redis.lifecycle as { prevent_destroy: boolean }).prevent_destroy).toBe(true);
  });
  test('single region: every server writes locally; readiness tolerates the cache failover plus one probe interval', () => {
    const env = containerEnv(Object.values(bootScripts(tf))[0]);
    expect(env[CacheWriteEnv.MODEL]).toBe('single-region');
    expect(env[CacheWriteEnv.MODE]).toBe('local');
    expect(Number(env[CacheWriteEnv.DEPENDENCY_GRACE_SECONDS])).toBe(30 + tier.healthProbe.intervalSeconds);
  });
});

describe('autoscale and schedule', () => {
  const profiles = profilesOf(tf, 'AA_Region_Scaling');
  const recurring = profiles.filter((p) => p.recurrence);
  test('the recurring profiles cover every minute of the week exactly once, at the schedule\'s capacity', () => {
    const active = activeRecurringProfile(profiles);
    const capacity = new Map(schedule.capacityFor(4, service.deployment.fleet.capacity.min).map((w) => [w.windowName, w.minCapacity]));
    active.forEach((indexes, minute) => {
      expect(indexes).toHaveLength(1);
      const window = schedule.windowAt(WEEKDAYS[Math.floor(minute / 1440)], minute % 1440);
      expect(profiles[indexes[0]].capacity.minimum).toBe(capacity.get(window.name));
    });
  });
  test('a Windows time zone the provider accepts, on every profile', () => {
    for (const p of profiles) expect((p.recurrence ?? p.fixed_date)!.timezone).toBe('W. Europe Standard Time');
  });
  test('holidays: one fixed-date profile per date and year, holding from 00:00 until the next weekly transition (as on AWS)', () => {
    const fixed = profiles.filter((p) => p.fixed_date).map((p) => [p.name, p.fixed_date!.start, p.fixed_date!.end]);
    // 2027-01-01 is a Friday: the next transition is Friday 07:00; 2027-12-25 a Saturday: Monday 07:00.
    expect(fixed).toEqual([
      ['holiday-0101-2027', '2027-01-01T00:00:00Z', '2027-01-01T07:00:00Z'],
      ['holiday-1225-2027', '2027-12-25T00:00:00Z', '2027-12-27T07:00:00Z'],
      ['holiday-0101-2028', '2028-01-01T00:00:00Z', '2028-01-03T07:00:00Z'],
      ['holiday-1225-2028', '2028-12-25T00:00:00Z', '2028-12-25T07:00:00Z'],
    ]);
    expect(profiles.length).toBeLessThanOrEqual(20);
    // One recurring profile per weekly transition of the schedule.
    expect(recurring.map((p) => p.name)).toEqual(schedule.transitions().filter((t) => t.kind === WindowKind.WEEKLY).map((t) => t.name));
  });
  test('CPU rules: out above the tier\'s target; in only where removing one instance cannot push the rest over it (no flapping)', () => {
    for (const p of profiles) {
      const cpu = p.rule.filter((r) => r.metric_trigger.metric_name === 'Percentage CPU');
      const out = cpu.find((r) => r.scale_action.direction === 'Increase')!;
      const scaleIn = cpu.find((r) => r.scale_action.direction === 'Decrease')!;
      expect(out.metric_trigger).toMatchObject({ operator: 'GreaterThan', threshold: tier.alarms.targetCpuPercent, time_aggregation: 'Average' });
      expect(scaleIn.metric_trigger.operator).toBe('LessThan');
      // Azure's flapping estimate: the load of n instances at the scale-in threshold, carried by n - 1, stays below scale-out.
      for (let n = Math.max(2, p.capacity.minimum + 1); n <= p.capacity.maximum; n++) {
        expect((scaleIn.metric_trigger.threshold * n) / (n - 1)).toBeLessThan(out.metric_trigger.threshold);
      }
      // Without a failover signal (one region), no rule other than CPU.
      expect(p.rule).toHaveLength(cpu.length);
    }
  });
});

describe('certificate, monitoring, MCP probe', () => {
  test('the Vault certificate is issued as PKCS#8 (what Key Vault imports), renewed within the window, with a 7-day Key Vault warning', () => {
    const issued = only(tf, 'vault_pki_secret_backend_cert');
    expect(issued).toMatchObject({ private_key_format: 'pkcs8', auto_renew: true, min_seconds_remaining: 15 * 86400, ttl: '1080h' });
    const kv = only(tf, 'azurerm_key_vault_certificate');
    expect((kv.certificate_policy as { lifetime_action: unknown[] }).lifetime_action).toEqual([{ action: { action_type: 'EmailContacts' }, trigger: { days_before_expiry: 7 } }]);
    expect(Object.keys(tf.output ?? {})).toEqual(['McpHa_Summary']);
  });
  test('Key Vault: RBAC, purge protection, public access denied', () => {
    const kv = only(tf, 'azurerm_key_vault');
    expect(kv).toMatchObject({ rbac_authorization_enabled: true, purge_protection_enabled: true, network_acls: { default_action: 'Deny', bypass: 'AzureServices' } });
  });
  test('diagnostics for gateway (logs and metrics), scale set and cache (metrics); alerts from the tier thresholds', () => {
    const diags = Object.values(resources(tf, 'azurerm_monitor_diagnostic_setting'));
    const target = (type: string) => diags.filter((d) => String(d.target_resource_id).startsWith(`\${${type}.`));
    expect(target('azurerm_application_gateway')).toEqual([expect.objectContaining({ enabled_log: [{ category_group: 'allLogs' }], enabled_metric: [{ category: 'AllMetrics' }] })]);
    expect(target('azurerm_linux_virtual_machine_scale_set')).toEqual([expect.objectContaining({ enabled_metric: [{ category: 'AllMetrics' }] })]);
    expect(target('azurerm_managed_redis')).toEqual([expect.objectContaining({ enabled_metric: [{ category: 'AllMetrics' }] })]);
    for (const d of diags) expect(d.log_analytics_workspace_id).toMatch(/azurerm_log_analytics_workspace\./);
    const alerts = Object.values(resources(tf, 'azurerm_monitor_metric_alert'));
    const cpu = alerts.find((a) => String(a.name).startsWith('mcp-cpu'))!;
    expect((cpu.criteria as Record<string, unknown>[])[0]).toMatchObject({ metric_name: 'Percentage CPU', threshold: tier.alarms.cpuPercent });
    expect(cpu.window_size).toBe('PT5M');
  });
  test('the composite health score: a log search alert with the guide\'s weights and critical values', () => {
    const alert = only(tf, 'azurerm_monitor_scheduled_query_rules_alert_v2');
    const c = (alert.criteria as Record<string, unknown>[])[0];
    expect(c).toMatchObject({ operator: 'LessThan', threshold: 70, metric_measure_column: 'score', time_aggregation_method: 'Minimum' });
    const q = String(c.query);
    expect(q).toContain('percentile(TimeTaken, 95)');
    expect(q).toContain('(500.0 - p95) / 400.0');
    expect(q).toContain('(2 - err) / 1.9');
    expect(q).toContain('(95.0 - cpu) / 25.0');
    expect(q).toContain('st = iff(isnull(ok), 0.0, todouble(ok))');
    expect(q).toMatch(/score = 100\.0 \* \(40 \* rt \+ 30 \* er \+ 20 \* res \+ 10 \* st\) \/ 100$/);
  });
  test('the MCP probe POSTs initialize without a token and expects the 401 challenge (authorization on); alerts when two locations fail', () => {
    const test = only(tf, 'azurerm_application_insights_standard_web_test');
    expect(test.frequency).toBe(300);
    expect(test.request).toMatchObject({ url: 'https://mcp.example.com/mcp', http_verb: 'POST' });
    expect(JSON.parse((test.request as { body: string }).body).method).toBe('initialize');
    const headers = (test.request as { header: { name: string }[] }).header.map((h) => h.name.toLowerCase());
    expect(headers).not.toContain('authorization');
    // A private CA cannot be handed to the test: the SSL check is off rather than failing forever.
    expect(test.validation_rules).toMatchObject({ expected_status_code: 401, ssl_check_enabled: false });
    const probeAlert = Object.values(resources(tf, 'azurerm_monitor_metric_alert')).find((a) => a.name === 'mcp-probe-failing')!;
    expect(probeAlert.application_insights_web_test_location_availability_criteria).toMatchObject({ failed_location_count: 2 });
  });
  test('the probe\'s detection terms come from the rendered test and alert, and say it checks the challenge', () => {
    const test = only(tf, 'azurerm_application_insights_standard_web_test');
    const probeAlert = Object.values(resources(tf, 'azurerm_monitor_metric_alert')).find((a) => a.name === 'mcp-probe-failing')!;
    const minutes = (d: unknown) => Number(/^PT(\d+)M$/.exec(String(d))![1]);
    expect(service.probe!.detectionTerms.map((t) => [t.name, t.seconds])).toEqual([
      ['mcp-probe-schedule', test.frequency], ['mcp-probe-alert', minutes(probeAlert.frequency) * 60],
    ]);
    expect(service.plan.mcpProbeTerms.map((t) => t.seconds)).toEqual(service.probe!.detectionTerms.map((t) => t.seconds));
    expect(service.plan.mcpProbeTerms[0].detail).toMatch(/without a token and expects the 401 challenge/);
  });
});

describe('budget and summary', () => {
  test('the budget recomputed from the rendered probe equals the plan\'s', () => {
    const probe = (only(tf, 'azurerm_application_gateway').probe as { interval: number; timeout: number; unhealthy_threshold: number }[])[0];
    const fromRendered = probe.unhealthy_threshold * probe.interval + probe.timeout;
    expect(service.plan.budget.totalSeconds).toBe(fromRendered);
    expect(fromRendered).toBeLessThanOrEqual(tier.targets.activeActiveDetectionSeconds);
  });
  test('the summary output carries the rendered budget, the write model and the week\'s instance-hours', () => {
    const summary = JSON.parse(tf.output!.McpHa_Summary.value);
    const probe = (only(tf, 'azurerm_application_gateway').probe as { interval: number; timeout: number; unhealthy_threshold: number }[])[0];
    const profiles = profilesOf(tf, 'AA_Region_Scaling');
    expect(summary).toMatchObject({
      cloud: 'azure', topology: 'active-active', zones: 3, budgetSeconds: probe.unhealthy_threshold * probe.interval + probe.timeout,
      cacheWriteModel: 'single-region', writeRecoverySeconds: 30, regionWriteModes: { westeurope: 'local' },
      // Who may call: the issuer's host.
      authorization: 'sts.windows.net',
      minInstances: only(tf, 'azurerm_linux_virtual_machine_scale_set').instances,
      maxInstances: Math.max(...profiles.map((p) => p.capacity.maximum)),
    });
    const min = service.deployment.fleet.capacity.min;
    expect(summary.weeklyInstanceHours).toBe(schedule.weeklyInstanceHours(4, min).floorInstanceHours);
  });
  test('the 7-day certificate warning reaches the alarm addresses (Key Vault certificate contacts)', () => {
    expect(only(tf, 'azurerm_key_vault_certificate_contacts').contact).toEqual([{ email: 'oncall@example.com' }]);
  });
  test('snapshot', () => {
    expect(tf).toMatchSnapshot();
  });
});
