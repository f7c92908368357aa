/**
 * `mcp-ha-constructs/gcp`: the Google Cloud building blocks and topologies
 * (CDKTF, @cdktf/provider-google deep imports; Vault certificates through
 * @cdktf/provider-vault), behind their own entry point so an AWS-only user never
 * loads the Terraform provider bindings, and a Google user never loads aws-cdk-lib
 * or the Azure bindings.
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';
export * from './validation';
export * from './network';
export * from './load-balancer';
export * from './fleet';
export * from './scheduled-scaling';
export * from './cache';
export * from './cache-promotion';
export * from './dns-failover';
export * from './certificate';
export * from './mcp-probe';
export * from './monitoring';
export * from './topologies';

/** The probe mechanisms a Google Cloud deployment renders. */
export const GCP_PROBE_MECHANISMS = ['gcp-health-check', 'gcp-dns-health-check'] as const;
