/**
 * lib/azure/facts.ts: the Azure figures the constructs validate against, checked against Microsoft's pages (each
 * cited where it is asserted), and the tables' own consistency (a region is listed once, with or without zones).
 */
import { AZURE_FACTS, AZURE_REGIONS, AZURE_ZONES, MANAGED_REDIS_PORT, MANAGED_REDIS_SKUS } from '../../lib/azure/facts';

describe('Azure facts', () => {
  // "Azure Managed Redis instances use port 10000 for TLS and non-TLS connections"
  // (https://learn.microsoft.com/azure/redis/tls-configuration; the training module's assessment: "default TLS connection port ... 10000").
  test('Managed Redis listens on 10000, and the two constants agree', () => {
    expect(MANAGED_REDIS_PORT).toBe(10000);
    expect(AZURE_FACTS.managedRedisPort.value).toBe(MANAGED_REDIS_PORT);
  });

  // Logical availability zones are "1", "2", "3" per subscription
  // (https://learn.microsoft.com/javascript/api/@azure/arm-chaos/physicaltologicalzonemapping: logicalZone "e.g., "1", "2", "3"").
  test('zone-redundant resources span the logical zones "1", "2" and "3" (strings, as the API takes them)', () => {
    expect([...AZURE_ZONES]).toEqual(['1', '2', '3']);
  });

  // "Active geo-replication groups up to five instances of Azure Managed Redis"; available on every tier "except B0 and B1";
  // persistence is excluded (https://learn.microsoft.com/azure/redis/how-to-active-geo-replication).
  test('active geo-replication: up to five members, not on Balanced_B0 or B1, both SKUs azurerm otherwise accepts', () => {
    const geo = AZURE_FACTS.managedRedisGeoReplication;
    expect(geo.maxMembers).toBe(5);
    expect([...geo.unsupportedSkus]).toEqual(['Balanced_B0', 'Balanced_B1']);
    for (const sku of geo.unsupportedSkus) expect(MANAGED_REDIS_SKUS).toContain(sku);
    expect(geo.docUrl).toBe('https://learn.microsoft.com/azure/redis/how-to-active-geo-replication');
  });

  // AutoscaleSettingPatch.Profiles: "A maximum of 20 profiles can be specified"; AutoscaleProfile rules: "A maximum of 10 rules"
  // (https://learn.microsoft.com/dotnet/api/azure.resourcemanager.monitor.models.autoscalesettingpatch.profiles).
  test('autoscale: at most 20 profiles per setting and 10 rules per profile', () => {
    expect(AZURE_FACTS.autoscaleMaxProfiles.value).toBe(20);
    expect(AZURE_FACTS.autoscaleMaxRulesPerProfile.value).toBe(10);
  });

  test('the region table lists each region once, and the library\'s usual regions have zones', () => {
    const all = [...AZURE_REGIONS.withZones, ...AZURE_REGIONS.withoutZones];
    expect(new Set(all).size).toBe(all.length);
    for (const r of ['westeurope', 'northeurope', 'eastus', 'eastus2', 'swedencentral']) expect(AZURE_REGIONS.withZones).toContain(r);
    for (const r of ['westus', 'northcentralus', 'ukwest']) expect(AZURE_REGIONS.withoutZones).toContain(r);
    for (const r of all) expect(r).toMatch(/^[a-z]+[0-9]?$/);
  });

  test('the SKU list: each once, four families, and the default Balanced_B3 in it', () => {
    expect(new Set(MANAGED_REDIS_SKUS).size).toBe(MANAGED_REDIS_SKUS.length);
    expect(new Set(MANAGED_REDIS_SKUS.map((s) => s.split('_')[0]))).toEqual(new Set(['Balanced', 'ComputeOptimized', 'MemoryOptimized', 'FlashOptimized']));
    expect(MANAGED_REDIS_SKUS).toContain('Balanced_B3');
    expect(MANAGED_REDIS_SKUS.some((s) => s.startsWith('Enterprise'))).toBe(false);
  });

  test('every range is ordered and every cited page is https', () => {
    const ranges = [AZURE_FACTS.autoscaleCapacity, AZURE_FACTS.vmssRepairGraceMinutes, AZURE_FACTS.appGatewayRequestTimeoutSeconds,
      AZURE_FACTS.appGatewayDrainSeconds, AZURE_FACTS.appGatewayAutoscale.min, AZURE_FACTS.appGatewayAutoscale.max,
      AZURE_FACTS.frontDoorResponseTimeoutSeconds, AZURE_FACTS.frontDoorProbe.intervalSeconds, AZURE_FACTS.trafficManager.toleratedFailures];
    for (const r of ranges) expect(r.min).toBeLessThan(r.max);
    const defaults = [AZURE_FACTS.appGatewayRequestTimeoutSeconds, AZURE_FACTS.frontDoorResponseTimeoutSeconds];
    for (const d of defaults) expect(d.defaultValue >= d.min && d.defaultValue <= d.max).toBe(true);
    for (const f of Object.values(AZURE_FACTS)) expect((f as { docUrl?: string }).docUrl ?? 'https://').toMatch(/^https:\/\//);
  });
});
