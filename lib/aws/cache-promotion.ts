/**
 * Automates the guide's "extended outage: promote standby systems" step for an
 * ElastiCache Global Datastore, which AWS never fails over between regions by
 * itself. Lives in a secondary region (it must run when the primary region is
 * down). The decision is core's (lib/core/promotion.ts); this block owns its
 * trigger and makes sure it neither fires by mistake nor fails quietly:
 *
 * - The trigger alarm (created here from the primary's health metric, or given)
 *   never treats missing data as breaching: a watcher that did not run or was
 *   throttled is not an outage. A given alarm that does is refused at synth.
 * - Before FailoverGlobalReplicationGroup the function re-checks the primary's
 *   health URL itself (3 attempts, 2 s apart) and refuses to act when it answers.
 * - EventBridge delivers the alarm's transition into ALARM once; a promotion that
 *   is blocked (a change in progress, no healthy candidate) throws, so Lambda
 *   retries it twice, and a schedule runs the function every `recheckInterval`
 *   while the trigger stays in ALARM. Events that fail every retry, or that
 *   EventBridge cannot deliver, land in an encrypted dead-letter queue.
 * - Alarms: the function failing (3 consecutive minutes), a promotion blocked
 *   (3 consecutive minutes), the trigger rule failing to invoke, and a message in
 *   the dead-letter queue. `alarms` lists them; route them to a topic.
 */
import { Arn, ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib/core';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROMOTION_ENV } from './cache-promotion-handler/env';
import { TrustedCa } from './mcp-probe';
import { CompliancePack, acknowledgeControl, acknowledgePackRule } from './private/compliance';
import { HandlerFunction, libraryHandlerDir } from './private/handler-function';
import { checkKeyRegion, validatorFor } from './validation';

/** A region whose cache may become the primary. */
export interface PromotionCandidate {
  /** That region's member replication group of the Global Datastore (the one promoted if it wins). */
  readonly replicationGroupId: string;
  /** Readiness URL of that region's MCP deployment (https), probed to pick the healthiest. */
  readonly healthUrl: string;
}

/** Props of `McpCachePromotion`: the Global Datastore, its primary's health URL and the candidates to promote. */
export interface McpCachePromotionProps {
  /** The Global Datastore's full id (as AWS reports it, with the regional prefix). */
  readonly globalReplicationGroupId: string;
  /** The region whose failure triggers promotion (the datastore's primary). */
  readonly primaryRegion: string;
  /**
   * Readiness URL (https) of the primary region's deployment: the function re-checks
   * it before acting and refuses to promote while it answers 2xx.
   */
  readonly primaryHealthUrl: string;
  /** Secondaries keyed by region, in order of preference. */
  readonly candidates: Record<string, PromotionCandidate>;
  /**
   * The primary's health as seen from this region, 1 (healthy) or 0 per period, e.g.
   * `McpProbe.successMetric` of a probe of the primary's regional name. The trigger
   * alarm fires when it stays below 1 for `extendedOutageSeconds`; missing data is not breaching.
   * Give this or `trigger`.
   * @default - none: `trigger` must be given
   */
  readonly primarySuccessMetric?: cloudwatch.IMetric;
  /**
   * Seconds the primary must fail before promotion (with `primarySuccessMetric`):
   * rounded up to whole periods of the metric, at most a day.
   * @default 300
   */
  readonly extendedOutageSeconds?: number;
  /**
   * Your own trigger alarm (in this stack's region), instead of `primarySuccessMetric`.
   * An alarm of this app that treats missing data as breaching is refused: a missed
   * probe run must not promote a cache.
   * @default - an alarm on `primarySuccessMetric` (which must then be given)
   */
  readonly trigger?: cloudwatch.IAlarm;
  /**
   * How often the function runs while the trigger stays in ALARM, to retry a promotion
   * that was blocked (EventBridge delivers the transition into ALARM only once).
   * Seconds, whole minutes from 60 to 3600 (an EventBridge schedule).
   * @default 60
   */
  readonly recheckIntervalSeconds?: number;
  /**
   * The CA to trust for the health URLs besides the public roots (the service's
   * certificate from a private CA, e.g. `McpCertificate.vault`).
   * @default - the runtime's public roots only
   */
  readonly trustedCa?: TrustedCa;
  /**
   * Topic for the block's alarms (ALARM and OK).
   * @default - no actions; `alarms` lists them for you to route
   */
  readonly alarmTopic?: sns.ITopic;
  /** CloudWatch namespace of the promotion metrics (promoted, blocked, promotion seconds, primary answered). @default 'McpHa/CachePromotion' */
  readonly metricNamespace?: string;
  /**
   * KMS key encrypting the promotion function's log group (it encrypts no cache data).
   * @default - a new rotating key only CloudWatch Logs of this account may use
   */
  readonly logEncryptionKey?: kms.IKey;
  /** Run the function in a VPC (to reach internal health URLs). @default - not in a VPC */
  readonly vpc?: ec2.IVpc;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** Minutes a failure or a blocked promotion must persist before its alarm fires (three scheduled re-checks). */
const PERSISTENT_MINUTES = 3;
/** The re-check of the primary: attempts, each with this deadline, this far apart (a down primary costs all of them). */
const RECHECK = { attempts: 3, timeoutSeconds: 5, intervalSeconds: 2 } as const;

export class McpCachePromotion extends Construct {
  public readonly handler: HandlerFunction;
  /** The rule that runs the function when the trigger enters ALARM. */
  public readonly rule: events.Rule;
  /** The rule that runs the function every `recheckIntervalSeconds` (it acts only while the trigger is in ALARM). */
  public readonly recheckRule: events.Rule;
  /** The trigger: created here (missing data not breaching), or the one given. */
  public readonly trigger: cloudwatch.IAlarm;
  /** Events that failed every retry (function) or could not be delivered (EventBridge). SSE, TLS only. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Fires when the function fails for 3 consecutive minutes (an API error, or a promotion blocked). */
  public readonly failureAlarm: cloudwatch.Alarm;
  /** Fires when a promotion stays blocked for 3 consecutive minutes (in progress, no replica, no healthy candidate). */
  public readonly blockedAlarm: cloudwatch.Alarm;
  /** Fires when EventBridge fails to invoke the function for the trigger. */
  public readonly triggerDeliveryAlarm: cloudwatch.Alarm;
  /** Fires when an event reaches the dead-letter queue. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;
  /** Every alarm of the block (not the trigger). */
  public readonly alarms: cloudwatch.Alarm[];
  /** Promotions performed (EMF metric, 1 per promotion). */
  public readonly promotedMetric: cloudwatch.Metric;
  /** Runs that should have promoted and could not (EMF metric). */
  public readonly blockedMetric: cloudwatch.Metric;
  /** Runs refused because the primary answered the re-check (EMF metric). */
  public readonly primaryAnsweredMetric: cloudwatch.Metric;
  /** Seconds from the failover call until the new writer was reported (EMF metric). */
  public readonly promotionSecondsMetric: cloudwatch.Metric;
  /** Seconds of primary failure before the trigger fires (undefined with a given trigger). */
  public readonly triggerSeconds?: number;
  /**
   * Worst-case seconds the re-check of a primary that is really down adds before the
   * failover call (every attempt waits its deadline): attempts x deadline + pauses.
   */
  public readonly recheckSeconds: number = RECHECK.attempts * RECHECK.timeoutSeconds + (RECHECK.attempts - 1) * RECHECK.intervalSeconds;

  constructor(scope: Construct, id: string, props: McpCachePromotionProps) {
    super(scope, id);
    const recheckSeconds = props.recheckIntervalSeconds ?? 60;
    const extendedOutageSeconds = props.extendedOutageSeconds ?? 300;

    const v = validatorFor(this);
    const regions = Object.keys(props.candidates);
    v.check(regions.length >= 1, 'candidates', regions, 'at least one secondary region to promote');
    v.check(Token.isUnresolved(props.primaryRegion) || REGION.test(props.primaryRegion), 'primaryRegion', props.primaryRegion,
      'an AWS region name such as us-east-1');
    const httpsUrl = (url: string) => Token.isUnresolved(url) || /^https:\/\/[^/\s]+\/\S*$/.test(url);
    v.check(typeof props.primaryHealthUrl === 'string' && httpsUrl(props.primaryHealthUrl), 'primaryHealthUrl', props.primaryHealthUrl,
      'an https:// URL of the primary region\'s readiness path: the function re-checks it before promoting');
    for (const r of regions) {
      v.check(REGION.test(r), `candidates.${r}`, r, 'keys that are AWS region names such as eu-west-1');
      v.check(r !== props.primaryRegion, `candidates.${r}`, r, 'secondary regions only: the primary is the one that failed');
      const url = props.candidates[r].healthUrl;
      v.check(httpsUrl(url), `candidates.${r}.healthUrl`, url, 'an https:// URL of that region\'s readiness path');
    }
    v.check((props.trigger === undefined) !== (props.primarySuccessMetric === undefined), 'trigger',
      props.trigger ? 'an alarm, with primarySuccessMetric' : undefined,
      'exactly one of trigger and primarySuccessMetric: the block creates the trigger alarm from the metric, or uses yours');
    v.check(props.extendedOutageSeconds === undefined || props.primarySuccessMetric !== undefined, 'extendedOutageSeconds', props.extendedOutageSeconds,
      'only together with primarySuccessMetric (your own trigger alarm sets its own periods)');
    const missing = props.trigger ? treatMissingDataOf(props.trigger) : undefined;
    v.check(missing !== 'breaching', 'trigger', `${props.trigger?.node.path} (TreatMissingData: breaching)`,
      'an alarm whose missing data is not breaching (notBreaching, missing or ignore): a probe run that did not happen must not promote a cache');
    v.check(Number.isInteger(recheckSeconds / 60) && recheckSeconds >= 60 && recheckSeconds <= 3600, 'recheckIntervalSeconds', recheckSeconds,
      'a multiple of 60 from 60 to 3600 (whole minutes from 1 to 60: an EventBridge schedule)');
    let periods = 0;
    let periodSeconds = 60;
    if (props.primarySuccessMetric) {
      periodSeconds = props.primarySuccessMetric.toMetricConfig().metricStat?.period.toSeconds() ?? 60;
      periods = Math.ceil(extendedOutageSeconds / periodSeconds);
      v.check(Number.isFinite(extendedOutageSeconds) && periods >= 1 && periods * periodSeconds <= 86400, 'extendedOutageSeconds', extendedOutageSeconds,
        `1 to 86400 seconds (CloudWatch evaluates at most one day; the metric's period is ${periodSeconds} s)`);
    }
    props.trustedCa?.validate(v, 'trustedCa');
    const stack = Stack.of(this);
    v.check(Token.isUnresolved(stack.region) || stack.region !== props.primaryRegion, 'scope', stack.region,
      'a stack in a secondary region: a function in the primary region cannot run when that region is down');
    checkKeyRegion(v, this, 'logEncryptionKey', props.logEncryptionKey, 'the promotion function\'s log group');
    v.throwIfInvalid();

    this.trigger = props.trigger ?? new cloudwatch.Alarm(this, 'Trigger', {
      alarmDescription: `${props.primaryRegion} has failed its health check for ${periods} period(s) of ${periodSeconds} s (extended outage): `
        + `promotes a secondary of Global Datastore ${props.globalReplicationGroupId}. Missing data is not breaching: a watcher that did not run promotes nothing.`,
      metric: props.primarySuccessMetric!,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.triggerSeconds = props.primarySuccessMetric ? periods * periodSeconds : undefined;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const isDlq = 'This queue is itself the dead-letter queue of the promotion function and of its EventBridge rules; nothing consumes it '
      + '(DeadLetterAlarm pages on its first message), so a redrive policy or a dead-letter queue of a dead-letter queue adds nothing.';
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'AwsSolutions-SQS3', reason: isDlq });
    Validations.of(this.deadLetterQueue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason: isDlq });
    acknowledgeControl(this.deadLetterQueue, 'sqs_dlq_check', isDlq);

    const namespace = props.metricNamespace ?? 'McpHa/CachePromotion';
    const candidates = regions.map((region) => ({ region, ...props.candidates[region] }));
    this.handler = new HandlerFunction(this, 'Handler', {
      handlerDir: libraryHandlerDir('cache-promotion-handler'),
      description: `Promotes the healthiest secondary of Global Datastore ${props.globalReplicationGroupId} when ${props.primaryRegion} is down`,
      // Re-check (3 x 5 s + 2 x 2 s), candidate probes (5 s), the failover and up to 120 s waiting for the new writer.
      timeout: Duration.minutes(4),
      reservedConcurrentExecutions: 1,
      retryAttempts: 2,
      deadLetterQueue: this.deadLetterQueue,
      encryptionKey: props.logEncryptionKey,
      vpc: props.vpc,
      environment: {
        [PROMOTION_ENV.globalReplicationGroupId]: props.globalReplicationGroupId,
        [PROMOTION_ENV.primaryRegion]: props.primaryRegion,
        [PROMOTION_ENV.primaryHealthUrl]: props.primaryHealthUrl,
        [PROMOTION_ENV.candidates]: stack.toJsonString(candidates),
        [PROMOTION_ENV.metricNamespace]: namespace,
        [PROMOTION_ENV.healthTimeoutMs]: String(RECHECK.timeoutSeconds * 1000),
        [PROMOTION_ENV.recheckAttempts]: String(RECHECK.attempts),
        [PROMOTION_ENV.recheckIntervalMs]: String(RECHECK.intervalSeconds * 1000),
        [PROMOTION_ENV.completionTimeoutMs]: '120000',
        [PROMOTION_ENV.triggerAlarmName]: this.trigger.alarmName,
      },
    });
    const fn = this.handler.function;
    props.trustedCa?.bind(fn);
    const invokeConfig = fn.node.tryFindChild('EventInvokeConfig');
    if (invokeConfig) {
      Validations.of(invokeConfig).acknowledge({
        id: 'Serverless-LambdaAsyncFailureDestination',
        reason: 'Asynchronous events that fail every retry go to the function\'s dead-letter queue (DeadLetterConfig, the encrypted SQS '
          + 'queue DeadLetterAlarm watches); an on-failure destination would send a second copy of the same event.',
      });
    }
    if (!props.vpc) {
      const noVpc = 'The promotion must work while the primary region is down, so it depends on nothing but the ElastiCache API '
        + 'and the public HTTPS readiness URLs of the candidate regions, which it reaches from outside the service network like clients do; set vpc to run it inside one.';
      acknowledgePackRule(fn, 'LambdaInsideVPC', noVpc);
      acknowledgeControl(fn, 'lambda_inside_vpc_check', noVpc);
    }
    // elasticache:FailoverGlobalReplicationGroup / Describe act on the global group and the
    // member replication groups; ElastiCache ARNs: globalreplicationgroup has no region.
    const globalArn = Arn.format({
      service: 'elasticache', region: '', resource: 'globalreplicationgroup', resourceName: props.globalReplicationGroupId,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }, stack);
    const memberArns = candidates.map((c) => Arn.format({
      service: 'elasticache', region: c.region, resource: 'replicationgroup', resourceName: c.replicationGroupId,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }, stack));
    this.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticache:DescribeGlobalReplicationGroups'],
      resources: [globalArn],
    }));
    this.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['elasticache:FailoverGlobalReplicationGroup'],
      resources: [globalArn, ...memberArns],
    }));
    // Scheduled runs read the trigger's state; DescribeAlarms supports the alarm ARN as resource.
    this.handler.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:DescribeAlarms'],
      resources: [this.trigger.alarmArn],
    }));

    this.rule = new events.Rule(this, 'TriggerRule', {
      description: `Runs the cache promotion when the trigger alarm of ${props.globalReplicationGroupId} enters ALARM`.slice(0, 512),
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [this.trigger.alarmArn],
        detail: { state: { value: ['ALARM'] } },
      },
      targets: [new targets.LambdaFunction(fn, { retryAttempts: 4, maxEventAge: Duration.hours(2), deadLetterQueue: this.deadLetterQueue })],
    });
    this.recheckRule = new events.Rule(this, 'Recheck', {
      description: `Retries the cache promotion of ${props.globalReplicationGroupId} every ${recheckSeconds / 60} minute(s) while its trigger is in ALARM`.slice(0, 512),
      schedule: events.Schedule.rate(Duration.seconds(recheckSeconds)),
      // A missed re-check is followed by the next one; what EventBridge cannot deliver is dead-lettered.
      targets: [new targets.LambdaFunction(fn, {
        retryAttempts: 0, maxEventAge: Duration.seconds(Math.max(60, recheckSeconds)), deadLetterQueue: this.deadLetterQueue,
        event: events.RuleTargetInput.fromObject({ source: 'mcp-ha.cache-promotion', action: 'recheck' }),
      })],
    });

    const dims = { GlobalReplicationGroupId: props.globalReplicationGroupId };
    const emf = (metricName: string, statistic: string) => new cloudwatch.Metric({
      namespace, metricName, dimensionsMap: dims, statistic, period: Duration.minutes(1),
    });
    this.promotedMetric = emf('Promoted', cloudwatch.Stats.SUM);
    this.blockedMetric = emf('Blocked', cloudwatch.Stats.SUM);
    this.primaryAnsweredMetric = emf('PrimaryAnswered', cloudwatch.Stats.SUM);
    this.promotionSecondsMetric = emf('PromotionSeconds', cloudwatch.Stats.MAXIMUM);

    const byHand = `promote a secondary by hand (aws elasticache failover-global-replication-group --global-replication-group-id ${props.globalReplicationGroupId} ...) once you know ${props.primaryRegion} is lost; the function's log says why`;
    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: `Cache promotion for ${props.globalReplicationGroupId} has failed for ${PERSISTENT_MINUTES} minutes: ${byHand}`,
      metric: fn.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: PERSISTENT_MINUTES,
      datapointsToAlarm: PERSISTENT_MINUTES,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.blockedAlarm = new cloudwatch.Alarm(this, 'BlockedAlarm', {
      alarmDescription: `Cache promotion for ${props.globalReplicationGroupId} cannot act (a change in progress, no replica, or no healthy candidate) `
        + `for ${PERSISTENT_MINUTES} minutes while ${props.primaryRegion} is down: ${byHand}`,
      metric: this.blockedMetric,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: PERSISTENT_MINUTES,
      datapointsToAlarm: PERSISTENT_MINUTES,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.triggerDeliveryAlarm = new cloudwatch.Alarm(this, 'TriggerDeliveryAlarm', {
      alarmDescription: `EventBridge failed to invoke the cache promotion of ${props.globalReplicationGroupId}: the trigger did not reach the function (see the dead-letter queue)`,
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: this.rule.ruleName },
        statistic: cloudwatch.Stats.SUM, period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `A cache promotion event of ${props.globalReplicationGroupId} failed every retry or could not be delivered: read it in the dead-letter queue; ${byHand}`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms = [this.failureAlarm, this.blockedAlarm, this.triggerDeliveryAlarm, this.deadLetterAlarm];
    const created = this.trigger instanceof cloudwatch.Alarm ? [...this.alarms, this.trigger] : this.alarms;
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic);
      for (const alarm of created) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    } else {
      const routed = 'Without alarmTopic the alarms are exposed (alarms, trigger) for the caller to route; the topologies send them to the '
        + 'monitoring topic (McpMonitoring.routeAlarm), and the trigger alarm\'s own action is the EventBridge rule that runs the promotion.';
      for (const alarm of created) {
        acknowledgePackRule(alarm, 'CloudWatchAlarmAction', routed,
          [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY, CompliancePack.PCI_DSS_321]);
        acknowledgeControl(alarm, 'cloudwatch_alarm_action_check', routed);
      }
    }
  }
}

/** The TreatMissingData an alarm of this app renders (undefined for an imported alarm: not knowable). */
function treatMissingDataOf(alarm: cloudwatch.IAlarm): string | undefined {
  const cfn = alarm.node.defaultChild;
  if (cfn instanceof cloudwatch.CfnAlarm) {
    const value = Stack.of(alarm).resolve(cfn.treatMissingData);
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}
