/**
 * The MCP probe authenticates like a real client: the client-credentials grant at a
 * real OpenID Provider (oidc-provider on loopback), the credentials from a "secret",
 * the token kept and replaced before it expires; a token failure is its own metric
 * (TokenSuccess 0) and the endpoint is then checked for its 401 challenge, so an
 * authorization-server outage is not an MCP outage. Against the reference server with
 * authorization on, redis-server as in the server tests.
 */
import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ReferenceServer, createServer } from '../../examples/mcp-server/src';
import { readAuthConfig } from '../../examples/mcp-server/src/auth';
import { McpProbe } from '../../lib/aws/mcp-probe';
import { ENV, resetTokenCache, runProbe } from '../../lib/aws/mcp-probe-handler';
import { OAUTH_ENV, TOKEN_METRIC, TokenFailure, resetTokenSource } from '../../lib/aws/mcp-probe-handler/oauth';
import { McpAuthEnv } from '../../lib/core/authorization';
import { LOOPBACK, ProcessGroup, RedisHandle, freePort, requireBinary, startRedis } from '../../scripts/drill/processes';
import { McpMonitoring } from '../../lib/aws/monitoring';
import { testApp } from '../support/app';
import { OidcProvider, TestClient, startOidcProvider } from '../support/oidc';

jest.setTimeout(30_000);

const PROBE: TestClient = { clientId: 'mcp-probe', clientSecret: 'probe-secret-for-loopback-tests-only-00001', scope: 'mcp:read', accessTokenTtlSeconds: 120 };
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:mcp-probe-client-AbCdEf';

const group = new ProcessGroup('probe-oauth-');
let redis: RedisHandle;
let idp: OidcProvider;
let server: ReferenceServer;
let port: number;
let resource: string;

beforeAll(async () => {
  requireBinary('redis-server');
  port = await freePort();
  resource = `http://127.0.0.1:${port}/mcp`;
  [redis, idp] = await Promise.all([startRedis(group), startOidcProvider({ resource, scopes: ['mcp:read', 'mcp:write'], clients: [PROBE] })]);
  const problems: string[] = [];
  const auth = readAuthConfig({ [McpAuthEnv.ISSUER]: idp.issuer, [McpAuthEnv.AUDIENCE]: resource }, problems);
  expect(problems).toEqual([]);
  server = createServer({ port, host: LOOPBACK, redisUrl: redis.url, replicaId: 'probe-target', auth, logSink: () => undefined });
  await server.start();
});

afterAll(async () => {
  await server?.close();
  await idp?.stop();
  await group.stopAll();
});

beforeEach(() => {
  resetTokenCache();
  resetTokenSource();
});

interface Run { lines: Record<string, unknown>[]; tokenRequests: number; secretReads: number }

/** One probe run with the given secret, clock and environment overrides; what it wrote and whom it asked. */
function harness(secret: () => string, clock: () => number = Date.now) {
  const counts = { tokenRequests: 0, secretReads: 0 };
  const env = {
    [ENV.url]: resource, [ENV.endpoint]: 'mcp', [ENV.timeoutMs]: '5000',
    [OAUTH_ENV.credentialsSecretArn]: SECRET_ARN, [OAUTH_ENV.issuer]: idp.issuer, [OAUTH_ENV.resource]: resource, [OAUTH_ENV.scope]: 'mcp:read',
  };
  const fetchCounting: typeof fetch = async (input, init) => {
    if (String(input).startsWith(`${idp.issuer}/token`)) counts.tokenRequests++;
    return fetch(input, init);
  };
  const run = async (overrides: Record<string, string> = {}): Promise<Run> => {
    const lines: Record<string, unknown>[] = [];
    await runProbe({ ...env, ...overrides }, {
      fetch: fetchCounting,
      clock,
      readSecret: async (id) => {
        expect(id).toBe(SECRET_ARN);
        counts.secretReads++;
        return secret();
      },
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    return { lines, ...counts };
  };
  return run;
}

const credentials = JSON.stringify({ client_id: PROBE.clientId, client_secret: PROBE.clientSecret });

test('gets a token with the client-credentials grant, lists the tools, and reports both metrics', async () => {
  const run = harness(() => credentials);
  const r = await run();
  const [mcp, token] = r.lines;
  expect(mcp).toMatchObject({ Success: 1, Endpoint: 'mcp' });
  expect(mcp.ToolCount).toBe(3);
  expect(token).toMatchObject({ [TOKEN_METRIC]: 1, Endpoint: 'mcp' });
  expect((token._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0].Metrics).toEqual([{ Name: TOKEN_METRIC, Unit: 'Count' }]);
  expect(r.tokenRequests).toBe(1);
});

test('keeps the token between runs and replaces it before it expires', async () => {
  // GIVEN a clock the test moves (the issuer's token lives 120 s; replaced 60 s before)
  let now = Date.now();
  const run = harness(() => credentials, () => now);
  await run();
  // WHEN the probe runs again 59 s later, then 61 s later
  now += 59_000;
  const second = await run();
  now += 2_000;
  const third = await run();
  // THEN the first reuse asks nobody; past refresh time a new token is fetched; every run succeeds
  expect(second.tokenRequests).toBe(1);
  expect(third.tokenRequests).toBe(2);
  expect(third.secretReads).toBe(1);
  expect([second.lines[0].Success, third.lines[0].Success]).toEqual([1, 1]);
});

test('wrong credentials: TokenSuccess 0 naming the token endpoint, but the MCP metric stays 1 (the endpoint answers its 401 challenge)', async () => {
  const run = harness(() => JSON.stringify({ client_id: PROBE.clientId, client_secret: 'wrong-secret-wrong-secret-wrong-secret' }));
  const r = await run();
  const [mcp, token] = r.lines;
  expect(mcp).toMatchObject({ Success: 1 });
  expect(mcp.ToolCount).toBeUndefined();
  expect(token).toMatchObject({ [TOKEN_METRIC]: 0, tokenFailure: TokenFailure.TOKEN_ENDPOINT });
  expect(String(token.tokenError)).toMatch(/token endpoint answered 401 invalid_client/);
  // a refused client re-reads its secret next time (a rotated secret is picked up)
  await run();
  expect(r.secretReads).toBeLessThan((await run()).secretReads);
});

test('an unreadable or malformed secret and an unreachable issuer are token failures too, each named', async () => {
  const bad = await harness(() => 'not json')();
  expect(bad.lines[1]).toMatchObject({ [TOKEN_METRIC]: 0, tokenFailure: TokenFailure.CREDENTIALS });
  expect(bad.lines[0]).toMatchObject({ Success: 1 });
  const noIssuer = await harness(() => credentials)({ [OAUTH_ENV.issuer]: 'http://127.0.0.1:9' });
  expect(noIssuer.lines[1]).toMatchObject({ [TOKEN_METRIC]: 0, tokenFailure: TokenFailure.DISCOVERY });
  expect(noIssuer.lines[0]).toMatchObject({ Success: 1 });
});

test('a token but a dead endpoint: Success 0 with TokenSuccess 1 (an MCP outage, not an authorization one)', async () => {
  const dead = await freePort();
  const r = await harness(() => credentials)({ [ENV.url]: `http://127.0.0.1:${dead}/mcp` });
  expect(r.lines[0]).toMatchObject({ Success: 0, failure: 'network' });
  expect(r.lines[1]).toMatchObject({ [TOKEN_METRIC]: 1 });
});

test('no token and a dead endpoint: both metrics 0', async () => {
  const dead = await freePort();
  const r = await harness(() => 'not json')({ [ENV.url]: `http://127.0.0.1:${dead}/mcp` });
  expect(r.lines[0]).toMatchObject({ Success: 0 });
  expect(r.lines[1]).toMatchObject({ [TOKEN_METRIC]: 0 });
});

test('authorization on without a probe client: the challenge-only check (401 with resource_metadata counts up; tools not listed)', async () => {
  const lines: Record<string, unknown>[] = [];
  const env = { [ENV.url]: resource, [ENV.endpoint]: 'mcp', [ENV.timeoutMs]: '5000', [OAUTH_ENV.challengeOnly]: 'true' };
  await runProbe(env, { write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ Success: 1 });
  expect(lines[0].ToolCount).toBeUndefined();
  // and a server that answers 200 without asking for a token is not what the probe was told to expect
  const open = createServer({ port: 0, host: LOOPBACK, redisUrl: redis.url, replicaId: 'open', logSink: () => undefined });
  const { url } = await open.start();
  try {
    const wrong: Record<string, unknown>[] = [];
    await runProbe({ ...env, [ENV.url]: url }, { write: (l) => wrong.push(JSON.parse(l) as Record<string, unknown>) });
    expect(wrong[0]).toMatchObject({ Success: 0, failure: 'http' });
  } finally {
    await open.close();
  }
});

describe('McpProbe with an OAuth client (construct)', () => {
  // Synthesized once for the block.
  const AWS_ENV = { account: '111122223333', region: 'us-east-1' };
  const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123';
  const RESOURCE = 'https://mcp.example.com/mcp';

  // One stack, synthesized once (bundling the handler is the slow part), after the runtime tests above.
  let stack: Stack;
  let credentials: secretsmanager.Secret;
  let probe: McpProbe;
  let challengeOnly: McpProbe;
  let monitoring: McpMonitoring;
  let template: Template;
  beforeAll(() => {
    stack = new Stack(testApp(), 'ProbeOAuth', { env: AWS_ENV });
    credentials = new secretsmanager.Secret(stack, 'ProbeClient');
    probe = new McpProbe(stack, 'Probe', { url: RESOURCE, oauth: { issuer: ISSUER, resource: RESOURCE, credentials, scope: 'mcp:read' } });
    challengeOnly = new McpProbe(stack, 'ChallengeProbe', { url: RESOURCE, endpointName: 'challenge', oauth: { issuer: ISSUER, resource: RESOURCE } });
    monitoring = new McpMonitoring(stack, 'Monitoring', { probe });
    template = Template.fromStack(stack);
  });

  test('renders the client-credentials settings the handler reads, and lets the function read only that secret', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [OAUTH_ENV.credentialsSecretArn]: { Ref: Match.stringLikeRegexp('ProbeClient') },
          [OAUTH_ENV.issuer]: ISSUER, [OAUTH_ENV.resource]: RESOURCE, [OAUTH_ENV.scope]: 'mcp:read',
        }),
      },
    });
    const policies = template.findResources('AWS::IAM::Policy');
    const secretStatements = Object.values(policies).flatMap((p) => (p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]))
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(secretStatements).toHaveLength(1);
    expect(secretStatements[0].Resource).toEqual({ Ref: stack.getLogicalId(credentials.node.defaultChild as CfnElement) });
  });

  test('a token alarm apart from the MCP alarm: fires on TokenSuccess < 1 for the same runs, missing data is not a token failure; routed to the topic', () => {
    expect(probe.tokenAlarm).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: TOKEN_METRIC, Threshold: 1, ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: probe.evaluationPeriods, DatapointsToAlarm: probe.evaluationPeriods, TreatMissingData: 'notBreaching', Statistic: 'Minimum',
    });
    // the MCP alarm (the one DNS health checks read) stays on Success, not on the token
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Success', TreatMissingData: 'breaching' });
    expect(monitoring.alarms.McpProbeToken).toBe(probe.tokenAlarm);
    const alarm = template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: TOKEN_METRIC } });
    expect(Object.values(alarm)[0].Properties.AlarmActions).toHaveLength(1);
  });

  test('without credentials the probe is told to check the 401 challenge only; no token alarm', () => {
    expect(challengeOnly.tokenAlarm).toBeUndefined();
    const fns = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables as Record<string, unknown> | undefined)
      .filter((vars) => vars?.[ENV.endpoint] === 'challenge');
    expect(fns).toHaveLength(1);
    expect(fns[0]![OAUTH_ENV.challengeOnly]).toBe('true');
    expect(fns[0]![OAUTH_ENV.credentialsSecretArn]).toBeUndefined();
  });

  test('refuses an http issuer and oauth together with a static token secret, naming each', () => {
    const s = new Stack(testApp(), 'ProbeBad', { env: AWS_ENV });
    const secret = new secretsmanager.Secret(s, 'Static');
    expect(() => new McpProbe(s, 'Probe', { url: RESOURCE, authTokenSecret: secret, oauth: { issuer: 'http://idp.example.com', resource: RESOURCE, credentials: secret } }))
      .toThrow(/ProbeBad\/Probe: 2 invalid settings[\s\S]*oauth: got "\(with authTokenSecret\)"; allowed: either oauth \(client credentials\) or authTokenSecret[\s\S]*oauth\.issuer: got "http:\/\/idp\.example\.com"; allowed: an https URL/);
  });
});
