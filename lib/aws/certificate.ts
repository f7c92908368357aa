/**
 * VaultIssuedCertificate: a TLS certificate issued by a HashiCorp Vault PKI role,
 * imported into ACM, rotated on a schedule into the same ARN, and watched.
 *
 * The guide's "Certificate and Key Management" on AWS: "Automated certificate
 * provisioning using ... internal CA", "Regular rotation", "Monitoring for
 * expiration", after its example of "HashiCorp Vault integration. Automated
 * rotation occurs every 30 days with 7-day advance notifications".
 *
 * - A custom resource, invoked by CloudFormation directly, whose function logs in to Vault
 *   (AWS IAM auth by default: no secret exists anywhere), issues from the PKI role
 *   and imports certificate, chain and key into ACM. Its ARN is the physical ID:
 *   updates and rotations re-import into the same ARN, so a listener using
 *   `certificate` never changes. The private key never enters the template, the
 *   custom-resource response (Data holds ARN, serial and expiry) or a log.
 * - An EventBridge Scheduler schedule invokes the same function every
 *   `rotationDays` with a `rotate` event.
 * - An alarm on ACM's `DaysToExpiry` (AWS/CertificateManager, dimension
 *   CertificateArn) at `warningDays`, and an alarm on the function's errors, which
 *   fires on the first failed rotation, `ttlDays - rotationDays` days before expiry.
 */
import { ArnFormat, CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib/core';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { VaultAuthMethod, VaultCertificatePolicy, resolveVaultCertificatePolicy } from '../core/certificate';
import type { HandlerConfig } from './certificate-handler';
import { CompliancePack, acknowledgeDefaultPolicy, acknowledgePackRule } from './private/compliance';
import { TrustedCa } from './mcp-probe';
import { acknowledgeTracing, createFunctionBasics, libraryFunctionProps, libraryHandlerDir } from './private/handler-function';
import { addWarnings, checkKeyRegion, validatorFor } from './validation';

/** The ACM tag key every certificate of this construct carries; the function's IAM policy keys on it. */
export const CERTIFICATE_TAG_KEY = 'mcp-ha:certificate';

/** The function's deadline: Vault calls with retries, plus waiting for a load balancer to release the certificate on delete. */
const FUNCTION_TIMEOUT = Duration.minutes(10);
/**
 * How long CloudFormation waits for the function's answer: a run that times out
 * unanswered is retried by Lambda (asynchronous invocation: after about 1, then 2
 * minutes), so three runs fit: 3 x 10 + 3 = 33 minutes, then the deployment fails
 * instead of waiting CloudFormation's default hour.
 */
const SERVICE_TIMEOUT = Duration.minutes(35);

/** Options of Vault's AWS auth method (IAM type). */
export interface VaultAwsIamAuthOptions {
  /**
   * The role of Vault's AWS auth method to log in to.
   * @default - the PKI role's name
   */
  readonly vaultRole?: string;
  /**
   * Mount path of the AWS auth method (below `auth/`).
   * @default 'aws'
   */
  readonly mount?: string;
  /**
   * Value of `X-Vault-AWS-IAM-Server-ID`, signed into the login request; must equal
   * the auth method's `iam_server_id_header_value` (recommended against replay).
   * @default - no header
   */
  readonly iamServerIdHeader?: string;
}

/** How the certificate function authenticates to Vault. */
export class VaultAuthentication {
  /**
   * Vault's AWS auth method, IAM type: the function signs `sts:GetCallerIdentity`
   * with its role; bind that role (`role.roleArn`) in Vault with `bound_iam_principal_arn`.
   */
  public static awsIam(options: VaultAwsIamAuthOptions = {}): VaultAuthentication {
    return new VaultAuthentication(VaultAuthMethod.AWS_IAM, options.vaultRole, options.mount, options.iamServerIdHeader);
  }

  /**
   * A Vault token kept in Secrets Manager (the function may read only this secret).
   * @param jsonField the field of the secret's JSON holding the token; default: the whole string
   */
  public static token(secret: secretsmanager.ISecret, jsonField?: string): VaultAuthentication {
    return new VaultAuthentication(VaultAuthMethod.TOKEN, undefined, undefined, undefined, secret, jsonField);
  }

  private constructor(
    public readonly method: VaultAuthMethod,
    public readonly vaultRole?: string,
    public readonly mount?: string,
    public readonly iamServerIdHeader?: string,
    public readonly tokenSecret?: secretsmanager.ISecret,
    public readonly tokenJsonField?: string,
  ) {}
}

/** Props of `VaultIssuedCertificate`: the Vault PKI policy, the VPC its rotation function runs in and where alarms go. */
export interface VaultIssuedCertificateProps {
  /** The VPC the function runs in to reach Vault. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the function.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the function.
   * @default - a new group allowing outbound TCP 443 (AWS APIs and Vault) and Vault's port, nothing else
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /** Vault's address, `https://host[:port]`. */
  readonly vaultAddress: string;
  /**
   * PEM CA certificate(s) the function trusts for TLS to Vault (in addition to the public roots).
   * @default - public roots only
   */
  readonly caBundlePem?: string;
  /**
   * Mount path of the PKI secrets engine.
   * @default 'pki'
   */
  readonly pkiMount?: string;
  /** The PKI role to issue from. */
  readonly role: string;
  /** Common name: a DNS name or `*.example.com`. */
  readonly commonName: string;
  /**
   * Further DNS names.
   * @default - none
   */
  readonly subjectAlternativeNames?: string[];
  /**
   * Certificate lifetime in days.
   * @default 45 - rotationDays plus 15 days to fix a failed rotation
   */
  readonly ttlDays?: number;
  /**
   * Days between rotations.
   * @default 30 - the guide
   */
  readonly rotationDays?: number;
  /**
   * The expiry alarm fires when this many days or fewer are left.
   * @default 7 - the guide
   */
  readonly warningDays?: number;
  /**
   * The PKI role's max_ttl in days, if you know it: a longer ttlDays is refused at synth.
   * @default - not checked at synth (the function still refuses a certificate that would expire before the next rotation)
   */
  readonly maxTtlDays?: number;
  /**
   * How the function logs in to Vault.
   * @default VaultAuthentication.awsIam() - Vault's AWS auth method with a role named like the PKI role
   */
  readonly authentication?: VaultAuthentication;

  /**
   * SNS topic for the expiry and rotation-failure alarms (alarm and OK).
   * @default - no actions; the alarms are exposed
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * What happens to the ACM certificate when this construct is removed: DESTROY
   * deletes it (after the listener using it is gone), RETAIN keeps it.
   * @default RemovalPolicy.DESTROY - Vault can issue another at any time
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Revoke the current certificate in Vault when the construct is removed. Off by
   * default: revocation adds an entry to Vault's CRL and needs `update` on
   * `<pkiMount>/revoke`; short-lived certificates are normally left to expire.
   * Certificates replaced by rotation are never revoked.
   * @default false
   */
  readonly revokeOnDelete?: boolean;

  /**
   * KMS key encrypting the function's log group (the certificate's private key is ACM's, never in the logs).
   * @default - a new key with rotation enabled
   */
  readonly logEncryptionKey?: kms.IKey;
  /**
   * Retention of the function's logs.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A Vault-issued certificate in ACM, rotated into the same ARN.
 *
 * Give `certificate` to a listener (`certificates: [cert.certificate]`). Bind
 * `role.roleArn` in Vault's AWS auth role.
 */
export class VaultIssuedCertificate extends Construct {
  /** The ACM certificate (its ARN never changes on update or rotation). */
  public readonly certificate: acm.ICertificate;
  /** Its ARN (a token resolving to the custom resource's physical ID). */
  public readonly certificateArn: string;
  /** The custom resource that issues and imports it. */
  public readonly resource: CustomResource;
  /** The function: custom-resource events and scheduled rotations. */
  public readonly handler: lambda.Function;
  /** Its execution role: bind this ARN in Vault's AWS auth role. */
  public readonly role: iam.Role;
  /** The security group created for the function (undefined when `securityGroups` was given). */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The key encrypting the log group. */
  public readonly logEncryptionKey: kms.IKey;
  /** Invokes the function every `rotationDays`. */
  public readonly rotationSchedule: scheduler.Schedule;
  /** ACM's DaysToExpiry for this certificate (Minimum, 1 day). */
  public readonly daysToExpiryMetric: cloudwatch.Metric;
  /** Fires when DaysToExpiry <= warningDays. */
  public readonly expiryAlarm: cloudwatch.Alarm;
  /** Fires when the function fails (a rotation, or a deployment's issue/import). */
  public readonly rotationFailureAlarm: cloudwatch.Alarm;
  /** The resolved policy (names, days). */
  public readonly policy: VaultCertificatePolicy;
  /** The value of the `mcp-ha:certificate` tag on the ACM certificate. */
  public readonly tagValue: string;
  /**
   * The SSM parameter (this stack's region) the function writes the CA chain Vault
   * returned into, at every issuance and rotation, and deletes with the certificate.
   */
  public readonly caParameterName: string;
  /**
   * The CA that functions calling the service must trust (clients of a private PKI):
   * give it to `McpProbe` (`trustedCa`) and to anything else that calls the service.
   */
  public readonly trustedCa: TrustedCa;

  /**
   * The private CA behind `certificate` when a VaultIssuedCertificate created it
   * (e.g. the certificate a topology's `McpCertificate.vault(...)` bound), else undefined
   * (a public certificate needs no extra trust).
   */
  public static trustedCaOf(certificate: acm.ICertificate): TrustedCa | undefined {
    return TRUSTED_CA_BY_CERTIFICATE.get(certificate);
  }

  constructor(scope: Construct, id: string, props: VaultIssuedCertificateProps) {
    super(scope, id);

    const auth = props.authentication ?? VaultAuthentication.awsIam();
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const revokeOnDelete = props.revokeOnDelete ?? false;

    // Validate everything first.
    const v = validatorFor(this);
    v.check(props.vpc !== undefined, 'vpc', props.vpc, 'a VPC: the function runs in its private subnets to reach Vault');
    this.policy = resolveVaultCertificatePolicy({
      vaultAddress: props.vaultAddress,
      caBundlePem: props.caBundlePem,
      pkiMount: props.pkiMount,
      role: props.role,
      commonName: props.commonName,
      subjectAlternativeNames: props.subjectAlternativeNames,
      ttlDays: props.ttlDays,
      rotationDays: props.rotationDays,
      warningDays: props.warningDays,
      maxTtlDays: props.maxTtlDays,
      auth: {
        method: auth.method,
        vaultRole: auth.method === VaultAuthMethod.AWS_IAM ? (auth.vaultRole ?? props.role) : undefined,
        awsAuthMount: auth.mount,
        iamServerIdHeader: auth.iamServerIdHeader,
        tokenSecret: auth.tokenSecret?.secretArn,
      },
    }, v);
    v.oneOf('removalPolicy', removalPolicy, [RemovalPolicy.DESTROY, RemovalPolicy.RETAIN],
      'DESTROY deletes the ACM certificate, RETAIN keeps it; a certificate has no snapshot');
    v.check(!(revokeOnDelete && removalPolicy === RemovalPolicy.RETAIN), 'revokeOnDelete', revokeOnDelete,
      'false when removalPolicy is RETAIN: a retained certificate that Vault revoked would stay on listeners, failing revocation checks');
    v.check(props.vpcSubnets === undefined || props.vpc !== undefined, 'vpcSubnets', props.vpcSubnets, 'only together with vpc');
    const vaultPort = vaultPortOf(props.vaultAddress);
    checkKeyRegion(v, this, 'logEncryptionKey', props.logEncryptionKey, 'the function\'s log group');
    v.throwIfInvalid();
    addWarnings(this, this.policy.warnings);

    const stack = Stack.of(this);
    this.tagValue = tagValueFor(this);
    this.caParameterName = Token.isUnresolved(stack.stackName)
      ? `/mcp-ha/vault-ca/${this.node.addr}`
      : `/mcp-ha/${stack.stackName}/${this.node.addr}/ca-chain`;

    // Logs, encrypted; the role, writing only them until the statements below.
    const basics = createFunctionBasics(this, {
      keyDescription: `Encrypts the Vault certificate function logs of ${this.node.path}`,
      roleDescription: `Vault certificate function of ${this.node.path}: imports and rotates one ACM certificate`,
      encryptionKey: props.logEncryptionKey,
      logRetention: props.logRetention,
      logRemovalPolicy: RemovalPolicy.RETAIN,
      inVpc: true,
    });
    this.logEncryptionKey = basics.encryptionKey;
    this.logGroup = basics.logGroup;
    this.role = basics.role;

    // Network: private subnets, egress to 443 (AWS APIs, Vault) and Vault's port only.
    let securityGroups = props.securityGroups;
    if (!securityGroups) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        allowAllOutbound: false,
        description: `Vault certificate function of ${this.node.path}: HTTPS to Vault and AWS APIs only`,
      });
      this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs (ACM, Secrets Manager) and Vault');
      if (vaultPort !== undefined && vaultPort !== 443) {
        this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(vaultPort), `HTTPS to Vault on port ${vaultPort}`);
      }
      securityGroups = [this.securityGroup];
    }

    // The owned certificate and the token secret. No wildcard action.
    const certificates = `arn:${stack.partition}:acm:${stack.region}:${stack.account}:certificate/*`;
    // A new certificate has no ARN yet: allowed only when the request tags it as ours.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ImportNewTaggedCertificate',
      actions: ['acm:ImportCertificate', 'acm:AddTagsToCertificate'],
      resources: [certificates],
      conditions: {
        'StringEquals': { [`aws:RequestTag/${CERTIFICATE_TAG_KEY}`]: this.tagValue },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [CERTIFICATE_TAG_KEY] },
      },
    }));
    // Re-import, describe and delete: only the certificate carrying our tag.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ManageOwnCertificate',
      actions: ['acm:ImportCertificate', 'acm:DescribeCertificate', 'acm:DeleteCertificate'],
      resources: [certificates],
      conditions: { StringEquals: { [`aws:ResourceTag/${CERTIFICATE_TAG_KEY}`]: this.tagValue } },
    }));
    auth.tokenSecret?.grantRead(this.role);
    // The CA parameter: written at each issuance, deleted with the certificate.
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteCaParameter',
      actions: ['ssm:PutParameter', 'ssm:DeleteParameter'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: this.caParameterName.slice(1), arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    }));

    this.handler = new lambda.Function(this, 'Function', {
      ...libraryFunctionProps(libraryHandlerDir('certificate-handler'), basics),
      memorySize: 256,
      timeout: FUNCTION_TIMEOUT,
      description: `Issues ${this.policy.commonName} from Vault PKI role ${this.policy.role} and imports it into ACM`.slice(0, 256),
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups,
    });
    acknowledgeTracing(this.role);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${nagName(stack.partition, 'AWS::Partition')}:acm:${nagName(stack.region, 'AWS::Region')}:${nagName(stack.account, 'AWS::AccountId')}:certificate/*]`,
      reason: 'An imported certificate\'s ARN is unknown until ACM creates it, so the ARN cannot be named; every ACM statement is limited to the certificate tagged with this construct\'s mcp-ha:certificate value (aws:RequestTag on the first import, aws:ResourceTag afterwards).',
    });
    acknowledgeDefaultPolicy(this.role, 'its log group, the ACM certificate tagged as its own, the Vault token secret');
    acknowledgePackRule(this.handler, 'LambdaConcurrency',
      'The function handles one certificate: CloudFormation events and a rotation every few weeks, one invocation at a time; '
      + 'reserving concurrency would only withhold account capacity from other functions.',
      [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);
    acknowledgePackRule(this.handler, 'LambdaDLQ',
      'A failed issue or rotation raises RotationFailureAlarm (any function error) and leaves the current certificate serving; '
      + 'the event (rotate this ARN) holds nothing to replay: running the function again is the remedy.',
      [CompliancePack.NIST_800_53_R5, CompliancePack.HIPAA_SECURITY]);

    const config: HandlerConfig = {
      vaultAddress: this.policy.vaultAddress,
      caBundlePem: this.policy.caBundlePem,
      pkiMount: this.policy.pkiMount,
      role: this.policy.role,
      commonName: this.policy.commonName,
      altNames: [...this.policy.subjectAlternativeNames],
      ttl: this.policy.vaultTtl,
      minValidDays: this.policy.rotationDays,
      auth: {
        method: this.policy.auth.method,
        vaultRole: this.policy.auth.vaultRole,
        awsAuthMount: this.policy.auth.awsAuthMount,
        iamServerIdHeader: this.policy.auth.iamServerIdHeader,
        tokenSecretId: auth.tokenSecret?.secretArn,
        tokenJsonField: auth.tokenJsonField,
      },
      tagKey: CERTIFICATE_TAG_KEY,
      tagValue: this.tagValue,
      retainOnDelete: removalPolicy === RemovalPolicy.RETAIN,
      revokeOnDelete,
      caParameterName: this.caParameterName,
    };
    const configJson = stack.toJsonString(config);

    // The custom resource always receives Delete: the function deletes, keeps or revokes as configured.
    // CloudFormation invokes the function itself (no Provider framework: no second
    // function, role and log group); the function always answers on the response URL.
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: this.handler.functionArn,
      serviceTimeout: SERVICE_TIMEOUT,
      resourceType: 'Custom::VaultIssuedCertificate',
      properties: { Config: configJson },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.certificateArn = this.resource.ref;
    this.certificate = acm.Certificate.fromCertificateArn(this, 'Certificate', this.certificateArn);
    // Functions trusting the CA are created after the resource that writes it.
    this.trustedCa = TrustedCa.fromParameter(this.caParameterName, this.resource);
    TRUSTED_CA_BY_CERTIFICATE.set(this.certificate, this.trustedCa);

    // Rotation: the same function, a 'rotate' event, every rotationDays. The schedule's
    // role is ours (not the stack-wide one aws-scheduler-targets would share).
    const scheduleRole = new iam.Role(this, 'RotationScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Lets EventBridge Scheduler invoke the Vault certificate function of ${this.node.path}`,
    });
    this.rotationSchedule = new scheduler.Schedule(this, 'RotationSchedule', {
      schedule: scheduler.ScheduleExpression.rate(Duration.days(this.policy.rotationDays)),
      description: `Rotates the Vault certificate ${this.policy.commonName} every ${this.policy.rotationDays} days`.slice(0, 512),
      target: new schedulerTargets.LambdaInvoke(this.handler, {
        input: scheduler.ScheduleTargetInput.fromObject({ action: 'rotate', certificateArn: this.certificateArn, config }),
        retryAttempts: 5,
        maxEventAge: Duration.hours(6),
        role: scheduleRole,
      }),
    });
    const functionArnForNag = `<${stack.getLogicalId(this.handler.node.defaultChild as lambda.CfnFunction)}.Arn>:*`;
    Validations.of(scheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${functionArnForNag}]`,
      reason: 'The schedule\'s role may invoke only the certificate function and its versions (<arn>:*), as aws-cdk-lib\'s grantInvoke writes it.',
    });
    acknowledgeDefaultPolicy(scheduleRole, 'lambda:InvokeFunction on the certificate function');
    // The schedule's input holds the certificate's ARN, so it comes after the certificate.
    this.rotationSchedule.node.addDependency(this.resource);

    // Monitoring.
    this.daysToExpiryMetric = new cloudwatch.Metric({
      namespace: 'AWS/CertificateManager',
      metricName: 'DaysToExpiry',
      dimensionsMap: { CertificateArn: this.certificateArn },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.days(1),
    });
    this.expiryAlarm = new cloudwatch.Alarm(this, 'ExpiryAlarm', {
      alarmDescription: `Vault certificate ${this.policy.commonName} expires in ${this.policy.warningDays} days or fewer: rotation (every ${this.policy.rotationDays} days) has not renewed it`,
      metric: this.daysToExpiryMetric,
      threshold: this.policy.warningDays,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.rotationFailureAlarm = new cloudwatch.Alarm(this, 'RotationFailureAlarm', {
      alarmDescription: `Issuing or rotating the Vault certificate ${this.policy.commonName} failed; a missed rotation leaves ${this.policy.daysLeftAtRotation} days before expiry. See the function's log.`,
      metric: this.handler.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic);
      for (const alarm of [this.expiryAlarm, this.rotationFailureAlarm]) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
    }
  }
}

const TRUSTED_CA_BY_CERTIFICATE = new WeakMap<acm.ICertificate, TrustedCa>();

/** How cdk-nag prints a value in a finding: a pseudo parameter as `<AWS::...>`. */
function nagName(value: string, pseudo: string): string {
  return Token.isUnresolved(value) ? `<${pseudo}>` : value;
}

/** The port of Vault's address (443 when none), or undefined when it is a token or unparsable. */
function vaultPortOf(address: string): number | undefined {
  if (Token.isUnresolved(address)) return undefined;
  try {
    const u = new URL(address);
    return u.port ? Number(u.port) : 443;
  } catch {
    return undefined;
  }
}

/** `<stack name>/<path in the stack>`, in ACM's tag-value alphabet, at most 256 characters. */
function tagValueFor(scope: Construct): string {
  const stack = Stack.of(scope);
  const relative = scope.node.path.slice(stack.node.path.length + 1);
  const raw = `${stack.stackName}/${relative}`.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '-');
  return raw.length <= 256 ? raw : `${raw.slice(0, 239)}-${scope.node.addr.slice(0, 16)}`;
}

