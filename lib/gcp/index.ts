/**
 * `mcp-ha-constructs/gcp`: the Google Cloud building blocks and topologies
 * (CDKTF, @cdktf/provider-google deep imports; Vault certificates through
 * @cdktf/provider-vault), behind their own entry point so an AWS-only user never
 * loads the Terraform provider bindings, and a Google user never loads aws-cdk-lib
 * or the Azure bindings.
 *
 * Every export is named on purpose: this list is the public surface of
 * `mcp-ha-constructs/gcp`. Helpers the constructs share (`validatorFor`,
 * `addWarnings`, the summary writers, region checks) stay in their modules.
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';
export { McpAuthorization } from '../core/authorization';
export { GOOGLE_ID_TOKEN_DOC, IDENTITY_PLATFORM_TOKEN_DOC } from './authorization';
export { GCP_REGION_ZONES, zonesOf } from './validation';
export { GOOGLE_HEALTH_CHECK_RANGES, MEMORYSTORE_PORTS, McpNetwork } from './network';
export type { ExistingNetwork, McpNetworkProps, McpRegionNetwork } from './network';
export { CLOUD_ARMOR_INTERVALS, LoadBalancerScope, McpLoadBalancer, SslPolicyProfile } from './load-balancer';
export type { McpBackendOptions, McpHostBackendOptions, McpLoadBalancerProps, McpOutlierDetectionOptions, McpWafOptions } from './load-balancer';
export { AUTOHEALING_CHECK, McpFleet, SERVER_ROLES } from './fleet';
export type { FleetCapacity, McpFleetProps } from './fleet';
export { GCP_MIN_SCHEDULE_SECONDS, planGoogleScaling, renderedFloorHours } from './scheduled-scaling';
export type { GoogleScalingPlan, RenderedScalingSchedule, ScalingPlanInput } from './scheduled-scaling';
export { AUTH_SECRET_READER_ROLE, CACHE_CLIENT_ROLE, CacheMode, CachePersistence, CacheService, McpCache } from './cache';
export type { McpCacheProps } from './cache';
export { McpCachePromotion, PROMOTION_PERMISSIONS } from './cache-promotion';
export type { McpCachePromotionProps, PromotionCandidate } from './cache-promotion';
export { DEFAULT_SOURCE_REGIONS, McpDnsFailover } from './dns-failover';
export type { DnsFailoverTarget, McpCloudDnsZone, McpDnsFailoverProps } from './dns-failover';
export { McpCertificate, VaultIssuedCertificate } from './certificate';
export type { VaultCertificateSourceOptions, VaultIssuedCertificateProps } from './certificate';
export { MCP_INITIALIZE_BODY, McpProbe, UPTIME_CHECK_PERIODS } from './mcp-probe';
export type { McpProbeProps } from './mcp-probe';
export { McpMonitoring } from './monitoring';
export type { McpMonitoringProps } from './monitoring';
export { ActiveActiveMcpService, ActivePassiveMcpService, MultiRegionMcpService, TrafficRouting } from './topologies';
export type {
  ActiveActiveMcpServiceProps, ActivePassiveMcpServiceProps, McpDomain, McpServiceCacheOptions, McpServiceProps,
  MultiRegionMcpServiceProps,
} from './topologies';

/** The probe mechanisms a Google Cloud deployment renders. */
export const GCP_PROBE_MECHANISMS = ['gcp-health-check', 'gcp-dns-health-check'] as const;
