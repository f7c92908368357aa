import { CacheApi, Candidate, Fetch, PromotionConfig, configFromEnv, promote } from '../../lib/aws/cache-promotion-handler';

const CANDIDATES: Candidate[] = [
  { region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: 'https://eu.example.com/health/ready' },
  { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', healthUrl: 'https://ap.example.com/health/ready' },
];
const CONFIG: PromotionConfig = {
  globalReplicationGroupId: 'ldgnf-mcp', failedRegion: 'us-east-1', candidates: CANDIDATES, metricNamespace: 'T', healthTimeoutMs: 100,
};

/** A Global Datastore in memory: failover moves the primary role. */
function fakeDatastore(status = 'available') {
  const members = [
    { region: 'us-east-1', replicationGroupId: 'mcp-us', role: 'PRIMARY' },
    { region: 'eu-west-1', replicationGroupId: 'mcp-eu', role: 'SECONDARY' },
    { region: 'ap-southeast-2', replicationGroupId: 'mcp-ap', role: 'SECONDARY' },
  ];
  const calls: string[] = [];
  const api: CacheApi = {
    async describe() { return { status, members: members.map((m) => ({ ...m })) }; },
    async failover(id, region, rg) {
      calls.push(`${id}:${region}:${rg}`);
      for (const m of members) m.role = m.region === region ? 'PRIMARY' : 'SECONDARY';
    },
  };
  return { api, calls };
}

function fetchFrom(statuses: Record<string, number | Error>, delays: Record<string, number> = {}): Fetch {
  return async (url) => {
    const region = url.startsWith('https://eu') ? 'eu' : 'ap';
    await new Promise((r) => setTimeout(r, delays[region] ?? 0));
    const s = statuses[region];
    if (s instanceof Error) throw s;
    return { status: s };
  };
}

let logs: string[];
beforeEach(() => {
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
});
afterEach(() => jest.restoreAllMocks());

describe('cache promotion handler', () => {
  test('promotes the healthy secondary with the lowest latency, logs the decision and emits Promoted=1', async () => {
    const { api, calls } = fakeDatastore();
    const d = await promote(CONFIG, api, fetchFrom({ eu: 200, ap: 200 }, { eu: 40, ap: 0 }));
    expect(d).toMatchObject({ action: 'promoted', region: 'ap-southeast-2', replicationGroupId: 'mcp-ap' });
    expect(calls).toEqual(['ldgnf-mcp:ap-southeast-2:mcp-ap']);
    expect(logs.some((l) => JSON.parse(l).decision === 'promoted')).toBe(true);
    expect(logs.map((l) => JSON.parse(l)).find((l) => l._aws)).toMatchObject({ Promoted: 1, GlobalReplicationGroupId: 'ldgnf-mcp' });
  });

  test('skips an unhealthy or unreachable candidate', async () => {
    const { api, calls } = fakeDatastore();
    const d = await promote(CONFIG, api, fetchFrom({ eu: 503, ap: 200 }));
    expect(d.region).toBe('ap-southeast-2');
    const { api: api2, calls: calls2 } = fakeDatastore();
    await promote(CONFIG, api2, fetchFrom({ eu: 200, ap: new Error('ECONNREFUSED') }));
    expect([calls, calls2]).toEqual([['ldgnf-mcp:ap-southeast-2:mcp-ap'], ['ldgnf-mcp:eu-west-1:mcp-eu']]);
  });

  test('is idempotent: a second run after the promotion changes nothing', async () => {
    const { api, calls } = fakeDatastore();
    await promote(CONFIG, api, fetchFrom({ eu: 200, ap: 200 }));
    const again = await promote(CONFIG, api, fetchFrom({ eu: 200, ap: 200 }));
    expect(again.action).toBe('already-promoted');
    expect(calls).toHaveLength(1);
  });

  test('does nothing while a failover is in progress', async () => {
    const { api, calls } = fakeDatastore('modifying');
    expect((await promote(CONFIG, api, fetchFrom({ eu: 200, ap: 200 }))).action).toBe('in-progress');
    expect(calls).toEqual([]);
  });

  test('fails loudly (so the failure alarm fires) when no secondary is healthy', async () => {
    const { api, calls } = fakeDatastore();
    await expect(promote(CONFIG, api, fetchFrom({ eu: 503, ap: 429 }))).rejects.toThrow(/no healthy secondary to promote for ldgnf-mcp/);
    expect(calls).toEqual([]);
    expect(logs.map((l) => JSON.parse(l)).find((l) => l._aws)).toMatchObject({ Promoted: 0 });
  });

  test('reads its configuration from the environment the construct renders', () => {
    expect(configFromEnv({
      GLOBAL_REPLICATION_GROUP_ID: 'g', PRIMARY_REGION: 'us-east-1', CANDIDATES: JSON.stringify(CANDIDATES),
    })).toEqual({ globalReplicationGroupId: 'g', failedRegion: 'us-east-1', candidates: CANDIDATES, metricNamespace: 'McpHa/CachePromotion', healthTimeoutMs: 5000 });
    expect(() => configFromEnv({})).toThrow(/GLOBAL_REPLICATION_GROUP_ID is not set/);
  });
});
