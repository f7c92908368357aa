import { AvailabilityTier } from '../../lib/core/tiers';
import { CACHE_CLIENT_ROLE, CachePersistence, CacheService, McpCache } from '../../lib/gcp/cache';
import { McpNetwork } from '../../lib/gcp/network';
import { errorOf, resourcesOf, synthJson, testStack } from './support';

// GIVEN a mission-critical Valkey primary in us-east1 and its cross-region secondary in europe-west1 (built once)
const { stack } = testStack();
const network = new McpNetwork(stack, 'Net', { regions: ['us-east1', 'europe-west1'], serverPort: 8080 });
const primary = new McpCache(stack, 'Cache', { network, region: 'us-east1', tier: AvailabilityTier.MISSION_CRITICAL, clientServiceAccounts: ['mcp@p.iam.gserviceaccount.com'] });
const secondary = new McpCache(stack, 'Secondary', { network, region: 'europe-west1', tier: AvailabilityTier.MISSION_CRITICAL, primary });
const t = synthJson(stack);
const instances = resourcesOf(t, 'google_memorystore_instance');
const [p, s] = [instances[Object.keys(instances).find((k) => k.startsWith('Cache'))!], instances[Object.keys(instances).find((k) => k.startsWith('Secondary'))!]];

describe('McpCache (Memorystore for Valkey)', () => {
  test('every provider default that breaks HA is set: replicas from the tier in other zones, one shard, deletion protection', () => {
    expect(p.replica_count).toBe(2);
    expect(p.replica_count).toBeGreaterThanOrEqual(1);
    expect(p.zone_distribution_config).toEqual({ mode: 'MULTI_ZONE' });
    expect(p).toMatchObject({ mode: 'CLUSTER_DISABLED', shard_count: 1, deletion_protection_enabled: true });
    expect(p.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ['cross_instance_replication_config'] });
  });

  test('in-transit encryption and IAM authentication; the servers\' account gets only the connection role', () => {
    expect(p).toMatchObject({ transit_encryption_mode: 'SERVER_AUTHENTICATION', authorization_mode: 'IAM_AUTH' });
    expect(Object.values(resourcesOf(t, 'google_project_iam_member')).map((m) => [m.role, m.member]))
      .toEqual([[CACHE_CLIENT_ROLE, 'serviceAccount:mcp@p.iam.gserviceaccount.com']]);
  });

  test('critical tiers persist every second (AOF) and keep the tier\'s backups', () => {
    expect(p.persistence_config).toEqual({ mode: 'AOF', aof_config: { append_fsync: 'EVERY_SEC' } });
    expect(p.automated_backup_config.retention).toBe(`${35 * 86400}s`);
  });

  test('endpoints through a service connection policy per region (not the deprecated desired_psc_auto_connections)', () => {
    expect(p.desired_psc_auto_connections).toBeUndefined();
    expect(p.desired_auto_created_endpoints).toHaveLength(1);
    const policies = Object.values(resourcesOf(t, 'google_network_connectivity_service_connection_policy'));
    expect(policies.map((x) => [x.location, x.service_class]).sort()).toEqual([['europe-west1', 'gcp-memorystore'], ['us-east1', 'gcp-memorystore']]);
    expect(p.depends_on[0]).toMatch(/google_network_connectivity_service_connection_policy/);
  });

  test('the secondary replicates from the primary (single writer) and is marked read-only until switched over', () => {
    expect(s.cross_instance_replication_config).toEqual({ instance_role: 'SECONDARY', primary_instance: { instance: expect.stringMatching(/google_memorystore_instance\.Cache.*\.id/) } });
    expect(p.cross_instance_replication_config).toBeUndefined();
    expect([primary.secondary, secondary.secondary]).toEqual([false, true]);
  });

  test('servers connect to the instance\'s endpoint with TLS', () => {
    expect(primary.host).toMatch(/endpoints\[0\]\.connections\[0\]\.psc_auto_connection\[0\]\.ip_address/);
    expect(primary.port).toBe('6379');
  });

  test('Memorystore for Redis STANDARD_HA is an option for one region, with TLS and AUTH, and is refused for 3-zone tiers', () => {
    const r = testStack();
    const n = new McpNetwork(r.stack, 'Net', { regions: ['us-east1'], serverPort: 8080 });
    const redisCache = new McpCache(r.stack, 'Redis', { network: n, region: 'us-east1', tier: AvailabilityTier.STANDARD, service: CacheService.REDIS_STANDARD_HA });
    const redisInstances = resourcesOf(synthJson(r.stack), 'google_redis_instance');
    const redis = Object.values(redisInstances)[0];
    // TLS with the instance's own server CA (no public root signs it).
    expect(redisCache.tlsCaPem).toBe(`\${google_redis_instance.${Object.keys(redisInstances)[0]}.server_ca_certs[0].cert}`);
    expect(redis).toMatchObject({ tier: 'STANDARD_HA', transit_encryption_mode: 'SERVER_AUTHENTICATION', auth_enabled: true, replica_count: 1 });
    expect(errorOf((sc) => new McpCache(sc, 'R', {
      network: new McpNetwork(sc, 'N', { regions: ['us-east1'], serverPort: 8080 }), region: 'us-east1', tier: AvailabilityTier.BUSINESS_CRITICAL,
      service: CacheService.REDIS_STANDARD_HA,
    }))).toMatch(/service: got "redis-standard-ha"; allowed: valkey: Memorystore for Redis STANDARD_HA spans 2 zones and business-critical requires 3/);
  });

  test('bad inputs: no replica for a critical tier, no persistence for a critical tier, a secondary in the primary\'s region', () => {
    const msg = errorOf((sc) => {
      const n = new McpNetwork(sc, 'N', { regions: ['us-east1'], serverPort: 8080 });
      const first = new McpCache(sc, 'A', { network: n, region: 'us-east1' });
      new McpCache(sc, 'B', { network: n, region: 'us-east1', replicaCount: 0, persistence: CachePersistence.DISABLED, primary: first, shardCount: 3 });
    });
    expect(msg).toMatch(/^test\/B: 4 invalid settings/);
    expect(msg).toMatch(/replicaCount: got 0; allowed: an integer from 1 to 5 \(business-critical needs automatic failover/);
    expect(msg).toMatch(/persistence: got "DISABLED"; allowed: AOF or RDB/);
    expect(msg).toMatch(/region: got "us-east1"; allowed: a region other than the primary's \(us-east1\)/);
    expect(msg).toMatch(/shardCount: got 3; allowed: an integer from 1 to 1 \(CLUSTER_DISABLED has exactly one shard\)/);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});
