/**
 * MCP authorization on the AWS topologies: core's model (lib/core/authorization.ts)
 * resolved against the service's props, rendered into the servers' environment, given
 * to the MCP probes (client credentials, or the 401-challenge check without a client),
 * and shown as a warning when the internet-facing service opts out.
 */
import { Annotations, Token } from 'aws-cdk-lib/core';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
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
    v.add('probeClientCredentials', '(a secret)', 'no value on a service spanning regions (a secret belongs to one region\'s stack, '
      + 'and each region\'s probes read their own region\'s secret): name the secret in every region with '
      + 'probeClientCredentialsByRegion (RegionalProbeCredentials.replicated(name) or .fromSecretArns({...}))');
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

/**
 * What the MCP probes need: the issuer, the resource and the probe's client (or the challenge-only check).
 * `credentials`: the secret of this region's probes (services spanning regions); else the service's own.
 */
export function probeOAuth(
  resolved: ResolvedAuthorization | undefined, props: McpServiceProps, credentials: secretsmanager.ISecret | undefined = props.probeClientCredentials,
): McpProbeOAuthOptions | undefined {
  if (resolved?.mode !== AuthorizationMode.OAUTH || !resolved.issuer || !resolved.audience) return undefined;
  return { issuer: resolved.issuer, resource: resolved.audience, credentials, scope: resolved.readScopes.join(' ') };
}

/**
 * The MCP probes' client credentials of a service spanning regions, one secret per region: the probes of each
 * region (its own probe, its watches of the other regions) read the secret in their own region only (a Lambda
 * function's Secrets Manager client calls its own region, and a secret is regional). The secret's JSON holds
 * `client_id` and `client_secret` of a client of the service's issuer allowed the client-credentials grant.
 *
 * Encrypted with the AWS managed key `aws/secretsmanager` (the default), the probes need nothing else; with a
 * customer managed key, let the probe roles (`McpRegion.probe.role`, `regionWatches`) decrypt with it.
 */
export abstract class RegionalProbeCredentials {
  /**
   * One secret replicated to every region of the service (Secrets Manager replica regions: a replica keeps the
   * primary secret's name, https://docs.aws.amazon.com/secretsmanager/latest/userguide/create-manage-multi-region-secrets.html).
   * Create it in one region and add the others as replica regions; each region's probes read `name` there.
   * @param secretName the secret's name (not an ARN): ASCII letters, digits and `/_+=.@-`, 1 to 512 characters,
   * not ending in a hyphen and six characters (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html)
   */
  public static replicated(secretName: string): RegionalProbeCredentials {
    return new ReplicatedSecret(secretName);
  }

  /**
   * One secret per region, by complete ARN (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>`),
   * e.g. a separate client in each region. Every region of the service needs one, in that region and the
   * service's account.
   */
  public static fromSecretArns(arnsByRegion: Record<string, string>): RegionalProbeCredentials {
    return new SecretArns(arnsByRegion);
  }

  /**
   * Problems with this source for a service in `regions` of `account` go to `v` (prop `probeClientCredentialsByRegion`).
   * @internal
   */
  public abstract _validate(v: Validator, regions: readonly string[], account: string | undefined): void;

  /**
   * The secret the probes in `region` read, imported into `scope` (a construct in that region's stack).
   * @internal
   */
  public abstract _secretIn(scope: Construct, region: string): secretsmanager.ISecret;
}

/** Secrets Manager's name rule (API_CreateSecret.html, Name). */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

class ReplicatedSecret extends RegionalProbeCredentials {
  constructor(private readonly secretName: string) { super(); }

  public _validate(v: Validator): void {
    const name = this.secretName;
    if (Token.isUnresolved(name)) return;
    v.check(SECRET_NAME.test(name) && !/-[A-Za-z0-9]{6}$/.test(name), 'probeClientCredentialsByRegion.secretName', name,
      'a Secrets Manager secret name (not an ARN): ASCII letters, digits and /_+=.@-, 1 to 512 characters, not ending in a hyphen '
      + 'and six characters (Secrets Manager appends those to the ARN, so a partial-ARN lookup would be ambiguous); '
      + 'or name each region\'s complete ARN with RegionalProbeCredentials.fromSecretArns');
  }

  public _secretIn(scope: Construct, _region: string): secretsmanager.ISecret {
    // A partial ARN in the stack's own region and account; grants cover `<name>-??????` only.
    return secretsmanager.Secret.fromSecretNameV2(scope, 'ProbeClientCredentials', this.secretName);
  }
}

class SecretArns extends RegionalProbeCredentials {
  constructor(private readonly arns: Record<string, string>) { super(); }

  public _validate(v: Validator, regions: readonly string[], account: string | undefined): void {
    const cv = v.nested('probeClientCredentialsByRegion');
    const given = Object.keys(this.arns);
    for (const region of regions) {
      if (Token.isUnresolved(region)) continue;
      const arn = this.arns[region];
      if (arn === undefined) {
        cv.add(region, undefined, `a secret ARN in ${region} (RegionalProbeCredentials.fromSecretArns has ${given.length > 0 ? given.join(', ') : 'no region'}): `
          + 'every region\'s probes read a secret in their own region');
        continue;
      }
      if (Token.isUnresolved(arn)) continue;
      const m = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/.exec(arn);
      cv.check(m !== null && m[1] === region && (account === undefined || m[2] === account), region, arn,
        `the complete ARN of a secret in ${region}${account ? ` of account ${account}` : ''} `
        + '(arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>): a Lambda function reads secrets in its own region');
    }
    for (const region of given.filter((r) => !regions.includes(r))) {
      cv.add(region, this.arns[region], `only regions of the service (${regions.join(', ')}): no probe runs in ${region}`);
    }
  }

  public _secretIn(scope: Construct, region: string): secretsmanager.ISecret {
    return secretsmanager.Secret.fromSecretCompleteArn(scope, 'ProbeClientCredentials', this.arns[region]);
  }
}

/**
 * Checks the probes' per-region credentials of a service spanning `regions`: only with an OAuth authorization
 * (the probe's client of that issuer), and a secret in every region.
 */
export function validateRegionalProbeCredentials(
  v: Validator, credentials: RegionalProbeCredentials | undefined, resolved: ResolvedAuthorization | undefined,
  regions: readonly string[], account: string | undefined, mcpProbe: boolean | undefined,
): void {
  if (credentials === undefined) return;
  if (mcpProbe === false) {
    v.add('probeClientCredentialsByRegion', '(secrets)', 'no value with mcpProbe: false (no probe runs to read them)');
    return;
  }
  if (resolved?.mode !== AuthorizationMode.OAUTH) {
    v.add('probeClientCredentialsByRegion', '(secrets)', 'only with authorization: McpAuthorization.oauth(...) (the probe\'s client of that issuer)');
    return;
  }
  credentials._validate(v, regions, account);
}
