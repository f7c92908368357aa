/**
 * One Key Vault per regional deployment: RBAC authorization, purge protection,
 * public access denied except for the deployer's addresses, a private endpoint
 * for the servers. The deploying principal writes certificates and secrets;
 * the gateway and the servers only read secrets.
 */
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Construct } from 'constructs';
import { privateEndpoint } from './private-endpoint';

export interface RegionalKeyVaultProps {
  readonly resourceGroupName: string;
  readonly location: string;
  /** Globally unique, 3-24 letters, digits and hyphens. */
  readonly name: string;
  readonly subnetId: string;
  readonly virtualNetworkId: string;
  /** Public addresses (CIDR) of whatever runs `cdktf deploy`: the only public access allowed. */
  readonly deployerIpRanges: readonly string[];
  /** Principals that read secrets (gateway identity, server identity). */
  readonly readers: readonly string[];
  readonly client: DataAzurermClientConfig;
}

export class RegionalKeyVault extends Construct {
  public readonly vault: KeyVault;
  /** Role assignments everything that writes into the vault must wait for. */
  public readonly writerAccess: RoleAssignment[];
  /** Role assignments of the readers (the gateway waits for them before it reads its certificate). */
  public readonly readerAccess: RoleAssignment[];

  constructor(scope: Construct, id: string, props: RegionalKeyVaultProps) {
    super(scope, id);
    this.vault = new KeyVault(this, 'Vault', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.client.tenantId,
      skuName: 'standard',
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: 90,
      publicNetworkAccessEnabled: true,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices', ipRules: [...props.deployerIpRanges] },
    });
    privateEndpoint(this, 'Endpoint', {
      resourceGroupName: props.resourceGroupName, location: props.location, subnetId: props.subnetId,
      virtualNetworkId: props.virtualNetworkId, resourceId: this.vault.id, subresource: 'vault',
      zoneName: 'privatelink.vaultcore.azure.net',
    });
    this.writerAccess = ['Key Vault Certificates Officer', 'Key Vault Secrets Officer'].map((role, i) =>
      new RoleAssignment(this, `Deployer${i}`, { scope: this.vault.id, roleDefinitionName: role, principalId: props.client.objectId }));
    this.readerAccess = props.readers.map((principalId, i) => new RoleAssignment(this, `Reader${i}`, {
      scope: this.vault.id, roleDefinitionName: 'Key Vault Secrets User', principalId, principalType: 'ServicePrincipal',
    }));
  }
}
