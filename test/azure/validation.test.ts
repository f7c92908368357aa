/**
 * Azure-specific bad inputs, each refused at synth time with the construct
 * path, the prop, the value given and what is allowed.
 */
import { AzureActiveActiveMcpService } from '../../lib/azure/topologies/active-active';
import { AzureActivePassiveMcpService } from '../../lib/azure/topologies/active-passive';
import { AzureMultiRegionMcpService } from '../../lib/azure/topologies/multi-region';
import { TrafficRouting } from '../../lib/azure/topologies/props';
import { McpCertificate } from '../../lib/azure/certificate';
import { McpFleet } from '../../lib/azure/fleet';
import { McpTrafficManager } from '../../lib/azure/dns-failover';
import { McpHaValidationError } from '../../lib/core/errors';
import { ScalingSchedule } from '../../lib/core/schedule';
import { AvailabilityTier } from '../../lib/core/tiers';
import { AUTH, SERVER, SSH_KEY, VAULT_CERT, stack } from './support';

const base = {
  server: SERVER, capacity: { baseline: 3 }, certificate: VAULT_CERT, domain: { zoneName: 'example.com', recordName: 'mcp' },
  namePrefix: 'acme', sshPublicKey: SSH_KEY, authorization: AUTH,
};

/** Runs `build`, expects one McpHaValidationError, returns its message. */
function refused(build: () => unknown): string {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(McpHaValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a validation error');
}

const aa = (extra: Record<string, unknown>) => refused(() => new AzureActiveActiveMcpService(stack(), 'Svc', { ...base, region: 'westeurope', ...extra }));
const mr = (extra: Record<string, unknown>) => refused(() => new AzureMultiRegionMcpService(stack(), 'Svc', { ...base, regions: ['westeurope', 'northeurope'], ...extra }));

describe('Azure bad inputs', () => {
  test('a region without availability zones', () => {
    const m = aa({ region: 'westus' });
    expect(m).toMatch(/^test\/Svc: /);
    expect(m).toContain('- region: got "westus"; allowed: a region with availability zones (westus has none');
  });

  test('an unknown region name', () => {
    expect(aa({ region: 'westeurop' })).toContain('- region: got "westeurop"; allowed: an Azure region name as "az account list-locations" prints it');
  });

  test('a cache without high availability for a critical tier', () => {
    expect(aa({ cache: { highAvailability: false } }))
      .toContain('- cache.highAvailability: got false; allowed: true: a business-critical service needs a highly available cache');
  });

  test('a time zone azurerm refuses (CLDR maps it to a Windows name outside the provider\'s list), with a nearby accepted zone', () => {
    const m = aa({ schedule: ScalingSchedule.guidePreset('America/Cancun') });
    expect(m).toContain('- schedule.timeZone: got "America/Cancun"; allowed: a time zone azurerm 4.55 accepts');
    expect(m).toContain('"Eastern Standard Time (Mexico)"');
    expect(m).toMatch(/^test\/Svc: 1 invalid setting/);
    // Cancun is UTC-5 all year: the nearby zone has the same offsets in January and July.
    expect(m).toMatch(/Nearby accepted zone: "America\/\w+" \("SA Pacific Standard Time"\)/);
  });

  test('three geo-replicated regions on the provider that cannot link them', () => {
    const m = mr({ regions: ['westeurope', 'northeurope', 'swedencentral'] });
    expect(m).toContain('- regions: got "3 regions"; allowed: at most 2 geo-replicated regions with the rendered azurerm 4.55.0');
    expect(m).toContain('fixed in 4.61.0');
  });

  test('three regions without a cache are accepted (the limit is the geo-replication group)', () => {
    expect(() => new AzureMultiRegionMcpService(stack(), 'Svc', { ...base, cache: false, regions: ['westeurope', 'northeurope', 'swedencentral'] })).not.toThrow();
  });

  test('capacity min above max', () => {
    expect(aa({ capacity: { baseline: 3, min: 8, max: 4 } })).toContain('- capacity.max: got 4; allowed: an integer from capacity.min (8) to 1000');
  });

  test('duplicate regions', () => {
    expect(mr({ regions: ['westeurope', 'westeurope'] })).toContain('- regions: got ["westeurope","westeurope"]; allowed: distinct regions (westeurope given twice)');
  });

  test('a standby in the primary\'s region', () => {
    expect(refused(() => new AzureActivePassiveMcpService(stack(), 'Svc', { ...base, primaryRegion: 'westeurope', standbyRegion: 'westeurope' })))
      .toContain('allowed: distinct regions');
  });

  test('a Front Door response timeout shorter than the origin read timeout', () => {
    const m = mr({
      routing: TrafficRouting.frontDoor({ responseTimeoutSeconds: 120 }),
      certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp', publiclyTrusted: true }),
    });
    expect(m).toContain('- frontDoor.responseTimeoutSeconds: got 120; allowed: at least timeouts.originReadTimeoutSeconds (150)');
  });

  test('Front Door with a private CA (Front Door validates origin certificates against public roots)', () => {
    expect(mr({ routing: TrafficRouting.frontDoor() })).toContain('- certificate: got "a private CA"; allowed: a publicly trusted certificate with Front Door routing');
  });

  test('Front Door routing without the WAF that checks its header', () => {
    const m = mr({ waf: false, routing: TrafficRouting.frontDoor(), certificate: McpCertificate.vault({ vaultAddress: 'https://vault.example.com', role: 'mcp', publiclyTrusted: true }) });
    expect(m).toContain('- waf: got false; allowed: a WAF with Front Door routing');
  });

  test('geo-replication on a SKU that does not support it', () => {
    expect(mr({ cache: { skuName: 'Balanced_B1' } })).toContain('- cache.skuName: got "Balanced_B1"; allowed: a SKU that supports active geo-replication: Balanced_B3 or larger');
  });

  test('persistence with geo-replication', () => {
    expect(mr({ cache: { persistenceFrequency: '1h' } })).toContain('- cache.persistenceFrequency: got "1h"; allowed: no value: active geo-replication excludes data persistence');
  });

  test('an unknown Managed Redis SKU', () => {
    expect(aa({ cache: { skuName: 'Premium_P1' } })).toContain('- cache.skuName: got "Premium_P1"; allowed: an Azure Managed Redis SKU azurerm 4.55 accepts');
  });

  test('holidays without the years their fixed-date profiles carry', () => {
    const m = aa({ schedule: ScalingSchedule.guidePreset('UTC', { holidays: [{ month: 12, day: 25 }] }) });
    expect(m).toContain('- holidayYears: got undefined; allowed: the years to render the schedule\'s holidays for: an Azure fixed-date profile carries a year');
  });

  test('more than 20 autoscale profiles', () => {
    const holidays = Array.from({ length: 6 }, (_, i) => ({ month: 3, day: i + 2 }));
    const m = aa({ schedule: ScalingSchedule.guidePreset('UTC', { holidays }), holidayYears: [2027, 2028, 2029] });
    expect(m).toContain('- schedule: got "21 profiles"; allowed: at most 20 autoscale profiles');
  });

  test('a healthy threshold the Application Gateway cannot render', () => {
    expect(aa({ tierOverrides: { healthCheck: { healthyThreshold: 3 } } }))
      .toContain('- healthCheck.healthyThreshold: got 3; allowed: no value (or 1): Application Gateway has no healthy threshold');
  });

  test('a Traffic Manager timeout of 10 s with a 10 s interval', () => {
    expect(mr({ tierOverrides: { dnsHealthCheck: { timeoutSeconds: 10 } } })).toContain('- dnsHealthCheck.timeoutSeconds: got 10; allowed: less than requestIntervalSeconds (10) (Traffic Manager endpoint monitoring');
  });

  test('Front Door routing for a one-region active-active service', () => {
    expect(aa({ routing: TrafficRouting.frontDoor() })).toContain('- routing: got "anycast"; allowed: load-balancer: an active-active service in one region has one gateway');
  });

  test('a name prefix that cannot make global names', () => {
    expect(aa({ namePrefix: 'Acme-Corp-Production' })).toContain('- namePrefix: got "Acme-Corp-Production"; allowed: 3-11 lowercase letters and digits');
  });

  test('an existing certificate missing a region', () => {
    const m = mr({ certificate: McpCertificate.fromKeyVaultSecretIds({ westeurope: 'https://kv1.vault.azure.net/secrets/mcp' }) });
    expect(m).toContain('- certificate.secretIds.northeurope: got undefined; allowed: a versionless Key Vault secret id');
  });

  test('problems are reported together', () => {
    const m = aa({ region: 'westus', namePrefix: 'X', cache: { highAvailability: false } });
    expect(m).toMatch(/^test\/Svc: 3 invalid settings\n/);
    expect(m).toContain('- namePrefix: got "X"; allowed: 3-11 lowercase letters and digits');
    expect(m).toContain('- region: got "westus"; allowed: a region with availability zones (westus has none');
    expect(m).toContain('- cache.highAvailability: got false; allowed: true: a business-critical service needs a highly available cache');
  });

  test('building blocks: a repair grace period outside 10-90 minutes', () => {
    const m = refused(() => new McpFleet(stack(), 'Fleet', {
      resourceGroupName: 'rg', location: 'westeurope', subnetId: 'sub', server: SERVER, capacity: { baseline: 3 },
      backendPoolId: 'pool', identityId: 'id', identityClientId: 'cid', sshPublicKey: SSH_KEY, repairGraceMinutes: 5,
    }));
    expect(m).toContain('test/Fleet: 1 invalid setting');
    expect(m).toContain('- repairGraceMinutes: got 5; allowed: an integer from 10 to 90 (automatic repairs grace period');
  });

  test('building blocks: a password instead of an SSH key', () => {
    const m = refused(() => new McpFleet(stack(), 'Fleet', {
      resourceGroupName: 'rg', location: 'westeurope', subnetId: 'sub', server: SERVER, capacity: { baseline: 3 },
      backendPoolId: 'pool', identityId: 'id', identityClientId: 'cid', sshPublicKey: 'hunter2',
    }));
    expect(m).toContain('- sshPublicKey: got "hunter2...";');
  });

  test('building blocks: Traffic Manager tolerated failures above 9', () => {
    const m = refused(() => new McpTrafficManager(stack(), 'Tm', {
      resourceGroupName: 'rg', relativeName: 'acme-mcp', routingMethod: 'Priority', healthPath: '/health/ready', hostHeader: 'mcp.example.com',
      settings: { intervalSeconds: 30, timeoutSeconds: 10, toleratedFailures: 10, ttlSeconds: 5 },
      targets: [{ name: 'a', publicIpId: 'ip1', priority: 1 }, { name: 'b', publicIpId: 'ip2', priority: 2 }],
    }));
    expect(m).toContain('- settings.toleratedFailures: got 10; allowed: an integer from 0 to 9');
  });

  test('mission-critical with a region without zones and a non-HA cache', () => {
    const m = aa({ tier: AvailabilityTier.MISSION_CRITICAL, region: 'northcentralus', cache: { highAvailability: false } });
    expect(m).toContain('northcentralus has none');
    expect(m).toContain('a mission-critical service needs a highly available cache');
  });
});
