/**
 * mcp-ha-constructs: highly available MCP server topologies as code.
 *
 * The root entry point carries the cloud-neutral core and the AWS constructs:
 * exactly the named exports of `./core` and `./aws` (each lists its own on
 * purpose). Azure and Google Cloud live behind `mcp-ha-constructs/azure` and
 * `mcp-ha-constructs/gcp`, so the Terraform provider bindings load only for
 * users who import them.
 */
export * from './core';
export * from './aws';
