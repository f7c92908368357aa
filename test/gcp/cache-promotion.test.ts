import { PromotionAction, PromotionConfig } from '../../lib/core/promotion';
import { AvailabilityTier } from '../../lib/core/tiers';
import { McpCache } from '../../lib/gcp/cache';
import { McpCachePromotion, PROMOTION_PERMISSIONS } from '../../lib/gcp/cache-promotion';
import { HttpJson, MemorystoreApi, PromotionBlockedError, SWITCHOVER_DOC, notificationOf, run, switchoverRequest, trustingFetch } from '../../lib/gcp/cache-promotion-handler';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { TestPki, generateTestPki, removeTestPki } from '../support/vault-fake';
import { McpNetwork } from '../../lib/gcp/network';
import { Tf, errorOf, only, resourcesOf, synthJson, testStack } from './support';

const WRITER = 'projects/p/locations/us-east1/instances/mcp-cache-us-east1';
const SECONDARY = 'projects/p/locations/us-central1/instances/mcp-cache-us-central1';
const config: PromotionConfig = {
  globalReplicationGroupId: WRITER, failedRegion: 'us-east1', failedRegionHealthUrl: 'https://mcp-us-east1.example.com/health/ready',
  candidates: [{ region: 'us-central1', replicationGroupId: SECONDARY, healthUrl: 'https://mcp-us-central1.example.com/health/ready' }],
  healthTimeoutMs: 100, recheckAttempts: 2, recheckIntervalMs: 1, completionPollMs: 1, completionTimeoutMs: 50,
};
const open = { incident: { state: 'open' } };

/** A fake Memorystore API: instances by name; PATCH switches roles like a switchover. */
function fakeApi(instances: Record<string, { state: string; role: string } | 'unreachable'>) {
  const calls: string[] = [];
  const http: HttpJson = async (method, url, body) => {
    calls.push(`${method} ${url.replace('https://memorystore.googleapis.com/v1/', '')}`);
    const name = url.replace('https://memorystore.googleapis.com/v1/', '').split('?')[0];
    const inst = instances[name];
    if (inst === 'unreachable') throw new TypeError('fetch failed');
    if (method === 'PATCH') {
      for (const [k, v] of Object.entries(instances)) if (v !== 'unreachable') v.role = k === name ? 'PRIMARY' : 'SECONDARY';
      expect(body).toEqual({ crossInstanceReplicationConfig: { instanceRole: 'PRIMARY', secondaryInstances: [{ instance: WRITER }] } });
      return { status: 200, json: {} };
    }
    return { status: 200, json: { state: inst.state, crossInstanceReplicationConfig: { instanceRole: inst.role } } };
  };
  return { api: new MemorystoreApi(http, [WRITER, SECONDARY]), calls };
}
const health = (statuses: Record<string, number>) => async (url: string) => {
  const host = new URL(url).hostname;
  if (!(host in statuses)) throw new TypeError('fetch failed');
  return { status: statuses[host] };
};
const quiet = () => undefined;

describe('Memorystore switchover (core promotion through the Google adapter)', () => {
  test('the writer region lost, the standby healthy: the secondary is switched over to primary', async () => {
    const { api, calls } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'ACTIVE', role: 'SECONDARY' } });
    const d = await run(open, config, api, health({ 'mcp-us-central1.example.com': 200 }), quiet);
    expect(d.action).toBe(PromotionAction.PROMOTED);
    expect(calls.filter((c) => c.startsWith('PATCH'))).toEqual([`PATCH ${SECONDARY}?updateMask=crossInstanceReplicationConfig`]);
  });

  test('re-check before acting: the writer region still answers, nothing is switched', async () => {
    const { api, calls } = fakeApi({ [WRITER]: { state: 'ACTIVE', role: 'PRIMARY' }, [SECONDARY]: { state: 'ACTIVE', role: 'SECONDARY' } });
    const d = await run(open, config, api, health({ 'mcp-us-east1.example.com': 200, 'mcp-us-central1.example.com': 200 }), quiet);
    expect(d.action).toBe(PromotionAction.PRIMARY_ANSWERS);
    expect(calls.some((c) => c.startsWith('PATCH'))).toBe(false);
  });

  test('no promotion on missing data: a message without an open incident does nothing', async () => {
    const { api, calls } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'ACTIVE', role: 'SECONDARY' } });
    expect((await run({ incident: { state: 'closed' } }, config, api, health({}), quiet)).action).toBe('idle');
    expect((await run(notificationOf({ data: {} }), config, api, health({}), quiet)).action).toBe('idle');
    expect((await run(notificationOf({ data: { message: { data: 'not base64 json' } } }), config, api, health({}), quiet)).action).toBe('idle');
    expect(calls).toEqual([]);
  });

  test('loud failure: a switchover that cannot happen (instance updating) throws, so Pub/Sub redelivers and the alert fires', async () => {
    const { api } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'UPDATING', role: 'SECONDARY' } });
    await expect(run(open, config, api, health({ 'mcp-us-central1.example.com': 200 }), quiet)).rejects.toBeInstanceOf(PromotionBlockedError);
  });

  test('loud failure: no healthy candidate throws too', async () => {
    const { api } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'ACTIVE', role: 'SECONDARY' } });
    await expect(run(open, config, api, health({ 'mcp-us-central1.example.com': 503 }), quiet)).rejects.toThrow(/cache promotion blocked/);
  });

  test('idempotent: a run after the switchover changes nothing', async () => {
    const { api, calls } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'ACTIVE', role: 'PRIMARY' } });
    const d = await run(open, config, api, health({ 'mcp-us-central1.example.com': 200 }), quiet);
    expect(d.action).toBe(PromotionAction.ALREADY_PROMOTED);
    expect(calls.some((c) => c.startsWith('PATCH'))).toBe(false);
  });
});

describe('the switchover request is the documented one (instances.patch, as the google provider v6.50.0 sends it)', () => {
  test('PATCH of the new primary, updateMask=crossInstanceReplicationConfig, role PRIMARY, every other member its secondary', async () => {
    const THIRD = 'projects/p/locations/asia-southeast1/instances/mcp-cache-asia-southeast1';
    const sent: { method: string; url: string; body: unknown }[] = [];
    const http: HttpJson = async (method, url, body) => {
      sent.push({ method, url, body });
      return { status: 200, json: { name: 'projects/p/locations/us-central1/operations/op-1', done: false } };
    };
    await new MemorystoreApi(http, [WRITER, SECONDARY, THIRD]).failover('', 'us-central1', SECONDARY);
    expect(sent).toHaveLength(1);
    const url = new URL(sent[0].url);
    // v1 REST: PATCH https://memorystore.googleapis.com/v1/{instance.name=projects/*/locations/*/instances/*}
    expect(sent[0].method).toBe('PATCH');
    expect(`${url.origin}${url.pathname}`).toBe(`https://memorystore.googleapis.com/v1/${SECONDARY}`);
    expect([...url.searchParams.entries()]).toEqual([['updateMask', 'crossInstanceReplicationConfig']]);
    // The body carries only the masked field: the new primary and its secondaries (the former primary included).
    expect(sent[0].body).toEqual({
      crossInstanceReplicationConfig: { instanceRole: 'PRIMARY', secondaryInstances: [{ instance: WRITER }, { instance: THIRD }] },
    });
    expect(switchoverRequest(SECONDARY, [WRITER, SECONDARY, THIRD])).toEqual(sent[0]);
    expect(SWITCHOVER_DOC).toBe('https://cloud.google.com/memorystore/docs/valkey/reference/rest/v1/projects.locations.instances/patch');
  });

  test('a refused switchover (HTTP 400) is an error carrying the status and the API\'s message', async () => {
    const http: HttpJson = async () => ({ status: 400, json: { error: { message: 'instance is not a secondary' } } });
    await expect(new MemorystoreApi(http, [WRITER, SECONDARY]).failover('', 'us-central1', SECONDARY))
      .rejects.toThrow(/switchover of projects\/p\/locations\/us-central1\/instances\/mcp-cache-us-central1 refused: HTTP 400 .*instance is not a secondary/);
  });
});

describe('the function trusts the private CA of the service\'s certificate (real TLS on loopback)', () => {
  let pki: TestPki;
  let server: https.Server;
  let url: string;
  beforeAll(async () => {
    pki = generateTestPki();
    server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (_req, res) => { res.writeHead(200); res.end('ok'); });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health/ready`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    removeTestPki(pki);
  });

  test('with the issuing CA a healthy region answers 200; with the public roots only it fails TLS', async () => {
    expect(await trustingFetch(pki.tlsCaPem)(url, { signal: AbortSignal.timeout(2000) })).toEqual({ status: 200 });
    await expect(trustingFetch()(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow(/certificate/i);
    await expect(trustingFetch(pki.otherCaPem)(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow(/certificate/i);
  });

  test('so the switchover happens: the standby behind the private CA is healthy, the writer region refuses connections', async () => {
    const { api } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'ACTIVE', role: 'SECONDARY' } });
    const local = { ...config, failedRegionHealthUrl: 'https://127.0.0.1:1/health/ready', candidates: [{ ...config.candidates[0], healthUrl: url }] };
    expect((await run(open, local, api, trustingFetch(pki.tlsCaPem), quiet)).action).toBe(PromotionAction.PROMOTED);
    // Without the CA the same healthy standby looks down: the promotion is blocked (and says so).
    const { api: api2 } = fakeApi({ [WRITER]: 'unreachable', [SECONDARY]: { state: 'ACTIVE', role: 'SECONDARY' } });
    await expect(run(open, local, api2, trustingFetch(), quiet)).rejects.toThrow(/no-healthy-candidate/);
  });
});

describe('McpCachePromotion', () => {
  const { stack } = testStack();
  const network = new McpNetwork(stack, 'Net', { regions: ['us-east1', 'us-central1'], serverPort: 8080 });
  const primary = new McpCache(stack, 'Cache', { network, region: 'us-east1', tier: AvailabilityTier.BUSINESS_CRITICAL, project: 'p' });
  const secondary = new McpCache(stack, 'Secondary', { network, region: 'us-central1', primary, project: 'p' });
  new McpCachePromotion(stack, 'Promotion', {
    caches: [primary, secondary], primaryHealthUrl: 'https://mcp-us-east1.example.com/health/ready',
    candidates: [{ region: 'us-central1', healthUrl: 'https://mcp-us-central1.example.com/health/ready' }],
    triggerSeconds: 300, functionRegion: 'us-central1', project: 'p', namePrefix: 'mcp', trustedCaPem: 'PEM',
  });
  const t = synthJson(stack);
  const policies = Object.values(resourcesOf(t, 'google_monitoring_alert_policy'));

  test('the trigger fires after the extended-outage step and never on missing data; it publishes to the function\'s topic', () => {
    const trigger = policies.find((p: Tf) => /switch the cache over/.test(p.display_name)).conditions[0].condition_threshold;
    expect(trigger).toMatchObject({ duration: '300s', evaluation_missing_data: 'EVALUATION_MISSING_DATA_INACTIVE', comparison: 'COMPARISON_GT' });
    const fn = only(t, 'google_cloudfunctions2_function');
    expect(fn.event_trigger).toMatchObject({ event_type: 'google.cloud.pubsub.topic.v1.messagePublished', retry_policy: 'RETRY_POLICY_RETRY' });
    expect(fn.event_trigger.pubsub_topic).toMatch(/google_pubsub_topic\./);
    expect(only(t, 'google_monitoring_notification_channel').labels.topic).toBe(fn.event_trigger.pubsub_topic);
  });

  test('least privilege: a custom role with the three switchover permissions; the function runs in the surviving region', () => {
    expect(only(t, 'google_project_iam_custom_role').permissions).toEqual([...PROMOTION_PERMISSIONS]);
    expect(only(t, 'google_cloudfunctions2_function')).toMatchObject({ location: 'us-central1', service_config: { ingress_settings: 'ALLOW_INTERNAL_ONLY', max_instance_count: 1 } });
    expect(only(t, 'google_storage_bucket')).toMatchObject({ uniform_bucket_level_access: true, public_access_prevention: 'enforced' });
    // Bucket names are global across every project: the project id keeps the source bucket's unique.
    expect(only(t, 'google_storage_bucket').name).toMatch(/^p-mcp-/);
  });

  test('the trigger may invoke only this function\'s service; the account holds no other role', () => {
    expect(only(t, 'google_cloud_run_v2_service_iam_member')).toMatchObject({ role: 'roles/run.invoker', location: 'us-central1' });
    expect(only(t, 'google_cloud_run_v2_service_iam_member').name).toMatch(/google_cloudfunctions2_function\..*\.name/);
    const roles = Object.values(resourcesOf(t, 'google_project_iam_member')).filter((m: Tf) => /promoter/.test(JSON.stringify(m.member)) || /google_service_account\.Promotion/.test(m.member)).map((m: Tf) => m.role);
    const customRole = `\${google_project_iam_custom_role.${Object.keys(resourcesOf(t, 'google_project_iam_custom_role'))[0]}.id}`;
    expect(roles.sort()).toEqual([customRole, 'roles/eventarc.eventReceiver'].sort());
  });

  test('the function gets the CA to trust', () => {
    expect(only(t, 'google_cloudfunctions2_function').service_config.environment_variables.PROMOTION_TRUSTED_CA).toBe('PEM');
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });

  test('a blocked promotion raises its own alert', () => {
    expect(policies.find((p: Tf) => /promotion blocked/.test(p.display_name)).conditions[0].condition_matched_log.filter).toMatch(/cache promotion blocked/);
  });

  test('bad inputs: the function in the writer\'s region, no secondary', () => {
    expect(errorOf((s) => new McpCachePromotion(s, 'P', {
      caches: [primary], primaryHealthUrl: 'http://x', candidates: [], triggerSeconds: 30, functionRegion: 'us-east1', project: 'p', namePrefix: 'mcp',
    }))).toMatch(/caches: got .*allowed: the writer first, then at least one cross-region secondary[\s\S]*candidates: got \[\][\s\S]*functionRegion: got "us-east1"; allowed: a region other than the writer's[\s\S]*triggerSeconds: got 30[\s\S]*primaryHealthUrl: got "http:\/\/x"/);
  });
});
