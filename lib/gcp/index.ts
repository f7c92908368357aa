/**
 * `mcp-ha-constructs/gcp`: the Google Cloud building blocks and topologies
 * (CDKTF, @cdktf/provider-google), behind their own entry point so an AWS-only
 * user never loads the Terraform provider bindings.
 *
 * The constructs arrive with the Google Cloud issues. Today this entry point
 * carries the Google slice of the core plan: the probe mechanism the Google
 * constructs validate against.
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';

/** The probe mechanisms a Google Cloud deployment renders. */
export const GCP_PROBE_MECHANISMS = ['gcp-health-check'] as const;
