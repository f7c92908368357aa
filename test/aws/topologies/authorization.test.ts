/**
 * MCP authorization on the AWS topologies: the environment every fleet renders is
 * core's (value for value), the probes authenticate (client credentials, or the 401
 * challenge without a client; across regions, a secret in each probe's own region),
 * the summary names the issuer or the opt-out, and each
 * refusal names the construct path, the prop, the value and what is allowed.
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { OAUTH_ENV, TOKEN_METRIC } from '../../../lib/aws/mcp-probe-handler/oauth';
import { ActiveActiveMcpService, ActiveActiveMcpServiceProps } from '../../../lib/aws/topologies/active-active';
import { McpCertificate, TrafficRouting } from '../../../lib/aws/topologies/common';
import { CrossRegionActivePassiveMcpStage } from '../../../lib/aws/topologies/active-passive';
import { RegionalProbeCredentials } from '../../../lib/aws/topologies/authorization';
import { MultiRegionMcpStage, MultiRegionMcpStageProps } from '../../../lib/aws/topologies/multi-region';
import { AvailabilityTier, McpAuthEnv, McpAuthorization, McpServerSource } from '../../../lib/core';
import { Validator } from '../../../lib/core/errors';
import { SUMMARY_KEY } from '../../../lib/core/summary';
import { TEST_ACCOUNT, testApp } from '../../support/app';

const ISSUER = McpAuthorization.cognitoIssuer('us-east-1', 'us-east-1_AbCdEf123');
const domain = { zoneName: 'example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ', recordName: 'mcp' };
const certArn = 'arn:aws:acm:us-east-1:111111111111:certificate/11111111-2222-3333-4444-555555555555';
const server = McpServerSource.container('public.ecr.aws/acme/context:1.4');

function build(props: Partial<ActiveActiveMcpServiceProps>, withSecret = false) {
  const stack = new Stack(testApp(), 'AA', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const svc = new ActiveActiveMcpService(stack, 'Mcp', {
    tier: AvailabilityTier.BUSINESS_CRITICAL, server, capacity: { baseline: 4 },
    certificate: McpCertificate.fromCertificate(acm.Certificate.fromCertificateArn(stack, 'Cert', certArn)),
    domain, routing: TrafficRouting.dns(), cache: false,
    ...(withSecret ? { probeClientCredentials: new secretsmanager.Secret(stack, 'ProbeClient') } : {}),
    ...props,
  });
  return { stack, svc };
}

/** The user data of the stack's launch template(s), as one string. */
function userData(template: Template): string {
  return JSON.stringify(template.findResources('AWS::EC2::LaunchTemplate'));
}

/** What core renders for this service: the expectation, derived from the model, not from a template. */
function expectedEnvironment(auth: McpAuthorization): Record<string, string> {
  const v = new Validator();
  const env = auth.resolve(v, { serviceName: 'mcp.example.com', mcpPath: '/mcp', internetFacing: true }).environment();
  v.throwIfInvalid();
  return env;
}

describe('an OAuth issuer', () => {
  const auth = McpAuthorization.oauth({ issuer: ISSUER });
  const { stack } = build({ authorization: auth }, true);
  const template = Template.fromStack(stack);

  test('every server gets core\'s MCP_AUTH_* environment, value for value', () => {
    const env = expectedEnvironment(auth);
    expect(Object.keys(env)).toEqual(expect.arrayContaining([McpAuthEnv.ISSUER, McpAuthEnv.AUDIENCE, McpAuthEnv.RESOURCE_METADATA_URL]));
    expect(env[McpAuthEnv.AUDIENCE]).toBe('https://mcp.example.com/mcp');
    const data = userData(template);
    for (const [name, value] of Object.entries(env)) expect(data).toContain(`-e ${name}='${value}'`);
  });

  test('the probe gets a token like a client: the issuer, the service resource, the read scope, its secret; a separate token alarm', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({
        [OAUTH_ENV.issuer]: ISSUER, [OAUTH_ENV.resource]: 'https://mcp.example.com/mcp', [OAUTH_ENV.scope]: 'mcp:read',
        [OAUTH_ENV.credentialsSecretArn]: Match.anyValue(),
      }) },
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: TOKEN_METRIC }, 1);
  });

  test('the summary names the issuer\'s host', () => {
    expect(template.toJSON().Metadata[SUMMARY_KEY]['AA/Mcp'].authorization).toBe('cognito-idp.us-east-1.amazonaws.com');
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('checks no token'))).toEqual([]);
  });
});

describe('the explicit opt-out', () => {
  const { stack } = build({ authorization: McpAuthorization.allowUnauthenticated('public demo data') });
  const template = Template.fromStack(stack);

  test('synthesizes with a warning naming the reason, no MCP_AUTH_* variable, and the summary says so', () => {
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('allowUnauthenticated'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/\(public demo data\): the internet-facing MCP endpoint checks no token/);
    expect(userData(template)).not.toContain('MCP_AUTH_');
    expect(template.toJSON().Metadata[SUMMARY_KEY]['AA/Mcp'].authorization).toBe('unauthenticated (opt-out)');
    // the probe lists tools without a token, as before
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toContain('MCP_PROBE_OAUTH_');
  });
});

describe('refusals (path, prop, value, what is allowed)', () => {
  test.each<[string, Partial<ActiveActiveMcpServiceProps>, RegExp]>([
    ['no authorization on an internet-facing topology', { authorization: undefined },
      /AA\/Mcp: 1 invalid setting\n {2}- authorization: got undefined; allowed: McpAuthorization\.oauth\(\{ issuer \}\) for an internet-facing service .*McpAuthorization\.allowUnauthenticated\(\) to opt out explicitly/],
    ['an http issuer', { authorization: McpAuthorization.oauth({ issuer: 'http://idp.example.com' }) },
      /AA\/Mcp: 1 invalid setting\n {2}- authorization\.issuer: got "http:\/\/idp\.example\.com"; allowed: an https URL/],
    ['an audience that does not name the service', { authorization: McpAuthorization.oauth({ issuer: ISSUER, audience: 'https://api.example.com/mcp' }) },
      /authorization\.audience: got "https:\/\/api\.example\.com\/mcp"; allowed: the service's resource URL, https:\/\/mcp\.example\.com\/mcp or https:\/\/mcp\.example\.com/],
    ['a probe client with the opt-out', { authorization: McpAuthorization.allowUnauthenticated() },
      /probeClientCredentials: got "\(a secret\)"; allowed: only with authorization: McpAuthorization\.oauth/],
  ])('%s', (_name, props, message) => {
    expect(() => build(props, _name.startsWith('a probe client'))).toThrow(message);
  });

  test('a probe client on a service spanning regions (a secret is one region\'s)', () => {
    const app = testApp();
    const other = new Stack(app, 'Secrets', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
    expect(() => new MultiRegionMcpStage(app, 'MR', {
      regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT, server, capacity: { baseline: 4 },
      certificate: McpCertificate.dnsValidated(), domain, authorization: McpAuthorization.oauth({ issuer: ISSUER }),
      probeClientCredentials: new secretsmanager.Secret(other, 'ProbeClient'), cache: false,
    })).toThrow(/MR: 1 invalid setting\n {2}- probeClientCredentials: got "\(a secret\)"; allowed: no value on a service spanning regions .*probeClientCredentialsByRegion/);
  });
});

describe('multi-region: every region renders it', () => {
  const auth = McpAuthorization.oauth({ issuer: ISSUER, readScopes: ['https://mcp.example.com/mcp/read'], writeScopes: ['https://mcp.example.com/mcp/write'] });
  const app = testApp();
  const svc = new MultiRegionMcpStage(app, 'MR', {
    tier: AvailabilityTier.BUSINESS_CRITICAL, regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT, server, capacity: { baseline: 4 },
    certificate: McpCertificate.dnsValidated(), domain, routing: TrafficRouting.dns(), authorization: auth, cache: false,
  });

  test('each region\'s servers get the same environment (one audience: tokens work in every region), its probes check the challenge', () => {
    const env = expectedEnvironment(auth);
    expect(env[McpAuthEnv.SCOPES_WRITE]).toBe('https://mcp.example.com/mcp/write');
    for (const [region, stack] of Object.entries(svc.regionStacks)) {
      const template = Template.fromStack(stack);
      const data = userData(template);
      for (const [name, value] of Object.entries(env)) expect({ region, found: data.includes(`-e ${name}='${value}'`) }).toEqual({ region, found: true });
      const probes = Object.values(template.findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties.Environment?.Variables as Record<string, string> | undefined)
        .filter((vars) => vars?.MCP_PROBE_URL !== undefined);
      expect(probes.length).toBeGreaterThan(0);
      for (const vars of probes) expect(vars![OAUTH_ENV.challengeOnly]).toBe('true');
      expect(template.toJSON().Metadata[SUMMARY_KEY][`MR/${region}/Service`].authorization).toBe('cognito-idp.us-east-1.amazonaws.com');
    }
  });
});

/**
 * Issue 13: with a secret per region, every probe of a service spanning regions gets a real token. Requirement:
 * each probe function (a region's own probe, its watches of the other regions, the standby's watch of the
 * primary) reads its client credentials from a secret in its own region (its Secrets Manager client calls its
 * own region), and its role may read that secret only: no other region's, no wildcard action.
 */
describe('services spanning regions: every region\'s probes read a secret in their own region', () => {
  const auth = McpAuthorization.oauth({ issuer: ISSUER, readScopes: ['https://mcp.example.com/mcp/read'] });
  const regional = (over: Partial<MultiRegionMcpStageProps> = {}): MultiRegionMcpStageProps => ({
    tier: AvailabilityTier.STANDARD, regions: ['us-east-1', 'eu-west-1'], account: TEST_ACCOUNT, server, capacity: { baseline: 2 },
    certificate: McpCertificate.dnsValidated(), domain, routing: TrafficRouting.dns(), authorization: auth, cache: false, ...over,
  });
  const ARNS = {
    'us-east-1': `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:mcp/probe-east-AbCdEf`,
    'us-west-2': `arn:aws:secretsmanager:us-west-2:${TEST_ACCOUNT}:secret:mcp/probe-west-GhIjKl`,
  };
  // GIVEN a multi-region service with one replicated secret, and a cross-region active-passive with a secret per region
  const multi = new MultiRegionMcpStage(testApp(), 'MR', regional({ probeClientCredentialsByRegion: RegionalProbeCredentials.replicated('mcp/probe-credentials') }));
  const cross = new CrossRegionActivePassiveMcpStage(testApp(), 'XR', {
    ...regional(), primaryRegion: 'us-east-1', standbyRegion: 'us-west-2', probeClientCredentialsByRegion: RegionalProbeCredentials.fromSecretArns(ARNS),
  });

  type Cfn = { Type: string; Properties: Record<string, unknown> };
  /** A template value with the partition resolved (`Fn::Join` of strings and `Ref AWS::Partition`). */
  const text = (x: unknown): string => {
    if (typeof x === 'string') return x;
    const o = x as Record<string, unknown>;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o['Fn::Join']) { const [sep, parts] = o['Fn::Join'] as [string, unknown[]]; return parts.map(text).join(sep); }
    return JSON.stringify(x);
  };
  /** Per probe function of the stack: the secret it reads and the Secrets Manager statements its role has. */
  function probes(stack: Stack) {
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Cfn>;
    return Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => ({ id, env: ((r.Properties.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {}), role: (r.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] }))
      .filter((f) => f.env.MCP_PROBE_URL !== undefined)
      .map((f) => ({
        ...f,
        secret: f.env[OAUTH_ENV.credentialsSecretArn] === undefined ? undefined : text(f.env[OAUTH_ENV.credentialsSecretArn]),
        statements: Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy'
          && (r.Properties.Roles as { Ref: string }[]).some((x) => x.Ref === f.role))
          .flatMap((p) => (p.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement)
          .map((st) => ({ actions: ([] as string[]).concat(st.Action), resources: ([] as unknown[]).concat(st.Resource).map(text) }))
          .filter((st) => st.actions.some((a) => a.startsWith('secretsmanager:'))),
      }));
  }

  test.each([
    ['multi-region, replicated secret', () => multi.regionStacks, (r: string) => `arn:aws:secretsmanager:${r}:${TEST_ACCOUNT}:secret:mcp/probe-credentials`,
      (r: string) => `arn:aws:secretsmanager:${r}:${TEST_ACCOUNT}:secret:mcp/probe-credentials-??????`, 4],
    ['cross-region active-passive, a secret per region', () => cross.regionStacks, (r: string) => ARNS[r as keyof typeof ARNS],
      (r: string) => ARNS[r as keyof typeof ARNS], 3],
  ] as const)('%s', (_name, stacks, secretOf, grantOf, probeCount) => {
    const checked: string[] = [];
    for (const [region, stack] of Object.entries(stacks())) {
      for (const p of probes(stack)) {
        checked.push(`${region}/${p.id}`);
        // A real token: the client-credentials grant against the issuer, for the service's resource; not the challenge-only check.
        expect({ probe: p.id, secret: p.secret, challengeOnly: p.env[OAUTH_ENV.challengeOnly] }).toEqual({ probe: p.id, secret: secretOf(region), challengeOnly: undefined });
        expect(p.env[OAUTH_ENV.issuer]).toBe(ISSUER);
        expect(p.env[OAUTH_ENV.resource]).toBe('https://mcp.example.com/mcp');
        expect(p.env[OAUTH_ENV.scope]).toBe('https://mcp.example.com/mcp/read');
        // Least privilege, per region: read that one secret, in this region; no wildcard action.
        expect(p.statements).toEqual([{ actions: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'], resources: [grantOf(region)] }]);
      }
    }
    // Every probe was checked: multi-region, each region's own probe and its watch of the other (2 x 2);
    // active-passive, both regions' probes and the standby's watch of the primary (3).
    expect(checked).toHaveLength(probeCount);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['a replicated secret named like an ARN suffix', () => new MultiRegionMcpStage(testApp(), 'MR', regional({ probeClientCredentialsByRegion: RegionalProbeCredentials.replicated('mcp/probe-AbCdEf') })),
      /probeClientCredentialsByRegion\.secretName: got "mcp\/probe-AbCdEf"; allowed: a Secrets Manager secret name \(not an ARN\)/],
    ['a secret ARN for one region only', () => new MultiRegionMcpStage(testApp(), 'MR', regional({ probeClientCredentialsByRegion: RegionalProbeCredentials.fromSecretArns({ 'us-east-1': ARNS['us-east-1'] }) })),
      /probeClientCredentialsByRegion\.eu-west-1: got undefined; allowed: a secret ARN in eu-west-1 \(RegionalProbeCredentials\.fromSecretArns has us-east-1\)/],
    ['a secret of another region, another account, and a region the service does not run in', () => new MultiRegionMcpStage(testApp(), 'MR', regional({
      probeClientCredentialsByRegion: RegionalProbeCredentials.fromSecretArns({
        'us-east-1': ARNS['us-east-1'].replace(TEST_ACCOUNT, '222222222222'), 'eu-west-1': ARNS['us-east-1'], 'us-west-2': ARNS['us-west-2'],
      }),
    })), /3 invalid settings[\s\S]*probeClientCredentialsByRegion\.us-east-1: got "arn:aws:secretsmanager:us-east-1:222222222222:[^"]*"; allowed: the complete ARN of a secret in us-east-1 of account 111111111111[\s\S]*probeClientCredentialsByRegion\.eu-west-1: got "arn:aws:secretsmanager:us-east-1:[^"]*"; allowed: the complete ARN of a secret in eu-west-1[\s\S]*probeClientCredentialsByRegion\.us-west-2: got "[^"]*"; allowed: only regions of the service \(us-east-1, eu-west-1\): no probe runs in us-west-2/],
    ['credentials with the opt-out', () => new CrossRegionActivePassiveMcpStage(testApp(), 'XR', {
      ...regional({ authorization: McpAuthorization.allowUnauthenticated('internal test') }), primaryRegion: 'us-east-1', standbyRegion: 'us-west-2',
      probeClientCredentialsByRegion: RegionalProbeCredentials.fromSecretArns(ARNS),
    }), /probeClientCredentialsByRegion: got "\(secrets\)"; allowed: only with authorization: McpAuthorization\.oauth/],
    ['credentials with no probe to read them', () => new MultiRegionMcpStage(testApp(), 'MR', regional({
      mcpProbe: false, probeClientCredentialsByRegion: RegionalProbeCredentials.replicated('mcp/probe-credentials'),
    })), /probeClientCredentialsByRegion: got "\(secrets\)"; allowed: no value with mcpProbe: false/],
  ])('refuses %s', (_name, create, message) => {
    expect(create).toThrow(message);
  });
});
