/**
 * Values that cross regions without `crossRegionReferences` (whose export
 * writers break later updates).
 *
 * The publishing stack owns the value: an SSM parameter in its own region
 * (`PublishedValue`), and a copy of it in every region that reads it, written by a
 * small custom resource of the publishing stack that runs whenever the value
 * changes (the value is one of its properties: a replaced load balancer has a new
 * ARN, so the copy is rewritten in the same deployment). The reading stack
 * (`CrossRegionValue`) reads the copy in its own region through a CloudFormation
 * parameter of type `AWS::SSM::Parameter::Value<String>`, which CloudFormation
 * resolves again at every create and update of the stack
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-supplied-parameter-types.html),
 * and which makes the CDK CLI deploy the stack every time even when its template
 * did not change. So:
 *
 * - Every deployment of a reader re-reads the value (a replaced load balancer no
 *   longer leaves the accelerator pointing at nothing), yet nothing changes when
 *   the value did not: no property that changes at every synth, no diff, no update.
 * - A reader never calls another region: deploying a surviving region, or the
 *   global stack, while a publishing region is down works with the last value that
 *   region published (docs/FAILOVER.md, "Operating during a region loss").
 * - A publisher writes into another region only when its value changes. While a
 *   reading region is down, list it in the context value `mcp-ha:unreachableRegions`
 *   (`cdk deploy -c mcp-ha:unreachableRegions=eu-west-1`): copies into it are kept as
 *   they are (no call into that region) for that deployment.
 */
import { Arn, Stack, Token, Validations } from 'aws-cdk-lib/core';
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
const WRITER_LOGS_ID = 'McpHaCrossRegionWriterLogs';
const NAME_PATTERN = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
/** Prefix of the copies a publisher writes into the regions that read its values. */
const REPLICA_PREFIX = '/mcp-ha-replica';

/**
 * Context key: regions that cannot be reached during this deployment (a region
 * loss). Publishers write no copy into them (their copies keep the last value).
 * A comma-separated string or a list.
 */
export const UNREACHABLE_REGIONS_CONTEXT = 'mcp-ha:unreachableRegions';

/** The deterministic parameter name a service publishes a value under. */
export function sharedParameterName(serviceName: string, region: string, key: string): string {
  return `/mcp-ha/${serviceName}/${region}/${key}`;
}

/** The name of the copy, in a reading region, of `parameterName` published in `sourceRegion`. */
export function replicaParameterName(sourceRegion: string, parameterName: string): string {
  return `${REPLICA_PREFIX}/${sourceRegion}${parameterName}`;
}

/** The regions the context marks unreachable. */
export function unreachableRegions(scope: Construct): string[] {
  const raw: unknown = scope.node.tryGetContext(UNREACHABLE_REGIONS_CONTEXT);
  if (raw === undefined || raw === null || raw === '') return [];
  const list = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
  return list.map((r) => r.trim()).filter((r) => r !== '');
}

/** Props of `PublishedValue`: the parameter's name and value, and the regions that read it. */
export interface PublishedValueProps {
  /**
   * Parameter name: an SSM path starting with "/" (the topologies use `/mcp-ha/<service>/<region>/<key>`).
   */
  readonly parameterName: string;
  /** The value other regions read (a token such as a load balancer ARN is fine). */
  readonly value: string;
  /** Description of the SSM parameter. @default 'Published by mcp-ha-constructs for stacks in other regions' */
  readonly description?: string;
  /**
   * Regions whose stacks read the value (`CrossRegionValue`): a copy is kept in each.
   * More can be added with `replicateTo`.
   * @default - none yet
   */
  readonly replicaRegions?: string[];
  /**
   * Key of the log group of the stack's copy-writing function. aws-cdk-lib runs one
   * function for every AwsCustomResource of a stack, so the stack's first publisher
   * with copies creates that log group; later ones pass the same key or none.
   * @default - a new rotating key for the stack's writers
   */
  readonly logEncryptionKey?: kms.IKey;
}

/** The log group of each stack's writer function, and the key a publisher asked for (undefined: the library's own). */
const WRITER_LOGS = new WeakMap<Stack, { readonly logGroup: logs.ILogGroup; readonly key?: kms.IKey }>();

/**
 * The one log group of a stack's AwsCustomResource function: encrypted, kept a year,
 * created with the stack's first writer (the singleton function takes the log group
 * of the first AwsCustomResource that creates it).
 */
function writerLogGroup(stack: Stack, key: kms.IKey | undefined): logs.ILogGroup {
  const existing = WRITER_LOGS.get(stack);
  if (existing) return existing.logGroup;
  const scope = new Construct(stack, WRITER_LOGS_ID);
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    encryptionKey: key ?? createLogEncryptionKey(scope, 'Key', `Encrypts the logs of the function copying values to other regions in ${stack.stackName}`),
    retention: logs.RetentionDays.ONE_YEAR,
  });
  WRITER_LOGS.set(stack, { logGroup, key });
  return logGroup;
}

/**
 * Publishes a value for stacks in other regions: a String parameter in this stack's
 * region, and a copy in every reading region, rewritten whenever the value changes.
 */
export class PublishedValue extends Construct {
  public readonly parameter: ssm.StringParameter;
  public readonly parameterName: string;
  /** The region of the publishing stack. */
  public readonly region: string;
  /** The custom resource writing the copy, by reading region. */
  public readonly replicas: Record<string, cr.AwsCustomResource> = {};
  private readonly value: string;
  private readonly description: string;
  private readonly logEncryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: PublishedValueProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const v = validatorFor(this);
    v.check(NAME_PATTERN.test(props.parameterName), 'parameterName', props.parameterName,
      'an SSM parameter path starting with "/" (letters, digits, _ . - /)');
    v.check((props.replicaRegions ?? []).length === 0 || !Token.isUnresolved(stack.region), 'replicaRegions', props.replicaRegions,
      'only in a stack whose region is known (env.region): copies are named after the publishing region');
    const first = WRITER_LOGS.get(stack);
    v.check(!first || props.logEncryptionKey === undefined || props.logEncryptionKey === first.key, 'logEncryptionKey', '(a key)',
      'the key of the stack\'s first PublishedValue with copies, or none: every copy of a stack is written by the one function '
      + 'aws-cdk-lib creates for AwsCustomResource, whose log group the first writer created');
    (props.replicaRegions ?? []).forEach((r, i) => v.check(REGION_PATTERN.test(r), `replicaRegions[${i}]`, r, 'an AWS region name such as eu-west-1'));
    v.throwIfInvalid();

    this.parameterName = props.parameterName;
    this.region = stack.region;
    this.value = props.value;
    this.description = props.description ?? 'Published by mcp-ha-constructs for stacks in other regions';
    this.logEncryptionKey = props.logEncryptionKey;
    this.parameter = new ssm.StringParameter(this, 'Resource', {
      parameterName: props.parameterName,
      stringValue: props.value,
      description: this.description,
    });
    for (const r of props.replicaRegions ?? []) this.replicateTo(r);
  }

  /**
   * Keeps a copy of the value in `region` (idempotent; nothing for this stack's own
   * region) and returns the name a reader there reads.
   */
  public replicateTo(region: string): string {
    if (region === this.region) return this.parameterName;
    const v = validatorFor(this);
    v.check(REGION_PATTERN.test(region), 'replicateTo', region, 'an AWS region name such as eu-west-1');
    if (Token.isUnresolved(this.region)) {
      v.add('replicateTo', region, 'a publisher in a stack whose region is known (env.region): copies are named after the publishing region');
    }
    v.throwIfInvalid();
    const name = replicaParameterName(this.region, this.parameterName);
    if (this.replicas[region]) return name;

    const stack = Stack.of(this);
    const pinned = unreachableRegions(this).includes(region);
    const put: cr.AwsSdkCall = {
      service: 'SSM',
      action: 'putParameter',
      parameters: { Name: name, Value: this.value, Type: 'String', Overwrite: true, Description: `Copy of ${this.parameterName} (${this.region}): ${this.description}`.slice(0, 1024) },
      region,
      physicalResourceId: cr.PhysicalResourceId.of(`${region}:${name}`),
      logging: cr.Logging.withDataHidden(),
    };
    const parameterArn = Arn.format({ service: 'ssm', region, resource: 'parameter', resourceName: name.slice(1) }, stack);
    const writer = new cr.AwsCustomResource(this, `Copy-${region}`, {
      logGroup: writerLogGroup(stack, this.logEncryptionKey),
      onCreate: put,
      // A region listed as unreachable gets no call in this deployment: its copy keeps the last value.
      onUpdate: pinned ? undefined : put,
      onDelete: {
        service: 'SSM', action: 'deleteParameter', parameters: { Name: name }, region,
        ignoreErrorCodesMatching: 'ParameterNotFound',
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ssm:PutParameter', 'ssm:DeleteParameter'], resources: [parameterArn] }),
      ]),
      installLatestAwsSdk: false,
    });
    this.replicas[region] = writer;
    acknowledgeDefaultPolicy(writer, `ssm:PutParameter and ssm:DeleteParameter on the one copy in ${region}`);
    acknowledgeSingleton(stack);
    return name;
  }
}

/** Acknowledgments of the stack-wide function aws-cdk-lib creates for AwsCustomResource. */
function acknowledgeSingleton(stack: Stack): void {
  const singleton = stack.node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
  if (!singleton) return;
  Validations.of(singleton).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The singleton function behind aws-cdk-lib\'s AwsCustomResource writes only its own logs with the AWS-managed basic execution policy; its SDK permissions are the scoped statements each writer adds.',
  });
  const writer = 'aws-cdk-lib\'s AwsCustomResource function runs only during deployments, to copy published values '
    + '(load balancer ARNs, replication group ids: no secrets) into the regions that read them with ssm:PutParameter; ';
  acknowledgePackRule(singleton, 'LambdaConcurrency', writer
    + 'CloudFormation invokes it once per copy and waits, so a concurrency reservation would never be used.',
    [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
  acknowledgePackRule(singleton, 'LambdaDLQ', writer
    + 'CloudFormation fails the deployment when it errors, so no event can be lost.',
    [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
  const noVpc = writer + 'it reaches only the SSM API of other regions, never the service network.';
  acknowledgePackRule(singleton, 'LambdaInsideVPC', noVpc);
  acknowledgeControl(singleton, 'lambda_inside_vpc_check', noVpc);
}

/** Props of `CrossRegionValue`: where the value was published and under which name. */
export interface CrossRegionValueProps {
  /** Region whose stack published the value. */
  readonly region: string;
  /** The name it was published under (the `PublishedValue`'s `parameterName`). */
  readonly parameterName: string;
}

/**
 * Reads, in this stack's region, a value another region's `PublishedValue` copies
 * here (`replicateTo(thisRegion)`, or `CrossRegionValue.fromPublished`). The value
 * is a CloudFormation parameter of type `AWS::SSM::Parameter::Value<String>`:
 * resolved again at every deployment of this stack, never by a call to another region.
 */
export class CrossRegionValue extends Construct {
  /** Reads `published` from `scope`'s region, asking the publisher to keep a copy there. */
  public static fromPublished(scope: Construct, id: string, published: PublishedValue): CrossRegionValue {
    const region = Stack.of(scope).region;
    if (!Token.isUnresolved(region)) published.replicateTo(region);
    return new CrossRegionValue(scope, id, { region: published.region, parameterName: published.parameterName });
  }

  /** The parameter's value (the CloudFormation parameter, resolved at each deployment). */
  public readonly value: string;
  /** The name read in this stack's region. */
  public readonly localParameterName: string;

  constructor(scope: Construct, id: string, props: CrossRegionValueProps) {
    super(scope, id);
    const v = validatorFor(this);
    v.check(Token.isUnresolved(props.region) || REGION_PATTERN.test(props.region), 'region', props.region,
      'an AWS region name such as us-east-1');
    v.check(NAME_PATTERN.test(props.parameterName), 'parameterName', props.parameterName,
      'an SSM parameter path starting with "/"');
    const own = Stack.of(this).region;
    if (Token.isUnresolved(own)) {
      v.add('scope', '(a stack without env.region)', 'a stack whose region is known (env.region): the copy it reads is in its own region');
    }
    v.throwIfInvalid();

    this.localParameterName = own === props.region ? props.parameterName : replicaParameterName(props.region, props.parameterName);
    this.value = ssm.StringParameter.valueForStringParameter(this, this.localParameterName);
  }
}
