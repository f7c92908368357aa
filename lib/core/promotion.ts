/**
 * The cloud-neutral decision of a single-writer cache promotion (the guide's
 * "extended outage: promote standby systems" step): given a cross-region cache
 * whose writer region has been reported down, decide whether to promote, which
 * replica, and do it, or say exactly why not.
 *
 * Rules (DESIGN.md, "automation that acts must provably fire, and must not fire by
 * mistake"):
 * 1. Read the cache's state first: a writer already outside the failed region is
 *    success (idempotent); a cache that is not in a state that accepts a failover
 *    (a modification or failover in progress, no replica) is `in-progress` /
 *    `no-replica`: nothing is done, and the decision says the caller must retry.
 * 2. Re-check that the writer region is really down, with this function's own
 *    probes of its health URL (several attempts): if it answers (2xx) even once,
 *    refuse (`primary-answers`): the alarm that triggered us may be a broken or
 *    throttled watcher, not a lost region.
 * 3. Probe every candidate replica region's health URL; promote the healthy one
 *    (2xx) with the lowest latency, ties broken by the configured order; none
 *    healthy: `no-healthy-candidate`.
 * 4. Read the state again right before the failover call (the world may have moved
 *    during the probes), call failover, then wait until the cache reports the new
 *    writer (bounded), and report how long the promotion took.
 *
 * Nothing here throws for an expected refusal: every outcome is a `Decision`
 * whose `mustRetry` / `blocked` say what the caller does with it. A cloud adapter
 * (AWS: lib/aws/cache-promotion-handler) turns a blocked decision into an error so
 * its platform retries and alarms; the drill calls `promote` with a Redis adapter.
 * Pure TypeScript: imports no cloud library.
 */

/** One member of the cross-region cache as its API reports it. */
export interface CacheMember {
  readonly region?: string;
  readonly replicationGroupId?: string;
  /** `PRIMARY` (the writer) or `SECONDARY` (case-insensitive). */
  readonly role?: string;
}

/** What `describe` returns. */
export interface CacheState {
  /**
   * The cache's status. Only `available` accepts a failover (on AWS,
   * FailoverGlobalReplicationGroup answers InvalidGlobalReplicationGroupState "not
   * available or in primary-only state" otherwise:
   * https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_FailoverGlobalReplicationGroup.html).
   * Undefined: the adapter has no status (the drill's Redis), taken as available.
   */
  readonly status?: string;
  readonly members: readonly CacheMember[];
}

/** The cache API the decision needs (ElastiCache Global Datastore on AWS; a Redis pair in the drill). */
export interface CacheApi {
  describe(id: string): Promise<CacheState>;
  /** Makes `replicationGroupId` in `region` the writer. */
  failover(id: string, region: string, replicationGroupId: string): Promise<void>;
}

/** An HTTP GET that answers the status (the caller's TLS trust, e.g. a private CA, lives in it). */
export type Fetch = (url: string, init: { signal: AbortSignal }) => Promise<{ status: number }>;

/** A region whose replica may become the writer. */
export interface Candidate {
  readonly region: string;
  readonly replicationGroupId: string;
  /** Readiness URL of the region's MCP deployment (https), probed to pick the healthiest. */
  readonly healthUrl: string;
}

export interface PromotionConfig {
  readonly globalReplicationGroupId: string;
  /** The writer region reported down. */
  readonly failedRegion: string;
  /**
   * Health URL of the failed region's deployment, re-checked before acting.
   * @default - no re-check by URL (the caller must have another way to know; the AWS construct always sets it)
   */
  readonly failedRegionHealthUrl?: string;
  /** In order of preference. */
  readonly candidates: readonly Candidate[];
  /** Deadline of one health request. */
  readonly healthTimeoutMs: number;
  /**
   * Attempts of the failed region's re-check: any 2xx answer refuses the promotion.
   * @default 3
   */
  readonly recheckAttempts?: number;
  /**
   * Pause between re-check attempts.
   * @default 2000
   */
  readonly recheckIntervalMs?: number;
  /**
   * How long to wait, after the failover call, for the cache to report the new writer.
   * @default 120000
   */
  readonly completionTimeoutMs?: number;
  /**
   * Pause between state reads while waiting.
   * @default 5000
   */
  readonly completionPollMs?: number;
}

/** Why no promotion happened, or that one did. */
export enum PromotionAction {
  /** This run promoted `region`. */
  PROMOTED = 'promoted',
  /** The writer is already outside the failed region: nothing to do (success). */
  ALREADY_PROMOTED = 'already-promoted',
  /** The failed region answered the re-check: refused (the trigger may be wrong). */
  PRIMARY_ANSWERS = 'primary-answers',
  /** The cache is changing (status not `available`): retry later. */
  IN_PROGRESS = 'in-progress',
  /** The cache has no replica in a candidate region. */
  NO_REPLICA = 'no-replica',
  /** No candidate region answered its health URL with 2xx. */
  NO_HEALTHY_CANDIDATE = 'no-healthy-candidate',
}

export interface HealthSample {
  readonly region: string;
  /** HTTP status, or the error's name (TimeoutError, TypeError...). */
  readonly status: number | string;
  readonly latencyMs: number;
}

export interface Decision {
  readonly action: PromotionAction;
  /** The writer region after the decision (promoted, or already elsewhere). */
  readonly region?: string;
  readonly replicationGroupId?: string;
  /** Candidates' health, when probed. */
  readonly health?: readonly HealthSample[];
  /** The failed region's re-check answers, when probed. */
  readonly recheck?: readonly HealthSample[];
  /** The cache's status when it blocked the promotion. */
  readonly status?: string;
  /** Milliseconds from the failover call until the cache reported the new writer (promoted only). */
  readonly promotionMs?: number;
  /** Promoted only: false when the new writer was not reported within `completionTimeoutMs`. */
  readonly confirmed?: boolean;
  /**
   * True when the promotion should have happened and could not (in-progress,
   * no replica, no healthy candidate): the caller retries and, when retries run
   * out, raises an alarm. Never true for a promotion or an already-moved writer.
   */
  readonly blocked: boolean;
  /** A sentence for logs and alarms. */
  readonly reason: string;
}

export interface PromotionOptions {
  /** @default setTimeout-based */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds clock. @default Date.now */
  readonly now?: () => number;
  /** Receives one structured record per step. @default - nothing is logged */
  readonly log?: (fields: Record<string, unknown>) => void;
}

const ACCEPTS_FAILOVER = 'available';

function isWriter(m: CacheMember): boolean {
  return m.role?.toUpperCase() === 'PRIMARY';
}

function ok(status: number | string): boolean {
  return typeof status === 'number' && status >= 200 && status < 300;
}

async function sample(fetchFn: Fetch, region: string, url: string, timeoutMs: number, now: () => number): Promise<HealthSample> {
  const started = now();
  try {
    const res = await fetchFn(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { region, status: res.status, latencyMs: now() - started };
  } catch (e) {
    return { region, status: (e as Error)?.name || 'error', latencyMs: now() - started };
  }
}

/** The writer outside the failed region, if the cache reports one. */
function movedWriter(state: CacheState, failedRegion: string): CacheMember | undefined {
  const writer = state.members.find(isWriter);
  return writer && writer.region !== failedRegion ? writer : undefined;
}

/**
 * Decides and, when every rule allows it, promotes. See the file comment for the rules.
 * Errors of the cache API (describe, failover) propagate: the caller retries them.
 */
export async function promote(config: PromotionConfig, api: CacheApi, fetchFn: Fetch, options: PromotionOptions = {}): Promise<Decision> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => undefined);
  const id = config.globalReplicationGroupId;
  const decide = (d: Decision): Decision => {
    log({ decision: d.action, blocked: d.blocked, reason: d.reason, ...(d.region ? { region: d.region } : {}),
      ...(d.health ? { health: d.health } : {}), ...(d.recheck ? { recheck: d.recheck } : {}),
      ...(d.status ? { status: d.status } : {}), ...(d.promotionMs !== undefined ? { promotionMs: d.promotionMs, confirmed: d.confirmed } : {}) });
    return d;
  };

  // 1. The cache's state.
  const first = await api.describe(id);
  const moved = movedWriter(first, config.failedRegion);
  if (moved) {
    return decide({ action: PromotionAction.ALREADY_PROMOTED, region: moved.region, replicationGroupId: moved.replicationGroupId,
      blocked: false, reason: `the writer of ${id} is already in ${moved.region}` });
  }
  if (first.status !== undefined && first.status !== ACCEPTS_FAILOVER) {
    return decide({ action: PromotionAction.IN_PROGRESS, status: first.status, blocked: true,
      reason: `${id} is '${first.status}', not '${ACCEPTS_FAILOVER}': a failover is accepted only when it is available; retry` });
  }
  const members = new Set(first.members.filter((m) => !isWriter(m)).map((m) => m.region));
  const candidates = config.candidates.filter((c) => c.region !== config.failedRegion && members.has(c.region));
  if (candidates.length === 0) {
    return decide({ action: PromotionAction.NO_REPLICA, blocked: true,
      reason: `${id} has no replica in ${config.candidates.map((c) => c.region).join(', ') || 'any candidate region'}: nothing can be promoted` });
  }

  // 2. Is the failed region really down? Any 2xx answer refuses.
  const recheck: HealthSample[] = [];
  if (config.failedRegionHealthUrl) {
    const attempts = Math.max(1, config.recheckAttempts ?? 3);
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(config.recheckIntervalMs ?? 2000);
      const s = await sample(fetchFn, config.failedRegion, config.failedRegionHealthUrl, config.healthTimeoutMs, now);
      recheck.push(s);
      if (ok(s.status)) {
        return decide({ action: PromotionAction.PRIMARY_ANSWERS, recheck, blocked: false,
          reason: `${config.failedRegion} answered ${config.failedRegionHealthUrl} with ${s.status} on attempt ${i + 1}: `
            + 'the writer region is not down, so its cache is not promoted away (check the watcher that raised the trigger)' });
      }
    }
  }

  // 3. The healthiest candidate.
  const health = await Promise.all(candidates.map((c) => sample(fetchFn, c.region, c.healthUrl, config.healthTimeoutMs, now)));
  const healthy = candidates
    .map((c, i) => ({ c, h: health[i], order: i }))
    .filter((x) => ok(x.h.status))
    .sort((a, b) => a.h.latencyMs - b.h.latencyMs || a.order - b.order);
  if (healthy.length === 0) {
    return decide({ action: PromotionAction.NO_HEALTHY_CANDIDATE, health, recheck: recheck.length ? recheck : undefined, blocked: true,
      reason: `no candidate region of ${id} answered its health URL with 2xx: ${health.map((h) => `${h.region} ${h.status}`).join(', ')}` });
  }
  const chosen = healthy[0].c;

  // 4. Read again right before acting, then fail over and wait for the new writer.
  const before = await api.describe(id);
  const movedMeanwhile = movedWriter(before, config.failedRegion);
  if (movedMeanwhile) {
    return decide({ action: PromotionAction.ALREADY_PROMOTED, region: movedMeanwhile.region, replicationGroupId: movedMeanwhile.replicationGroupId,
      blocked: false, reason: `the writer of ${id} moved to ${movedMeanwhile.region} while the regions were probed` });
  }
  if (before.status !== undefined && before.status !== ACCEPTS_FAILOVER) {
    return decide({ action: PromotionAction.IN_PROGRESS, status: before.status, health, blocked: true,
      reason: `${id} became '${before.status}' while the regions were probed; retry` });
  }
  const started = now();
  await api.failover(id, chosen.region, chosen.replicationGroupId);
  const deadline = started + (config.completionTimeoutMs ?? 120000);
  let confirmed = false;
  for (;;) {
    const state = await api.describe(id);
    const writer = state.members.find(isWriter);
    if (writer?.region === chosen.region && (state.status === undefined || state.status === ACCEPTS_FAILOVER)) {
      confirmed = true;
      break;
    }
    if (now() >= deadline) break;
    await sleep(config.completionPollMs ?? 5000);
  }
  return decide({ action: PromotionAction.PROMOTED, region: chosen.region, replicationGroupId: chosen.replicationGroupId, health,
    recheck: recheck.length ? recheck : undefined, promotionMs: now() - started, confirmed, blocked: false,
    reason: confirmed
      ? `promoted ${chosen.replicationGroupId} in ${chosen.region} (healthiest candidate)`
      : `failover to ${chosen.region} requested; ${id} did not report the new writer within ${config.completionTimeoutMs ?? 120000} ms` });
}
