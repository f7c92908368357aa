/**
 * The network of one regional deployment: a virtual network with separate
 * subnets for the gateway, the application and the data tier, and network
 * security groups that allow only gateway -> application on the server port,
 * application -> data tier (cache and Key Vault private endpoints) and
 * gateway -> Key Vault (its certificate).
 * Bring your own subnets with `existing`.
 */
import { NatGateway } from '@cdktf/provider-azurerm/lib/nat-gateway';
import { NatGatewayPublicIpAssociation } from '@cdktf/provider-azurerm/lib/nat-gateway-public-ip-association';
import { NetworkSecurityGroup, NetworkSecurityGroupSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-group';
import { PublicIp } from '@cdktf/provider-azurerm/lib/public-ip';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNatGatewayAssociation } from '@cdktf/provider-azurerm/lib/subnet-nat-gateway-association';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { Construct } from 'constructs';
import { MANAGED_REDIS_PORT } from './facts';
import { validatorFor } from './validation';


/** Subnets you already have. */
export interface ExistingNetwork {
  /** The virtual network (private DNS zones are linked to it). */
  readonly virtualNetworkId: string;
  /** A subnet dedicated to the Application Gateway (nothing else may live in it). */
  readonly gatewaySubnetId: string;
  /** The scale set's subnet (outbound internet for packages and images is yours to provide). */
  readonly applicationSubnetId: string;
  /** The private endpoints' subnet (cache, Key Vault). */
  readonly dataSubnetId: string;
}

/** The address prefixes of a created network's three subnets. */
export interface SubnetPrefixes {
  /** The gateway subnet (a /24). */
  readonly gateway: string;
  /** The application subnet (a /22). */
  readonly application: string;
  /** The data subnet, private endpoints (a /24). */
  readonly data: string;
}

/** Props of `McpNetwork`: one region's virtual network, subnets and NSGs. */
export interface McpNetworkProps {
  /** The resource group the resources are created in. */
  readonly resourceGroupName: string;
  /** The region (with availability zones). */
  readonly location: string;
  /** Port the MCP server listens on: the only port the gateway subnet may reach. */
  readonly serverPort: number;
  /**
   * Address space of a new network; the gateway, application and data subnets take
   * its first /24, the next /22 and the /24 after it.
   * @default '10.20.0.0/16'
   */
  readonly addressSpace?: string;
  /**
   * Open port 80 on the gateway (HTTP -> HTTPS redirect).
   * @default false
   */
  readonly httpRedirect?: boolean;
  /**
   * Who may reach the gateway on 443/80: `Internet`, or a service tag such as
   * `AzureFrontDoor.Backend` when Front Door is the only way in.
   * @default 'Internet'
   */
  readonly ingressSource?: string;
  /**
   * Use these subnets instead of creating a network (no NSG is created or changed).
   * @default - a new network
   */
  readonly existing?: ExistingNetwork;
}

/** One regional network. */
export class McpNetwork extends Construct {
  /** The virtual network. */
  public readonly virtualNetworkId: string;
  /** The gateway's dedicated subnet. */
  public readonly gatewaySubnetId: string;
  /** The scale set's subnet. */
  public readonly applicationSubnetId: string;
  /** The private endpoints' subnet. */
  public readonly dataSubnetId: string;
  /** Address prefixes of the three subnets (undefined for an existing network). */
  public readonly prefixes?: SubnetPrefixes;
  /** The NSGs, when the network is created here. */
  public readonly securityGroups: NetworkSecurityGroup[] = [];

  constructor(scope: Construct, id: string, props: McpNetworkProps) {
    super(scope, id);
    const v = validatorFor(this);
    const space = props.addressSpace ?? '10.20.0.0/16';
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(space);
    const octets = m ? m.slice(1, 5).map(Number) : [];
    v.check(props.existing !== undefined || (m !== null && octets.every((o) => o <= 255) && Number(m[5]) <= 20 && Number(m[5]) >= 8),
      'addressSpace', space, 'an IPv4 CIDR block from /8 to /20 (the three subnets need a /24, a /22 and a /24)');
    v.throwIfInvalid();

    if (props.existing) {
      this.virtualNetworkId = props.existing.virtualNetworkId;
      this.gatewaySubnetId = props.existing.gatewaySubnetId;
      this.applicationSubnetId = props.existing.applicationSubnetId;
      this.dataSubnetId = props.existing.dataSubnetId;
      return;
    }
    const [a, b] = octets;
    const prefixes = { gateway: `${a}.${b}.0.0/24`, application: `${a}.${b}.4.0/22`, data: `${a}.${b}.8.0/24` };
    this.prefixes = prefixes;
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };
    const vnet = new VirtualNetwork(this, 'Vnet', { ...common, name: 'mcp-vnet', addressSpace: [space] });
    this.virtualNetworkId = vnet.id;
    const subnet = (sid: string, name: string, prefix: string, extra: Partial<ConstructorParameters<typeof Subnet>[2]> = {}) =>
      new Subnet(this, sid, {
        name, resourceGroupName: props.resourceGroupName, virtualNetworkName: vnet.name, addressPrefixes: [prefix],
        defaultOutboundAccessEnabled: false, ...extra,
      });
    const gateway = subnet('GatewaySubnet', 'gateway', prefixes.gateway);
    const app = subnet('ApplicationSubnet', 'application', prefixes.application);
    // NSG rules apply to private endpoints only with network policies on.
    const data = subnet('DataSubnet', 'data', prefixes.data, { privateEndpointNetworkPolicies: 'Enabled' });
    this.gatewaySubnetId = gateway.id;
    this.applicationSubnetId = app.id;
    this.dataSubnetId = data.id;

    const rule = (name: string, priority: number, direction: 'Inbound' | 'Outbound', access: 'Allow' | 'Deny', source: string,
      destination: string, ports: string, protocol = 'Tcp'): NetworkSecurityGroupSecurityRule => ({
      name, priority, direction, access, protocol,
      sourceAddressPrefix: source, sourcePortRange: '*', destinationAddressPrefix: destination, destinationPortRange: ports,
      description: '',
    });
    const nsg = (sid: string, name: string, rules: NetworkSecurityGroupSecurityRule[], subnetId: string) => {
      const group = new NetworkSecurityGroup(this, sid, { ...common, name, securityRule: rules });
      new SubnetNetworkSecurityGroupAssociation(this, `${sid}Association`, { subnetId, networkSecurityGroupId: group.id });
      this.securityGroups.push(group);
      return group;
    };
    // Application Gateway v2 needs GatewayManager on 65200-65535 and the Azure load balancer's probes.
    nsg('GatewayNsg', 'mcp-gateway-nsg', [
      rule('allow-https', 100, 'Inbound', 'Allow', props.ingressSource ?? 'Internet', '*', '443'),
      ...(props.httpRedirect ? [rule('allow-http-redirect', 110, 'Inbound', 'Allow', props.ingressSource ?? 'Internet', '*', '80')] : []),
      rule('allow-gateway-manager', 120, 'Inbound', 'Allow', 'GatewayManager', '*', '65200-65535'),
      rule('allow-azure-lb', 130, 'Inbound', 'Allow', 'AzureLoadBalancer', '*', '*', '*'),
    ], gateway.id);
    nsg('ApplicationNsg', 'mcp-application-nsg', [
      rule('allow-gateway-to-server', 100, 'Inbound', 'Allow', prefixes.gateway, '*', String(props.serverPort)),
      rule('allow-azure-lb', 110, 'Inbound', 'Allow', 'AzureLoadBalancer', '*', '*', '*'),
      rule('deny-vnet-inbound', 4000, 'Inbound', 'Deny', 'VirtualNetwork', '*', '*', '*'),
      rule('allow-cache', 100, 'Outbound', 'Allow', '*', prefixes.data, String(MANAGED_REDIS_PORT)),
      rule('allow-key-vault', 110, 'Outbound', 'Allow', '*', prefixes.data, '443'),
      rule('deny-vnet-outbound', 4000, 'Outbound', 'Deny', '*', 'VirtualNetwork', '*', '*'),
    ], app.id);
    nsg('DataNsg', 'mcp-data-nsg', [
      rule('allow-app-to-cache', 100, 'Inbound', 'Allow', prefixes.application, '*', String(MANAGED_REDIS_PORT)),
      rule('allow-app-to-key-vault', 110, 'Inbound', 'Allow', prefixes.application, '*', '443'),
      // The gateway reads its certificate from Key Vault through the private endpoint.
      rule('allow-gateway-to-key-vault', 120, 'Inbound', 'Allow', prefixes.gateway, '*', '443'),
      rule('deny-vnet-inbound', 4000, 'Inbound', 'Deny', 'VirtualNetwork', '*', '*', '*'),
    ], data.id);

    // Outbound internet for the scale set (packages, container images): new subnets get no default outbound access.
    const natIp = new PublicIp(this, 'NatIp', { ...common, name: 'mcp-nat-ip', allocationMethod: 'Static', sku: 'Standard' });
    const nat = new NatGateway(this, 'Nat', { ...common, name: 'mcp-nat', skuName: 'Standard' });
    new NatGatewayPublicIpAssociation(this, 'NatIpAssociation', { natGatewayId: nat.id, publicIpAddressId: natIp.id });
    new SubnetNatGatewayAssociation(this, 'NatAssociation', { subnetId: app.id, natGatewayId: nat.id });
  }
}
