/**
 * The region drill's loopback Memorystore API (scripts/drill/memorystore-fake.ts) accepts only
 * the switchover request the Google handler documents, and only then switches the local caches
 * over: driven here by the handler's own MemorystoreApi and by hand-made wrong requests, against
 * two real redis-servers (one a replica of the other).
 */
import { MEMORYSTORE_API, MemorystoreApi } from '../../lib/gcp/cache-promotion-handler';
import { LocalReplicatedCache, redisRole } from '../../scripts/drill/local-cache';
import { FakeMemorystoreApi } from '../../scripts/drill/memorystore-fake';
import { ProcessGroup, RedisHandle, requireBinary, startRedis, waitFor } from '../../scripts/drill/processes';

const group = new ProcessGroup('mcp-ha-memorystore-fake-');
const TOKEN = 'function-token';
let api: FakeMemorystoreApi;
let primary: RedisHandle;
let secondary: RedisHandle;
const lost = new Set<string>();

beforeAll(async () => {
  requireBinary('redis-server');
  primary = await startRedis(group, { name: 'redis-us-east1' });
  secondary = await startRedis(group, { name: 'redis-us-central1', replicaOf: primary.port });
  const cache = new LocalReplicatedCache('mcp-ha-drill', [
    { region: 'us-east1', port: primary.port, role: 'PRIMARY' },
    { region: 'us-central1', port: secondary.port, role: 'SECONDARY' },
  ]);
  api = new FakeMemorystoreApi({
    cache, project: 'p', token: TOKEN, instances: { 'us-east1': 'cache-a', 'us-central1': 'cache-b' }, isLost: (r) => lost.has(r),
  });
  await api.start();
}, 30_000);

afterAll(async () => {
  await api.stop();
  await group.stopAll();
});

/** The handler's HttpJson, pointed at the fake, with a chosen token. */
function http(token: string | undefined) {
  return async (method: string, url: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(api.baseUrl + url.slice(MEMORYSTORE_API.length), {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
}

test('wrong requests are refused and switch nothing over; the handler\'s own request switches the secondary over (REPLICAOF NO ONE, the old primary repointed)', async () => {
  const [a, b] = api.members;
  const call = http(TOKEN);
  // No token.
  expect((await http(undefined)('GET', `${MEMORYSTORE_API}/${a}`)).status).toBe(401);
  // Another update mask, an extra field, the wrong role, a secondary list missing the old primary, the current primary.
  const patch = (name: string, query: string, body: unknown) => call('PATCH', `${MEMORYSTORE_API}/${name}${query}`, body);
  const good = { crossInstanceReplicationConfig: { instanceRole: 'PRIMARY', secondaryInstances: [{ instance: a }] } };
  expect((await patch(b, '?updateMask=crossInstanceReplicationConfig.instanceRole', good)).status).toBe(400);
  expect((await patch(b, '?updateMask=crossInstanceReplicationConfig', { ...good, labels: {} })).status).toBe(400);
  expect((await patch(b, '?updateMask=crossInstanceReplicationConfig', { crossInstanceReplicationConfig: { instanceRole: 'SECONDARY' } })).status).toBe(400);
  expect((await patch(b, '?updateMask=crossInstanceReplicationConfig', { crossInstanceReplicationConfig: { instanceRole: 'PRIMARY', secondaryInstances: [] } })).status).toBe(400);
  expect((await patch(a, '?updateMask=crossInstanceReplicationConfig', { crossInstanceReplicationConfig: { instanceRole: 'PRIMARY', secondaryInstances: [{ instance: b }] } })).status).toBe(400);
  expect(api.refused.map((r) => r.refused)).toEqual([
    'no or wrong Bearer token',
    'query ?updateMask=crossInstanceReplicationConfig.instanceRole: expected exactly updateMask=crossInstanceReplicationConfig',
    'body fields crossInstanceReplicationConfig,labels: expected only crossInstanceReplicationConfig',
    'instanceRole SECONDARY: expected PRIMARY',
    `secondaryInstances : expected every other member (${a})`,
    `${a} is PRIMARY, not a SECONDARY: nothing to switch over`,
  ]);
  expect(api.switchovers).toEqual([]);
  expect(await redisRole(secondary.port)).toBe('slave');

  // The handler's MemorystoreApi: describe, then the switchover of the secondary.
  const ms = new MemorystoreApi(call, api.members);
  expect(await ms.describe()).toEqual({
    status: 'available',
    members: [{ region: 'us-east1', replicationGroupId: a, role: 'PRIMARY' }, { region: 'us-central1', replicationGroupId: b, role: 'SECONDARY' }],
  });
  await ms.failover(a, 'us-central1', b);
  expect(api.switchovers).toHaveLength(1);
  expect(await redisRole(secondary.port)).toBe('master');
  await waitFor('the old primary a replica of the new one', async () => (await redisRole(primary.port)) === 'slave', 5000, 50);
  // A lost region's member does not answer: the handler leaves it out.
  lost.add('us-east1');
  expect((await ms.describe()).members).toEqual([{ region: 'us-central1', replicationGroupId: b, role: 'PRIMARY' }]);
});
