import { ASSUMPTIONS, Cloud } from '../../../lib/core/failover-budget';
import { McpAuthorization } from '../../../lib/core/authorization';
import { ScalingSchedule } from '../../../lib/core/schedule';
import { AvailabilityTier } from '../../../lib/core/tiers';
import { CacheService } from '../../../lib/gcp/cache';
import { McpCertificate } from '../../../lib/gcp/certificate';
import { readConfig } from '../../../examples/mcp-server/src/config';
import { ActiveActiveMcpService, ActiveActiveMcpServiceProps } from '../../../lib/gcp/topologies/active-active';
import { TrafficRouting } from '../../../lib/gcp/topologies/props';
import { envOf, errorOf, only, resourcesOf, server, summaryOf, synthJson, templatesByRegion, testStack } from '../support';

const domain = { managedZone: 'example-com', zoneName: 'example.com', recordName: 'mcp' };
const ISSUER = 'https://auth.example.com/realms/mcp';
const base: ActiveActiveMcpServiceProps = {
  tier: AvailabilityTier.MISSION_CRITICAL, region: 'us-east1', server, capacity: { baseline: 6 },
  schedule: ScalingSchedule.guidePreset('America/New_York'),
  certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com:8200', role: 'mcp' }), domain,
  authorization: McpAuthorization.oauth({ issuer: ISSUER }),
};
// GIVEN a mission-critical active-active service with a schedule, a cache and a Vault certificate (built once)
const { stack } = testStack();
const svc = new ActiveActiveMcpService(stack, 'Mcp', base);
const t = synthJson(stack);
const summary = summaryOf(t);

describe('ActiveActiveMcpService (Google Cloud)', () => {
  test('one region, one fleet over the tier\'s 3 zones behind the global load balancer', () => {
    expect(only(t, 'google_compute_region_instance_group_manager').distribution_policy_zones).toHaveLength(3);
    expect(only(t, 'google_compute_global_forwarding_rule').load_balancing_scheme).toBe('EXTERNAL_MANAGED');
    expect(only(t, 'google_compute_backend_service').backend).toHaveLength(1);
  });

  test('the budget is recomputed from the rendered health check and stays within the tier target', () => {
    const hc = Object.values(resourcesOf(t, 'google_compute_health_check')).find((h) => h.http_health_check.request_path === server.readinessPath);
    expect(summary.budgetSeconds).toBe(hc.unhealthy_threshold * hc.check_interval_sec + hc.timeout_sec);
    expect(summary.budgetSeconds).toBeLessThanOrEqual(svc.plan.profile.targets.activeActiveDetectionSeconds);
    expect(summary).toMatchObject({ cloud: 'gcp', topology: 'active-active', tier: 'mission-critical', zones: 3, targetSeconds: 12 });
  });

  test('servers write to the region\'s cache over TLS; readiness outlasts an in-region cache failover', () => {
    const { script } = templatesByRegion(t)['us-east1'];
    const instance = Object.keys(resourcesOf(t, 'google_memorystore_instance'))[0];
    expect(envOf(script, 'REDIS_URL')).toMatch(new RegExp(`^rediss://\\$\\{google_memorystore_instance\\.${instance}\\.endpoints\\[0\\]`));
    expect(envOf(script, 'CACHE_WRITE_MODE')).toBe('local');
    // No public root signs Memorystore's certificates: the servers trust every CA of the very instance they connect to.
    expect(envOf(script, 'REDIS_AUTH_MODE')).toBe('gcp-iam');
    expect(script).toContain(`-e REDIS_TLS_CA='\${join("\\n", flatten([for ca in google_memorystore_instance.${instance}.managed_server_ca : [for c in ca.ca_certs : c.certificates]]))}'`);
    const grace = Number(envOf(script, 'CACHE_GRACE_SECONDS'));
    expect(grace).toBeGreaterThan(ASSUMPTIONS.cacheAutomaticFailover[Cloud.GCP].seconds);
    expect(grace).toBe(ASSUMPTIONS.cacheAutomaticFailover[Cloud.GCP].seconds + svc.plan.profile.healthProbe.intervalSeconds);
    expect(summary).toMatchObject({ cacheWriteModel: 'single-region', regionWriteModes: { 'us-east1': 'local' } });
  });

  test('the name is an A record to the global address (fine at the apex too); the MCP probe calls it', () => {
    const record = only(t, 'google_dns_record_set');
    expect(record).toMatchObject({ name: 'mcp.example.com.', type: 'A', ttl: svc.plan.profile.recordTtlSeconds });
    expect(record.rrdatas[0]).toMatch(/google_compute_global_address\..*\.address/);
    expect(only(t, 'google_monitoring_uptime_check_config').monitored_resource.labels.host).toBe('mcp.example.com');
  });

  test('the MCP-level detection is stated beside the serving budget, from the rendered uptime check and alert', () => {
    expect(summary.mcpProbeDetectionSeconds).toBe(svc.probe!.budgetTerms().reduce((n, x) => n + x.seconds, 0));
    expect(summary.mcpProbeDetectionSeconds).toBeGreaterThanOrEqual(60 + 60 + 60);
  });

  test('authorization: every server gets core\'s MCP_AUTH_* environment, with the audience derived from the domain and MCP path', () => {
    const { script } = templatesByRegion(t)['us-east1'];
    // RFC 8707: the token must be issued for https://<recordName>.<zoneName><mcpPath>.
    const audience = `https://mcp.example.com${server.mcpPath}`;
    expect(envOf(script, 'MCP_AUTH_ISSUER')).toBe(ISSUER);
    expect(envOf(script, 'MCP_AUTH_AUDIENCE')).toBe(audience);
    // RFC 9728 section 3.1: the well-known path inserted before the resource's path.
    expect(envOf(script, 'MCP_RESOURCE_METADATA_URL')).toBe(`https://mcp.example.com/.well-known/oauth-protected-resource${server.mcpPath}`);
    expect(envOf(script, 'MCP_AUTH_ALGORITHMS')).not.toMatch(/none|HS/);
    // Every variable core renders reaches the server, with core's value.
    for (const [name, value] of Object.entries(svc.authorization!.environment())) expect([name, envOf(script, name)]).toEqual([name, value]);
    expect(summary.authorization).toBe('auth.example.com');
    // Transport security: the Host check is on, for the service's name.
    expect(envOf(script, 'MCP_ALLOWED_HOSTS')).toBe('mcp.example.com');
  });

  test('the MCP uptime check cannot obtain a token: with authorization on it passes only on the servers\' 401 challenge', () => {
    const check = only(t, 'google_monitoring_uptime_check_config');
    expect(check.http_check.accepted_response_status_codes).toEqual([{ status_value: 401 }]);
    expect(check.http_check.headers.Authorization).toBeUndefined();
    // A 2xx (a server that stopped checking tokens) or a 502/503 (no healthy server) fails the check.
    expect(check.http_check.accepted_response_status_codes.some((c: { status_class?: string }) => c.status_class)).toBe(false);
    expect(check.content_matchers).toBeUndefined();
    expect(summary.mcpProbeExpects).toMatch(/^401 challenge/);
    expect(svc.probe!.budgetTerms()[0].detail).toMatch(/without a token and expects the 401 challenge/);
  });

  test('instance-hours in the summary are what the autoscaler will run', () => {
    expect(summary.weeklyInstanceHours).toBe(svc.fleet.scaling.weeklyFloorInstanceHours);
    expect([summary.minInstances, summary.maxInstances]).toEqual([
      only(t, 'google_compute_region_autoscaler').autoscaling_policy.min_replicas,
      only(t, 'google_compute_region_autoscaler').autoscaling_policy.max_replicas,
    ]);
  });

  test('bad inputs: DNS routing for one region, an unknown region, a Vault certificate without a domain', () => {
    const msg = errorOf((s) => new ActiveActiveMcpService(s, 'A', { ...base, region: 'us-centrall1', routing: TrafficRouting.dns(), domain: undefined }));
    expect(msg).toMatch(/^test\/A: 4 invalid settings/);
    // Without a domain the audience cannot be derived: the token's audience would name nothing.
    expect(msg).toMatch(/authorization\.audience: got undefined; allowed: a resource URL \(https:\/\/<service name><mcpPath>\)/);
    expect(msg).toMatch(/region: got "us-centrall1"; allowed: a Compute Engine region/);
    expect(msg).toMatch(/routing: got "dns"; allowed: TrafficRouting\.globalLoadBalancer\(\)/);
    expect(msg).toMatch(/domain: got undefined; allowed: a domain: the certificate is issued for the service's name/);
  });

  test('snapshot', () => {
    expect(t).toMatchSnapshot();
  });
});

describe('Memorystore for Redis STANDARD_HA (one region, a two-zone tier): the AUTH string reaches the servers through Secret Manager', () => {
  // GIVEN a standard-tier service on Memorystore for Redis (AUTH string, no IAM)
  const r = testStack('redis');
  new ActiveActiveMcpService(r.stack, 'Mcp', {
    ...base, tier: AvailabilityTier.STANDARD, capacity: { baseline: 2 }, schedule: undefined, cache: { service: CacheService.REDIS_STANDARD_HA },
  });
  const rt = synthJson(r.stack);
  const { script } = templatesByRegion(rt)['us-east1'];
  const secret = Object.entries(resourcesOf(rt, 'google_secret_manager_secret'));
  const version = Object.entries(resourcesOf(rt, 'google_secret_manager_secret_version'));
  const redisId = Object.keys(resourcesOf(rt, 'google_redis_instance'))[0];

  test('the secret holds the instance\'s AUTH string, in the cache\'s region; the servers get its version\'s name, never the string', () => {
    expect(secret).toHaveLength(1);
    expect(version).toHaveLength(1);
    expect(secret[0][1].replication).toEqual({ user_managed: { replicas: [{ location: 'us-east1' }] } });
    expect(version[0][1]).toMatchObject({ secret: `\${google_secret_manager_secret.${secret[0][0]}.id}`, secret_data: `\${google_redis_instance.${redisId}.auth_string}` });
    expect(envOf(script, 'REDIS_AUTH_MODE')).toBe('auth-string');
    expect(envOf(script, 'REDIS_AUTH_SECRET')).toBe(`\${google_secret_manager_secret_version.${version[0][0]}.name}`);
    expect(envOf(script, 'REDIS_AUTH_TOKEN')).toBeUndefined();
    expect(script).not.toMatch(/auth_string/);
    expect(JSON.stringify(templatesByRegion(rt)['us-east1'].template.metadata)).not.toMatch(/auth_string/);
  });

  test('the fleet\'s service account may read that secret and nothing broader; no Valkey IAM role is granted', () => {
    expect(Object.keys(resourcesOf(rt, 'google_service_account'))).toHaveLength(1);
    const members = Object.values(resourcesOf(rt, 'google_secret_manager_secret_iam_member'));
    expect(members).toEqual([expect.objectContaining({
      secret_id: `\${google_secret_manager_secret.${secret[0][0]}.id}`, role: 'roles/secretmanager.secretAccessor',
      member: `serviceAccount:\${google_service_account.${Object.keys(resourcesOf(rt, 'google_service_account'))[0]}.email}`,
    })]);
    const projectRoles = Object.values(resourcesOf(rt, 'google_project_iam_member')).map((m) => m.role);
    expect(projectRoles).not.toContain('roles/memorystore.dbConnectionUser');
    expect(projectRoles).not.toContain('roles/secretmanager.secretAccessor');
  });

  test('the server accepts the rendered environment (references resolved as Terraform would) and reads the password from that secret', () => {
    const resolved = (v: string | undefined): string | undefined => v
      ?.replace(/^\$\{google_secret_manager_secret_version\.[^}]+\.name\}$/, 'projects/123456789/secrets/mcp-us-east1-auth/versions/1')
      .replace(/^\$\{google_redis_instance\.[^}]+\.server_ca_certs\[0\]\.cert\}$/, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')
      .replace(/\$\{google_redis_instance\.[^}]+\.host\}/, '10.0.0.5');
    const env: NodeJS.ProcessEnv = {};
    for (const name of ['REDIS_URL', 'REDIS_AUTH_MODE', 'REDIS_TLS_CA', 'REDIS_AUTH_SECRET']) env[name] = resolved(envOf(script, name));
    const config = readConfig(env);
    expect(config.redisUrl).toBe('rediss://10.0.0.5:6378');
    expect(config.cacheAuth).toMatchObject({ mode: 'auth-string', authSecret: 'projects/123456789/secrets/mcp-us-east1-auth/versions/1' });
    expect(config.redisPassword).toBeUndefined();
  });
});
