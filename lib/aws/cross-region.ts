/**
 * Values that cross regions without `crossRegionReferences` (whose export
 * writers break later updates): each regional stack publishes what others need
 * in an SSM parameter of a deterministic name in its own region, and a reader
 * in another region fetches it with a small custom resource calling SSM there.
 */
import { Arn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { CompliancePack, acknowledgeControl, acknowledgeDefaultPolicy, acknowledgePackRule } from './private/compliance';
import { createLogEncryptionKey } from './private/log-key';
import { validatorFor } from './validation';

/** Construct id of the stack-wide function aws-cdk-lib creates for AwsCustomResource. */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';
/** Construct id of the stack-wide scope holding that function's log group. */
const READER_LOGS_ID = 'McpHaCrossRegionReaderLogs';
const NAME_PATTERN = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

/** The deterministic parameter name a service publishes a value under. */
export function sharedParameterName(serviceName: string, region: string, key: string): string {
  return `/mcp-ha/${serviceName}/${region}/${key}`;
}

export interface PublishedValueProps {
  /** Parameter name (use `sharedParameterName`). */
  readonly parameterName: string;
  readonly value: string;
  readonly description?: string;
}

/** Publishes a value for stacks in other regions (a String parameter in this stack's region). */
export class PublishedValue extends Construct {
  public readonly parameter: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: PublishedValueProps) {
    super(scope, id);
    const v = validatorFor(this);
    v.check(NAME_PATTERN.test(props.parameterName), 'parameterName', props.parameterName,
      'an SSM parameter path starting with "/" (letters, digits, _ . - /)');
    v.throwIfInvalid();
    this.parameter = new ssm.StringParameter(this, 'Resource', {
      parameterName: props.parameterName,
      stringValue: props.value,
      description: props.description ?? 'Published by mcp-ha-constructs for stacks in other regions',
    });
  }
}

export interface CrossRegionValueProps {
  /** Region whose SSM holds the parameter. */
  readonly region: string;
  readonly parameterName: string;
  /**
   * Change this to read the parameter again (the reader runs when its
   * properties change, e.g. after the publishing stack replaced its resource).
   * @default '1'
   */
  readonly refreshToken?: string;
  /**
   * Key of the log group of the stack's reader function. aws-cdk-lib runs one
   * function for every AwsCustomResource of a stack, so the stack's first reader
   * creates that log group; later readers pass the same key or none.
   * @default - a new rotating key for the stack's readers
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** The log group of each stack's reader function, and the key a reader asked for (undefined: the library's own). */
const READER_LOGS = new WeakMap<Stack, { readonly logGroup: logs.ILogGroup; readonly key?: kms.IKey }>();

/**
 * The one log group of a stack's AwsCustomResource function: encrypted, kept a year,
 * created with the stack's first reader (the singleton function takes the log group
 * of the first AwsCustomResource that creates it).
 */
function readerLogGroup(stack: Stack, key: kms.IKey | undefined): logs.ILogGroup {
  const existing = READER_LOGS.get(stack);
  if (existing) return existing.logGroup;
  const scope = new Construct(stack, READER_LOGS_ID);
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    encryptionKey: key ?? createLogEncryptionKey(scope, 'Key', `Encrypts the logs of the function reading values of other regions in ${stack.stackName}`),
    retention: logs.RetentionDays.ONE_YEAR,
  });
  READER_LOGS.set(stack, { logGroup, key });
  return logGroup;
}

/** Reads an SSM parameter published in another region. */
export class CrossRegionValue extends Construct {
  /** The parameter's value (a token resolved at deploy time). */
  public readonly value: string;
  public readonly reader: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: CrossRegionValueProps) {
    super(scope, id);
    const v = validatorFor(this);
    v.check(Token.isUnresolved(props.region) || REGION_PATTERN.test(props.region), 'region', props.region,
      'an AWS region name such as us-east-1');
    v.check(NAME_PATTERN.test(props.parameterName), 'parameterName', props.parameterName,
      'an SSM parameter path starting with "/"');
    const stack = Stack.of(this);
    const first = READER_LOGS.get(stack);
    v.check(!first || props.logEncryptionKey === undefined || props.logEncryptionKey === first.key, 'logEncryptionKey', '(a key)',
      'the key of the stack\'s first CrossRegionValue, or none: every reader of a stack runs in the one function aws-cdk-lib '
      + 'creates for AwsCustomResource, whose log group the first reader created');
    v.throwIfInvalid();

    const parameterArn = Arn.format({
      service: 'ssm', region: props.region, resource: 'parameter', resourceName: props.parameterName.slice(1),
    }, stack);
    const call: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'getParameter',
      parameters: { Name: props.parameterName },
      region: props.region,
      physicalResourceId: cr.PhysicalResourceId.of(`${props.region}:${props.parameterName}:${props.refreshToken ?? '1'}`),
      // The function's log records the call, never the parameter's value.
      logging: cr.Logging.withDataHidden(),
    };
    this.reader = new cr.AwsCustomResource(this, 'Reader', {
      logGroup: readerLogGroup(stack, props.logEncryptionKey),
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameterArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    this.value = this.reader.getResponseField('Parameter.Value');
    // AwsCustomResource runs one singleton function per stack, created by aws-cdk-lib.
    const singleton = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
    if (singleton) {
      Validations.of(singleton).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The singleton function behind aws-cdk-lib\'s AwsCustomResource writes only its own logs with the AWS-managed basic execution policy; its SDK permissions are the scoped statements each reader adds.',
      });
      const reader = 'aws-cdk-lib\'s AwsCustomResource function runs only during deployments, to read published values '
        + '(load balancer ARNs, replication group ids: no secrets) with ssm:GetParameter; ';
      acknowledgePackRule(singleton, 'LambdaConcurrency', reader
        + 'CloudFormation invokes it once per reader and waits, so a concurrency reservation would never be used.',
        [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
      acknowledgePackRule(singleton, 'LambdaDLQ', reader
        + 'CloudFormation fails the deployment when it errors, so no event can be lost.',
        [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
      const noVpc = reader + 'it reaches only the SSM API of another region, never the service network.';
      acknowledgePackRule(singleton, 'LambdaInsideVPC', noVpc);
      acknowledgeControl(singleton, 'lambda_inside_vpc_check', noVpc);
    }
    acknowledgeDefaultPolicy(this.reader, 'ssm:GetParameter on the one published parameter');
  }
}
