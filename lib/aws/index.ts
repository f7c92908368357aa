/**
 * The AWS building blocks (aws-cdk-lib) and the three topologies.
 *
 * Every export is named on purpose: this list is the public surface of
 * `mcp-ha-constructs/aws`. Helpers the constructs share but users have no reason
 * to call (`validatorFor`, `addWarnings`, the cross-region parameter names, the
 * summary writers, documented-limit constants) stay in their modules; import them
 * from the module path inside this repository. A change here changes
 * `api/mcp-ha-constructs.api.md` (`npm run api`).
 */
export { LoadBalancingAlgorithm, McpLoadBalancer, UnmatchedPathAction, WafManagedRuleGroup } from './load-balancer';
export type { McpLoadBalancerProps, McpWafOptions } from './load-balancer';
export { McpFleet, SpotStrategy } from './fleet';
export type { FleetCapacity, FleetStepScaling, FleetWarmPoolOptions, McpFleetProps, ResolvedFleetCapacity, SpotOptions } from './fleet';
export { CacheEngine, GlobalDatastoreRole, McpCache, McpMultiRegionCache, MultiRegionClusterRole } from './cache';
export type { CacheAttributes, GlobalDatastoreOptions, ICache, McpCacheProps, McpMultiRegionCacheProps } from './cache';
export { DnsFailoverRole, DnsRoutingPolicy, McpDnsFailover, Route53HealthCheckAlarms } from './dns-failover';
export type { DnsEndpoint, HealthCheckAlarmOptions, McpDnsFailoverProps, Route53HealthCheckAlarmsProps } from './dns-failover';
export { AcceleratorClientAffinity, AcceleratorMode, McpAccelerator } from './accelerator';
export type { AcceleratorEndpointGroup, McpAcceleratorProps } from './accelerator';
export { McpScheduledScaling } from './scheduled-scaling';
export type { McpScheduledScalingProps } from './scheduled-scaling';
export { McpProbe, TrustedCa } from './mcp-probe';
export type { McpProbeOAuthOptions, McpProbeProps } from './mcp-probe';
export { McpMonitoring } from './monitoring';
export type { McpCacheMetricsSource, McpMonitoringProps, McpProbeMetricsSource } from './monitoring';
export { McpCachePromotion } from './cache-promotion';
export type { McpCachePromotionProps, PromotionCandidate } from './cache-promotion';
export { VaultAuthentication, VaultIssuedCertificate } from './certificate';
export type { VaultAwsIamAuthOptions, VaultIssuedCertificateProps } from './certificate';
export { CrossRegionValue, PublishedValue, UNREACHABLE_REGIONS_CONTEXT } from './cross-region';
export type { CrossRegionValueProps, PublishedValueProps } from './cross-region';
export { NodeServerSource } from './server-bundle';
export type { IStackBoundServerSource, NodeServerOptions } from './server-bundle';
export * from './topologies';
