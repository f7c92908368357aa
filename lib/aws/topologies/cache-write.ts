/**
 * Which cache write model a cross-region AWS service renders: the user's, or the
 * default where its documented limits allow it (MEMORYDB_MULTI_REGION and
 * ELASTICACHE_GLOBAL_DATASTORE in core's limits table).
 */
import { Token } from 'aws-cdk-lib/core';
import { CacheWriteModel } from '../../core/cache-write-model';
import { ELASTICACHE_GLOBAL_DATASTORE, MEMORYDB_MULTI_REGION } from '../../core/cloud-limits';
import { Validator } from '../../core/errors';
import { CacheEngine } from '../cache';
import { McpServiceCacheOptions } from './common';

/**
 * MULTI_WRITER needs MemoryDB Multi-Region (one of its regions each, at most 5 regions, Valkey 7.3+, R7g
 * xlarge or above); SINGLE_WRITER needs a Global Datastore (a primary and at most 2 secondary regions).
 * Asked for explicitly, a model outside its limits is refused; by default, MULTI_WRITER falls back to
 * SINGLE_WRITER with a warning that says why.
 */
export function chooseCacheWriteModel(
  warnings: string[], v: Validator, cache: McpServiceCacheOptions | undefined, regions: readonly string[], defaultModel: CacheWriteModel,
): CacheWriteModel {
  const cv = v.nested('cache');
  const requested = cache?.writeModel;
  if (requested === CacheWriteModel.SINGLE_REGION) {
    cv.add('writeModel', requested, `${CacheWriteModel.MULTI_WRITER} or ${CacheWriteModel.SINGLE_WRITER}: the service spans ${regions.length} regions`);
    return CacheWriteModel.SINGLE_WRITER;
  }
  const problems = multiWriterProblems(cache, regions);
  if (requested === CacheWriteModel.MULTI_WRITER) {
    for (const p of problems) cv.add(p.prop, p.value, `${p.allowed}, with writeModel ${CacheWriteModel.MULTI_WRITER}`);
    return CacheWriteModel.MULTI_WRITER;
  }
  if (requested === undefined && defaultModel === CacheWriteModel.MULTI_WRITER) {
    if (problems.length === 0) return CacheWriteModel.MULTI_WRITER;
    warnings.push(
      `The cache falls back to ${CacheWriteModel.SINGLE_WRITER} (ElastiCache Global Datastore: one writable region, the others refuse `
      + `writes until a promotion) because MemoryDB Multi-Region does not allow: `
      + `${problems.map((p) => `${p.prop} ${JSON.stringify(p.value)} (allowed: ${p.allowed})`).join('; ')}. `
      + `Set cache.writeModel to ${CacheWriteModel.SINGLE_WRITER} to acknowledge it.`);
  }
  const gd = ELASTICACHE_GLOBAL_DATASTORE;
  if (regions.length - 1 > gd.maxSecondaryRegions) {
    cv.add('writeModel', CacheWriteModel.SINGLE_WRITER,
      `a service of at most ${gd.maxSecondaryRegions + 1} regions: a Global Datastore replicates to at most ${gd.maxSecondaryRegions} `
      + `secondary regions (${gd.docUrl}); or ${CacheWriteModel.MULTI_WRITER} within MemoryDB Multi-Region's limits (${MEMORYDB_MULTI_REGION.docUrl})`);
  }
  return CacheWriteModel.SINGLE_WRITER;
}

/** Why MemoryDB Multi-Region cannot serve these regions and options (empty: it can). */
export function multiWriterProblems(
  cache: McpServiceCacheOptions | undefined, regions: readonly string[],
): { prop: string; value: unknown; allowed: string }[] {
  const m = MEMORYDB_MULTI_REGION;
  const out: { prop: string; value: unknown; allowed: string }[] = [];
  const outside = regions.filter((r) => !Token.isUnresolved(r) && !m.regions.includes(r));
  if (outside.length > 0) out.push({ prop: 'regions', value: outside, allowed: `MemoryDB Multi-Region regions (${m.regions.join(', ')}; ${m.docUrl})` });
  if (regions.length > m.maxRegions) out.push({ prop: 'regions', value: regions.length, allowed: `at most ${m.maxRegions} regions in a MemoryDB Multi-Region cluster (${m.docUrl})` });
  if (cache?.engine !== undefined && cache.engine !== CacheEngine.VALKEY) {
    out.push({ prop: 'engine', value: cache.engine, allowed: `${CacheEngine.VALKEY}: MemoryDB Multi-Region runs Valkey only (${m.docUrl})` });
  }
  if (cache?.cacheNodeType !== undefined && !m.nodeTypePattern.test(cache.cacheNodeType)) {
    out.push({ prop: 'cacheNodeType', value: cache.cacheNodeType, allowed: `${m.nodeTypeRule} (${m.docUrl})` });
  }
  const version = cache?.engineVersion;
  if (version !== undefined && !Token.isUnresolved(version) && (cache?.engine ?? CacheEngine.VALKEY) === CacheEngine.VALKEY
    && !atLeast(version, m.minEngineVersion)) {
    out.push({ prop: 'engineVersion', value: version, allowed: `Valkey ${m.minEngineVersion.major}.${m.minEngineVersion.minor} or later (${m.docUrl})` });
  }
  return out;
}

/** True for a `major.minor[.patch]` version at or above `min` (the rule McpMultiRegionCache enforces). */
function atLeast(version: string, min: { major: number; minor: number }): boolean {
  const v = /^(\d+)\.(\d+)(\.\d+)?$/.exec(version);
  if (!v) return false;
  const [major, minor] = [Number(v[1]), Number(v[2])];
  return major > min.major || (major === min.major && minor >= min.minor);
}
