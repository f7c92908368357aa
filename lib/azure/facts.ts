/**
 * Azure limits and figures the Azure constructs validate against or report,
 * each with the page (or the provider source) that documents it. Pure data: no
 * cdktf import, so scripts (the generated budget table) can read it cheaply.
 */

/**
 * Azure public-cloud regions by programmatic name, and whether each has
 * availability zones (https://learn.microsoft.com/azure/reliability/regions-list).
 * A region outside this table is refused (a typo would otherwise surface as a
 * provider error at apply time); a region without zones cannot host a
 * zone-redundant gateway, scale set or cache.
 */
export const AZURE_REGIONS = {
  docUrl: 'https://learn.microsoft.com/azure/reliability/regions-list',
  withZones: [
    'australiaeast', 'austriaeast', 'belgiumcentral', 'brazilsouth', 'canadacentral', 'centralindia', 'centralus',
    'chilecentral', 'eastasia', 'eastus', 'eastus2', 'francecentral', 'germanywestcentral', 'indonesiacentral',
    'israelcentral', 'italynorth', 'japaneast', 'japanwest', 'koreacentral', 'malaysiawest', 'mexicocentral',
    'newzealandnorth', 'northeurope', 'norwayeast', 'polandcentral', 'qatarcentral', 'southafricanorth',
    'southcentralus', 'southeastasia', 'spaincentral', 'swedencentral', 'switzerlandnorth', 'uaenorth', 'uksouth',
    'westeurope', 'westus2', 'westus3',
  ] as readonly string[],
  withoutZones: [
    'australiacentral', 'australiacentral2', 'australiasoutheast', 'brazilsoutheast', 'canadaeast', 'francesouth',
    'germanynorth', 'jioindiacentral', 'jioindiawest', 'koreasouth', 'northcentralus', 'norwaywest',
    'southafricawest', 'southindia', 'swedensouth', 'switzerlandwest', 'uaecentral', 'ukwest', 'westcentralus',
    'westindia', 'westus',
  ] as readonly string[],
} as const;

/** The zones every zone-redundant Azure resource of the library spans. */
export const AZURE_ZONES = ['1', '2', '3'] as const;

export const AZURE_FACTS = {
  /** "the profile" list of an autoscale setting: MaxItems 20 (provider) and the documented limit. */
  autoscaleMaxProfiles: {
    value: 20,
    docUrl: 'https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-multiprofile',
    note: 'An autoscale setting holds at most 20 profiles; a recurring profile runs until the next profile starts; '
      + 'a fixed-date profile takes precedence over recurring ones while it is active.',
  },
  /** Rules of one autoscale profile: at most 10 (provider schema v4.55.0 `rule` MaxItems 10; the API's documented limit). */
  autoscaleMaxRulesPerProfile: {
    value: 10,
    docUrl: 'https://learn.microsoft.com/rest/api/monitor/autoscale-settings/create-or-update#autoscaleprofile',
  },
  /** Instance counts of an autoscale profile: 0-1000 (provider schema v4.55.0 `capacity` IntBetween(0, 1000)). */
  autoscaleCapacity: { min: 0, max: 1000 },
  /**
   * How autoscale combines the rules of a profile: "On scale-out, autoscale runs if any rule is met. On
   * scale-in, autoscale requires all rules to be met." A rule whose metric has no data in its window is not met.
   */
  autoscaleRuleCombination: {
    docUrl: 'https://learn.microsoft.com/azure/azure-monitor/autoscale/autoscale-best-practices',
  },
  /** automatic_instance_repair.grace_period: "minimum ... 10 minutes (PT10M) ... maximum ... 90 minutes (PT90M)". */
  vmssRepairGraceMinutes: {
    min: 10,
    max: 90,
    docUrl: 'https://learn.microsoft.com/javascript/api/@azure/arm-compute/automaticrepairspolicy',
  },
  /** Application Gateway backend request timeout: 1-86400 s, default 30 s (provider schema v4.55.0). */
  appGatewayRequestTimeoutSeconds: {
    min: 1,
    max: 86400,
    defaultValue: 30,
    docUrl: 'https://learn.microsoft.com/azure/application-gateway/configuration-http-settings',
  },
  /** Connection draining timeout: 1-3600 s (provider schema v4.55.0, drain_timeout_sec). */
  appGatewayDrainSeconds: {
    min: 1,
    max: 3600,
    docUrl: 'https://learn.microsoft.com/azure/application-gateway/configuration-http-settings',
  },
  /** Autoscaling v2 gateways: min 0-100, max 2-125 instances (provider schema v4.55.0). */
  appGatewayAutoscale: {
    min: { min: 0, max: 100 },
    max: { min: 2, max: 125 },
    docUrl: 'https://learn.microsoft.com/azure/application-gateway/application-gateway-autoscaling-zone-redundant',
  },
  /** Front Door origin response timeout: 16-240 s, default 120 s (provider schema v4.55.0, response_timeout_seconds). */
  frontDoorResponseTimeoutSeconds: {
    min: 16,
    max: 240,
    defaultValue: 120,
    docUrl: 'https://learn.microsoft.com/azure/frontdoor/standard-premium/how-to-configure-origin',
  },
  /** Front Door origin group probe interval 1-255 s; sample size and required successes 0-255 (provider schema v4.55.0). */
  frontDoorProbe: {
    intervalSeconds: { min: 1, max: 255 },
    samples: { min: 1, max: 255 },
    docUrl: 'https://learn.microsoft.com/azure/frontdoor/health-probes',
    note: 'Only a 200 OK counts as healthy; every edge location probes on its own.',
  },
  /** Traffic Manager DNS TTL 0-2147483647 s; tolerated failures 0-9; interval 10 or 30 s; timeout 5-9 s at 10 s. */
  trafficManager: {
    toleratedFailures: { min: 0, max: 9 },
    docUrl: 'https://learn.microsoft.com/azure/traffic-manager/traffic-manager-monitoring',
  },
  /** Application Insights standard test frequency: 300, 600 or 900 s (provider schema v4.55.0). */
  webTestFrequencies: {
    values: [300, 600, 900] as readonly number[],
    docUrl: 'https://learn.microsoft.com/azure/azure-monitor/app/availability-standard-tests',
  },
  /**
   * Azure Managed Redis active geo-replication: up to five instances; every SKU but Balanced B0 and B1;
   * no data persistence; a cache joins a group only when it is created; no SLA on sync time.
   */
  managedRedisGeoReplication: {
    maxMembers: 5,
    unsupportedSkus: ['Balanced_B0', 'Balanced_B1'] as readonly string[],
    docUrl: 'https://learn.microsoft.com/azure/redis/how-to-active-geo-replication',
  },
  /**
   * azurerm 4.55.0 cannot create a geo-replication group of 3 or more members; fixed in 4.61.0
   * ("fix an issue that prevented linking 3 or more clusters", hashicorp/terraform-provider-azurerm#31385).
   */
  managedRedisGeoReplicationBug: {
    firstFixedProviderVersion: '4.61.0',
    renderedProviderVersion: '4.55.0',
    docUrl: 'https://github.com/hashicorp/terraform-provider-azurerm/pull/31385',
  },
  /** Managed Redis listens on 10000 (TLS) for the default database. */
  managedRedisPort: {
    value: 10000,
    docUrl: 'https://learn.microsoft.com/azure/redis/overview',
  },
} as const;

/** Every Managed Redis SKU azurerm 4.55.0 accepts (provider validate.PossibleValuesForSkuName, Enterprise SKUs removed). */
export const MANAGED_REDIS_SKUS: readonly string[] = [
  ...['B0', 'B1', 'B3', 'B5', 'B10', 'B20', 'B50', 'B100', 'B150', 'B250', 'B350', 'B500', 'B700', 'B1000'].map((s) => `Balanced_${s}`),
  ...['X3', 'X5', 'X10', 'X20', 'X50', 'X100', 'X150', 'X250', 'X350', 'X500', 'X700'].map((s) => `ComputeOptimized_${s}`),
  ...['M10', 'M20', 'M50', 'M100', 'M150', 'M250', 'M350', 'M500', 'M700', 'M1000', 'M1500', 'M2000'].map((s) => `MemoryOptimized_${s}`),
  ...['A250', 'A500', 'A700', 'A1000', 'A1500', 'A2000', 'A4500'].map((s) => `FlashOptimized_${s}`),
];

/** Port of the Managed Redis default database (TLS). */
export const MANAGED_REDIS_PORT = 10000;
