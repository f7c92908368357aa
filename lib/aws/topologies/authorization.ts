/**
 * MCP authorization on the AWS topologies: core's model (lib/core/authorization.ts)
 * resolved against the service's props, rendered into the servers' environment, given
 * to the MCP probes (client credentials, or the 401-challenge check without a client),
 * and shown as a warning when the internet-facing service opts out.
 */
import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { AuthorizationMode, ResolvedAuthorization, resolveServiceAuthorization } from '../../core/authorization';
import { Validator } from '../../core/errors';
import { McpProbeOAuthOptions } from '../mcp-probe';
import { McpServiceProps, serviceName } from './common';

/**
 * Every AWS topology's load balancers are internet-facing (public subnets): an
 * authorization is required, or the explicit opt-out. Problems go to `v`.
 */
export function resolveAuthorization(v: Validator, props: McpServiceProps, multiRegion = false): ResolvedAuthorization | undefined {
  const resolved = resolveServiceAuthorization(v, props.authorization, {
    serviceName: props.domain ? serviceName(props.domain) : undefined,
    mcpPath: props.server.mcpPath,
    internetFacing: true,
  });
  if (props.probeClientCredentials !== undefined && resolved?.mode !== AuthorizationMode.OAUTH) {
    v.add('probeClientCredentials', '(a secret)', 'only with authorization: McpAuthorization.oauth(...) (the probe\'s client of that issuer)');
  }
  if (props.probeClientCredentials !== undefined && multiRegion) {
    v.add('probeClientCredentials', '(a secret)', 'no value on a service spanning regions (a secret belongs to one region\'s stack; '
      + 'per-region probe clients are not supported yet): its probes check the 401 challenge');
  }
  return resolved;
}

/** The same resolution where the props were validated already (regional stacks of a multi-region service). */
export function authorizationOf(props: McpServiceProps): ResolvedAuthorization | undefined {
  return resolveAuthorization(new Validator(), props);
}

/** The opt-out's warning on `scope` (cdk synth prints it). */
export function addAuthorizationWarnings(scope: IConstruct, resolved: ResolvedAuthorization | undefined): void {
  for (const w of resolved?.warnings ?? []) Annotations.of(scope).addWarningV2('mcp-ha:unauthenticated', w);
}

/** What the MCP probes need: the issuer, the resource and the probe's client (or the challenge-only check). */
export function probeOAuth(resolved: ResolvedAuthorization | undefined, props: McpServiceProps): McpProbeOAuthOptions | undefined {
  if (resolved?.mode !== AuthorizationMode.OAUTH || !resolved.issuer || !resolved.audience) return undefined;
  return { issuer: resolved.issuer, resource: resolved.audience, credentials: props.probeClientCredentials, scope: resolved.readScopes.join(' ') };
}
