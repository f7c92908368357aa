import { McpNetwork, GOOGLE_HEALTH_CHECK_RANGES, MEMORYSTORE_PORTS } from '../../lib/gcp/network';
import { errorOf, resourcesOf, synthJson, testStack } from './support';

// GIVEN a network in two regions, one of them with a regional load balancer (built once)
const { stack } = testStack();
const network = new McpNetwork(stack, 'Net', { regions: ['us-east1', 'europe-west1'], serverPort: 8080, regionalLoadBalancerRegions: ['europe-west1'] });
const t = synthJson(stack);
const firewalls = Object.values(resourcesOf(t, 'google_compute_firewall'));

describe('McpNetwork', () => {
  test('one custom-mode global VPC with a private subnet per region (Private Google Access, flow logs)', () => {
    const vpc = Object.values(resourcesOf(t, 'google_compute_network'));
    expect(vpc).toHaveLength(1);
    expect(vpc[0]).toMatchObject({ auto_create_subnetworks: false, routing_mode: 'GLOBAL' });
    const subnets = Object.values(resourcesOf(t, 'google_compute_subnetwork')).filter((s) => s.purpose === undefined);
    expect(subnets.map((s) => s.region).sort()).toEqual(['europe-west1', 'us-east1']);
    for (const s of subnets) expect(s).toMatchObject({ private_ip_google_access: true, log_config: expect.any(Object) });
  });

  test('a proxy-only subnet only where a regional load balancer runs, and its range may reach the servers', () => {
    const proxy = Object.values(resourcesOf(t, 'google_compute_subnetwork')).filter((s) => s.purpose === 'REGIONAL_MANAGED_PROXY');
    expect(proxy.map((s) => s.region)).toEqual(['europe-west1']);
    const ingress = firewalls.filter((f) => f.direction === 'INGRESS');
    expect(ingress).toHaveLength(1);
    expect(ingress[0].source_ranges).toEqual([...GOOGLE_HEALTH_CHECK_RANGES, network.regions['europe-west1'].proxyOnlyCidr]);
  });

  test('nothing but the load balancer ranges reaches the servers, and only on the server port', () => {
    const ingress = firewalls.filter((f) => f.direction === 'INGRESS');
    expect(ingress.flatMap((f) => f.source_ranges)).not.toContain('0.0.0.0/0');
    expect(ingress.flatMap((f) => f.allow)).toEqual([{ protocol: 'tcp', ports: ['8080'] }]);
    for (const f of ingress) expect(f.target_tags).toEqual([network.serverTag]);
  });

  test('egress: HTTPS and the cache\'s ports inside the VPC are allowed before everything else is denied', () => {
    const egress = firewalls.filter((f) => f.direction === 'EGRESS');
    const deny = egress.filter((f) => f.deny);
    const allow = egress.filter((f) => f.allow);
    expect(deny).toHaveLength(1);
    expect(deny[0].priority).toBeGreaterThan(Math.max(...allow.map((f) => f.priority)));
    const cache = allow.find((f) => f.allow[0].ports.includes('6379'));
    expect(cache.allow[0].ports).toEqual([...MEMORYSTORE_PORTS]);
    expect(cache.destination_ranges).toEqual(['10.10.0.0/20', '10.11.0.0/20']);
    expect(allow.find((f) => f.allow[0].ports.includes('443')).destination_ranges).toEqual(['0.0.0.0/0']);
  });

  test('Cloud NAT in every region: instances reach out with no external address', () => {
    const nats = Object.values(resourcesOf(t, 'google_compute_router_nat'));
    expect(nats.map((n) => n.region).sort()).toEqual(['europe-west1', 'us-east1']);
    expect(Object.values(resourcesOf(t, 'google_compute_router'))).toHaveLength(2);
  });

  test('bring your own VPC: no VPC, subnet or NAT is created; firewall rules go on your network', () => {
    const own = testStack();
    new McpNetwork(own.stack, 'Net', {
      regions: ['us-east1'], serverPort: 8080, existing: { network: 'projects/p/global/networks/corp', subnets: { 'us-east1': 'projects/p/regions/us-east1/subnetworks/apps' }, hasNat: true },
    });
    const o = synthJson(own.stack);
    expect(resourcesOf(o, 'google_compute_network')).toEqual({});
    expect(resourcesOf(o, 'google_compute_subnetwork')).toEqual({});
    expect(resourcesOf(o, 'google_compute_router_nat')).toEqual({});
    for (const f of Object.values(resourcesOf(o, 'google_compute_firewall'))) expect(f.network).toBe('projects/p/global/networks/corp');
  });

  test('bad input: unknown region, missing subnet, missing proxy-only range, a load balancer region outside the service', () => {
    const msg = errorOf((s) => new McpNetwork(s, 'N', {
      regions: ['us-eastt1', 'us-east1'], serverPort: 8080, regionalLoadBalancerRegions: ['us-west1', 'us-east1'],
      existing: { network: 'n', subnets: {} },
    }));
    expect(msg).toMatch(/^test\/N: \d+ invalid settings/);
    expect(msg).toMatch(/regions\[0\]: got "us-eastt1"; allowed: a Compute Engine region such as "us-central1"/);
    expect(msg).toMatch(/regionalLoadBalancerRegions: got "us-west1"; allowed: one of the service's regions/);
    expect(msg).toMatch(/existing\.subnets\.us-east1: got undefined; allowed: the subnet of us-east1/);
    expect(msg).toMatch(/existing\.proxyOnlyRanges\.us-east1: got undefined; allowed: the proxy-only subnet range of us-east1/);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});
