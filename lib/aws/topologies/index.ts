/**
 * The three AWS topologies and what they share. One class per scope: constructs
 * for what lives in one stack (`ActiveActiveMcpService`, `ActivePassiveMcpService`),
 * Stages for what creates a stack per region plus a global stack
 * (`CrossRegionActivePassiveMcpStage`, `MultiRegionMcpStage`). Named exports only: the
 * topologies' helpers (`recordSummary`, `budgetSummary`, `serviceName`,
 * `regionalName`, the certificate bind context) stay in their modules.
 */
export { McpCertificate, TrafficRouting } from './common';
export type {
  AcceleratorRoutingOptions, DnsRoutingOptions, McpDomain, McpServiceCacheOptions, McpServiceProps,
  VaultCertificateSourceOptions,
} from './common';
export { McpCacheEnv, McpDeployment } from './deployment';
export type { DeploymentCache, McpDeploymentProps } from './deployment';
export { ActiveActiveMcpService } from './active-active';
export type { ActiveActiveMcpServiceProps } from './active-active';
export { ActivePassiveMcpService, CrossRegionActivePassiveMcpStage, StandbyLocation } from './active-passive';
export type { ActivePassiveMcpServiceProps, CrossRegionActivePassiveMcpStageProps } from './active-passive';
export { MultiRegionMcpService, MultiRegionMcpStage } from './multi-region';
export type { MultiRegionMcpServiceProps, MultiRegionMcpStageProps } from './multi-region';
export { McpRegion } from './regional';
export { RegionalProbeCredentials } from './authorization';
export type { McpRegionProps } from './regional';
export { FailoverScaling } from './failover-scaling';
export type { FailoverScalingProps, FailoverTarget, TargetTable } from './failover-scaling';
