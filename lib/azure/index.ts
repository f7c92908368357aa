/**
 * `mcp-ha-constructs/azure`: the Azure building blocks and topologies (CDKTF,
 * @cdktf/provider-azurerm with deep imports, @cdktf/provider-vault for Vault
 * certificates), behind their own entry point so an AWS-only user never loads
 * the Terraform provider bindings.
 *
 * The public surface of `mcp-ha-constructs/azure` is chosen module by module:
 * each module listed here declares only public constructs, props and types, and
 * is re-exported whole. Helpers the constructs share (`validatorFor`,
 * `addWarnings`, the summary writer, the plan function `planAzureService` and its
 * probe terms, region checks, capacity and profile planning, documented-limit
 * tables such as `AZURE_FACTS`) live in modules this list leaves out (`budget`,
 * `facts`, `validation`, `topologies/shared`) or in `private/`; a module that
 * gains a helper must move it there. Why `export *` and not names: jsii (the
 * multi-language build) places a type in a submodule only when the submodule's
 * barrel re-exports it with `export *`; a type re-exported by name resolves to
 * the root namespace, and jsii 6 refuses it where it is a base interface or a
 * method parameter (JSII9002). A change here changes
 * `api/mcp-ha-constructs.api.md` (`npm run api`, reviewed by test/docs/api.test.ts).
 */
export { ProbeMechanism, PROBE_LIMITS } from '../core/cloud-limits';
export { McpAuthorization } from '../core/authorization';
export * from './plan';
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
export * from './topologies/props';
export * from './topologies/regional';
export * from './topologies/active-active';
export * from './topologies/active-passive';
export * from './topologies/multi-region';
