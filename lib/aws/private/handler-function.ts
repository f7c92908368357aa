/**
 * The one way the library builds its own Lambda functions: a TypeScript handler
 * prebuilt into the package by `npm run build` (bundled by esbuild in-process at synth
 * when running from this repository's sources; no Docker either way), newest Node runtime,
 * arm64, active tracing, a KMS-encrypted log group of its own and a role that may
 * write only that log group. Callers add exactly the permissions their handler needs.
 */
import { AssetHashType, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib/core';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
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
  /** Where Lambda puts asynchronous events that failed every retry. @default - none */
  readonly deadLetterQueue?: sqs.IQueue;
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
 * The library's own Lambda handlers: folders beside the constructs (`lib/aws/<name>/index.ts`)
 * and how each is bundled. `npm run build` bundles each one into `<name>/bundle/index.js` of
 * the package, so an app that uses the package needs no bundler for them.
 */
export const LIBRARY_HANDLERS: Readonly<Record<string, HandlerBundling>> = {
  'mcp-probe-handler': {},
  'cache-promotion-handler': {},
  // The ACM and Secrets Manager clients are in the Lambda runtime; the SigV4 signer,
  // the SHA-256 and the credential chain are bundled (the runtime does not promise them).
  'certificate-handler': { externalModules: ['@aws-sdk/client-acm', '@aws-sdk/client-secrets-manager'] },
};

/** Folder of the prebuilt bundle inside a handler folder (written by `npm run build`). */
export const HANDLER_BUNDLE_DIR = 'bundle';

/** The folder of one of the library's handlers, beside the compiled constructs. */
export function libraryHandlerDir(name: keyof typeof LIBRARY_HANDLERS & string): string {
  return path.join(__dirname, '..', name);
}

/** Bundles a handler into `outfile`: the one set of esbuild options for build time and synth time. */
export function bundleHandler(entry: string, outfile: string, bundling: HandlerBundling = {}): void {
  // esbuild is a development dependency: the published package ships prebuilt bundles.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    external: bundling.externalModules ?? ['@aws-sdk/*'],
    logLevel: 'error',
  });
}

/**
 * The handler's code. In the published package: the bundle `npm run build` made
 * (`<handlerDir>/bundle/index.js`), hashed by its content. In this repository:
 * `index.ts` bundled by esbuild in this process during synthesis (no Docker, no
 * esbuild child process), hashed by the bundle it produces. Both hash to the same
 * asset for the same source.
 */
export function handlerCode(handlerDir: string, bundling: HandlerBundling = LIBRARY_HANDLERS[path.basename(handlerDir)] ?? {}): lambda.Code {
  const prebuilt = path.join(handlerDir, HANDLER_BUNDLE_DIR);
  if (fs.existsSync(path.join(prebuilt, 'index.js'))) return lambda.Code.fromAsset(prebuilt);
  const entry = path.join(handlerDir, 'index.ts');
  if (!fs.existsSync(entry)) {
    throw new Error(`mcp-ha-constructs: ${path.join(prebuilt, 'index.js')} is missing (the package's build bundles every handler): reinstall the package`);
  }
  return lambda.Code.fromAsset(handlerDir, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API; local bundling always runs (esbuild is a development dependency here).
      image: lambda.Runtime.NODEJS_24_X.bundlingImage,
      local: {
        tryBundle(outputDir: string): boolean {
          bundleHandler(entry, path.join(outputDir, 'index.js'), bundling);
          return true;
        },
      },
    },
  });
}

/** What every function of this library shares: newest Node runtime, arm64, tracing, the bundled handler. */
export function libraryFunctionProps(
  handlerDir: string, basics: FunctionBasics, bundling?: HandlerBundling,
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
      deadLetterQueue: props.deadLetterQueue,
    });
    acknowledgeTracing(this.role);
    acknowledgeDefaultPolicy(this.role, `its own log group, X-Ray, and what ${scope.node.path} grants its handler`);
  }
}
