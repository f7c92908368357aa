/**
 * The one way the library builds its own Lambda functions: TypeScript handler in
 * this repository bundled by esbuild in-process at synth (no Docker), newest Node runtime,
 * arm64, active tracing, a KMS-encrypted log group of its own and a role that may
 * write only that log group. Callers add exactly the permissions their handler needs.
 */
import { AssetHashType, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as fs from 'fs';
import * as path from 'path';
import { Construct, IConstruct } from 'constructs';
import { acknowledgeDefaultPolicy } from './compliance';
import { createLogEncryptionKey } from './log-key';

export interface HandlerFunctionProps {
  /** Folder (next to the compiled construct) holding index.ts / index.js. */
  readonly handlerDir: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly environment?: Record<string, string>;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly retryAttempts?: number;
  readonly encryptionKey?: kms.IKey;
  readonly logRetention?: logs.RetentionDays;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** A function's encrypted log group and the role that may write only it. */
export interface FunctionBasics {
  readonly encryptionKey: kms.IKey;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
}

export interface FunctionBasicsProps {
  readonly keyDescription: string;
  readonly roleDescription: string;
  /** @default - a new key, usable by CloudWatch Logs for this account's log groups only */
  readonly encryptionKey?: kms.IKey;
  /** @default one year */
  readonly logRetention?: logs.RetentionDays;
  /** @default - aws-cdk-lib's default for log groups (retain) */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** The function runs in a VPC (adds the ENI permissions Lambda needs there). */
  readonly inVpc?: boolean;
}

/**
 * Creates, in `scope`, the `Key`, `LogGroup` and `Role` every function of this
 * library has: logs encrypted with a rotating key that only CloudWatch Logs (for
 * this account's log groups) may use and no principal may grant, kept a year;
 * a role that may write that log group and nothing else until the caller adds
 * exactly what its handler needs.
 */
export function createFunctionBasics(scope: Construct, props: FunctionBasicsProps): FunctionBasics {
  const encryptionKey = props.encryptionKey ?? createLogEncryptionKey(scope, 'Key', props.keyDescription);
  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    encryptionKey,
    removalPolicy: props.logRemovalPolicy,
  });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription.slice(0, 1000),
  });
  // Only the two log actions, on this log group only (instead of AWSLambdaBasicExecutionRole on every log group).
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [logGroup.logGroupArn],
  }));
  if (props.inVpc) {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'AWSLambdaVPCAccessExecutionRole is the AWS-maintained set of ENI permissions Lambda needs to run in a VPC; those EC2 actions support no resource-level scoping.',
    });
  }
  return { encryptionKey, logGroup, role };
}

/** How a handler is bundled. */
export interface HandlerBundling {
  /**
   * Modules left out of the bundle (the Lambda runtime provides them).
   * @default ['@aws-sdk/*'] (the runtime's AWS SDK for JavaScript v3)
   */
  readonly externalModules?: string[];
}

/**
 * The handler's code: `index.ts` (or `index.js` in the published package) bundled
 * by esbuild in this process during synthesis (no Docker, no esbuild child
 * process per function), hashed by the bundle it produces.
 */
export function handlerCode(handlerDir: string, bundling: HandlerBundling = {}): lambda.Code {
  const entry = handlerEntry(handlerDir);
  return lambda.Code.fromAsset(handlerDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Used only if local bundling cannot run (esbuild missing); never here.
      image: lambda.Runtime.NODEJS_24_X.bundlingImage,
      local: {
        tryBundle(outputDir: string): boolean {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const esbuild = require('esbuild') as typeof import('esbuild');
          esbuild.buildSync({
            entryPoints: [entry],
            outfile: path.join(outputDir, 'index.js'),
            bundle: true,
            platform: 'node',
            target: 'node24',
            format: 'cjs',
            minify: true,
            external: bundling.externalModules ?? ['@aws-sdk/*'],
            logLevel: 'error',
          });
          return true;
        },
      },
    },
  });
}

/** What every function of this library shares: newest Node runtime, arm64, tracing, the bundled handler. */
export function libraryFunctionProps(
  handlerDir: string, basics: FunctionBasics, bundling: HandlerBundling = {},
): Pick<lambda.FunctionProps, 'code' | 'handler' | 'runtime' | 'architecture' | 'role' | 'logGroup' | 'tracing'> {
  return {
    code: handlerCode(handlerDir, bundling),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    role: basics.role,
    logGroup: basics.logGroup,
    tracing: lambda.Tracing.ACTIVE,
  };
}

/** Active tracing adds xray:PutTraceSegments / PutTelemetryRecords on "*" to `role`. */
export function acknowledgeTracing(role: IConstruct): void {
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; "*" is the only resource they accept (added by Lambda active tracing).',
  });
}

/** A library-owned function and what it is built from. */
export class HandlerFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const basics = createFunctionBasics(this, {
      keyDescription: `Encrypts the logs of ${this.node.path}`,
      roleDescription: props.description,
      encryptionKey: props.encryptionKey,
      logRetention: props.logRetention,
      inVpc: props.vpc !== undefined,
    });
    this.encryptionKey = basics.encryptionKey;
    this.logGroup = basics.logGroup;
    this.role = basics.role;
    this.function = new lambda.Function(this, 'Function', {
      ...libraryFunctionProps(props.handlerDir, basics),
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      description: props.description.slice(0, 256),
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts,
      environment: props.environment,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      securityGroups: props.securityGroups,
    });
    acknowledgeTracing(this.role);
    acknowledgeDefaultPolicy(this.role, `its own log group, X-Ray, and what ${scope.node.path} grants its handler`);
  }
}

/** The handler source: TypeScript in this repository, compiled JavaScript in the published package. */
export function handlerEntry(dir: string): string {
  const ts = path.join(dir, 'index.ts');
  return fs.existsSync(ts) ? ts : path.join(dir, 'index.js');
}
