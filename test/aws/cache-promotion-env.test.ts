/**
 * The contract between McpCachePromotion (lib/aws/cache-promotion.ts), which renders the promotion function's
 * environment, and its handler (lib/aws/cache-promotion-handler/index.ts), which reads it: both name the
 * variables through PROMOTION_ENV (lib/aws/cache-promotion-handler/env.ts), and the CA through TRUST_ENV.
 * A name one side renders and the other does not read would fall back silently to the handler's defaults
 * (which today equal the construct's values), so the test checks the names, then that the handler reads
 * every rendered name, then the values it ends up with. Synthesized once.
 */
import * as tls from 'node:tls';
import { CfnElement, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { McpCachePromotion } from '../../lib/aws/cache-promotion';
import { PROMOTION_ENV } from '../../lib/aws/cache-promotion-handler/env';
import { configFromEnv } from '../../lib/aws/cache-promotion-handler';
import { TrustedCa } from '../../lib/aws/mcp-probe';
import { TRUST_ENV, TrustStore } from '../../lib/aws/mcp-probe-handler/trust';
import { testApp } from '../support/app';

const CANDIDATES = {
  'eu-west-1': { replicationGroupId: 'mcp-eu', healthUrl: 'https://eu.mcp.example.com/health/ready' },
  'ap-southeast-2': { replicationGroupId: 'mcp-ap', healthUrl: 'https://ap.mcp.example.com/health/ready' },
};
const CA_PARAMETER = '/mcp-ha/S/abc/ca-chain';

const app = testApp();
const stack = new Stack(app, 'Secondary', { env: { account: '111111111111', region: 'eu-west-1' } });
const promotion = new McpCachePromotion(stack, 'Promotion', {
  globalReplicationGroupId: 'ldgnf-mcp-global',
  primaryRegion: 'us-east-1',
  primaryHealthUrl: 'https://mcp-us-east-1.example.com/health/ready',
  candidates: CANDIDATES,
  primarySuccessMetric: new cloudwatch.Metric({
    namespace: 'McpHa/Probe', metricName: 'Success', dimensionsMap: { Endpoint: 'mcp-us-east-1.example.com' },
    statistic: cloudwatch.Stats.MINIMUM, period: Duration.minutes(1),
  }),
  extendedOutageSeconds: 300,
  metricNamespace: 'Acme/Promotion',
  trustedCa: TrustedCa.fromParameter(CA_PARAMETER),
});
const template = Template.fromStack(stack);
const fnId = stack.getLogicalId(promotion.handler.function.node.defaultChild as CfnElement);
const rendered = (template.toJSON().Resources[fnId].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
const alarmId = stack.getLogicalId(promotion.trigger.node.defaultChild as CfnElement);

/** The environment Lambda would hand the handler: references resolved to stand-in values. */
function runtimeEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(rendered).map(([k, v]) => {
    if (typeof v === 'string') return [k, v];
    if (JSON.stringify(v) === JSON.stringify({ Ref: alarmId })) return [k, 'Secondary-PromotionTrigger-ABC'];
    throw new Error(`${k}: unexpected unresolved value ${JSON.stringify(v)}`);
  }));
}

describe('the promotion function\'s environment: what the construct renders is what the handler reads', () => {
  test('the rendered names are exactly PROMOTION_ENV plus the CA parameter of TRUST_ENV', () => {
    expect(Object.keys(rendered).sort()).toEqual([...Object.values(PROMOTION_ENV), TRUST_ENV.parameter].sort());
  });

  test('the handler reads every rendered PROMOTION_ENV name: changing any one changes its configuration', () => {
    const env = runtimeEnv();
    const base = configFromEnv(env);
    const changed: Record<string, string> = {
      [PROMOTION_ENV.candidates]: JSON.stringify([{ region: 'x', replicationGroupId: 'y', healthUrl: 'https://z' }]),
      [PROMOTION_ENV.healthTimeoutMs]: '1234', [PROMOTION_ENV.recheckAttempts]: '7', [PROMOTION_ENV.recheckIntervalMs]: '4321',
      [PROMOTION_ENV.completionTimeoutMs]: '9999',
    };
    for (const name of Object.values(PROMOTION_ENV)) {
      const next = configFromEnv({ ...env, [name]: changed[name] ?? `${env[name]}-changed` });
      expect({ name, same: JSON.stringify(next) === JSON.stringify(base) }).toEqual({ name, same: false });
    }
  });

  test('the handler\'s configuration is the construct\'s: the Global Datastore, the failed region, the candidates in order, '
    + 'the namespace, the trigger alarm, and a re-check as long as the construct budgets', () => {
    const config = configFromEnv(runtimeEnv());
    expect(config).toMatchObject({
      globalReplicationGroupId: 'ldgnf-mcp-global',
      failedRegion: 'us-east-1',
      failedRegionHealthUrl: 'https://mcp-us-east-1.example.com/health/ready',
      candidates: [
        { region: 'eu-west-1', ...CANDIDATES['eu-west-1'] },
        { region: 'ap-southeast-2', ...CANDIDATES['ap-southeast-2'] },
      ],
      metricNamespace: 'Acme/Promotion',
      triggerAlarmName: 'Secondary-PromotionTrigger-ABC',
    });
    // The re-check of a primary that is really down: every attempt times out, with the pauses between them.
    const { recheckAttempts = NaN, healthTimeoutMs = NaN, recheckIntervalMs = NaN, completionTimeoutMs = NaN } = config;
    const recheckMs = recheckAttempts * healthTimeoutMs + (recheckAttempts - 1) * recheckIntervalMs;
    expect(recheckMs).toBe(promotion.recheckSeconds * 1000);
    // It waits for the new writer within the function's own timeout (4 minutes), after the re-check.
    expect(completionTimeoutMs + recheckMs).toBeLessThan(4 * 60 * 1000);
  });

  test('the handler\'s trust store reads the CA from the parameter the construct named', async () => {
    const reads: string[] = [];
    const store = new TrustStore(runtimeEnv(), async (name) => { reads.push(name); return tls.rootCertificates[0]; });
    expect(store.configured).toBe(true);
    await store.fetch();
    expect(reads).toEqual([CA_PARAMETER]);
  });
});
