/**
 * The cross-region cache write model, called directly (lib/aws/topologies/cache-write.ts).
 *
 * Requirement (its doc comment, McpServiceCacheOptions.writeModel and docs): MULTI_WRITER needs MemoryDB
 * Multi-Region (each region one of its regions, at most `maxRegions`, Valkey 7.3+, an R7g node of size
 * xlarge or above); SINGLE_WRITER needs a Global Datastore (a primary and at most `maxSecondaryRegions`
 * secondaries). Asked for explicitly, a model outside its limits is refused with the prop, the value and
 * what is allowed; by default MULTI_WRITER falls back to SINGLE_WRITER with a warning naming every reason.
 * A multi-region service cannot use SINGLE_REGION.
 *
 * The limits are read from lib/core/cloud-limits.ts so the cases follow the table; the first describe pins
 * the table's values to AWS's pages once.
 */
import { Aws, Token } from 'aws-cdk-lib/core';
import { CacheEngine } from '../../../lib/aws/cache';
import { chooseCacheWriteModel, multiWriterProblems } from '../../../lib/aws/topologies/cache-write';
import { CacheWriteModel } from '../../../lib/core/cache-write-model';
import { ELASTICACHE_GLOBAL_DATASTORE, MEMORYDB_MULTI_REGION } from '../../../lib/core/cloud-limits';
import { McpHaValidationError, Validator } from '../../../lib/core/errors';

const M = MEMORYDB_MULTI_REGION;
const GD = ELASTICACHE_GLOBAL_DATASTORE;
const WITH_MW = `, with writeModel ${CacheWriteModel.MULTI_WRITER}`;

/** A region AWS has but MemoryDB Multi-Region does not (São Paulo). */
const OUTSIDE = 'sa-east-1';

/** The first `n` MemoryDB Multi-Region regions, from the limits table. */
function inside(n: number): string[] {
  if (n > M.regions.length) throw new Error(`only ${M.regions.length} MemoryDB Multi-Region regions`);
  return M.regions.slice(0, n);
}

/** Runs the choice on a fresh validator: what it chose, the problems, the warnings. */
function choose(
  cache: Parameters<typeof chooseCacheWriteModel>[2], regions: readonly string[], defaultModel = CacheWriteModel.MULTI_WRITER,
) {
  const warnings: string[] = [];
  const v = new Validator({ constructPath: 'Mcp' });
  const model = chooseCacheWriteModel(warnings, v, cache, regions, defaultModel);
  return { model, problems: v.problems, warnings, v };
}

const regionsAllowed = `MemoryDB Multi-Region regions (${M.regions.join(', ')}; ${M.docUrl})`;
const countAllowed = `at most ${M.maxRegions} regions in a MemoryDB Multi-Region cluster (${M.docUrl})`;
const engineAllowed = `${CacheEngine.VALKEY}: MemoryDB Multi-Region runs Valkey only (${M.docUrl})`;
const nodeAllowed = `${M.nodeTypeRule} (${M.docUrl})`;
const gdAllowed = `a service of at most ${GD.maxSecondaryRegions + 1} regions: a Global Datastore replicates to at most `
  + `${GD.maxSecondaryRegions} secondary regions (${GD.docUrl}); or ${CacheWriteModel.MULTI_WRITER} within MemoryDB Multi-Region's limits (${M.docUrl})`;

describe('the limits the choice reads are the documented ones', () => {
  // https://docs.aws.amazon.com/memorydb/latest/devguide/multi-region.prereq.html (checked 2026-12-02):
  // "US East (N. Virginia and Ohio), US West (Oregon, N. California), Europe (Ireland, Frankfurt, and London),
  // and Asia Pacific (Tokyo, Sydney, Mumbai, Seoul and Singapore)"; "supported on R7g nodes of size XL and above";
  // "Valkey engine version 7.3 and above"; "replicate MemoryDB cluster data across up to five AWS Regions".
  test('MemoryDB Multi-Region: twelve regions, at most five per cluster, R7g xlarge and up, Valkey 7.3+', () => {
    expect(M.maxRegions).toBe(5);
    expect([...M.regions].sort()).toEqual([
      'ap-northeast-1', 'ap-northeast-2', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2',
      'eu-central-1', 'eu-west-1', 'eu-west-2', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
    ]);
    expect(M.engine).toBe('valkey');
    expect(M.minEngineVersion).toEqual({ major: 7, minor: 3 });
    for (const ok of ['db.r7g.xlarge', 'db.r7g.2xlarge', 'db.r7g.16xlarge']) expect(M.nodeTypePattern.test(ok)).toBe(true);
    for (const no of ['db.r7g.large', 'db.r6g.xlarge', 'cache.r7g.xlarge', 'db.r7g.xlarge2']) expect(M.nodeTypePattern.test(no)).toBe(false);
  });

  // https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Redis-Global-Datastores-Getting-Started.html (checked 2026-12-02):
  // "You can set up replication for a primary cluster from one AWS Region to a secondary cluster in up to two other AWS Regions."
  test('Global Datastore: a primary and at most two secondary regions', () => {
    expect(GD.maxSecondaryRegions).toBe(2);
  });
});

describe('SINGLE_REGION for a multi-region service', () => {
  test('is refused with the exact message, naming the number of regions', () => {
    const { problems, v } = choose({ writeModel: CacheWriteModel.SINGLE_REGION }, inside(3));
    expect(problems).toEqual([{
      prop: 'cache.writeModel', value: 'single-region', allowed: 'multi-writer or single-writer: the service spans 3 regions',
    }]);
    expect(() => v.throwIfInvalid()).toThrow(new McpHaValidationError(problems, 'Mcp'));
    expect(() => v.throwIfInvalid())
      .toThrow('Mcp: 1 invalid setting\n  - cache.writeModel: got "single-region"; allowed: multi-writer or single-writer: the service spans 3 regions');
  });

  test('is refused even when MemoryDB Multi-Region could serve the regions, and no fallback is warned about', () => {
    const { problems, warnings } = choose({ writeModel: CacheWriteModel.SINGLE_REGION }, [OUTSIDE, 'us-east-1']);
    expect(problems).toEqual([{
      prop: 'cache.writeModel', value: 'single-region', allowed: 'multi-writer or single-writer: the service spans 2 regions',
    }]);
    expect(warnings).toEqual([]);
  });
});

describe('MULTI_WRITER asked for explicitly', () => {
  test('within every limit: chosen, nothing refused or warned', () => {
    const r = choose({ writeModel: CacheWriteModel.MULTI_WRITER, engine: CacheEngine.VALKEY, cacheNodeType: 'db.r7g.2xlarge', engineVersion: '7.3' },
      inside(2));
    expect(r).toMatchObject({ model: CacheWriteModel.MULTI_WRITER, problems: [], warnings: [] });
  });

  test('a region outside MemoryDB Multi-Region is refused, naming only the regions outside', () => {
    const { model, problems, warnings } = choose({ writeModel: CacheWriteModel.MULTI_WRITER }, ['us-east-1', OUTSIDE, 'eu-west-1', 'af-south-1']);
    expect(model).toBe(CacheWriteModel.MULTI_WRITER);
    expect(problems).toEqual([{ prop: 'cache.regions', value: [OUTSIDE, 'af-south-1'], allowed: regionsAllowed + WITH_MW }]);
    expect(warnings).toEqual([]);
  });

  test('more than maxRegions regions is refused with the count', () => {
    const { problems } = choose({ writeModel: CacheWriteModel.MULTI_WRITER }, inside(M.maxRegions + 1));
    expect(problems).toEqual([{ prop: 'cache.regions', value: M.maxRegions + 1, allowed: countAllowed + WITH_MW }]);
  });

  test('exactly maxRegions regions is accepted', () => {
    const { model, problems } = choose({ writeModel: CacheWriteModel.MULTI_WRITER }, inside(M.maxRegions));
    expect(model).toBe(CacheWriteModel.MULTI_WRITER);
    expect(problems).toEqual([]);
  });

  test('Redis OSS is refused: MemoryDB Multi-Region runs Valkey only', () => {
    const { problems } = choose({ writeModel: CacheWriteModel.MULTI_WRITER, engine: CacheEngine.REDIS }, inside(2));
    expect(problems).toEqual([{ prop: 'cache.engine', value: 'redis', allowed: engineAllowed + WITH_MW }]);
  });

  test('a node type that is not R7g xlarge or above is refused (an ElastiCache name, a smaller R7g, another family)', () => {
    for (const nodeType of ['cache.r7g.xlarge', 'db.r7g.large', 'db.r6g.xlarge']) {
      const { problems } = choose({ writeModel: CacheWriteModel.MULTI_WRITER, cacheNodeType: nodeType }, inside(2));
      expect(problems).toEqual([{ prop: 'cache.cacheNodeType', value: nodeType, allowed: nodeAllowed + WITH_MW }]);
    }
  });

  test('a Valkey version below 7.3 is refused here, with the other problems, not later by the cache', () => {
    const { problems } = choose({ writeModel: CacheWriteModel.MULTI_WRITER, engineVersion: '7.2' }, inside(2));
    expect(problems).toEqual([{
      prop: 'cache.engineVersion', value: '7.2', allowed: `Valkey 7.3 or later (${M.docUrl})${WITH_MW}`,
    }]);
    for (const ok of ['7.3', '7.3.1', '8.0', '8.2']) {
      expect(choose({ writeModel: CacheWriteModel.MULTI_WRITER, engineVersion: ok }, inside(2)).problems).toEqual([]);
    }
  });

  test('every problem at once is reported, each once, in one error', () => {
    const regions = [...inside(M.maxRegions), OUTSIDE];
    const { problems, v } = choose({ writeModel: CacheWriteModel.MULTI_WRITER, engine: CacheEngine.REDIS, cacheNodeType: 'db.r6g.large' }, regions);
    expect(problems).toEqual([
      { prop: 'cache.regions', value: [OUTSIDE], allowed: regionsAllowed + WITH_MW },
      { prop: 'cache.regions', value: M.maxRegions + 1, allowed: countAllowed + WITH_MW },
      { prop: 'cache.engine', value: 'redis', allowed: engineAllowed + WITH_MW },
      { prop: 'cache.cacheNodeType', value: 'db.r6g.large', allowed: nodeAllowed + WITH_MW },
    ]);
    expect(() => v.throwIfInvalid()).toThrow(/^Mcp: 4 invalid settings\n {2}- cache\.regions: got \["sa-east-1"\]; allowed: MemoryDB Multi-Region regions/);
  });

  test('does not fall back to (or check) a Global Datastore: more regions than it allows are refused as MemoryDB\'s only', () => {
    const { model, problems } = choose({ writeModel: CacheWriteModel.MULTI_WRITER }, inside(GD.maxSecondaryRegions + 2));
    expect(model).toBe(CacheWriteModel.MULTI_WRITER);
    expect(problems).toEqual([]);
  });
});

describe('the default (MULTI_WRITER where MemoryDB Multi-Region allows it)', () => {
  test('within the limits: multi-writer, no warning', () => {
    for (const cache of [undefined, {}, { engine: CacheEngine.VALKEY, cacheNodeType: 'db.r7g.xlarge' }]) {
      expect(choose(cache, inside(M.maxRegions))).toMatchObject({ model: CacheWriteModel.MULTI_WRITER, problems: [], warnings: [] });
    }
  });

  test('a region outside: single-writer, with a warning naming the region and how to acknowledge it', () => {
    const { model, problems, warnings } = choose(undefined, ['us-east-1', OUTSIDE]);
    expect(model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      'The cache falls back to single-writer (ElastiCache Global Datastore: one writable region, the others refuse writes until a '
      + 'promotion) because MemoryDB Multi-Region does not allow: '
      + `regions ["${OUTSIDE}"] (allowed: ${regionsAllowed}). Set cache.writeModel to single-writer to acknowledge it.`,
    ]);
  });

  test('every reason is named in the one warning, in order', () => {
    const { model, warnings } = choose({ engine: CacheEngine.REDIS, cacheNodeType: 'cache.r7g.large' }, ['us-east-1', OUTSIDE]);
    expect(model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`does not allow: regions ["${OUTSIDE}"] (allowed: ${regionsAllowed}); `
      + `engine "redis" (allowed: ${engineAllowed}); cacheNodeType "cache.r7g.large" (allowed: ${nodeAllowed}). Set cache.writeModel`);
  });

  test('more regions than MemoryDB allows: the fallback is warned about and the Global Datastore\'s limit refused too', () => {
    const regions = inside(M.maxRegions + 1);
    const { model, problems, warnings } = choose(undefined, regions);
    expect(model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(warnings[0]).toContain(`regions ${M.maxRegions + 1} (allowed: ${countAllowed})`);
    expect(problems).toEqual([{ prop: 'cache.writeModel', value: 'single-writer', allowed: gdAllowed }]);
  });

  test('a Valkey version below 7.3 falls back with a warning instead of failing in the MemoryDB cache', () => {
    const { model, problems, warnings } = choose({ engineVersion: '7.2' }, inside(2));
    expect(model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(problems).toEqual([]);
    expect(warnings[0]).toContain(`engineVersion "7.2" (allowed: Valkey 7.3 or later (${M.docUrl}))`);
  });

  test('a cross-region active-passive service (default SINGLE_WRITER) is not warned about MemoryDB', () => {
    const { model, problems, warnings } = choose(undefined, ['us-east-1', OUTSIDE], CacheWriteModel.SINGLE_WRITER);
    expect(model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(problems).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('SINGLE_WRITER and the Global Datastore\'s regions', () => {
  test(`primary + maxSecondaryRegions regions is accepted; one more is refused with the limit and the alternative`, () => {
    const atLimit = [OUTSIDE, ...inside(GD.maxSecondaryRegions)];
    expect(choose({ writeModel: CacheWriteModel.SINGLE_WRITER }, atLimit)).toMatchObject({ model: CacheWriteModel.SINGLE_WRITER, problems: [], warnings: [] });
    const over = [OUTSIDE, ...inside(GD.maxSecondaryRegions + 1)];
    const { model, problems, warnings, v } = choose({ writeModel: CacheWriteModel.SINGLE_WRITER }, over);
    expect(model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(problems).toEqual([{ prop: 'cache.writeModel', value: 'single-writer', allowed: gdAllowed }]);
    expect(warnings).toEqual([]);
    expect(() => v.throwIfInvalid()).toThrow(
      `cache.writeModel: got "single-writer"; allowed: a service of at most 3 regions: a Global Datastore replicates to at most 2 secondary regions (${GD.docUrl})`);
  });

  test('the same limit applies when SINGLE_WRITER is the default (cross-region active-passive) and when it is the fallback', () => {
    const over = [OUTSIDE, ...inside(GD.maxSecondaryRegions + 1)];
    expect(choose(undefined, over, CacheWriteModel.SINGLE_WRITER).problems).toEqual([{ prop: 'cache.writeModel', value: 'single-writer', allowed: gdAllowed }]);
    const fallback = choose(undefined, over);
    expect(fallback.warnings).toHaveLength(1);
    expect(fallback.problems).toEqual([{ prop: 'cache.writeModel', value: 'single-writer', allowed: gdAllowed }]);
    const atLimit = choose(undefined, [OUTSIDE, ...inside(GD.maxSecondaryRegions)]);
    expect(atLimit.model).toBe(CacheWriteModel.SINGLE_WRITER);
    expect(atLimit.problems).toEqual([]);
  });
});

describe('regions that are unresolved tokens', () => {
  test('are not reported as outside MemoryDB Multi-Region (their value is known only at deployment)', () => {
    const token = Aws.REGION;
    expect(Token.isUnresolved(token)).toBe(true);
    expect(multiWriterProblems(undefined, [token, 'us-east-1'])).toEqual([]);
    expect(choose(undefined, [token, 'us-east-1'])).toMatchObject({ model: CacheWriteModel.MULTI_WRITER, warnings: [], problems: [] });
    // Beside a literal region outside, only the literal one is named.
    expect(multiWriterProblems(undefined, [token, OUTSIDE])).toEqual([{ prop: 'regions', value: [OUTSIDE], allowed: regionsAllowed }]);
  });

  test('still count towards the number of regions', () => {
    const regions = [...inside(M.maxRegions), Token.asString({ Ref: 'OtherRegion' })];
    expect(multiWriterProblems(undefined, regions)).toEqual([{ prop: 'regions', value: M.maxRegions + 1, allowed: countAllowed }]);
  });
});

describe('multiWriterProblems', () => {
  test('empty for no cache options and regions within the limits; props are unprefixed (the caller nests them)', () => {
    expect(multiWriterProblems(undefined, inside(M.maxRegions))).toEqual([]);
    expect(multiWriterProblems({}, inside(1))).toEqual([]);
    expect(multiWriterProblems({ engine: CacheEngine.REDIS }, inside(2))).toEqual([{ prop: 'engine', value: 'redis', allowed: engineAllowed }]);
  });

  test('every MemoryDB Multi-Region region is inside; a documented AWS region that is not is outside', () => {
    expect(multiWriterProblems(undefined, [...M.regions.slice(0, 5)])).toEqual([]);
    expect(multiWriterProblems(undefined, [...M.regions.slice(5, 10)])).toEqual([]);
    expect(multiWriterProblems(undefined, [...M.regions.slice(10)])).toEqual([]);
    expect(multiWriterProblems(undefined, ['ca-central-1'])).toEqual([{ prop: 'regions', value: ['ca-central-1'], allowed: regionsAllowed }]);
  });
});
