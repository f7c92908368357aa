/** A private endpoint with its private DNS zone linked to the network. */
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Construct } from 'constructs';

export interface PrivateEndpointProps {
  readonly resourceGroupName: string;
  readonly location: string;
  readonly subnetId: string;
  readonly virtualNetworkId: string;
  readonly resourceId: string;
  /** `redisEnterprise`, `vault`. */
  readonly subresource: string;
  /** `privatelink.redis.azure.net`, `privatelink.vaultcore.azure.net`. */
  readonly zoneName: string;
}

export function privateEndpoint(scope: Construct, id: string, props: PrivateEndpointProps): PrivateEndpoint {
  const zone = new PrivateDnsZone(scope, `${id}Zone`, { name: props.zoneName, resourceGroupName: props.resourceGroupName });
  new PrivateDnsZoneVirtualNetworkLink(scope, `${id}ZoneLink`, {
    name: 'mcp-vnet', privateDnsZoneName: zone.name, resourceGroupName: props.resourceGroupName,
    virtualNetworkId: props.virtualNetworkId, registrationEnabled: false,
  });
  return new PrivateEndpoint(scope, id, {
    name: `mcp-${props.subresource.toLowerCase()}-pe`,
    resourceGroupName: props.resourceGroupName,
    location: props.location,
    subnetId: props.subnetId,
    privateServiceConnection: {
      name: props.subresource, isManualConnection: false, privateConnectionResourceId: props.resourceId, subresourceNames: [props.subresource],
    },
    privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [zone.id] },
  });
}
