/**
 * McpProbe: the guide's `mcp_query` health check made real on AWS. A scheduled
 * Lambda function speaks MCP to an endpoint once a minute (EventBridge's fastest
 * schedule), publishes Success / LatencyMs / ToolCount, and an alarm on Success
 * that a Route 53 calculated health check can include catches a server that
 * answers HTTP health checks but fails MCP requests.
 *
 * Metrics are written as CloudWatch embedded metric format (EMF) log lines rather
 * than with PutMetricData: the function needs no CloudWatch permission at all, the
 * probe makes no AWS call on its measuring path (a CloudWatch API problem cannot
 * become a failed probe), and EMF metrics are standard resolution, which Route 53
 * alarm-based health checks require. A run that cannot happen (throttled, crashed)
 * emits nothing; the alarm treats missing data as breaching.
 *
 * TLS is checked as clients check it: the public roots, plus `trustedCa` when the
 * service's certificate comes from a private CA (a Vault PKI: give it
 * `VaultIssuedCertificate.trustedCa`, the parameter its function writes at every
 * issuance). Without it such an endpoint never passes the probe.
 */
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib/core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IDependable } from 'constructs';
import { countPemCertificates } from '../core/certificate';
import { Validator } from '../core/errors';
import { BudgetTerm, mcpProbeTerms } from '../core/failover-budget';
import { acknowledgeControl } from './private/compliance';
import { acknowledgeTracing, createFunctionBasics, libraryFunctionProps, libraryHandlerDir } from './private/handler-function';
import { checkKeyRegion, validatorFor } from './validation';
import { ENV } from './mcp-probe-handler';
import { OAUTH_ENV, TOKEN_METRIC } from './mcp-probe-handler/oauth';
import { TRUST_ENV } from './mcp-probe-handler/trust';

/** CloudWatch refuses custom namespaces that start with this prefix. */
const RESERVED_NAMESPACE_PREFIX = 'AWS/';
/** The function stops waiting on the server after `probeTimeout`; this leaves room for the token fetch and the DELETE. */
const FUNCTION_HEADROOM_SECONDS = 10;
const MAX_PROBE_TIMEOUT_SECONDS = 40;

/**
 * Lambda's environment variables hold 4 KB in all
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html); an
 * inline CA leaves about 1 KB for the function's other variables.
 */
export const MAX_INLINE_CA_PEM_CHARS = 3072;

/**
 * The CA a function must trust, besides the public roots, to call the service's
 * own HTTPS endpoint: needed when the service's certificate comes from a private
 * CA (e.g. `McpCertificate.vault`). Public certificates need none.
 */
export class TrustedCa {
  /**
   * PEM CA certificate(s), rendered into the function's environment (at most
   * MAX_INLINE_CA_PEM_CHARS characters; use `fromParameter` for a longer chain).
   */
  public static fromPem(pem: string): TrustedCa {
    return new TrustedCa(pem, undefined);
  }

  /**
   * An SSM String parameter (in the function's region and account) holding the PEM,
   * read at run time and kept 5 minutes by a warm function, and read again at once when
   * a TLS verification fails. `VaultIssuedCertificate.trustedCa` is one: its function
   * writes the chain Vault returns at every issuance and rotation.
   *
   * @param dependency what writes the parameter: the functions trusting it are created after it
   */
  public static fromParameter(parameterName: string, dependency?: IDependable): TrustedCa {
    return new TrustedCa(undefined, parameterName, dependency);
  }

  private constructor(
    /** The PEM (fromPem). */
    public readonly pem: string | undefined,
    /** The parameter's name (fromParameter). */
    public readonly parameterName: string | undefined,
    private readonly dependency?: IDependable,
  ) {}

  /** Adds this source's problems to `v` under `prop`. */
  public validate(v: Validator, prop: string): void {
    if (this.pem !== undefined && !Token.isUnresolved(this.pem)) {
      const pem = this.pem;
      if (/PRIVATE KEY-----/.test(pem)) {
        v.add(prop, '(a PEM containing a private key; not shown)', 'CA certificates only ("-----BEGIN CERTIFICATE-----" blocks): a private key must never be put in a template');
      } else {
        v.check(countPemCertificates(pem) > 0, prop, `${pem.slice(0, 40)}...`,
          'TrustedCa.fromPem(...) with one or more PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----") and nothing else');
        v.check(pem.length <= MAX_INLINE_CA_PEM_CHARS, prop, `TrustedCa.fromPem(${pem.length} characters)`,
          `at most ${MAX_INLINE_CA_PEM_CHARS} characters (Lambda environment variables hold 4 KB in all); put a longer chain in an SSM parameter and use TrustedCa.fromParameter`);
      }
    }
    if (this.parameterName !== undefined && !Token.isUnresolved(this.parameterName)) {
      v.check(/^\/?[A-Za-z0-9_.\-/]{1,1011}$/.test(this.parameterName) && !/^\/?(aws|ssm)/i.test(this.parameterName), prop,
        `TrustedCa.fromParameter('${this.parameterName}')`, 'an SSM parameter name: letters, digits, _ . - / (at most 1011), not starting with aws or ssm');
    }
  }

  /** Gives `fn` the CA: its environment variables, read access to the parameter, and the order of creation. */
  public bind(fn: lambda.Function): void {
    if (this.pem !== undefined) {
      fn.addEnvironment(TRUST_ENV.pem, this.pem);
      return;
    }
    const name = this.parameterName!;
    fn.addEnvironment(TRUST_ENV.parameter, name);
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ssm:GetParameter'],
      resources: [Stack.of(fn).formatArn({
        service: 'ssm', resource: 'parameter', resourceName: Token.isUnresolved(name) ? name : name.replace(/^\//, ''),
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      })],
    }));
    if (this.dependency) fn.node.addDependency(this.dependency);
  }
}

/**
 * How the probe authenticates to a service that requires OAuth tokens (MCP authorization):
 * the client-credentials grant, like a real client.
 */
export interface McpProbeOAuthOptions {
  /** The authorization server's issuer (its discovery document names the token endpoint). */
  readonly issuer: string;
  /** The resource the token is asked for (RFC 8707): the service's resource URL. */
  readonly resource: string;
  /**
   * A secret whose JSON holds `client_id` and `client_secret` of the probe's client. The
   * function may read only this secret; a refused client re-reads it (rotation).
   * @default - none: the probe checks only that the endpoint answers the 401 challenge
   * (load balancer, TLS and the server's authorization step), not the tool list
   */
  readonly credentials?: secretsmanager.ISecret;
  /**
   * Scopes to ask for (space-separated): the probe only lists tools.
   * @default - the scopes the authorization server grants by default
   */
  readonly scope?: string;
}

/** Props of `McpProbe`: the MCP endpoint it calls like a client, how often, and what it may trust and present. */
export interface McpProbeProps {
  /**
   * The MCP endpoint to probe (Streamable HTTP), e.g. `https://mcp.example.com/mcp`.
   * Must be https; a token (e.g. built from a load balancer's DNS name) is accepted as is.
   */
  readonly url: string;

  /**
   * Value of the `Endpoint` metric dimension (1-255 characters).
   * @default - the URL
   */
  readonly endpointName?: string;

  /**
   * CloudWatch namespace of the probe's metrics (may not start with `AWS/`).
   * @default 'McpHa/Probe'
   */
  readonly namespace?: string;

  /**
   * Seconds between runs: whole minutes, 60 to 3600. The alarm's period equals
   * it, so every period holds exactly one probe result. The same name on every
   * cloud's `McpProbe`.
   * @default 60 - EventBridge's shortest schedule
   */
  readonly intervalSeconds?: number;

  /**
   * Deadline for the whole MCP exchange of one run, in seconds (1-40).
   * @default 10 - the guide's "Layer 7 (Application): HTTP/MCP protocol response validation (timeout: 10s)"
   */
  readonly timeoutSeconds?: number;

  /**
   * Fewest tools `tools/list` must return for the probe to pass.
   * @default 1
   */
  readonly minToolCount?: number;

  /**
   * Failed periods before the alarm fires (all of them must fail: datapointsToAlarm equals this).
   * @default 2
   */
  readonly evaluationPeriods?: number;

  /**
   * A secret holding a bearer token for the endpoint. The function may read only
   * this secret; the token is cached in the warm function for `tokenCacheSeconds`.
   * @default - no Authorization header
   */
  readonly authTokenSecret?: secretsmanager.ISecret;

  /**
   * The field of the secret's JSON that holds the token.
   * @default - the whole SecretString is the token
   */
  readonly authTokenJsonField?: string;

  /**
   * Seconds the function keeps a token before reading the secret again (60-3600).
   * @default 300
   */
  readonly tokenCacheSeconds?: number;

  /**
   * OAuth client of the probe, for a service that requires tokens. A failure to get a
   * token is the separate `TokenSuccess` metric and `tokenAlarm` (outside the DNS health
   * checks), not an MCP failure: the probe then checks the endpoint's 401 challenge.
   * @default - no OAuth client
   */
  readonly oauth?: McpProbeOAuthOptions;

  /**
   * The CA to trust besides the public roots, when the endpoint's certificate comes
   * from a private CA (a Vault PKI). Without it such an endpoint never passes: the
   * probe checks TLS as clients do.
   * @default - the runtime's public roots only
   */
  readonly trustedCa?: TrustedCa;

  /**
   * Run the function in this VPC (for an internal endpoint).
   * @default - not in a VPC: the public endpoint is probed from outside, as clients reach it
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets for the function (with `vpc` only).
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups for the function (with `vpc` only).
   * @default - a new group allowing all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * KMS key encrypting the function's log group (the probe stores nothing else).
   * @default - a new key with rotation enabled
   */
  readonly logEncryptionKey?: kms.IKey;

  /**
   * How long the probe's logs (its EMF records) are kept.
   * @default logs.RetentionDays.ONE_YEAR (AWS Control Tower CT.CLOUDWATCH.PR.2 asks for at least a year)
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A scheduled MCP-level probe of one endpoint, its metrics and its alarm.
 *
 * `alarm` is a single-metric, standard-resolution alarm (statistic Minimum), the
 * kind a Route 53 CloudWatch-alarm health check accepts; `detectionTerms` and
 * `detectionSeconds` say how long MCP-level failure detection takes with it.
 */
export class McpProbe extends Construct {
  /** The probe function. */
  public readonly function: lambda.Function;
  /** The function's execution role (logs, the token secret, X-Ray; nothing else). */
  public readonly role: iam.Role;
  /** The function's log group (the EMF records live here). */
  public readonly logGroup: logs.LogGroup;
  /** The key encrypting the log group. */
  public readonly logEncryptionKey: kms.IKey;
  /** The EventBridge rule that runs the probe. */
  public readonly rule: events.Rule;
  /** Success (1/0) per run, statistic Minimum over the schedule period. */
  public readonly successMetric: cloudwatch.Metric;
  /** Milliseconds of a successful run (from the first request to the tool list), Average. */
  public readonly latencyMetric: cloudwatch.Metric;
  /** Tools listed by a successful run, Minimum. */
  public readonly toolCountMetric: cloudwatch.Metric;
  /** The private CA the probe trusts besides the public roots, if any. */
  public readonly trustedCa?: TrustedCa;
  /** Fires after `evaluationPeriods` failed (or missing) runs in a row. */
  public readonly alarm: cloudwatch.Alarm;
  /** TokenSuccess (1/0) per run, Minimum (with an OAuth client only). */
  public readonly tokenMetric?: cloudwatch.Metric;
  /** Fires when the probe could not get a token for `evaluationPeriods` runs in a row (authorization server or credentials). */
  public readonly tokenAlarm?: cloudwatch.Alarm;
  /** Seconds between runs (also the alarm period). */
  public readonly intervalSeconds: number;
  /** The alarm's failed periods. */
  public readonly evaluationPeriods: number;
  /** The terms of MCP-level failure detection, from core (`mcpProbeTerms`). */
  public readonly detectionTerms: BudgetTerm[];
  /** Their sum: seconds from an MCP-level failure until a Route 53 health check including `alarm` turns unhealthy. */
  public readonly detectionSeconds: number;

  constructor(scope: Construct, id: string, props: McpProbeProps) {
    super(scope, id);

    const namespace = props.namespace ?? 'McpHa/Probe';
    const endpointName = props.endpointName ?? props.url;
    const scheduleSeconds = props.intervalSeconds ?? 60;
    const timeoutSeconds = props.timeoutSeconds ?? 10;
    const minToolCount = props.minToolCount ?? 1;
    const evaluationPeriods = props.evaluationPeriods ?? 2;
    const cacheSeconds = props.tokenCacheSeconds ?? 300;

    // Validate everything first.
    const v = validatorFor(this);
    if (!Token.isUnresolved(props.url)) {
      v.check(isHttpsUrl(props.url), 'url', props.url, 'an https:// URL of the MCP endpoint (e.g. "https://mcp.example.com/mcp"): the probe sends a bearer token and must check TLS as clients do');
    }
    if (!Token.isUnresolved(endpointName)) {
      v.check(typeof endpointName === 'string' && endpointName.length >= 1 && endpointName.length <= 255, 'endpointName', endpointName,
        '1 to 255 characters (a CloudWatch dimension value); set endpointName when the URL is longer');
    }
    if (!Token.isUnresolved(namespace)) {
      v.check(/^[0-9A-Za-z.\-_/#:]{1,255}$/.test(namespace) && !namespace.startsWith(RESERVED_NAMESPACE_PREFIX), 'namespace', namespace,
        `1 to 255 letters, digits and . - _ / # : not starting with "${RESERVED_NAMESPACE_PREFIX}" (reserved for AWS services)`);
    }
    v.check(Number.isInteger(scheduleSeconds / 60) && scheduleSeconds >= 60 && scheduleSeconds <= 3600, 'intervalSeconds', scheduleSeconds,
      'a multiple of 60 from 60 to 3600 (whole minutes from 1 to 60): EventBridge schedules run at most once a minute, and the alarm period (equal to it) must be a multiple of 60 s');
    v.check(Number.isInteger(timeoutSeconds) && timeoutSeconds >= 1 && timeoutSeconds <= MAX_PROBE_TIMEOUT_SECONDS, 'timeoutSeconds', timeoutSeconds,
      `an integer from 1 to ${MAX_PROBE_TIMEOUT_SECONDS}: one run must end well before the next one starts`);
    v.integerInRange('minToolCount', minToolCount, { min: 0, max: 10000 });
    const maxPeriods = Math.max(1, Math.floor(86400 / Math.max(scheduleSeconds, 60)));
    v.integerInRange('evaluationPeriods', evaluationPeriods, { min: 1, max: maxPeriods },
      'CloudWatch evaluates at most one day of periods');
    v.check(props.authTokenJsonField === undefined || props.authTokenSecret !== undefined, 'authTokenJsonField', props.authTokenJsonField,
      'only together with authTokenSecret');
    v.check(props.oauth === undefined || props.authTokenSecret === undefined, 'oauth', '(with authTokenSecret)',
      'either oauth (client credentials) or authTokenSecret (a static token), not both');
    if (props.oauth) {
      for (const [name, value] of [['oauth.issuer', props.oauth.issuer], ['oauth.resource', props.oauth.resource]] as const) {
        if (!Token.isUnresolved(value)) v.check(isHttpsUrl(value), name, value, 'an https URL');
      }
    }
    v.integerInRange('tokenCacheSeconds', cacheSeconds, { min: 60, max: 3600 }, '1 to 60 minutes');
    v.check(props.vpcSubnets === undefined || props.vpc !== undefined, 'vpcSubnets', props.vpcSubnets, 'only together with vpc');
    v.check(props.securityGroups === undefined || props.vpc !== undefined, 'securityGroups', props.securityGroups?.length ?? props.securityGroups,
      'only together with vpc');
    props.trustedCa?.validate(v, 'trustedCa');
    checkKeyRegion(v, this, 'logEncryptionKey', props.logEncryptionKey, 'the probe\'s log group');
    v.throwIfInvalid();

    this.intervalSeconds = scheduleSeconds;
    this.evaluationPeriods = evaluationPeriods;

    // Build.
    const basics = createFunctionBasics(this, {
      keyDescription: `Encrypts the MCP probe logs of ${this.node.path}`,
      roleDescription: `MCP probe of ${this.node.path}: writes its log group, reads its token secret`,
      encryptionKey: props.logEncryptionKey,
      logRetention: props.logRetention,
      inVpc: props.vpc !== undefined,
    });
    this.logEncryptionKey = basics.encryptionKey;
    this.logGroup = basics.logGroup;
    this.role = basics.role;

    const environment: Record<string, string> = {
      [ENV.url]: props.url,
      [ENV.endpoint]: endpointName,
      [ENV.namespace]: namespace,
      [ENV.timeoutMs]: String(timeoutSeconds * 1000),
      [ENV.minToolCount]: String(minToolCount),
    };
    if (props.authTokenSecret) {
      environment[ENV.tokenSecretArn] = props.authTokenSecret.secretArn;
      environment[ENV.tokenCacheSeconds] = String(cacheSeconds);
      if (props.authTokenJsonField) environment[ENV.tokenJsonField] = props.authTokenJsonField;
    }
    if (props.oauth?.credentials) {
      environment[OAUTH_ENV.credentialsSecretArn] = props.oauth.credentials.secretArn;
      environment[OAUTH_ENV.issuer] = props.oauth.issuer;
      environment[OAUTH_ENV.resource] = props.oauth.resource;
      if (props.oauth.scope) environment[OAUTH_ENV.scope] = props.oauth.scope;
    } else if (props.oauth) {
      environment[OAUTH_ENV.challengeOnly] = 'true';
    }

    this.function = new lambda.Function(this, 'Function', {
      ...libraryFunctionProps(libraryHandlerDir('mcp-probe-handler'), basics),
      memorySize: 256,
      timeout: Duration.seconds(timeoutSeconds + FUNCTION_HEADROOM_SECONDS),
      description: `MCP probe (server/discover or initialize, then tools/list) of ${Token.isUnresolved(endpointName) ? 'the endpoint' : endpointName}`.slice(0, 256),
      reservedConcurrentExecutions: 1,
      // A missed run is not worth retrying a minute late: the next scheduled run is the retry,
      // and a run that never happens is missing data, which the alarm counts as failure.
      retryAttempts: 0,
      maxEventAge: Duration.seconds(60),
      environment,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.securityGroups,
    });
    acknowledgeTracing(this.role);
    props.authTokenSecret?.grantRead(this.role);
    props.oauth?.credentials?.grantRead(this.role);
    props.trustedCa?.bind(this.function);
    this.trustedCa = props.trustedCa;

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Runs the MCP probe of ${Token.isUnresolved(endpointName) ? 'the endpoint' : endpointName} every ${scheduleSeconds / 60} minute(s)`.slice(0, 512),
      schedule: events.Schedule.rate(Duration.seconds(scheduleSeconds)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });

    // Failure handling is the alarm, not a dead-letter queue (AwsSolutions does not ask for one;
    // the NIST 800-53 and Serverless packs do).
    const noDlq = 'A failed or missed probe run is itself the signal: it emits Success 0 or no data, which the alarm '
      + 'treats as breaching. A dead-lettered copy of a one-minute schedule event has nothing worth replaying, and '
      + 'retries are off on purpose (the next scheduled run is the retry).';
    for (const id of ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ']) {
      Validations.of(this.function).acknowledge({ id, reason: noDlq });
    }
    Validations.of(this.function).acknowledge({ id: 'Serverless-LambdaAsyncFailureDestination', reason: noDlq });
    Validations.of(this.rule).acknowledge({ id: 'Serverless-EventBusDLQ', reason: noDlq });
    if (!props.vpc) {
      const outside = 'The probe measures the public MCP endpoint from outside, the way clients reach it; set vpc to probe an internal endpoint.';
      for (const id of ['NIST.800.53.R5-LambdaInsideVPC', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC']) {
        Validations.of(this.function).acknowledge({ id, reason: outside });
      }
      acknowledgeControl(this.function, 'lambda_inside_vpc_check', outside);
    }
    for (const id of ['NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
      Validations.of(this.role).acknowledge({
        id,
        reason: "The inline policy is this one role's CDK default policy (its own log group, its token secret, X-Ray) and is "
          + 'attached nowhere else; Lambda active tracing and grants write to it. A standalone managed policy would hold the same statements.',
      });
    }

    const period = Duration.seconds(scheduleSeconds);
    const dimensionsMap = { Endpoint: endpointName };
    this.successMetric = new cloudwatch.Metric({ namespace, metricName: 'Success', dimensionsMap, statistic: cloudwatch.Stats.MINIMUM, period });
    this.latencyMetric = new cloudwatch.Metric({ namespace, metricName: 'LatencyMs', dimensionsMap, statistic: cloudwatch.Stats.AVERAGE, period, label: 'MCP probe latency (ms)' });
    this.toolCountMetric = new cloudwatch.Metric({ namespace, metricName: 'ToolCount', dimensionsMap, statistic: cloudwatch.Stats.MINIMUM, period, label: 'MCP tools listed' });

    // No label on the success metric: the alarm then renders as a plain single-metric
    // alarm (MetricName/Namespace/Statistic), the form Route 53 alarm health checks read.
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmDescription: `MCP probe of ${endpointName} failed (or did not run) for ${evaluationPeriods} consecutive period(s) of ${scheduleSeconds} s`,
      metric: this.successMetric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods,
      datapointsToAlarm: evaluationPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    for (const id of ['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction', 'PCI.DSS.321-CloudWatchAlarmAction']) {
      Validations.of(this.alarm).acknowledge({
        id,
        reason: 'The alarm is read by a Route 53 alarm-based health check (DNS failover), which follows its metric and needs no action; '
          + 'McpMonitoring adds SNS notifications to it (or add your own with alarm.addAlarmAction).',
      });
    }

    if (props.oauth?.credentials) {
      this.tokenMetric = new cloudwatch.Metric({ namespace, metricName: TOKEN_METRIC, dimensionsMap, statistic: cloudwatch.Stats.MINIMUM, period });
      // Missing data is the Success alarm's business (the probe did not run); this one says only "no token".
      this.tokenAlarm = new cloudwatch.Alarm(this, 'TokenAlarm', {
        alarmDescription: `MCP probe of ${endpointName} could not get an OAuth token for ${evaluationPeriods} consecutive run(s): `
          + 'the authorization server or the probe\'s client credentials, not the MCP service (see the TokenSuccess log fields)',
        metric: this.tokenMetric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      for (const id of ['NIST.800.53.R5-CloudWatchAlarmAction', 'HIPAA.Security-CloudWatchAlarmAction', 'PCI.DSS.321-CloudWatchAlarmAction']) {
        Validations.of(this.tokenAlarm).acknowledge({ id, reason: 'McpMonitoring adds SNS notifications to it (or add your own with tokenAlarm.addAlarmAction).' });
      }
    }

    this.detectionTerms = mcpProbeTerms({ scheduleSeconds, periodSeconds: scheduleSeconds, evaluationPeriods });
    this.detectionSeconds = this.detectionTerms.reduce((sum, t) => sum + t.seconds, 0);
  }
}

function isHttpsUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && u.hostname !== '';
  } catch {
    return false;
  }
}

