/**
 * The cloud-neutral promotion decision against a fake cache API (a Global
 * Datastore in memory) and real HTTP health endpoints on 127.0.0.1: each path of
 * the rules (idempotent, re-check of the failed region, blocked states, healthiest
 * candidate, state moving under our feet, completion).
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { CacheApi, CacheState, Fetch, PromotionAction, PromotionConfig, promote } from '../../lib/core/promotion';

/** Health endpoints: path -> status (or a list consumed one answer per request), with an optional delay. */
interface Route { statuses: number[]; delayMs?: number; hits: number }
let server: http.Server;
let base: string;
const routes: Record<string, Route> = {};

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const route = routes[req.url ?? ''];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    route.hits++;
    const status = route.statuses.length > 1 ? route.statuses.shift()! : route.statuses[0];
    setTimeout(() => res.writeHead(status, { 'Content-Type': 'text/plain' }).end(String(status)), route.delayMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function route(path: string, statuses: number | number[], delayMs = 0): void {
  routes[path] = { statuses: [statuses].flat(), delayMs, hits: 0 };
}

const fetchStatus: Fetch = async (url, init) => {
  const res = await fetch(url, init);
  await res.body?.cancel();
  return { status: res.status };
};

function config(overrides: Partial<PromotionConfig> = {}): PromotionConfig {
  return {
    globalReplicationGroupId: 'ldgnf-mcp', failedRegion: 'us-east-1',
    failedRegionHealthUrl: `${base}/us/ready`,
    candidates: [
      { region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: `${base}/eu/ready` },
      { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', healthUrl: `${base}/ap/ready` },
    ],
    healthTimeoutMs: 5000, recheckAttempts: 3, recheckIntervalMs: 5, completionTimeoutMs: 200, completionPollMs: 5,
    ...overrides,
  };
}

/** A Global Datastore in memory: failover moves the writer (after `failoverReads` describes showing 'modifying'). */
function datastore(opts: { status?: string; failoverReads?: number; neverCompletes?: boolean } = {}) {
  const members = [
    { region: 'us-east-1', replicationGroupId: 'mcp-us', role: 'PRIMARY' },
    { region: 'eu-west-1', replicationGroupId: 'mcp-eu', role: 'SECONDARY' },
    { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', role: 'SECONDARY' },
  ];
  let status = opts.status ?? 'available';
  let pending = 0;
  let target: string | undefined;
  const calls: string[] = [];
  let describes = 0;
  const hooks: { onDescribe?: (n: number) => void } = {};
  const api: CacheApi = {
    async describe(): Promise<CacheState> {
      describes++;
      hooks.onDescribe?.(describes);
      if (target && pending-- <= 0 && !opts.neverCompletes) {
        for (const m of members) m.role = m.region === target ? 'PRIMARY' : 'SECONDARY';
        status = 'available';
        target = undefined;
      }
      return { status, members: members.map((m) => ({ ...m })) };
    },
    async failover(id, region, rg) {
      calls.push(`${id}:${region}:${rg}`);
      status = 'modifying';
      target = region;
      pending = opts.failoverReads ?? 1;
    },
  };
  return { api, calls, members, hooks, setStatus: (s: string) => { status = s; }, describes: () => describes };
}

beforeEach(() => {
  for (const k of Object.keys(routes)) delete routes[k];
  route('/us/ready', 503);
  route('/eu/ready', 200);
  route('/ap/ready', 200);
});

describe('promote (lib/core/promotion)', () => {
  test('promotes the healthy candidate with the lowest latency, waits for the new writer and reports the time it took', async () => {
    route('/eu/ready', 200, 400);
    const ds = datastore({ failoverReads: 2 });
    const logs: Record<string, unknown>[] = [];
    const d = await promote(config(), ds.api, fetchStatus, { log: (f) => logs.push(f) });
    expect(d).toMatchObject({ action: PromotionAction.PROMOTED, region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', confirmed: true, blocked: false });
    expect(ds.calls).toEqual(['ldgnf-mcp:ap-southeast-2:mcp-ap']);
    expect(ds.members.find((m) => m.role === 'PRIMARY')!.region).toBe('ap-southeast-2');
    expect(d.promotionMs).toBeGreaterThanOrEqual(0);
    // The failed region was re-checked every attempt (it never answered 2xx) before acting.
    expect(d.recheck!.map((s) => s.status)).toEqual([503, 503, 503]);
    expect(logs.at(-1)).toMatchObject({ decision: 'promoted', region: 'ap-southeast-2' });
  });

  test('equal latencies go to the configured order', async () => {
    const ds = datastore();
    // A clock that does not move: every candidate answers in 0 ms.
    const d = await promote(config(), ds.api, fetchStatus, { now: () => 0 });
    expect(d.region).toBe('eu-west-1');
  });

  test('an unreachable or failing candidate is skipped', async () => {
    route('/eu/ready', 503);
    const ds = datastore();
    expect((await promote(config(), ds.api, fetchStatus)).region).toBe('ap-southeast-2');
    const ds2 = datastore();
    const unreachable = config({ candidates: [
      { region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: 'http://127.0.0.1:9/ready' },
      { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', healthUrl: `${base}/ap/ready` },
    ] });
    const d = await promote(unreachable, ds2.api, fetchStatus);
    expect(d.region).toBe('ap-southeast-2');
    expect(d.health!.find((h) => h.region === 'eu-west-1')!.status).not.toBe(200);
  });

  test('a failed region that answers the re-check is not promoted away from', async () => {
    // The watcher said "down" (the trigger fired), but the primary answers on the second attempt.
    route('/us/ready', [503, 200]);
    const ds = datastore();
    const d = await promote(config(), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.PRIMARY_ANSWERS, blocked: false });
    expect(d.recheck!.map((s) => s.status)).toEqual([503, 200]);
    expect(ds.calls).toEqual([]);
    expect(d.reason).toMatch(/us-east-1 answered .* with 200 on attempt 2/);
    // Candidates were not even probed: the decision stops at the re-check.
    expect(routes['/eu/ready'].hits + routes['/ap/ready'].hits).toBe(0);
  });

  test('a failover or modification in progress blocks (the caller must retry) and changes nothing', async () => {
    const ds = datastore({ status: 'modifying' });
    const d = await promote(config(), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.IN_PROGRESS, status: 'modifying', blocked: true });
    expect(ds.calls).toEqual([]);
    expect(routes['/us/ready'].hits).toBe(0);
  });

  test('primary-only (no replica left) cannot fail over: blocked, not quiet', async () => {
    const ds = datastore({ status: 'primary-only' });
    const d = await promote(config(), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.IN_PROGRESS, blocked: true });
    expect(d.reason).toMatch(/'primary-only', not 'available'/);
  });

  test('no healthy candidate blocks with every candidate\'s answer in the reason', async () => {
    route('/eu/ready', 503);
    route('/ap/ready', 429);
    const ds = datastore();
    const d = await promote(config(), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.NO_HEALTHY_CANDIDATE, blocked: true });
    expect(d.reason).toMatch(/eu-west-1 503, ap-southeast-2 429/);
    expect(ds.calls).toEqual([]);
  });

  test('no replica in a candidate region blocks', async () => {
    const ds = datastore();
    const d = await promote(config({ candidates: [{ region: 'sa-east-1', replicationGroupId: 'x', healthUrl: `${base}/eu/ready` }] }), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.NO_REPLICA, blocked: true });
  });

  test('is idempotent: a run after the promotion changes nothing and is not blocked', async () => {
    route('/eu/ready', 503);
    const ds = datastore();
    await promote(config(), ds.api, fetchStatus);
    const again = await promote(config(), ds.api, fetchStatus);
    expect(again).toMatchObject({ action: PromotionAction.ALREADY_PROMOTED, region: 'ap-southeast-2', blocked: false });
    expect(ds.calls).toHaveLength(1);
  });

  test('reads the state again right before acting: a writer that moved meanwhile is not failed over twice', async () => {
    const ds = datastore();
    // The second describe (after the probes) sees someone else's promotion to eu-west-1.
    ds.hooks.onDescribe = (n) => {
      if (n === 2) for (const m of ds.members) m.role = m.region === 'eu-west-1' ? 'PRIMARY' : 'SECONDARY';
    };
    const d = await promote(config(), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.ALREADY_PROMOTED, region: 'eu-west-1' });
    expect(ds.calls).toEqual([]);
  });

  test('a failover that does not complete in time is reported unconfirmed, with the time waited', async () => {
    const ds = datastore({ neverCompletes: true });
    const d = await promote(config({ completionTimeoutMs: 30 }), ds.api, fetchStatus);
    expect(d).toMatchObject({ action: PromotionAction.PROMOTED, confirmed: false });
    expect(d.promotionMs).toBeGreaterThanOrEqual(30);
  });

  test('errors of the cache API propagate (the caller retries them)', async () => {
    const api: CacheApi = { describe: async () => { throw new Error('Throttling'); }, failover: async () => undefined };
    await expect(promote(config(), api, fetchStatus)).rejects.toThrow('Throttling');
  });
});
