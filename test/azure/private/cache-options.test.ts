/**
 * lib/azure/private/cache-options.ts directly: the Managed Redis options' rules for a tier and a geo-replicated (or
 * single-region) cache. Each refusal names the prop, the value and what is allowed, with the documented source.
 * Limits are read from lib/azure/facts.ts (checked against Microsoft's pages in facts.test.ts).
 */
import { AZURE_FACTS } from '../../../lib/azure/facts';
import { validateCacheOptions } from '../../../lib/azure/private/cache-options';
import { Validator } from '../../../lib/core/errors';
import { AvailabilityTier } from '../../../lib/core/tiers';

const GEO = AZURE_FACTS.managedRedisGeoReplication;
const BUG = AZURE_FACTS.managedRedisGeoReplicationBug;
const SKU_ALLOWED = 'an Azure Managed Redis SKU azurerm 4.55 accepts (Balanced_B0..B1000, ComputeOptimized_X3..X700, MemoryOptimized_M10..M2000, FlashOptimized_A250..A4500)';
const GEO_SKU_ALLOWED = `a SKU that supports active geo-replication: Balanced_B3 or larger (not Balanced_B0 or Balanced_B1), ${GEO.docUrl}`;
const THREE_MEMBERS_ALLOWED = `at most 2 geo-replicated regions with the rendered azurerm ${BUG.renderedProviderVersion}: it cannot create a `
  + `geo-replication group of 3 or more members (fixed in ${BUG.firstFixedProviderVersion}, ${BUG.docUrl}); or set cache: false`;

function problems(o: Parameters<typeof validateCacheOptions>[1], ctx: Parameters<typeof validateCacheOptions>[2]) {
  const v = new Validator();
  validateCacheOptions(v, o, ctx);
  return v.problems;
}

const single = { tier: AvailabilityTier.BUSINESS_CRITICAL, geoReplicated: false };
const geo = (members: number) => ({ tier: AvailabilityTier.MISSION_CRITICAL, geoReplicated: true, members });

describe('validateCacheOptions', () => {
  test('the defaults (Balanced_B3, highly available) pass for every tier, single-region and geo-replicated in two regions', () => {
    for (const tier of Object.values(AvailabilityTier)) {
      expect(problems({}, { tier, geoReplicated: false })).toEqual([]);
      expect(problems({}, { tier, geoReplicated: true, members: 2 })).toEqual([]);
    }
  });

  test('a SKU azurerm does not accept (an Enterprise SKU, a typo) is refused with the families it accepts', () => {
    for (const sku of ['Enterprise_E10', 'Balanced_B2', 'balanced_b3']) {
      expect(problems({ skuName: sku }, single)).toEqual([{ prop: 'cache.skuName', value: sku, allowed: SKU_ALLOWED }]);
    }
    for (const sku of ['Balanced_B0', 'ComputeOptimized_X700', 'MemoryOptimized_M2000', 'FlashOptimized_A4500']) {
      expect(problems({ skuName: sku }, single)).toEqual([]);
    }
  });

  test('highAvailability false: refused for mission- and business-critical, allowed for standard', () => {
    for (const tier of [AvailabilityTier.MISSION_CRITICAL, AvailabilityTier.BUSINESS_CRITICAL]) {
      expect(problems({ highAvailability: false }, { tier, geoReplicated: false })).toEqual([{
        prop: 'cache.highAvailability', value: false,
        allowed: `true: a ${tier} service needs a highly available cache (without it a node failure loses the cache and the SLA does not apply)`,
      }]);
    }
    expect(problems({ highAvailability: false }, { tier: AvailabilityTier.STANDARD, geoReplicated: false })).toEqual([]);
  });

  test('geo-replicated: Balanced_B0 and B1 refused (accepted single-region), Balanced_B3 accepted', () => {
    for (const sku of GEO.unsupportedSkus) {
      expect(problems({ skuName: sku }, geo(2))).toEqual([{ prop: 'cache.skuName', value: sku, allowed: GEO_SKU_ALLOWED }]);
      expect(problems({ skuName: sku }, single)).toEqual([]);
    }
    expect(problems({ skuName: 'Balanced_B3' }, geo(2))).toEqual([]);
  });

  test('geo-replicated: data persistence refused (active geo-replication excludes it); single-region it is allowed', () => {
    expect(problems({ persistenceFrequency: '1h' }, geo(2))).toEqual([{
      prop: 'cache.persistenceFrequency', value: '1h', allowed: `no value: active geo-replication excludes data persistence (${GEO.docUrl})`,
    }]);
    expect(problems({ persistenceFrequency: '6h' }, single)).toEqual([]);
  });

  test('members: two accepted; three refused for the rendered provider\'s bug; above the service\'s five, refused for both', () => {
    expect(problems({}, geo(2))).toEqual([]);
    expect(problems({}, geo(3))).toEqual([{ prop: 'regions', value: '3 regions', allowed: THREE_MEMBERS_ALLOWED }]);
    expect(problems({}, geo(GEO.maxMembers))).toEqual([{ prop: 'regions', value: `${GEO.maxMembers} regions`, allowed: THREE_MEMBERS_ALLOWED }]);
    expect(problems({}, geo(GEO.maxMembers + 1))).toEqual([
      { prop: 'regions', value: `${GEO.maxMembers + 1} regions`, allowed: THREE_MEMBERS_ALLOWED },
      { prop: 'regions', value: `${GEO.maxMembers + 1} regions`, allowed: `at most ${GEO.maxMembers} members per geo-replication group (${GEO.docUrl})` },
    ]);
  });

  test('one member (or none given) is not a geo-replication group: no member check', () => {
    expect(problems({}, { tier: AvailabilityTier.STANDARD, geoReplicated: false, members: 1 })).toEqual([]);
    expect(problems({}, { tier: AvailabilityTier.STANDARD, geoReplicated: true })).toEqual([]);
  });

  test('every problem at once is reported', () => {
    expect(problems({ skuName: 'Balanced_B1', highAvailability: false, persistenceFrequency: '12h' }, geo(3)).map((p) => p.prop))
      .toEqual(['cache.highAvailability', 'cache.skuName', 'cache.persistenceFrequency', 'regions']);
  });
});
