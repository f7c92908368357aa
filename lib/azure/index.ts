/**
 * `mcp-ha-constructs/azure`: the Azure building blocks and topologies (CDKTF,
 * @cdktf/provider-azurerm with deep imports, @cdktf/provider-vault for Vault
 * certificates), behind their own entry point so an AWS-only user never loads
 * the Terraform provider bindings.
 *
 * Every export is named on purpose: this list is the public surface of
 * `mcp-ha-constructs/azure`. Helpers the constructs share (`validatorFor`,
 * `addWarnings`, the summary writer, the plan function and its probe terms,
 * region checks, documented-limit tables such as `AZURE_FACTS`) stay in their
 * modules; import them from the module path inside this repository. A change
 * here changes `api/mcp-ha-constructs.api.md` (`npm run api`).
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';
export { McpAuthorization } from '../core/authorization';
export type { FrontDoorOptions, FrontDoorSettings, TrafficManagerSettings, AzureServicePlan } from './budget';
export { McpNetwork } from './network';
export type { ExistingNetwork, McpNetworkProps, SubnetPrefixes } from './network';
export { McpLoadBalancer } from './load-balancer';
export type { GatewayCapacity, GatewayCertificate, McpLoadBalancerProps, McpWafOptions } from './load-balancer';
export { McpFleet } from './fleet';
export type { FleetCapacity, McpFleetProps, ResolvedFleetCapacity } from './fleet';
export { McpScheduledScaling } from './scheduled-scaling';
export type { AutoscaleProfilePlan, FailoverSignal, McpScheduledScalingProps } from './scheduled-scaling';
export { McpCache, McpCacheGeoReplication } from './cache';
export type { McpCacheGeoReplicationProps, McpCacheProps, McpServiceCacheOptions } from './cache';
export { McpTrafficManager } from './dns-failover';
export type { McpTrafficManagerProps, TrafficManagerTarget } from './dns-failover';
export { McpFrontDoor } from './anycast';
export type { FrontDoorOrigin, McpFrontDoorProps } from './anycast';
export { McpCertificate, VaultIssuedCertificate } from './certificate';
export type { BoundCertificate, KeyVaultSecretOptions, VaultCertificateSourceOptions, VaultIssuedCertificateProps } from './certificate';
export { McpMonitoring } from './monitoring';
export type { McpAlarmTopic, McpMonitoringProps, MonitoredRegion } from './monitoring';
export { McpProbe } from './mcp-probe';
export type { McpProbeProps } from './mcp-probe';
export { AzureActiveActiveMcpService } from './topologies/active-active';
export type { AzureActiveActiveMcpServiceProps } from './topologies/active-active';
export { AzureActivePassiveMcpService } from './topologies/active-passive';
export type { AzureActivePassiveMcpServiceProps } from './topologies/active-passive';
export { AzureMultiRegionMcpService } from './topologies/multi-region';
export type { AzureMultiRegionMcpServiceProps } from './topologies/multi-region';
export { TrafficRouting } from './topologies/props';
export type {
  AzureDnsZoneOptions, AzureMcpServiceProps, AzureTopologyPlan, DnsRoutingOptions, FrontDoorRoutingOptions, McpDomain,
} from './topologies/props';
export { McpCacheEnv, McpRegion } from './topologies/regional';
export type { McpRegionProps } from './topologies/regional';
