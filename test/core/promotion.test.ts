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

describe('promote: exact outcomes on a fake clock (health answers in memory, time moves only when the decision sleeps)', () => {
  const urls = { us: 'https://us.example/ready', eu: 'https://eu.example/ready', ap: 'https://ap.example/ready' };
  const cfg = (overrides: Partial<PromotionConfig> = {}): PromotionConfig => config({
    failedRegionHealthUrl: urls.us,
    candidates: [
      { region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: urls.eu },
      { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', healthUrl: urls.ap },
    ],
    recheckIntervalMs: 7, completionPollMs: 11, completionTimeoutMs: 110,
    ...overrides,
  });
  /** Every health URL answers at once (latency 0 on this clock); the failed region 503. */
  const answers = (statuses: Partial<Record<keyof typeof urls, number>> = {}): Fetch => async (url) => {
    const key = (Object.keys(urls) as (keyof typeof urls)[]).find((k) => urls[k] === url)!;
    return { status: statuses[key] ?? (key === 'us' ? 503 : 200) };
  };
  const clock = () => {
    const c = { t: 1_000, sleeps: [] as number[] };
    return { c, options: { now: () => c.t, sleep: async (ms: number) => { c.sleeps.push(ms); c.t += ms; } } };
  };

  test('equally fast candidates: the first in the configured order wins, whichever it is', async () => {
    const a = clock();
    expect((await promote(cfg(), datastore().api, answers(), a.options)).region).toBe('eu-west-1');
    const b = clock();
    const reversed = cfg({ candidates: [...cfg().candidates].reverse() });
    expect((await promote(reversed, datastore().api, answers(), b.options)).region).toBe('ap-southeast-2');
  });

  test('the failed region is re-checked recheckAttempts times with recheckIntervalMs between attempts, not before the first', async () => {
    const { c, options } = clock();
    const d = await promote(cfg({ recheckAttempts: 3 }), datastore().api, answers(), options);
    expect(d.recheck?.map((s) => s.status)).toEqual([503, 503, 503]);
    expect(c.sleeps.filter((ms) => ms === 7)).toHaveLength(2);
    expect(c.sleeps[0]).toBe(7);
  });

  test('confirmed: the exact reason and the promotion time on the clock (failover to the new writer reported)', async () => {
    const { options } = clock();
    const d = await promote(cfg(), datastore({ failoverReads: 2 }).api, answers(), options);
    // Two describes show 'modifying' (one poll in between), the third the new writer: 2 polls of 11 ms.
    expect(d).toMatchObject({ action: PromotionAction.PROMOTED, confirmed: true, promotionMs: 22, reason: 'promoted mcp-eu in eu-west-1 (healthiest candidate)' });
  });

  test('not confirmed: polls until the deadline exactly, then says so with the timeout', async () => {
    const ds = datastore({ neverCompletes: true });
    const { c, options } = clock();
    const d = await promote(cfg(), ds.api, answers(), options);
    // 110 ms at 11 ms a poll: reads at 0, 11, ..., 110 ms after the call; the read at the deadline is the last.
    expect(c.sleeps.filter((ms) => ms === 11)).toHaveLength(10);
    expect(d).toMatchObject({
      action: PromotionAction.PROMOTED, confirmed: false, promotionMs: 110, blocked: false,
      reason: 'failover to eu-west-1 requested; ldgnf-mcp did not report the new writer within 110 ms',
    });
  });

  test('the new writer is confirmed only once the cache is available again', async () => {
    const ds = datastore({ failoverReads: 0 });
    let reads = 0;
    // After the failover the writer is already the chosen region, but the cache reports 'modifying' for two more reads.
    ds.hooks.onDescribe = () => {
      if (ds.calls.length > 0) reads++;
    };
    const api: CacheApi = {
      describe: async (id) => {
        const s = await ds.api.describe(id);
        return ds.calls.length > 0 && reads <= 2 ? { ...s, status: 'modifying' } : s;
      },
      failover: (id, r, rg) => ds.api.failover(id, r, rg),
    };
    const { options } = clock();
    const d = await promote(cfg(), api, answers(), options);
    expect(d).toMatchObject({ confirmed: true, promotionMs: 22 });
  });

  test('an available cache is not confirmed until it reports the chosen writer; a cache without a status (the drill\'s Redis) is confirmed by the writer alone', async () => {
    const ds = datastore({ failoverReads: 2 });
    const withStatus = (status: string | undefined): CacheApi => ({
      describe: async (id) => ({ ...(await ds.api.describe(id)), status }),
      failover: (id, r, rg) => ds.api.failover(id, r, rg),
    });
    // Available all along: the two reads before the writer moves do not confirm it.
    expect(await promote(cfg(), withStatus('available'), answers(), clock().options)).toMatchObject({ confirmed: true, promotionMs: 22 });
    const ds2 = datastore({ failoverReads: 2 });
    const noStatus: CacheApi = {
      describe: async (id) => ({ members: (await ds2.api.describe(id)).members }),
      failover: (id, r, rg) => ds2.api.failover(id, r, rg),
    };
    expect(await promote(cfg(), noStatus, answers(), clock().options)).toMatchObject({ confirmed: true, promotionMs: 22 });
  });

  test('the writer moving while the regions are probed: already promoted, not blocked, with the reason', async () => {
    const ds = datastore();
    ds.hooks.onDescribe = (n) => {
      if (n === 2) for (const m of ds.members) m.role = m.region === 'ap-southeast-2' ? 'PRIMARY' : 'SECONDARY';
    };
    const d = await promote(cfg(), ds.api, answers(), clock().options);
    expect(d).toMatchObject({
      action: PromotionAction.ALREADY_PROMOTED, region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', blocked: false,
      reason: 'the writer of ldgnf-mcp moved to ap-southeast-2 while the regions were probed',
    });
    expect(ds.calls).toEqual([]);
  });

  test('refusals carry their exact reasons; only a promotion logs a promotion time', async () => {
    const logs: Record<string, unknown>[] = [];
    const answered = await promote(cfg(), datastore().api, answers({ us: 204 }), { ...clock().options, log: (f) => logs.push(f) });
    expect(answered.reason).toBe(`us-east-1 answered ${urls.us} with 204 on attempt 1: the writer region is not down, so its cache is not promoted away (check the watcher that raised the trigger)`);
    const none = await promote(cfg({ candidates: [
      { region: 'sa-east-1', replicationGroupId: 'x', healthUrl: urls.eu }, { region: 'ca-central-1', replicationGroupId: 'y', healthUrl: urls.ap },
    ] }), datastore().api, answers(), { ...clock().options, log: (f) => logs.push(f) });
    expect(none.reason).toBe('ldgnf-mcp has no replica in sa-east-1, ca-central-1: nothing can be promoted');
    expect(logs.map((l) => Object.keys(l).includes('promotionMs'))).toEqual([false, false]);
    await promote(cfg(), datastore().api, answers(), { ...clock().options, log: (f) => logs.push(f) });
    expect(logs[2]).toMatchObject({ decision: 'promoted', promotionMs: 11, confirmed: true });
  });
});
