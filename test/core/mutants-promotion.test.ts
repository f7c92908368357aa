/**
 * lib/core/promotion.ts: decisions the mutation run found unguarded (docs/TESTING.md lists the survivors).
 * The rules (file comment of promotion.ts): only a 2xx means "answers"; a failed region that answers is not
 * promoted away; only a 2xx candidate is healthy; the cache is read again right before acting.
 */
import { CacheApi, CacheState, Fetch, PromotionAction, PromotionConfig, promote } from '../../lib/core/promotion';

const MEMBERS = [
  { region: 'us-east-1', replicationGroupId: 'mcp-us', role: 'PRIMARY' },
  { region: 'eu-west-1', replicationGroupId: 'mcp-eu', role: 'SECONDARY' },
  { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', role: 'SECONDARY' },
];

/** A Global Datastore whose describe answers come from `states` in order (the last one repeats); failover moves the writer. */
function api(states: Partial<CacheState>[] = [{}]) {
  const calls: string[] = [];
  let writer = 'us-east-1';
  let i = 0;
  const cache: CacheApi = {
    describe: async () => {
      calls.push('describe');
      const s = states[Math.min(i++, states.length - 1)];
      return { status: 'available', members: MEMBERS.map((m) => ({ ...m, role: m.region === writer ? 'PRIMARY' : 'SECONDARY' })), ...s };
    },
    failover: async (_id, region) => {
      calls.push(`failover ${region}`);
      writer = region;
    },
  };
  return { cache, calls };
}

/** Health answers by URL: a status, or an error thrown. */
const fetchFrom = (answers: Record<string, number | Error | unknown>): Fetch => async (url) => {
  const a = answers[url];
  if (typeof a === 'number') return { status: a };
  throw a;
};

const config = (overrides: Partial<PromotionConfig> = {}): PromotionConfig => ({
  globalReplicationGroupId: 'ldgnf-mcp', failedRegion: 'us-east-1', failedRegionHealthUrl: 'https://us/ready',
  candidates: [{ region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: 'https://eu/ready' }],
  healthTimeoutMs: 1000, recheckAttempts: 2, recheckIntervalMs: 0, completionTimeoutMs: 0, completionPollMs: 0,
  ...overrides,
});
const options = { sleep: async () => undefined };

describe('only a 2xx means "answers" (RFC 9110: 3xx is a redirect, not a served request)', () => {
  test.each([200, 204, 299])('the failed region answering %i is not promoted away', async (status) => {
    const { cache, calls } = api();
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': status, 'https://eu/ready': 200 }), options);
    expect(d.action).toBe(PromotionAction.PRIMARY_ANSWERS);
    expect(d.reason).toContain(`answered https://us/ready with ${status} on attempt 1`);
    expect(calls).not.toContain('failover eu-west-1');
  });

  test.each([199, 300, 302, 503])('the failed region answering %i does not count: the promotion goes on', async (status) => {
    const { cache, calls } = api();
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': status, 'https://eu/ready': 200 }), options);
    expect(d.action).toBe(PromotionAction.PROMOTED);
    expect(d.recheck?.map((s) => s.status)).toEqual([status, status]);
    expect(calls).toContain('failover eu-west-1');
  });

  test.each([199, 300, 301])('a candidate answering %i is not healthy: nothing is promoted', async (status) => {
    const { cache, calls } = api();
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': new Error('down'), 'https://eu/ready': status }), options);
    expect(d).toMatchObject({ action: PromotionAction.NO_HEALTHY_CANDIDATE, blocked: true });
    expect(d.reason).toBe(`no candidate region of ldgnf-mcp answered its health URL with 2xx: eu-west-1 ${status}`);
    expect(calls).not.toContain('failover eu-west-1');
  });
});

describe('a health request that fails records why', () => {
  test('the error\'s name (TimeoutError), or "error" when it has none', async () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' });
    const nameless = Object.assign(new Error('x'), { name: '' });
    const { cache } = api();
    const d = await promote(config({ recheckAttempts: 1 }), cache, fetchFrom({ 'https://us/ready': timeout, 'https://eu/ready': nameless }), options);
    expect(d.recheck?.map((s) => s.status)).toEqual(['TimeoutError']);
    expect(d.health?.map((s) => s.status)).toEqual(['error']);
    expect(d.reason).toBe('no candidate region of ldgnf-mcp answered its health URL with 2xx: eu-west-1 error');
  });

  test('a thrown non-Error (undefined) is recorded as "error", not a crash', async () => {
    const { cache } = api();
    const d = await promote(config({ recheckAttempts: 1 }), cache, fetchFrom({ 'https://us/ready': undefined, 'https://eu/ready': 200 }), options);
    expect(d.recheck?.map((s) => s.status)).toEqual(['error']);
    expect(d.action).toBe(PromotionAction.PROMOTED);
  });
});

describe('nothing to promote to', () => {
  test('no candidate configured: the reason says so instead of an empty list', async () => {
    const { cache } = api();
    const d = await promote(config({ candidates: [] }), cache, fetchFrom({}), options);
    expect(d).toMatchObject({ action: PromotionAction.NO_REPLICA, blocked: true,
      reason: 'ldgnf-mcp has no replica in any candidate region: nothing can be promoted' });
  });
});

describe('the cache is read again right before acting', () => {
  test('it became "modifying" while the regions were probed: blocked, retried later, nothing failed over', async () => {
    const { cache, calls } = api([{}, { status: 'modifying' }]);
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': new Error('down'), 'https://eu/ready': 200 }), options);
    expect(d).toMatchObject({ action: PromotionAction.IN_PROGRESS, status: 'modifying', blocked: true,
      reason: "ldgnf-mcp became 'modifying' while the regions were probed; retry" });
    expect(d.health?.map((s) => [s.region, s.status])).toEqual([['eu-west-1', 200]]);
    expect(calls).toEqual(['describe', 'describe']);
  });

  test('a cache API that reports no status at all (undefined on every read) does not block: the failover goes ahead', async () => {
    const { cache, calls } = api([{ status: undefined }]);
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': new Error('down'), 'https://eu/ready': 200 }), options);
    expect(d.action).toBe(PromotionAction.PROMOTED);
    expect(calls).toContain('failover eu-west-1');
  });

  test('a status the second read does not report (undefined) is taken as available: the failover goes ahead', async () => {
    const { cache, calls } = api([{}, { status: undefined }]);
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': new Error('down'), 'https://eu/ready': 200 }), options);
    expect(d.action).toBe(PromotionAction.PROMOTED);
    expect(calls).toContain('failover eu-west-1');
  });
});

describe('the healthiest candidate is the one that answered fastest', () => {
  test('latency is the time from the request to its answer, in milliseconds', async () => {
    const delays: Record<string, number> = { 'https://eu/ready': 200, 'https://ap/ready': 1 };
    const timed: Fetch = async (url) => {
      await new Promise((r) => setTimeout(r, delays[url] ?? 50));
      if (url === 'https://us/ready') throw new Error('down');
      return { status: 200 };
    };
    const { cache, calls } = api();
    const before = Date.now();
    const d = await promote(config({
      recheckAttempts: 1,
      candidates: [
        { region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: 'https://eu/ready' },
        { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', healthUrl: 'https://ap/ready' },
      ],
    }), cache, timed, options);
    const elapsed = Date.now() - before;
    expect(d.region).toBe('ap-southeast-2');
    expect(calls).toContain('failover ap-southeast-2');
    const latency = Object.fromEntries(d.health!.map((h) => [h.region, h.latencyMs]));
    expect(latency['eu-west-1']).toBeGreaterThanOrEqual(190);
    expect(latency['eu-west-1']).toBeLessThanOrEqual(elapsed);
    expect(latency['ap-southeast-2']).toBeGreaterThanOrEqual(0);
    expect(latency['ap-southeast-2']).toBeLessThan(latency['eu-west-1']);
    // A failed request's latency is measured the same way (here the 50 ms before the error).
    expect(d.recheck![0].latencyMs).toBeGreaterThanOrEqual(40);
    expect(d.recheck![0].latencyMs).toBeLessThanOrEqual(elapsed);
  });
});

describe('the re-check waits between its attempts', () => {
  test('without a sleep option, real time passes between attempts (3 attempts, 100 ms apart: at least 200 ms)', async () => {
    const times: number[] = [];
    const recording: Fetch = async (url) => {
      if (url === 'https://us/ready') times.push(Date.now());
      return { status: url === 'https://us/ready' ? 503 : 200 };
    };
    const { cache } = api();
    await promote(config({ recheckAttempts: 3, recheckIntervalMs: 100 }), cache, recording);
    expect(times).toHaveLength(3);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(95);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(95);
  });
});

describe('each decision is logged as one structured record with what it was based on', () => {
  test('promoted: the region, the candidates\' health, the re-check, the time it took and whether it was confirmed', async () => {
    const records: Record<string, unknown>[] = [];
    const { cache } = api();
    await promote(config({ recheckAttempts: 1, completionTimeoutMs: 1000 }), cache,
      fetchFrom({ 'https://us/ready': 503, 'https://eu/ready': 200 }), { ...options, log: (r) => records.push(r) });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ decision: 'promoted', blocked: false, region: 'eu-west-1', confirmed: true,
      health: [expect.objectContaining({ region: 'eu-west-1', status: 200 })], recheck: [expect.objectContaining({ region: 'us-east-1', status: 503 })] });
    expect(typeof records[0].promotionMs).toBe('number');
    expect(records[0]).not.toHaveProperty('status');
  });

  test('blocked by the cache\'s status: the status is logged; no timing, no health, no re-check, no region', async () => {
    const records: Record<string, unknown>[] = [];
    const { cache } = api([{ status: 'modifying' }]);
    await promote(config(), cache, fetchFrom({}), { ...options, log: (r) => records.push(r) });
    expect(records).toEqual([{ decision: 'in-progress', blocked: true, status: 'modifying', reason: expect.stringContaining("ldgnf-mcp is 'modifying'") }]);
  });
});

describe('a writer already outside the failed region: nothing to do, and the reason says where it is', () => {
  test('before probing', async () => {
    const { cache, calls } = api([{ members: MEMBERS.map((m) => ({ ...m, role: m.region === 'eu-west-1' ? 'PRIMARY' : 'SECONDARY' })) }]);
    const d = await promote(config(), cache, fetchFrom({}), options);
    expect(d).toMatchObject({ action: PromotionAction.ALREADY_PROMOTED, blocked: false, region: 'eu-west-1', replicationGroupId: 'mcp-eu',
      reason: 'the writer of ldgnf-mcp is already in eu-west-1' });
    expect(calls).toEqual(['describe']);
  });
  test('moved while the regions were probed', async () => {
    const { cache, calls } = api([{}, { members: MEMBERS.map((m) => ({ ...m, role: m.region === 'ap-southeast-2' ? 'PRIMARY' : 'SECONDARY' })) }]);
    const d = await promote(config(), cache, fetchFrom({ 'https://us/ready': new Error('down'), 'https://eu/ready': 200 }), options);
    expect(d).toMatchObject({ action: PromotionAction.ALREADY_PROMOTED, region: 'ap-southeast-2',
      reason: 'the writer of ldgnf-mcp moved to ap-southeast-2 while the regions were probed' });
    expect(calls).not.toContain('failover eu-west-1');
  });
});
