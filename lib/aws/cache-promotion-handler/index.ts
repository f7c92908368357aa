/**
 * The AWS adapter of the cache promotion (lib/core/promotion.ts decides): promotes
 * an ElastiCache Global Datastore secondary when the primary region has been down
 * for the escalation ladder's extended-outage time (ElastiCache never fails a
 * Global Datastore over between regions by itself).
 *
 * Invoked two ways:
 * - by the trigger alarm's transition into ALARM (EventBridge): promote;
 * - by a schedule (every minute): promote only while the trigger alarm is still in
 *   ALARM (DescribeAlarms), so a promotion that could not happen is retried for as
 *   long as the outage lasts, not only on the one transition EventBridge delivers.
 *
 * Never quiet: a blocked decision (a change in progress, no replica, no healthy
 * candidate) publishes `Blocked` 1 and throws, so Lambda's asynchronous retries
 * run, the event reaches the dead-letter queue when they are exhausted, and the
 * construct's alarms (function errors, Blocked) fire. A refusal because the
 * primary answered the re-check publishes `PrimaryAnswered` 1 and returns: the
 * trigger was wrong, nothing is broken here. One JSON log line per decision and
 * one EMF record (Promoted, Blocked, PrimaryAnswered, PromotionSeconds).
 */
import {
  DescribeGlobalReplicationGroupsCommand, ElastiCacheClient, FailoverGlobalReplicationGroupCommand,
} from '@aws-sdk/client-elasticache';
import {
  CacheApi, Candidate, Decision, Fetch, PromotionAction, PromotionConfig, PromotionOptions, promote,
} from '../../core/promotion';
import { ParameterReader, TrustStore } from '../mcp-probe-handler/trust';
import { PROMOTION_ENV } from './env';

export { CacheApi, Candidate, Decision, Fetch, PromotionAction, PromotionConfig, promote };

export { PROMOTION_ENV };

/** The handler's configuration (the core's, plus where metrics go and which alarm triggers). */
export interface HandlerConfig extends PromotionConfig {
  readonly metricNamespace: string;
  /** The trigger alarm: scheduled runs act only while it is in ALARM. */
  readonly triggerAlarmName?: string;
}

/** Thrown for a blocked decision: Lambda retries it, then dead-letters the event. */
export class PromotionBlockedError extends Error {
  constructor(public readonly decision: Decision) {
    super(`cache promotion blocked (${decision.action}): ${decision.reason}`);
    this.name = 'PromotionBlockedError';
  }
}

/** What a run did: a decision, or nothing because the trigger is not in ALARM (scheduled runs). */
export type RunResult = Decision | { readonly action: 'idle'; readonly alarmState: string };

export interface HandlerDependencies {
  readonly api: CacheApi;
  readonly fetch: Fetch;
  /** The trigger alarm's state (`ALARM`, `OK`, `INSUFFICIENT_DATA`). */
  readonly alarmState: (alarmName: string) => Promise<string>;
  /** Receives each log line (JSON). @default console.log */
  readonly write?: (line: string) => void;
  readonly options?: PromotionOptions;
}

function emf(namespace: string, id: string, values: Record<string, number>, timestamp: number): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: namespace, Dimensions: [['GlobalReplicationGroupId']],
        Metrics: Object.keys(values).map((Name) => ({ Name, Unit: Name === 'PromotionSeconds' ? 'Seconds' : 'Count' })),
      }],
    },
    GlobalReplicationGroupId: id,
    ...values,
  };
}

/** True for the EventBridge alarm state-change event (the trigger); false for the schedule. */
export function isAlarmEvent(event: unknown): boolean {
  const e = event as { 'source'?: string; 'detail-type'?: string } | undefined;
  return e?.source === 'aws.cloudwatch' && e['detail-type'] === 'CloudWatch Alarm State Change';
}

/** One run, independent of Lambda: decide (core), publish, and throw when blocked. */
export async function run(event: unknown, config: HandlerConfig, deps: HandlerDependencies): Promise<RunResult> {
  const write = deps.write ?? ((line: string) => console.log(line));
  const log = (fields: Record<string, unknown>) => write(JSON.stringify({ component: 'mcp-ha-cache-promotion', ...fields }));
  const trigger = isAlarmEvent(event) ? 'alarm' : 'schedule';
  log({ event: 'invoked', trigger });
  if (trigger === 'schedule' && config.triggerAlarmName) {
    const state = await deps.alarmState(config.triggerAlarmName);
    if (state !== 'ALARM') return { action: 'idle', alarmState: state };
  }
  const decision = await promote(config, deps.api, deps.fetch, { ...deps.options, log });
  const values: Record<string, number> = {
    Promoted: decision.action === PromotionAction.PROMOTED ? 1 : 0,
    Blocked: decision.blocked ? 1 : 0,
    PrimaryAnswered: decision.action === PromotionAction.PRIMARY_ANSWERS ? 1 : 0,
  };
  if (decision.promotionMs !== undefined) values.PromotionSeconds = Math.round(decision.promotionMs / 100) / 10;
  write(JSON.stringify(emf(config.metricNamespace, config.globalReplicationGroupId, values, Date.now())));
  if (decision.blocked) throw new PromotionBlockedError(decision);
  return decision;
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

/** The alarm's state, with the CloudWatch client of the Lambda runtime (loaded by a computed name). */
export async function alarmStateWithSdk(alarmName: string): Promise<string> {
  const sdkModule = '@aws-sdk/client-cloudwatch';
  const sdk = (await import(sdkModule)) as {
    CloudWatchClient: new () => { send(command: unknown): Promise<{ MetricAlarms?: { StateValue?: string }[] }> };
    DescribeAlarmsCommand: new (input: { AlarmNames: string[] }) => unknown;
  };
  const out = await new sdk.CloudWatchClient().send(new sdk.DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  const state = out.MetricAlarms?.[0]?.StateValue;
  if (!state) throw new Error(`alarm ${alarmName} not found`);
  return state;
}

/** Reads the configuration the construct renders into the environment. */
export function configFromEnv(env: NodeJS.ProcessEnv): HandlerConfig {
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  return {
    globalReplicationGroupId: required(env, PROMOTION_ENV.globalReplicationGroupId),
    failedRegion: required(env, PROMOTION_ENV.primaryRegion),
    failedRegionHealthUrl: env[PROMOTION_ENV.primaryHealthUrl] || undefined,
    candidates: JSON.parse(required(env, PROMOTION_ENV.candidates)) as Candidate[],
    metricNamespace: env[PROMOTION_ENV.metricNamespace] ?? 'McpHa/CachePromotion',
    healthTimeoutMs: num(PROMOTION_ENV.healthTimeoutMs, 5000),
    recheckAttempts: num(PROMOTION_ENV.recheckAttempts, 3),
    recheckIntervalMs: num(PROMOTION_ENV.recheckIntervalMs, 2000),
    completionTimeoutMs: num(PROMOTION_ENV.completionTimeoutMs, 120000),
    triggerAlarmName: env[PROMOTION_ENV.triggerAlarmName] || undefined,
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[name];
  if (!v) throw new Error(`environment variable ${name} is not set`);
  return v;
}

/** A status-only GET trusting the configured CA (public roots plus the service's private CA). */
export function healthFetch(env: Record<string, string | undefined>, readParameter?: ParameterReader): Fetch {
  const store = new TrustStore(env, readParameter);
  return async (url, init) => {
    const res = await (await store.fetch())(url, { method: 'GET', signal: init.signal, redirect: 'manual' });
    await res.body?.cancel();
    return { status: res.status };
  };
}

let cachedFetch: Fetch | undefined;

/** Lambda entry point: the trigger alarm's state change, or the schedule. */
export async function handler(event: unknown): Promise<RunResult> {
  const config = configFromEnv(process.env);
  cachedFetch ??= healthFetch(process.env);
  // The Global Datastore API is served in the region of the Lambda; members are addressed by region.
  return run(event, config, { api: elastiCacheApi(new ElastiCacheClient({})), fetch: cachedFetch, alarmState: alarmStateWithSdk });
}
