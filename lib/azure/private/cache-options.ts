/** The cache options' rules, shared by McpCache and the topologies (internal). */
import { Validator } from '../../core/errors';
import { AvailabilityTier } from '../../core/tiers';
import type { McpServiceCacheOptions } from '../cache';
import { AZURE_FACTS, MANAGED_REDIS_SKUS } from '../facts';

/** Validates cache options for a tier and a geo-replicated (or not) deployment. */
export function validateCacheOptions(v: Validator, o: McpServiceCacheOptions, ctx: { tier: AvailabilityTier; geoReplicated: boolean; members?: number }): void {
  const sku = o.skuName ?? 'Balanced_B3';
  v.check(MANAGED_REDIS_SKUS.includes(sku), 'cache.skuName', sku,
    `an Azure Managed Redis SKU azurerm 4.55 accepts (Balanced_B0..B1000, ComputeOptimized_X3..X700, MemoryOptimized_M10..M2000, FlashOptimized_A250..A4500)`);
  if (ctx.tier !== AvailabilityTier.STANDARD) {
    v.check(o.highAvailability !== false, 'cache.highAvailability', o.highAvailability,
      `true: a ${ctx.tier} service needs a highly available cache (without it a node failure loses the cache and the SLA does not apply)`);
  }
  const geo = AZURE_FACTS.managedRedisGeoReplication;
  if (ctx.geoReplicated) {
    v.check(!geo.unsupportedSkus.includes(sku), 'cache.skuName', sku,
      `a SKU that supports active geo-replication: Balanced_B3 or larger (not ${geo.unsupportedSkus.join(' or ')}), ${geo.docUrl}`);
    v.check(o.persistenceFrequency === undefined, 'cache.persistenceFrequency', o.persistenceFrequency,
      `no value: active geo-replication excludes data persistence (${geo.docUrl})`);
  }
  if (ctx.members !== undefined && ctx.members > 1) {
    const bug = AZURE_FACTS.managedRedisGeoReplicationBug;
    v.check(ctx.members <= 2, 'regions', `${ctx.members} regions`,
      `at most 2 geo-replicated regions with the rendered azurerm ${bug.renderedProviderVersion}: it cannot create a `
      + `geo-replication group of 3 or more members (fixed in ${bug.firstFixedProviderVersion}, ${bug.docUrl}); `
      + 'or set cache: false');
    v.check(ctx.members <= geo.maxMembers, 'regions', `${ctx.members} regions`, `at most ${geo.maxMembers} members per geo-replication group (${geo.docUrl})`);
  }
}
