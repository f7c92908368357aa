import { McpServerSource } from '../../lib/core/server-source';
import { ScalingSchedule } from '../../lib/core/schedule';
import { AvailabilityTier } from '../../lib/core/tiers';
import { McpFleet, SERVER_ROLES } from '../../lib/gcp/fleet';
import { McpLoadBalancer } from '../../lib/gcp/load-balancer';
import { McpNetwork } from '../../lib/gcp/network';
import { CERT, errorOf, only, resourcesOf, server, synthJson, testStack, Tf } from './support';

// GIVEN a mission-critical fleet with the guide's schedule behind a global load balancer (built once)
const { stack } = testStack();
const network = new McpNetwork(stack, 'Net', { regions: ['us-east1'], serverPort: 8080 });
const lb = new McpLoadBalancer(stack, 'Lb', { network, server, sslCertificates: [CERT], tier: AvailabilityTier.MISSION_CRITICAL });
const fleet = new McpFleet(stack, 'Fleet', {
  network, region: 'us-east1', server, capacity: { baseline: 6 }, loadBalancer: lb, schedule: ScalingSchedule.guidePreset('America/New_York'),
  environment: { CACHE_WRITE_MODE: 'local' },
});
const t = synthJson(stack);
const tpl = only(t, 'google_compute_instance_template');
const mig = only(t, 'google_compute_region_instance_group_manager');
const autoscaler = only(t, 'google_compute_region_autoscaler');

describe('McpFleet', () => {
  test('a regional managed instance group spread evenly over the tier\'s 3 zones of the region', () => {
    expect(mig.distribution_policy_zones).toEqual(['us-east1-b', 'us-east1-c', 'us-east1-d']);
    expect(mig.distribution_policy_target_shape).toBe('EVEN');
    expect(mig.target_size).toBeUndefined();
    expect(mig.named_port).toEqual([{ name: 'mcp', port: 8080 }]);
  });

  test('instances: Shielded VM, no external address, OS Login, no project SSH keys', () => {
    expect(tpl.shielded_instance_config).toEqual({ enable_secure_boot: true, enable_vtpm: true, enable_integrity_monitoring: true });
    expect(tpl.network_interface).toHaveLength(1);
    expect(tpl.network_interface[0].access_config).toBeUndefined();
    expect(tpl.metadata).toMatchObject({ 'enable-oslogin': 'TRUE', 'block-project-ssh-keys': 'TRUE' });
    expect(tpl.tags).toEqual([network.serverTag]);
  });

  test('a dedicated service account with only logging, metrics and image-pull roles (no basic roles)', () => {
    expect(tpl.service_account.email).toMatch(/google_service_account\./);
    const roles = Object.values(resourcesOf(t, 'google_project_iam_member')).map((m) => m.role).sort();
    expect(roles).toEqual([...SERVER_ROLES].sort());
    for (const r of roles) expect(r).not.toMatch(/roles\/(owner|editor|viewer)$/);
  });

  test('the container runs on Container-Optimized OS with the timeout chain and the caller\'s environment; no package manager', () => {
    expect(tpl.disk[0].source_image).toBe('cos-cloud/cos-stable');
    const script: string = tpl.metadata['startup-script'];
    expect(script).not.toMatch(/dnf|apt-get|yum/);
    expect(script).toMatch(/docker run -d --restart unless-stopped --name mcp --stop-timeout '?130'? -p 8080:8080/);
    expect(script).toMatch(/-e CACHE_WRITE_MODE='?local'?/);
    expect(script).toMatch(/-e MCP_LONGEST_TOOL_CALL_SECONDS='?120'?|MCP_DRAIN_SECONDS/);
  });

  test('start commands run on Debian, unchanged', () => {
    const s = testStack();
    const n = new McpNetwork(s.stack, 'Net', { regions: ['us-east1'], serverPort: 9000 });
    const f = new McpFleet(s.stack, 'F', {
      network: n, region: 'us-east1', capacity: { baseline: 3 },
      server: McpServerSource.commands(['systemctl start mcp'], { port: 9000 }),
    });
    expect(f.image).toBe('debian-cloud/debian-12');
    expect(f.startupScript).toMatch(/systemctl start mcp$/);
  });

  test('autohealing replaces an instance whose liveness fails, after the initial delay; the LB check stays on readiness', () => {
    expect(mig.auto_healing_policies.initial_delay_sec).toBe(300);
    const live = Object.values(resourcesOf(t, 'google_compute_health_check')).find((h) => h.http_health_check.request_path === server.livenessPath);
    expect(mig.auto_healing_policies.health_check).toMatch(new RegExp(`google_compute_health_check\\.${Object.keys(resourcesOf(t, 'google_compute_health_check')).find((k) => resourcesOf(t, 'google_compute_health_check')[k] === live)}`));
    // Autohealing is slower to act than the load balancer: an instance is drained from traffic before it is recreated.
    expect(live.unhealthy_threshold * live.check_interval_sec).toBeGreaterThan(lb.probe.detectionSeconds);
  });

  test('updates surge first (one per zone) and never take serving capacity away', () => {
    expect(mig.update_policy).toMatchObject({ type: 'PROACTIVE', max_surge_fixed: 3, max_unavailable_fixed: 0, replacement_method: 'SUBSTITUTE' });
  });

  test('the autoscaler holds the tier CPU target and load-balancing utilization, and runs the schedule', () => {
    const p = autoscaler.autoscaling_policy;
    expect(p.cpu_utilization.target).toBe(lb.profile.alarms.targetCpuPercent / 100);
    expect(p.load_balancing_utilization.target).toBe(0.8);
    expect([p.min_replicas, p.max_replicas]).toEqual([fleet.scaling.minReplicas, fleet.scaling.maxReplicas]);
    expect(p.min_replicas).toBeGreaterThanOrEqual(lb.profile.minCapacity);
    expect(p.scaling_schedules.map((s: Tf) => [s.schedule, s.duration_sec, s.min_required_replicas, s.time_zone])).toEqual(
      fleet.scaling.schedules.map((s) => [s.schedule, s.durationSec, s.minRequiredReplicas, 'America/New_York']));
  });

  test('what Google cannot express of the schedule is a synth warning, not silence', () => {
    const warnings = fleet.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data));
    expect(warnings).toEqual(expect.arrayContaining([expect.stringMatching(/per-window maximums .*Google keeps one max_replicas \(12\) all week/)]));
  });

  test('the group is the load balancer\'s backend', () => {
    expect(only(t, 'google_compute_backend_service').backend[0].group).toMatch(/google_compute_region_instance_group_manager\..*\.instance_group/);
  });

  test('bad inputs: a zone outside the region, fewer zones than the tier, surge that a regional group refuses, min below the tier', () => {
    const msg = errorOf((s) => {
      const n = new McpNetwork(s, 'N', { regions: ['us-east1'], serverPort: 8080 });
      new McpFleet(s, 'F', {
        network: n, region: 'us-east1', server, tier: AvailabilityTier.MISSION_CRITICAL,
        zones: ['us-east1-b', 'us-west1-a'], capacity: { baseline: 4, min: 2 }, maxSurge: 1, autohealingInitialDelaySeconds: 4000,
      });
    });
    expect(msg).toMatch(/^test\/F: \d+ invalid settings/);
    expect(msg).toMatch(/zones: got "us-west1-a"; allowed: zones of us-east1 \(us-east1-b, us-east1-c, us-east1-d\)/);
    expect(msg).toMatch(/zones: got \["us-east1-b","us-west1-a"\]; allowed: at least 3 zones of us-east1/);
    expect(msg).toMatch(/maxSurge: got 1; allowed: 0 or at least the number of zones \(2\)/);
    expect(msg).toMatch(/capacity\.min: got 2; allowed: an integer from 3 to 1000/);
    expect(msg).toMatch(/autohealingInitialDelaySeconds: got 4000; allowed: an integer from 0 to 3600/);
  });

  test('a region outside the network is refused', () => {
    expect(errorOf((s) => new McpFleet(s, 'F', {
      network: new McpNetwork(s, 'N', { regions: ['us-east1'], serverPort: 8080 }), region: 'europe-west1', server, capacity: { baseline: 3 },
    }))).toMatch(/region: got "europe-west1"; allowed: a region of the network \(us-east1\)/);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});
