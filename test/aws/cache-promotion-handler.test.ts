/**
 * The AWS adapter of the promotion: scheduled runs act only while the trigger is
 * in ALARM; a blocked promotion throws (Lambda retries, dead-letters, alarms) and
 * publishes Blocked 1; a primary that answers is a quiet refusal with its own
 * metric; the health checks trust the service's private CA (HTTPS on 127.0.0.1
 * with a certificate from a test CA).
 */
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import {
  CacheApi, HandlerConfig, PromotionBlockedError, RunResult, configFromEnv, healthFetch, isAlarmEvent, run,
} from '../../lib/aws/cache-promotion-handler';
import { PromotionAction } from '../../lib/core/promotion';
import { TestPki, generateTestPki, removeTestPki } from '../support/vault-fake';

const ALARM_EVENT = { 'source': 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', 'detail': { state: { value: 'ALARM' } } };
const SCHEDULE_EVENT = { source: 'mcp-ha.cache-promotion', action: 'recheck' };

let pki: TestPki;
let server: https.Server;
let base: string;
const statuses: Record<string, number> = {};

beforeAll(async () => {
  pki = generateTestPki();
  // A service whose certificate a private CA issued (the test TLS CA), as with McpCertificate.vault.
  server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
    res.writeHead(statuses[req.url ?? ''] ?? 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  removeTestPki(pki);
});

function config(): HandlerConfig {
  return {
    globalReplicationGroupId: 'ldgnf-mcp', failedRegion: 'us-east-1', failedRegionHealthUrl: `${base}/us/ready`,
    candidates: [{ region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: `${base}/eu/ready` }],
    healthTimeoutMs: 5000, recheckAttempts: 2, recheckIntervalMs: 1, completionTimeoutMs: 50, completionPollMs: 1,
    metricNamespace: 'McpHa/CachePromotion', triggerAlarmName: 'trigger',
  };
}

function datastore(status = 'available') {
  const members = [
    { region: 'us-east-1', replicationGroupId: 'mcp-us', role: 'PRIMARY' },
    { region: 'eu-west-1', replicationGroupId: 'mcp-eu', role: 'SECONDARY' },
  ];
  const calls: string[] = [];
  let describes = 0;
  const api: CacheApi = {
    async describe() { describes++; return { status, members: members.map((m) => ({ ...m })) }; },
    async failover(id, region, rg) {
      calls.push(`${id}:${region}:${rg}`);
      for (const m of members) m.role = m.region === region ? 'PRIMARY' : 'SECONDARY';
    },
  };
  return { api, calls, describes: () => describes };
}

/** Runs the handler with the CA trusted (inline PEM, as TrustedCa.fromPem renders it). */
async function runWith(event: unknown, api: CacheApi, alarmState = 'ALARM') {
  const lines: string[] = [];
  const alarmReads: string[] = [];
  const fetchFn = healthFetch({ MCP_TRUSTED_CA_PEM: pki.tlsCaPem });
  const result: Promise<RunResult> = run(event, config(), {
    api, fetch: fetchFn, write: (l) => lines.push(l),
    alarmState: async (name) => { alarmReads.push(name); return alarmState; },
  });
  const settled = await result.then((r) => ({ r, e: undefined as unknown }), (e: unknown) => ({ r: undefined, e }));
  const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l._aws);
  return { ...settled, lines, emf, alarmReads };
}

beforeEach(() => {
  statuses['/us/ready'] = 503;
  statuses['/eu/ready'] = 200;
});

describe('cache promotion handler (AWS adapter)', () => {
  test('the alarm event promotes, with the private CA trusted for the health checks; EMF Promoted 1', async () => {
    const ds = datastore();
    const { r, e, emf, alarmReads } = await runWith(ALARM_EVENT, ds.api);
    expect(e).toBeUndefined();
    expect(r).toMatchObject({ action: PromotionAction.PROMOTED, region: 'eu-west-1', confirmed: true });
    expect(ds.calls).toEqual(['ldgnf-mcp:eu-west-1:mcp-eu']);
    expect(alarmReads).toEqual([]); // the event itself says ALARM
    expect(emf).toMatchObject({ Promoted: 1, Blocked: 0, PrimaryAnswered: 0, GlobalReplicationGroupId: 'ldgnf-mcp' });
    expect(typeof emf!.PromotionSeconds).toBe('number');
  });

  test('without the CA the health checks fail TLS, so nothing is healthy: blocked, not promoted', async () => {
    const ds = datastore();
    const lines: string[] = [];
    const err = await run(ALARM_EVENT, config(), {
      api: ds.api, fetch: healthFetch({}), write: (l) => lines.push(l), alarmState: async () => 'ALARM',
    }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(PromotionBlockedError);
    expect((err as PromotionBlockedError).decision.action).toBe(PromotionAction.NO_HEALTHY_CANDIDATE);
    expect(ds.calls).toEqual([]);
  });

  test('a scheduled run while the trigger is not in ALARM does nothing (not even a describe)', async () => {
    const ds = datastore();
    const { r, alarmReads } = await runWith(SCHEDULE_EVENT, ds.api, 'OK');
    expect(r).toEqual({ action: 'idle', alarmState: 'OK' });
    expect(alarmReads).toEqual(['trigger']);
    expect(ds.describes()).toBe(0);
  });

  test('a scheduled run while the trigger stays in ALARM retries the promotion', async () => {
    const ds = datastore();
    const { r } = await runWith(SCHEDULE_EVENT, ds.api, 'ALARM');
    expect(r).toMatchObject({ action: PromotionAction.PROMOTED });
  });

  test('a promotion in progress throws (Lambda retries, then the dead-letter queue) and publishes Blocked 1', async () => {
    const ds = datastore('modifying');
    const { e, emf } = await runWith(ALARM_EVENT, ds.api);
    expect(e).toBeInstanceOf(PromotionBlockedError);
    expect((e as Error).message).toMatch(/blocked \(in-progress\): ldgnf-mcp is 'modifying'/);
    expect(emf).toMatchObject({ Promoted: 0, Blocked: 1 });
  });

  test('no healthy candidate throws and publishes Blocked 1', async () => {
    statuses['/eu/ready'] = 503;
    const { e, emf } = await runWith(ALARM_EVENT, datastore().api);
    expect((e as PromotionBlockedError).decision.action).toBe(PromotionAction.NO_HEALTHY_CANDIDATE);
    expect(emf).toMatchObject({ Blocked: 1 });
  });

  test('a primary that answers the re-check (over TLS with the private CA) is a refusal: no failover, PrimaryAnswered 1, no error', async () => {
    statuses['/us/ready'] = 200;
    const ds = datastore();
    const { r, e, emf } = await runWith(ALARM_EVENT, ds.api);
    expect(e).toBeUndefined();
    expect(r).toMatchObject({ action: PromotionAction.PRIMARY_ANSWERS });
    expect(ds.calls).toEqual([]);
    expect(emf).toMatchObject({ Promoted: 0, Blocked: 0, PrimaryAnswered: 1 });
  });

  test('tells the alarm event from the schedule', () => {
    expect(isAlarmEvent(ALARM_EVENT)).toBe(true);
    expect(isAlarmEvent(SCHEDULE_EVENT)).toBe(false);
    expect(isAlarmEvent(undefined)).toBe(false);
  });

  test('reads its configuration from the environment the construct renders', () => {
    const candidates = [{ region: 'eu-west-1', replicationGroupId: 'mcp-eu', healthUrl: 'https://eu/ready' }];
    expect(configFromEnv({
      GLOBAL_REPLICATION_GROUP_ID: 'g', PRIMARY_REGION: 'us-east-1', CANDIDATES: JSON.stringify(candidates),
      PRIMARY_HEALTH_URL: 'https://us/ready', TRIGGER_ALARM_NAME: 'a',
    })).toEqual({
      globalReplicationGroupId: 'g', failedRegion: 'us-east-1', failedRegionHealthUrl: 'https://us/ready', candidates,
      metricNamespace: 'McpHa/CachePromotion', healthTimeoutMs: 5000, recheckAttempts: 3, recheckIntervalMs: 2000,
      completionTimeoutMs: 120000, triggerAlarmName: 'a',
    });
    expect(() => configFromEnv({})).toThrow(/GLOBAL_REPLICATION_GROUP_ID is not set/);
  });
});
