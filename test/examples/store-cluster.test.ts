/**
 * The reference server's store against a real two-shard Redis cluster on loopback:
 * what a MemoryDB (multi-writer) or cluster-mode cache renders (REDIS_CLUSTER=true).
 * A plain client meets MOVED for keys of the other shard, so writes would fail in
 * every region; the cluster client follows the slot map and writes every key.
 */
import { createClient } from 'redis';
import { ContextStore } from '../../examples/mcp-server/src/store';
import { readConfig } from '../../examples/mcp-server/src/config';
import { LOOPBACK, ProcessGroup, freePort, requireBinary, waitFor } from '../../scripts/drill/processes';

const group = new ProcessGroup('mcp-ha-store-cluster-');
const ports: number[] = [];
const stores: ContextStore[] = [];
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

async function command(port: number, args: string[]): Promise<unknown> {
  const c = createClient({ url: `redis://${LOOPBACK}:${port}` });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await c.sendCommand(args);
  } finally {
    c.destroy();
  }
}

function store(cluster: boolean): ContextStore {
  const s = new ContextStore({
    url: `redis://${LOOPBACK}:${ports[0]}`, cluster, ttlSeconds: 60, commandTimeoutMs: 2000,
    logger: silent as unknown as ConstructorParameters<typeof ContextStore>[0]['logger'],
  });
  stores.push(s);
  s.start();
  return s;
}

beforeAll(async () => {
  const bin = requireBinary('redis-server');
  // GIVEN two cluster nodes, each owning half of the slots
  for (const name of ['shard-a', 'shard-b']) {
    const port = await freePort();
    ports.push(port);
    group.spawn(name, bin, [
      '--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', group.dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--loglevel', 'warning',
    ]);
    await waitFor(`cluster node ${port}`, async () => (await command(port, ['PING'])) === 'PONG', 10_000, 50);
  }
  await command(ports[0], ['CLUSTER', 'ADDSLOTSRANGE', '0', '8191']);
  await command(ports[1], ['CLUSTER', 'ADDSLOTSRANGE', '8192', '16383']);
  await command(ports[0], ['CLUSTER', 'MEET', LOOPBACK, String(ports[1])]);
  await waitFor('cluster state ok on both nodes', async () => {
    const infos = await Promise.all(ports.map((p) => command(p, ['CLUSTER', 'INFO'])));
    return infos.every((i) => /cluster_state:ok/.test(String(i)));
  }, 20_000, 100);
}, 40_000);

afterAll(async () => {
  await Promise.allSettled(stores.map((s) => s.stop()));
  await group.stopAll();
});

/** Handles whose keys land on both shards (the slot of `mcp-ha:context:<handle>:k`). */
const HANDLES = Array.from({ length: 12 }, (_, i) => `session-${i}`);

test('REDIS_CLUSTER=true in the environment turns the cluster client on', () => {
  expect(readConfig({ REDIS_CLUSTER: 'true' }).redisCluster).toBe(true);
  expect(readConfig({}).redisCluster).toBe(false);
});

test('a plain client meets MOVED on the other shard: writes fail (the bug a cluster cache would have)', async () => {
  const s = store(false);
  await waitFor('plain client ready', async () => s.isReady, 10_000, 50);
  const results = await Promise.allSettled(HANDLES.map((h) => s.set(h, 'k', 'v')));
  const moved = results.filter((r) => r.status === 'rejected' && /MOVED/.test(String((r as PromiseRejectedResult).reason)));
  expect(moved.length).toBeGreaterThan(0);
});

test('the cluster client writes and reads every key, on both shards, and reports the member writable', async () => {
  // WHEN the store runs in cluster mode against the first node only (the configuration endpoint)
  const s = store(true);
  await waitFor('cluster client ready', async () => s.isReady, 10_000, 50);
  // THEN every write succeeds and reads back, whichever shard owns the key
  for (const h of HANDLES) await s.set(h, 'k', `value-${h}`);
  for (const h of HANDLES) expect(await s.get(h, 'k')).toBe(`value-${h}`);
  const keysPerShard = await Promise.all(ports.map((p) => command(p, ['DBSIZE'])));
  expect(keysPerShard.every((n) => Number(n) > 0)).toBe(true);
  // AND the probe (readiness) answers with a writable role
  const probe = await s.probe(2000);
  expect(probe).toMatchObject({ ok: true, role: 'primary' });
});
