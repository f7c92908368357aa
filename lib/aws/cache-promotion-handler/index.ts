/**
 * Promotes a Global Datastore secondary when the primary region has been down
 * for the escalation ladder's extended-outage time (ElastiCache never fails a
 * Global Datastore over between regions by itself).
 *
 * Idempotent: it reads the datastore first and does nothing when the primary
 * member is already outside the failed region or a failover is in progress.
 * Chooses the healthiest candidate: readiness answering 200, lowest latency,
 * ties broken by the configured order. Logs one JSON line per decision and
 * publishes an EMF metric (Promoted 1/0) so an alarm can watch it.
 */
import {
  DescribeGlobalReplicationGroupsCommand, ElastiCacheClient, FailoverGlobalReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';

export interface Candidate {
  readonly region: string;
  readonly replicationGroupId: string;
  /** Readiness URL of the region's MCP deployment (https). */
  readonly healthUrl: string;
}

export interface PromotionConfig {
  readonly globalReplicationGroupId: string;
  readonly failedRegion: string;
  /** In order of preference. */
  readonly candidates: readonly Candidate[];
  readonly metricNamespace: string;
  readonly healthTimeoutMs: number;
}

export interface Decision {
  readonly action: 'promoted' | 'already-promoted' | 'in-progress' | 'no-healthy-candidate';
  readonly region?: string;
  readonly replicationGroupId?: string;
  readonly health?: readonly { region: string; status: number | string; latencyMs: number }[];
}

/** The ElastiCache calls the handler makes (a subset, so tests can pass a fake). */
export interface CacheApi {
  describe(id: string): Promise<{ status?: string; members: { region?: string; replicationGroupId?: string; role?: string }[] }>;
  failover(id: string, region: string, replicationGroupId: string): Promise<void>;
}

export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<{ status: number }>;

function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ component: 'mcp-ha-cache-promotion', ...fields }));
}

function emitMetric(namespace: string, globalReplicationGroupId: string, promoted: number): void {
  console.log(JSON.stringify({
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [['GlobalReplicationGroupId']], Metrics: [{ Name: 'Promoted', Unit: 'Count' }] }],
    },
    GlobalReplicationGroupId: globalReplicationGroupId,
    Promoted: promoted,
  }));
}

async function probe(fetchFn: Fetch, c: Candidate, timeoutMs: number): Promise<{ region: string; status: number | string; latencyMs: number }> {
  const started = Date.now();
  try {
    const res = await fetchFn(c.healthUrl, { signal: AbortSignal.timeout(timeoutMs) });
    return { region: c.region, status: res.status, latencyMs: Date.now() - started };
  } catch (e) {
    return { region: c.region, status: (e as Error).name || 'error', latencyMs: Date.now() - started };
  }
}

/** The decision and the call, independent of Lambda. */
export async function promote(config: PromotionConfig, api: CacheApi, fetchFn: Fetch): Promise<Decision> {
  const current = await api.describe(config.globalReplicationGroupId);
  const primary = current.members.find((m) => m.role?.toUpperCase() === 'PRIMARY');
  if (current.status && !['available', 'primary-only'].includes(current.status)) {
    log({ decision: 'in-progress', status: current.status });
    return { action: 'in-progress' };
  }
  if (primary && primary.region !== config.failedRegion) {
    log({ decision: 'already-promoted', primaryRegion: primary.region });
    return { action: 'already-promoted', region: primary.region, replicationGroupId: primary.replicationGroupId };
  }
  const members = new Set(current.members.map((m) => m.region));
  const candidates = config.candidates.filter((c) => c.region !== config.failedRegion && members.has(c.region));
  const health = await Promise.all(candidates.map((c) => probe(fetchFn, c, config.healthTimeoutMs)));
  const healthy = candidates
    .map((c, i) => ({ c, h: health[i], order: i }))
    .filter((x) => x.h.status === 200)
    .sort((a, b) => a.h.latencyMs - b.h.latencyMs || a.order - b.order);
  if (healthy.length === 0) {
    log({ decision: 'no-healthy-candidate', health });
    emitMetric(config.metricNamespace, config.globalReplicationGroupId, 0);
    throw new Error(`no healthy secondary to promote for ${config.globalReplicationGroupId}: ${JSON.stringify(health)}`);
  }
  const chosen = healthy[0].c;
  await api.failover(config.globalReplicationGroupId, chosen.region, chosen.replicationGroupId);
  log({ decision: 'promoted', region: chosen.region, replicationGroupId: chosen.replicationGroupId, health });
  emitMetric(config.metricNamespace, config.globalReplicationGroupId, 1);
  return { action: 'promoted', region: chosen.region, replicationGroupId: chosen.replicationGroupId, health };
}

/** The ElastiCache client behind CacheApi. */
export function elastiCacheApi(client: ElastiCacheClient): CacheApi {
  return {
    async describe(id) {
      const out = await client.send(new DescribeGlobalReplicationGroupsCommand({ GlobalReplicationGroupId: id, ShowMemberInfo: true }));
      const g = out.GlobalReplicationGroups?.[0];
      return {
        status: g?.Status,
        members: (g?.Members ?? []).map((m) => ({ region: m.ReplicationGroupRegion, replicationGroupId: m.ReplicationGroupId, role: m.Role })),
      };
    },
    async failover(id, region, replicationGroupId) {
      await client.send(new FailoverGlobalReplicationGroupCommand({
        GlobalReplicationGroupId: id, PrimaryRegion: region, PrimaryReplicationGroupId: replicationGroupId,
      }));
    },
  };
}

/** Reads the configuration the construct renders into the environment. */
export function configFromEnv(env: NodeJS.ProcessEnv): PromotionConfig {
  return {
    globalReplicationGroupId: required(env, 'GLOBAL_REPLICATION_GROUP_ID'),
    failedRegion: required(env, 'PRIMARY_REGION'),
    candidates: JSON.parse(required(env, 'CANDIDATES')) as Candidate[],
    metricNamespace: env.METRIC_NAMESPACE ?? 'McpHa/CachePromotion',
    healthTimeoutMs: Number(env.HEALTH_TIMEOUT_MS ?? '5000'),
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

/** Lambda entry point: invoked by the alarm's state change (EventBridge). */
export async function handler(event: unknown): Promise<Decision> {
  log({ event: 'invoked', detailType: (event as { 'detail-type'?: string })?.['detail-type'] });
  const config = configFromEnv(process.env);
  // The Global Datastore API is served in the region of the Lambda; members are addressed by region.
  return promote(config, elastiCacheApi(new ElastiCacheClient({})), (url, init) => fetch(url, init));
}
