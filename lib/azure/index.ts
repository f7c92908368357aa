/**
 * `mcp-ha-constructs/azure`: the Azure building blocks and topologies (CDKTF,
 * @cdktf/provider-azurerm with deep imports, @cdktf/provider-vault for Vault
 * certificates), behind their own entry point so an AWS-only user never loads
 * the Terraform provider bindings.
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';
export { windowsTimeZone } from '../core/timezones';
export { McpAuthorization } from '../core/authorization';
export * from './facts';
export * from './budget';
export * from './validation';
export * from './network';
export * from './load-balancer';
export * from './fleet';
export * from './scheduled-scaling';
export * from './cache';
export * from './dns-failover';
export * from './anycast';
export * from './certificate';
export * from './monitoring';
export * from './mcp-probe';
export * from './authorization';
export * from './topologies';

/** The probe mechanisms an Azure deployment renders. */
export const AZURE_PROBE_MECHANISMS = ['azure-application-gateway', 'azure-load-balancer', 'azure-traffic-manager'] as const;
