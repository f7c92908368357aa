/**
 * How the regions of a topology write to the shared cache, and what happens to
 * writes when a region or the cache writer is lost. Every cloud renders one of
 * these models; the plan, the budget and the synth summary state which one, so
 * no region serves traffic whose writes fail silently.
 *
 * - SINGLE_REGION: one cache (Multi-AZ / zone-redundant) in one region; every
 *   deployment writes to it; an in-region failover promotes a replica by itself.
 * - MULTI_WRITER: every region writes to its own member; replication between
 *   regions is asynchronous and conflicts resolve last-writer-wins. Nothing is
 *   promoted: a surviving region keeps writing through a region loss; writes the
 *   lost region had not replicated yet are lost (RPO = replication lag).
 *   (Amazon MemoryDB Multi-Region; Azure Managed Redis active geo-replication.)
 * - SINGLE_WRITER: one region holds the writable primary, the others read-only
 *   replicas. A server in a replica region serves reads locally and refuses
 *   writes with a clear "read-only region" error naming the writer (never a
 *   silent failure); the server detects its member's role at run time, so after
 *   a promotion the new primary's region writes and the old one refuses.
 *   Promotion after the extended-outage step is automated by the library, with a
 *   re-check before acting and a loud alarm when it cannot act.
 *   (ElastiCache Global Datastore; Memorystore cross-region replication.)
 */
import { Validator } from './errors';
import { BudgetTerm, TermSource } from './failover-budget';

export enum CacheWriteModel {
  /** One cache in one region; in-region automatic failover. */
  SINGLE_REGION = 'single-region',
  /** Every region writes locally; asynchronous, last-writer-wins replication; no promotion. */
  MULTI_WRITER = 'multi-writer',
  /** One writable primary region; replicas refuse writes until the library promotes one. */
  SINGLE_WRITER = 'single-writer',
}

/** What a server in one region does with a write, under the model (rendered as `CACHE_WRITE_MODE`). */
export enum RegionWriteMode {
  /** Writes go to the cache member in this region. */
  LOCAL = 'local',
  /**
   * This region's member is a read-only replica: reads are local, write tools
   * answer a clear "read-only region" error naming the writer region. The server
   * checks the member's role at run time and writes locally once promoted.
   */
  READ_ONLY_UNLESS_PROMOTED = 'read-only-unless-promoted',
}

/** Environment variables a topology renders into every server (the reference server reads them). */
export enum CacheWriteEnv {
  /** The model: `single-region`, `multi-writer` or `single-writer`. */
  MODEL = 'CACHE_WRITE_MODEL',
  /** This region's mode at deployment time: `local` or `read-only-unless-promoted`. */
  MODE = 'CACHE_WRITE_MODE',
  /** The region holding the writer at deployment time (single-writer), for the read-only error. */
  WRITER_REGION = 'CACHE_WRITER_REGION',
  /** The server's own region. */
  REGION = 'SERVICE_REGION',
  /** Seconds the cache may be unreachable before readiness fails (region-health hysteresis). */
  DEPENDENCY_GRACE_SECONDS = 'CACHE_GRACE_SECONDS',
}

/** What `CacheWritePlan.of` plans from: the write model, the serving regions and the recovery terms. */
export interface CacheWritePlanInput {
  /** How the regions write: one region, every region (multi-writer), or one writer region (single writer). */
  readonly model: CacheWriteModel;
  /** Regions that serve traffic, the first holding the writer for SINGLE_WRITER. */
  readonly regions: string[];
  /**
   * SINGLE_WRITER: seconds from the writer region's loss to a promoted writer
   * (promotion trigger, alarm evaluation, the promotion itself), as the budget's
   * cache terms. SINGLE_REGION: the in-region automatic failover terms.
   * @default - no terms: write recovery 0 s (always the case for MULTI_WRITER, where nothing is promoted)
   */
  readonly recoveryTerms?: BudgetTerm[];
  /**
   * Seconds a surviving region's writes may lag behind (MULTI_WRITER RPO), with its source.
   * @default - not stated (the plan reports no replication lag)
   */
  readonly replicationLag?: BudgetTerm;
}

/** The write side of a plan: each region's mode and how long writes take to recover. */
export class CacheWritePlan {
  /** Plans writes for `input`; problems (a single-region model across regions...) go to `v`. */
  public static of(input: CacheWritePlanInput, v: Validator = new Validator()): CacheWritePlan {
    const { model, regions } = input;
    if (regions.length === 0) v.add('regions', regions, 'at least one region');
    if (model === CacheWriteModel.SINGLE_REGION && new Set(regions).size > 1) {
      v.add('cache.writeModel', model, `${CacheWriteModel.MULTI_WRITER} or ${CacheWriteModel.SINGLE_WRITER}: the service spans ${regions.length} regions`);
    }
    if (model !== CacheWriteModel.SINGLE_REGION && new Set(regions).size < 2) {
      v.add('cache.writeModel', model, `${CacheWriteModel.SINGLE_REGION}: one region has no cross-region cache`);
    }
    return new CacheWritePlan(input);
  }

  public readonly model: CacheWriteModel;
  /** Each region's write mode at deployment time. */
  public readonly regionModes: Readonly<Record<string, RegionWriteMode>>;
  /** The region holding the writer at deployment time (SINGLE_WRITER and SINGLE_REGION). */
  public readonly writerRegion?: string;
  /** Terms from the writer's loss to writes accepted again in a surviving region. */
  public readonly recoveryTerms: BudgetTerm[];
  /** Seconds from the writer's loss until a surviving region writes again (0 for MULTI_WRITER). */
  public readonly writeRecoverySeconds: number;
  public readonly replicationLag?: BudgetTerm;

  private constructor(input: CacheWritePlanInput) {
    this.model = input.model;
    const [first] = input.regions;
    this.writerRegion = input.model === CacheWriteModel.MULTI_WRITER ? undefined : first;
    this.regionModes = Object.fromEntries(input.regions.map((r) => [r,
      input.model === CacheWriteModel.SINGLE_WRITER && r !== first ? RegionWriteMode.READ_ONLY_UNLESS_PROMOTED : RegionWriteMode.LOCAL]));
    this.recoveryTerms = input.model === CacheWriteModel.MULTI_WRITER
      ? [{
        name: 'cache-no-promotion', seconds: 0, source: TermSource.RENDERED,
        detail: 'every region writes to its own member: surviving regions never stop writing; nothing is promoted',
      }]
      : [...(input.recoveryTerms ?? [])];
    this.writeRecoverySeconds = this.recoveryTerms.reduce((a, t) => a + t.seconds, 0);
    this.replicationLag = input.replicationLag;
  }

  /** The environment a server in `region` gets (see CacheWriteEnv). */
  public environmentFor(region: string, graceSeconds: number): Record<string, string> {
    const mode = this.regionModes[region];
    if (mode === undefined) throw new Error(`internal error: ${region} is not a region of this write plan`);
    return {
      [CacheWriteEnv.MODEL]: this.model,
      [CacheWriteEnv.MODE]: mode,
      [CacheWriteEnv.REGION]: region,
      ...(this.writerRegion ? { [CacheWriteEnv.WRITER_REGION]: this.writerRegion } : {}),
      [CacheWriteEnv.DEPENDENCY_GRACE_SECONDS]: String(graceSeconds),
    };
  }

  /** `single-writer: us-east-1 writes; eu-west-1 read-only unless promoted; write recovery 420 s` */
  public describe(): string {
    const modes = Object.entries(this.regionModes)
      .map(([r, m]) => (m === RegionWriteMode.LOCAL ? `${r} writes` : `${r} read-only unless promoted`)).join('; ');
    return `${this.model}: ${modes}; write recovery ${this.writeRecoverySeconds} s`;
  }
}

/**
 * Instance health vs region health. The load balancer's target check answers
 * "can this instance serve?"; a region's check (DNS, anycast front) answers "can
 * this region serve, its dependencies included?". A routine in-region cache
 * failover must move no region: readiness tolerates an unreachable cache for a
 * grace period longer than the cache's automatic failover, and only then fails.
 */
export interface RegionHealthPolicy {
  /** Seconds the cache may be unreachable before the server's readiness fails. */
  readonly cacheGraceSeconds: number;
  /** Why that figure: the in-region failover it must outlast. */
  readonly detail: string;
}

/**
 * The grace period: the cache's documented or assumed in-region failover time
 * plus one load-balancer probe interval of margin, so a failover that completes
 * within its own budget never fails a readiness probe.
 */
export function regionHealthPolicy(cacheFailoverSeconds: number, probeIntervalSeconds: number): RegionHealthPolicy {
  const cacheGraceSeconds = cacheFailoverSeconds + probeIntervalSeconds;
  return {
    cacheGraceSeconds,
    detail: `readiness tolerates an unreachable cache for ${cacheGraceSeconds} s: the in-region cache failover `
      + `(${cacheFailoverSeconds} s) plus one ${probeIntervalSeconds} s probe interval of margin; a longer loss fails every `
      + 'instance of the region, which moves the region',
  };
}
