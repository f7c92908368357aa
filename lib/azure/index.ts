/**
 * `mcp-ha-constructs/azure`: the Azure building blocks and topologies (CDKTF,
 * @cdktf/provider-azurerm), kept behind their own entry point so an AWS-only
 * user never loads the Terraform provider bindings.
 *
 * The constructs arrive with the Azure issues. Today this entry point carries
 * the Azure slice of the core plan: the probe mechanisms the Azure constructs
 * validate against and the IANA to Windows time-zone mapping autoscale needs.
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';
export { windowsTimeZone } from '../core/timezones';

/** The probe mechanisms an Azure deployment renders. */
export const AZURE_PROBE_MECHANISMS = ['azure-application-gateway', 'azure-load-balancer', 'azure-traffic-manager'] as const;
