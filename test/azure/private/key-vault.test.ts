/**
 * lib/azure/private/key-vault.ts and private-endpoint.ts directly, synthesized once. Requirement (their doc
 * comments): one Key Vault per region with RBAC authorization and purge protection; public access denied except
 * the deployer's addresses; a private endpoint for the servers whose private DNS zone is linked to the network;
 * the deploying principal writes certificates and secrets, the gateway and servers only read secrets.
 * The zone and sub-resource names are Azure's documented ones
 * (https://learn.microsoft.com/azure/private-link/private-endpoint-dns: Key Vault "vault" -> privatelink.vaultcore.azure.net).
 */
import { TerraformElement } from 'cdktf';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { RegionalKeyVault } from '../../../lib/azure/private/key-vault';
import { privateEndpoint } from '../../../lib/azure/private/private-endpoint';
import { TfJson, resources, stack as azureStack, synth } from '../support';

const VNET = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet';
const SUBNET = `${VNET}/subnets/endpoints`;
const s = azureStack();
const client = new DataAzurermClientConfig(s, 'Client', {});
const kv = new RegionalKeyVault(s, 'Kv', {
  resourceGroupName: 'rg', location: 'westeurope', name: 'acme-kv-weu', subnetId: SUBNET, virtualNetworkId: VNET,
  deployerIpRanges: ['203.0.113.0/24', '198.51.100.7'], readers: ['gateway-principal', 'server-principal'], client,
});
const redisEndpoint = privateEndpoint(s, 'Redis', {
  resourceGroupName: 'rg', location: 'westeurope', subnetId: SUBNET, virtualNetworkId: VNET,
  resourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redisEnterprise/acme', subresource: 'redisEnterprise',
  zoneName: 'privatelink.redis.azure.net',
});
const tf: TfJson = synth(s);

type Res = Record<string, unknown>;
/** The one resource of `type` matching `pred`, with its logical id. */
function find(type: string, pred: (r: Res) => boolean): [string, Res] {
  const hits = Object.entries(resources(tf, type)).filter(([, r]) => pred(r));
  if (hits.length !== 1) throw new Error(`expected one ${type}, found ${hits.length}`);
  return hits[0];
}
const [vaultId, vault] = find('azurerm_key_vault', (r) => r.name === 'acme-kv-weu');
const clientId = Object.keys(tf.data?.azurerm_client_config ?? {})[0];

describe('RegionalKeyVault', () => {
  test('RBAC authorization and purge protection, in the tenant of the deploying client', () => {
    expect(vault).toMatchObject({
      rbac_authorization_enabled: true, purge_protection_enabled: true, soft_delete_retention_days: 90,
      tenant_id: `\${data.azurerm_client_config.${clientId}.tenant_id}`, location: 'westeurope', resource_group_name: 'rg',
    });
  });

  test('public access is denied except from the deployer\'s addresses (Azure services bypass for the gateway)', () => {
    expect(vault.network_acls).toEqual({ default_action: 'Deny', bypass: 'AzureServices', ip_rules: ['203.0.113.0/24', '198.51.100.7'] });
  });

  test('the servers reach it through a private endpoint on the vault, resolved by privatelink.vaultcore.azure.net linked to the network', () => {
    const [zoneId] = find('azurerm_private_dns_zone', (r) => r.name === 'privatelink.vaultcore.azure.net');
    const [, endpoint] = find('azurerm_private_endpoint', (r) => (r.private_service_connection as Res).private_connection_resource_id === `\${azurerm_key_vault.${vaultId}.id}`);
    expect(endpoint).toMatchObject({
      subnet_id: SUBNET, location: 'westeurope',
      private_service_connection: { subresource_names: ['vault'], is_manual_connection: false },
      private_dns_zone_group: { private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zoneId}.id}`] },
    });
    find('azurerm_private_dns_zone_virtual_network_link', (r) => r.private_dns_zone_name === `\${azurerm_private_dns_zone.${zoneId}.name}`
      && r.virtual_network_id === VNET && r.registration_enabled === false);
  });

  test('the deploying principal writes certificates and secrets; each reader only reads secrets; all on this vault', () => {
    const assignments = Object.values(resources(tf, 'azurerm_role_assignment'));
    const onVault = assignments.filter((a) => a.scope === `\${azurerm_key_vault.${vaultId}.id}`);
    expect(onVault.map((a) => [a.principal_id, a.role_definition_name]).sort()).toEqual([
      [`\${data.azurerm_client_config.${clientId}.object_id}`, 'Key Vault Certificates Officer'],
      [`\${data.azurerm_client_config.${clientId}.object_id}`, 'Key Vault Secrets Officer'],
      ['gateway-principal', 'Key Vault Secrets User'],
      ['server-principal', 'Key Vault Secrets User'],
    ].sort());
    expect(onVault.filter((a) => a.principal_id !== `\${data.azurerm_client_config.${clientId}.object_id}`).every((a) => a.principal_type === 'ServicePrincipal'))
      .toBe(true);
  });

  test('writerAccess are the deployer\'s assignments and readerAccess the readers\', which dependents wait for', () => {
    const rendered = (a: TerraformElement) => resources(tf, 'azurerm_role_assignment')[s.getLogicalId(a)];
    expect(kv.writerAccess.map((a) => rendered(a).role_definition_name)).toEqual(['Key Vault Certificates Officer', 'Key Vault Secrets Officer']);
    expect(kv.readerAccess.map((a) => rendered(a).principal_id)).toEqual(['gateway-principal', 'server-principal']);
  });
});

describe('privateEndpoint', () => {
  test('names the endpoint after the sub-resource in lowercase and connects to the given resource through its own zone', () => {
    const [zoneId] = find('azurerm_private_dns_zone', (r) => r.name === 'privatelink.redis.azure.net');
    const endpoint = resources(tf, 'azurerm_private_endpoint')[s.getLogicalId(redisEndpoint)];
    expect(endpoint.name).toBe('mcp-redisenterprise-pe');
    expect(endpoint).toMatchObject({
      private_service_connection: {
        name: 'redisEnterprise', subresource_names: ['redisEnterprise'],
        private_connection_resource_id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cache/redisEnterprise/acme',
      },
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zoneId}.id}`] },
    });
  });
});
