/**
 * Semantic checks over every Google Cloud reference stack (examples/terraform/gcp.ts),
 * written once and run for each topology: what a failure would exercise, read from
 * the synthesized Terraform.
 */
import { Testing } from 'cdktf';
import { ASSUMPTIONS } from '../../lib/core/failover-budget';
import { TierProfile, resolveTier, AvailabilityTier } from '../../lib/core/tiers';
import { SUMMARY_OUTPUT } from '../../lib/gcp/topologies/props';
import { addGcpStacks } from '../../examples/terraform/gcp';
import { Tf, TfJson, envOf, resourcesOf, summaryOf, templatesByRegion } from './support';

const app = Testing.app();
const stacks = addGcpStacks(app);
const synthesized: [string, TfJson][] = Object.values(stacks).map((s) => [s.node.id, JSON.parse(Testing.synth(s)) as TfJson]);

describe.each(synthesized)('%s', (name, t) => {
  const summary = summaryOf(t);
  /** The service's name: the host the MCP uptime check calls. */
  const service: string = Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config'))
    .find((u) => u.http_check.request_method === 'POST').monitored_resource.labels.host;
  const profile: TierProfile = resolveTier(summary.tier as AvailabilityTier);

  test('writes the summary output npm run synth reads, within its target', () => {
    expect(Object.keys(t.output ?? {})).toContain(SUMMARY_OUTPUT);
    expect(summary.cloud).toBe('gcp');
    expect(summary.budgetSeconds).toBeLessThanOrEqual(summary.targetSeconds);
    expect(name).toBe(`gcp-${summary.topology}`);
  });

  test('every server\'s write endpoint is writable in its region, or the server is told it is read-only and who writes', () => {
    const instances = resourcesOf(t, 'google_memorystore_instance');
    const writers = Object.entries(instances).filter(([, i]) => !i.cross_instance_replication_config).map(([k, i]) => ({ k, region: i.location }));
    expect(writers).toHaveLength(1);
    for (const [region, { script }] of Object.entries(templatesByRegion(t))) {
      const url = envOf(script, 'REDIS_URL')!;
      const [instance] = Object.keys(instances).filter((k) => url.includes(`google_memorystore_instance.${k}.`));
      expect(instances[instance].location).toBe(region);
      // TLS to the instance: its own CA (managed_server_ca) is the one the server trusts.
      expect(script).toMatch(new RegExp(`-e REDIS_TLS_CA='\\$\\{join\\("\\\\n", flatten\\(\\[for ca in google_memorystore_instance\\.${instance}\\.managed_server_ca `));
      const secondary = instances[instance].cross_instance_replication_config?.instance_role === 'SECONDARY';
      expect(envOf(script, 'CACHE_WRITE_MODE')).toBe(secondary ? 'read-only-unless-promoted' : 'local');
      if (secondary) expect(envOf(script, 'CACHE_WRITER_REGION')).toBe(writers[0].region);
    }
  });

  test('a routine in-region cache failover moves no region: readiness tolerates it', () => {
    for (const { script } of Object.values(templatesByRegion(t))) {
      expect(Number(envOf(script, 'CACHE_GRACE_SECONDS'))).toBeGreaterThan(ASSUMPTIONS.cacheAutomaticFailover.gcp.seconds);
    }
  });

  test('no alert treats missing data as a failure', () => {
    for (const p of Object.values(resourcesOf(t, 'google_monitoring_alert_policy'))) {
      for (const c of p.conditions) {
        // Log-match conditions have no missing data; every threshold condition must say what missing data means.
        if (c.condition_matched_log) continue;
        expect(c.condition_threshold.evaluation_missing_data).toBe('EVALUATION_MISSING_DATA_INACTIVE');
      }
    }
  });

  test('the uptime checks call the service\'s name; with the private Vault CA they do not validate (they cannot be given the CA)', () => {
    for (const u of Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config'))) {
      expect(u.monitored_resource.labels.host).toMatch(/^mcp(-[a-z0-9-]+)?\.example\.com$/);
      expect(u.http_check.validate_ssl).toBe(false);
      expect(Number.parseInt(u.period, 10)).toBeGreaterThanOrEqual(60);
    }
  });

  test('every backend outlasts the longest tool call; every schedule lasts at least 300 s and never asks for more than the maximum', () => {
    const backends = [...Object.values(resourcesOf(t, 'google_compute_backend_service')), ...Object.values(resourcesOf(t, 'google_compute_region_backend_service'))];
    for (const b of backends) expect(b.timeout_sec).toBeGreaterThan(profile.timeouts.longestToolCallSeconds);
    for (const a of Object.values(resourcesOf(t, 'google_compute_region_autoscaler'))) {
      for (const s of a.autoscaling_policy.scaling_schedules) {
        expect(s.duration_sec).toBeGreaterThanOrEqual(300);
        expect(s.min_required_replicas).toBeLessThanOrEqual(a.autoscaling_policy.max_replicas);
      }
    }
  });

  test('every function that calls the service\'s own names trusts the CA that issued its certificate', () => {
    const certs = Object.keys(resourcesOf(t, 'vault_pki_secret_backend_cert'));
    for (const fn of Object.values(resourcesOf(t, 'google_cloudfunctions2_function'))) {
      const ca: string = fn.service_config.environment_variables.PROMOTION_TRUSTED_CA;
      expect(certs.some((c) => ca === `\${vault_pki_secret_backend_cert.${c}.issuing_ca}`)).toBe(true);
    }
  });

  test('every server checks tokens: core\'s MCP_AUTH_* environment for the service\'s audience; the summary names the issuer\'s host', () => {
    const issuers = new Set<string>();
    for (const { script } of Object.values(templatesByRegion(t))) {
      issuers.add(envOf(script, 'MCP_AUTH_ISSUER')!);
      expect(envOf(script, 'MCP_AUTH_AUDIENCE')).toBe(`https://${service}/mcp`);
      expect(envOf(script, 'MCP_AUTH_ISSUER')).toMatch(/^https:\/\//);
    }
    expect(issuers.size).toBe(1);
    expect(summary.authorization).toBe(new URL([...issuers][0]).host);
    // The MCP uptime check cannot obtain a token: it passes only on the servers' 401 challenge.
    const mcpCheck = Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config')).find((u) => u.http_check.request_method === 'POST');
    expect(mcpCheck.http_check.accepted_response_status_codes).toEqual([{ status_value: 401 }]);
  });

  test('every promotion re-checks the writer region through a name only that region serves, and probes names only their region serves', () => {
    const records = Object.values(resourcesOf(t, 'google_dns_record_set'));
    const migs = resourcesOf(t, 'google_compute_region_instance_group_manager');
    const backends = resourcesOf(t, 'google_compute_backend_service');
    const addresses = resourcesOf(t, 'google_compute_address');
    const urlMap = Object.values(resourcesOf(t, 'google_compute_url_map'))[0];
    /** The regions whose instances answer requests for `host`, read from the DNS record and the load balancer. */
    const regionsServing = (host: string): string[] => {
      const record = records.find((r) => r.name === `${host}.` && !r.routing_policy);
      const address = String(record.rrdatas[0]);
      const regional = /google_compute_address\.([^.]+)\./.exec(address);
      if (regional) return [addresses[regional[1]].region];
      const rule = urlMap.host_rule.find((r: Tf) => r.hosts.includes(host));
      const matcher = urlMap.path_matcher.find((m: Tf) => m.name === rule.path_matcher);
      const service = backends[/google_compute_backend_service\.([^.]+)\.id/.exec(matcher.default_service)![1]];
      return service.backend.map((b: Tf) => migs[/google_compute_region_instance_group_manager\.([^.]+)\./.exec(b.group)![1]].region);
    };
    for (const fn of Object.values(resourcesOf(t, 'google_cloudfunctions2_function'))) {
      const config = JSON.parse(fn.service_config.environment_variables.PROMOTION_CONFIG);
      expect(regionsServing(new URL(config.failedRegionHealthUrl).hostname)).toEqual([config.failedRegion]);
      for (const c of config.candidates) expect(regionsServing(new URL(c.healthUrl).hostname)).toEqual([c.region]);
      expect(fn.location).not.toBe(config.failedRegion);
    }
    // Every topology with a single writer in several regions automates the switchover.
    if (summary.cacheWriteModel === 'single-writer') expect(Object.keys(resourcesOf(t, 'google_cloudfunctions2_function'))).toHaveLength(1);
  });

  test('every server enforces a Host list (DNS rebinding) holding every name clients and the service\'s own checks reach its region by', () => {
    const checkHosts = Object.values(resourcesOf(t, 'google_monitoring_uptime_check_config')).map((u) => u.monitored_resource.labels.host as string);
    const promotionHosts = Object.values(resourcesOf(t, 'google_cloudfunctions2_function')).flatMap((fn) => {
      const c = JSON.parse(fn.service_config.environment_variables.PROMOTION_CONFIG);
      return [[c.failedRegion, c.failedRegionHealthUrl], ...c.candidates.map((x: Tf) => [x.region, x.healthUrl])] as [string, string][];
    });
    for (const [region, { script }] of Object.entries(templatesByRegion(t))) {
      const allowed = envOf(script, 'MCP_ALLOWED_HOSTS')!.split(',');
      // The MCP probe calls the service's name; the promotion calls each region's own name.
      expect(checkHosts).toContain(service);
      expect(allowed).toContain(service);
      for (const [r, url] of promotionHosts.filter(([r]) => r === region)) expect([r, allowed]).toEqual([r, expect.arrayContaining([new URL(url).hostname])]);
      // No other region's own name: a request for it reaching this region would be a routing error.
      const others = promotionHosts.filter(([r]) => r !== region).map(([, url]) => new URL(url).hostname);
      expect(allowed.filter((h) => others.includes(h))).toEqual([]);
    }
  });

  test('names that are global or project-wide are unique to this stack (all Google reference stacks deploy into one project)', () => {
    const others = synthesized.filter(([n]) => n !== name).map(([, o]) => o);
    const namesOf = (j: TfJson): string[] => [
      ...Object.values(resourcesOf(j, 'google_storage_bucket')).map((b) => `bucket ${b.name}`),
      ...Object.values(resourcesOf(j, 'google_compute_network')).map((n) => `network ${n.name}`),
      ...Object.values(resourcesOf(j, 'google_service_account')).map((a) => `account ${a.account_id}`),
      ...Object.values(resourcesOf(j, 'google_project_iam_custom_role')).map((r) => `role ${r.role_id}`),
      ...Object.values(resourcesOf(j, 'google_pubsub_topic')).map((p) => `topic ${p.name}`),
      ...Object.values(resourcesOf(j, 'google_compute_global_address')).map((a) => `address ${a.name}`),
      ...Object.values(resourcesOf(j, 'google_dns_record_set')).map((r) => `record ${r.name}`),
    ];
    const mine = namesOf(t);
    expect(mine.filter((n) => others.some((o) => namesOf(o).includes(n)))).toEqual([]);
  });

  test('DNS records are A records (no CNAME, so none at an apex)', () => {
    for (const r of Object.values(resourcesOf(t, 'google_dns_record_set'))) expect(r.type).toBe('A');
  });

  test('no firewall rule opens the servers to the internet', () => {
    for (const f of Object.values(resourcesOf(t, 'google_compute_firewall'))) {
      if (f.direction === 'INGRESS') expect(f.source_ranges).not.toContain('0.0.0.0/0');
    }
  });
});
