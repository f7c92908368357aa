/**
 * The certificate function behind `VaultIssuedCertificate`: it logs in to
 * HashiCorp Vault, issues a certificate from a PKI role and imports it into ACM.
 *
 * Two kinds of invocation:
 * - CloudFormation custom-resource events, sent by CloudFormation itself and
 *   always answered with a PUT to the event's pre-signed ResponseURL (SUCCESS, or
 *   FAILED with the reason): Create imports a new certificate (PhysicalResourceId = its ARN); Update
 *   re-imports into the same ARN, so listeners using it need no change; Delete
 *   revokes it in Vault (only with `revokeOnDelete`) and deletes it from ACM
 *   (unless `retainOnDelete`).
 * - `{ action: 'rotate', certificateArn, config }` from the rotation schedule:
 *   a fresh certificate re-imported into the same ARN.
 *
 * Vault API used (https://developer.hashicorp.com/vault/api-docs):
 * - AWS auth, IAM type: `POST /v1/auth/<mount>/login` with `role`,
 *   `iam_http_request_method`, and base64 `iam_request_url`, `iam_request_body`,
 *   `iam_request_headers` (JSON) of an `sts:GetCallerIdentity` request signed
 *   with SigV4 (optionally signing `X-Vault-AWS-IAM-Server-ID`); the token is
 *   `auth.client_token`. Or a token read from Secrets Manager.
 * - PKI: `POST /v1/<mount>/issue/<role>` with `common_name`, `alt_names`, `ttl`,
 *   answering `data.certificate`, `data.issuing_ca`, `data.ca_chain`,
 *   `data.private_key`, `data.serial_number`, `data.expiration`;
 *   `POST /v1/<mount>/revoke` with `serial_number`.
 * - Errors: `{"errors": [...]}` with the HTTP status; 503 "Vault is sealed".
 *
 * The private key exists only in this function's memory between the issue call
 * and the ACM import: it is never logged, never returned, never put in an error.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import {
  ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ImportCertificateCommand,
} from '@aws-sdk/client-acm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/** How the function authenticates to Vault (mirrors core's VaultAuthMethod values). */
export type AuthMethod = 'aws-iam' | 'token';

/** Everything the function needs; no secret in it. Sent as the `Config` property (JSON) and in the rotation event. */
export interface HandlerConfig {
  readonly vaultAddress: string;
  readonly caBundlePem?: string;
  readonly pkiMount: string;
  readonly role: string;
  readonly commonName: string;
  readonly altNames: readonly string[];
  /** Vault duration, e.g. "1080h". */
  readonly ttl: string;
  /** The issued certificate must stay valid at least this many days (the next rotation). */
  readonly minValidDays: number;
  readonly auth: {
    readonly method: AuthMethod;
    readonly vaultRole?: string;
    readonly awsAuthMount?: string;
    readonly iamServerIdHeader?: string;
    readonly tokenSecretId?: string;
    readonly tokenJsonField?: string;
  };
  /** The ACM tag put on the certificate at first import (the IAM policy keys on it). */
  readonly tagKey: string;
  readonly tagValue: string;
  readonly retainOnDelete: boolean;
  readonly revokeOnDelete: boolean;
  /**
   * SSM parameter receiving the CA chain Vault returned (`ca_chain`, else `issuing_ca`) at
   * every issuance: the CA that functions calling the service must trust (TrustedCa.fromParameter).
   * Deleted with the certificate (unless retained).
   */
  readonly caParameterName?: string;
}

/** Writes and deletes the CA parameter (SSM). */
export interface CaParameterStore {
  put(name: string, value: string): Promise<void>;
  /** Deletes it; a missing parameter is not an error. */
  delete(name: string): Promise<void>;
}

/**
 * The SSM client of the Lambda runtime, loaded by a computed name (neither the bundler
 * nor the type checker needs it). Tier Intelligent-Tiering: a chain over 4 KB becomes an
 * advanced parameter (8 KB) instead of failing
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html).
 */
export const ssmCaParameterStore: CaParameterStore = {
  async put(name, value) {
    const sdkModule = '@aws-sdk/client-ssm';
    const sdk = (await import(sdkModule)) as {
      SSMClient: new () => { send(command: unknown): Promise<unknown> };
      PutParameterCommand: new (input: Record<string, unknown>) => unknown;
    };
    await new sdk.SSMClient().send(new sdk.PutParameterCommand({
      Name: name, Value: value, Type: 'String', Overwrite: true, Tier: 'Intelligent-Tiering',
      Description: 'CA chain of the Vault-issued certificate (public; written by its certificate function)',
    }));
  },
  async delete(name) {
    const sdkModule = '@aws-sdk/client-ssm';
    const sdk = (await import(sdkModule)) as {
      SSMClient: new () => { send(command: unknown): Promise<unknown> };
      DeleteParameterCommand: new (input: Record<string, unknown>) => unknown;
    };
    try {
      await new sdk.SSMClient().send(new sdk.DeleteParameterCommand({ Name: name }));
    } catch (e) {
      if ((e as Error).name !== 'ParameterNotFound') throw e;
    }
  },
};

/** The rotation schedule's payload. */
export interface RotateEvent {
  readonly action: 'rotate';
  readonly certificateArn: string;
  readonly config: HandlerConfig;
}

/** What CloudFormation receives: Data holds no secret. */
export interface CustomResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly CertificateArn: string; readonly SerialNumber: string; readonly NotAfter: string };
}

export interface RotationResult {
  readonly certificateArn: string;
  readonly serialNumber: string;
  readonly notAfter: string;
}

/** Credentials for signing the login request. */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface HandlerDependencies {
  readonly acm?: ACMClient;
  /** @default ssmCaParameterStore */
  readonly caParameters?: CaParameterStore;
  readonly secretsManager?: SecretsManagerClient;
  readonly credentials?: () => Promise<SigningCredentials>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
  /** Attempts per Vault request (transient errors only). @default 4 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles each attempt. @default 1000 */
  readonly baseDelayMs?: number;
  /** Per-request timeout. @default 10000 */
  readonly requestTimeoutMs?: number;
}

/** The STS request Vault's AWS auth method replays (its default endpoint and region). */
export const STS_LOGIN_REQUEST = {
  url: 'https://sts.amazonaws.com/',
  hostname: 'sts.amazonaws.com',
  region: 'us-east-1',
  body: 'Action=GetCallerIdentity&Version=2011-06-15',
  contentType: 'application/x-www-form-urlencoded; charset=utf-8',
} as const;

export const SERVER_ID_HEADER = 'X-Vault-AWS-IAM-Server-ID';

/** Why a Vault call failed. */
export enum VaultErrorKind {
  SEALED = 'sealed',
  PERMISSION_DENIED = 'permission-denied',
  UNKNOWN_ROLE = 'unknown-role',
  BAD_REQUEST = 'bad-request',
  NOT_FOUND = 'not-found',
  TLS = 'tls',
  NETWORK = 'network',
  SERVER = 'server',
  PROTOCOL = 'protocol',
}

/** A Vault failure with a message meant for the CloudFormation event log. */
export class VaultError extends Error {
  constructor(message: string, public readonly kind: VaultErrorKind, public readonly status?: number) {
    super(message);
    this.name = 'VaultError';
  }

  public get retryable(): boolean {
    return this.kind === VaultErrorKind.NETWORK || this.kind === VaultErrorKind.SERVER;
  }
}

const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_UNSUPPORTED_PROTOCOL',
]);

interface VaultResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A minimal Vault HTTP client: TLS with the configured CA bundle, JSON, retries with backoff. */
export class VaultClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(
    config: Pick<HandlerConfig, 'vaultAddress' | 'caBundlePem'>,
    private readonly deps: HandlerDependencies = {},
  ) {
    this.base = new URL(config.vaultAddress.endsWith('/') ? config.vaultAddress : `${config.vaultAddress}/`);
    this.agent = new https.Agent({
      // The bundle is trusted in addition to the public roots (a private CA signs most Vault servers).
      ca: config.caBundlePem ? [...tls.rootCertificates, config.caBundlePem] : undefined,
      minVersion: 'TLSv1.2',
      keepAlive: false,
    });
  }

  /** POSTs JSON to `/v1/<path>`, retrying transient failures with exponential backoff. */
  public async post(path: string, body: Record<string, unknown>, token?: string, what = path): Promise<VaultResponse> {
    const maxAttempts = this.deps.maxAttempts ?? 4;
    const baseDelay = this.deps.baseDelayMs ?? 1000;
    const sleep = this.deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(path, body, token, what);
      } catch (e) {
        const err = e instanceof VaultError ? e : new VaultError(`${what}: ${(e as Error).message}`, VaultErrorKind.NETWORK);
        if (!err.retryable || attempt >= maxAttempts) {
          if (err.retryable) err.message = `${err.message} (gave up after ${attempt} attempts)`;
          throw err;
        }
        const delay = Math.min(baseDelay * 2 ** (attempt - 1), 30000);
        log(this.deps, { event: 'vault-retry', what, attempt, delayMs: delay, reason: err.message });
        await sleep(delay);
      }
    }
  }

  private once(path: string, body: Record<string, unknown>, token: string | undefined, what: string): Promise<VaultResponse> {
    const url = new URL(`v1/${path}`, this.base);
    const payload = JSON.stringify(body);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(payload),
    };
    if (token) headers['X-Vault-Token'] = token;
    const where = `Vault at ${this.base.origin}`;
    return new Promise<VaultResponse>((resolve, reject) => {
      const req = https.request(url, { method: 'POST', agent: this.agent, headers, timeout: this.deps.requestTimeoutMs ?? 10000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new VaultError(`${what}: connection to ${where} broke: ${e.message}`, VaultErrorKind.NETWORK)));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Record<string, unknown> = {};
          if (text.trim() !== '') {
            try {
              parsed = JSON.parse(text) as Record<string, unknown>;
            } catch {
              // Never echo the body: a successful issue response holds a private key.
              reject(new VaultError(`${what}: ${where} answered HTTP ${status} with a body that is not JSON`, status >= 500 ? VaultErrorKind.SERVER : VaultErrorKind.PROTOCOL, status));
              return;
            }
          }
          if (status >= 200 && status < 300) resolve({ status, body: parsed });
          else reject(classify(status, parsed, what, where));
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const code = e.code ?? '';
        if (TLS_ERROR_CODES.has(code) || /certificate|ssl|tls/i.test(e.message)) {
          reject(new VaultError(
            `${what}: TLS to ${where} failed (${code || e.message}): Vault's server certificate is not trusted. `
            + 'Set caBundlePem to the CA chain that signed it (PEM), and check the address\'s host name is in the certificate',
            VaultErrorKind.TLS));
        } else {
          reject(new VaultError(`${what}: cannot reach ${where} (${code || e.message}); check the function's subnets, security group and Vault's port`, VaultErrorKind.NETWORK));
        }
      });
      req.end(payload);
    });
  }
}

function vaultErrors(body: Record<string, unknown>): string {
  const errors = body.errors;
  if (Array.isArray(errors) && errors.length > 0) return errors.map((e) => String(e)).join('; ');
  return 'no error text';
}

function classify(status: number, body: Record<string, unknown>, what: string, where: string): VaultError {
  const text = vaultErrors(body);
  if (status === 503 && /sealed/i.test(text)) {
    return new VaultError(`${what}: ${where} is sealed (HTTP 503: ${text}); an operator must unseal it, then retry the deployment or wait for the next rotation`, VaultErrorKind.SEALED, status);
  }
  if (status === 403) {
    return new VaultError(`${what}: ${where} answered permission denied (HTTP 403: ${text})`, VaultErrorKind.PERMISSION_DENIED, status);
  }
  if (status === 400 && /unknown role|no role found|role .* not found|role .* does not exist/i.test(text)) {
    return new VaultError(`${what}: ${where} does not know the role (HTTP 400: ${text})`, VaultErrorKind.UNKNOWN_ROLE, status);
  }
  if (status === 404) {
    return new VaultError(`${what}: ${where} has no such path (HTTP 404: ${text}); check the mount path`, VaultErrorKind.NOT_FOUND, status);
  }
  if (status === 429 || status === 412 || status >= 500) {
    return new VaultError(`${what}: ${where} answered HTTP ${status} (${text})`, VaultErrorKind.SERVER, status);
  }
  return new VaultError(`${what}: ${where} refused the request (HTTP ${status}: ${text})`, VaultErrorKind.BAD_REQUEST, status);
}

function log(deps: HandlerDependencies, record: Record<string, unknown>): void {
  (deps.log ?? ((line: string) => console.log(line)))(JSON.stringify(record));
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** The four login fields of Vault's IAM auth: a SigV4-signed sts:GetCallerIdentity request. */
export async function signedLoginRequest(credentials: SigningCredentials, serverId?: string, now?: Date): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    host: STS_LOGIN_REQUEST.hostname,
    'content-type': STS_LOGIN_REQUEST.contentType,
  };
  if (serverId) headers[SERVER_ID_HEADER.toLowerCase()] = serverId;
  const signer = new SignatureV4({ credentials, region: STS_LOGIN_REQUEST.region, service: 'sts', sha256: Sha256, uriEscapePath: true });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: STS_LOGIN_REQUEST.hostname,
    path: '/',
    query: {},
    headers,
    body: STS_LOGIN_REQUEST.body,
  }, now ? { signingDate: now } : undefined);
  // Vault reads the headers as a JSON map of header name to list of values (Go's http.Header).
  const headerJson: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(signed.headers)) headerJson[canonicalHeaderName(name)] = [String(value)];
  return {
    iam_http_request_method: 'POST',
    iam_request_url: b64(STS_LOGIN_REQUEST.url),
    iam_request_body: b64(STS_LOGIN_REQUEST.body),
    iam_request_headers: b64(JSON.stringify(headerJson)),
  };
}

function canonicalHeaderName(name: string): string {
  if (name.toLowerCase() === SERVER_ID_HEADER.toLowerCase()) return SERVER_ID_HEADER;
  return name.split('-').map((p) => (p.length ? p[0].toUpperCase() + p.slice(1) : p)).join('-');
}

/** A Vault token: AWS IAM login, or the token from Secrets Manager. */
export async function vaultToken(client: VaultClient, config: HandlerConfig, deps: HandlerDependencies = {}): Promise<string> {
  const auth = config.auth;
  if (auth.method === 'token') {
    if (!auth.tokenSecretId) throw new Error('the TOKEN method needs auth.tokenSecretId');
    const sm = deps.secretsManager ?? new SecretsManagerClient({});
    let secretString: string | undefined;
    try {
      secretString = (await sm.send(new GetSecretValueCommand({ SecretId: auth.tokenSecretId }))).SecretString;
    } catch (e) {
      throw new Error(`reading the Vault token from secret ${auth.tokenSecretId} failed: ${(e as Error).name}: ${(e as Error).message}`, { cause: e });
    }
    const token = pickToken(secretString, auth.tokenJsonField);
    if (!token) throw new Error(`secret ${auth.tokenSecretId} holds no Vault token${auth.tokenJsonField ? ` in field "${auth.tokenJsonField}"` : ''}`);
    return token;
  }
  const credentials = await (deps.credentials ?? defaultProvider())();
  const fields = await signedLoginRequest(credentials, auth.iamServerIdHeader, deps.now?.());
  const mount = auth.awsAuthMount ?? 'aws';
  let res: VaultResponse;
  try {
    res = await client.post(`auth/${mount}/login`, { role: auth.vaultRole, ...fields }, undefined, `AWS IAM login to Vault role "${auth.vaultRole}"`);
  } catch (e) {
    if (e instanceof VaultError && /Server-ID/i.test(e.message)) {
      e.message += `. The auth method's iam_server_id_header_value must equal iamServerIdHeader (${auth.iamServerIdHeader ? `"${auth.iamServerIdHeader}"` : 'not set'})`;
    } else if (e instanceof VaultError && e.kind === VaultErrorKind.UNKNOWN_ROLE) {
      e.message += `. Create the role "${auth.vaultRole}" in Vault's AWS auth method (auth/${mount}/role/${auth.vaultRole}) or fix auth.vaultRole`;
    } else if (e instanceof VaultError && e.kind === VaultErrorKind.PERMISSION_DENIED) {
      e.message += `. Check that the Vault role "${auth.vaultRole}" (auth/${mount}) has auth_type=iam and its bound_iam_principal_arn includes this function's role`
        + (auth.iamServerIdHeader ? `, and that iam_server_id_header_value is "${auth.iamServerIdHeader}"` : ', and whether the auth method requires an iam_server_id_header_value (set iamServerIdHeader)');
    }
    throw e;
  }
  const token = (res.body.auth as Record<string, unknown> | undefined)?.client_token;
  if (typeof token !== 'string' || token === '') {
    throw new VaultError('AWS IAM login: Vault answered without auth.client_token', VaultErrorKind.PROTOCOL, res.status);
  }
  return token;
}

function pickToken(secretString: string | undefined, field?: string): string | undefined {
  if (!secretString) return undefined;
  if (!field) return secretString.trim();
  try {
    const v = (JSON.parse(secretString) as Record<string, unknown>)[field];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** An issued certificate. `privateKey` must go to ACM and nowhere else. */
export interface IssuedCertificate {
  readonly certificate: string;
  readonly chain: string;
  readonly privateKey: string;
  readonly serialNumber: string;
  readonly notAfter: Date;
}

/** Issues a certificate from the PKI role and checks it outlives the next rotation. */
export async function issueCertificate(client: VaultClient, token: string, config: HandlerConfig, deps: HandlerDependencies = {}): Promise<IssuedCertificate> {
  const what = `issuing a certificate from ${config.pkiMount}/issue/${config.role}`;
  let res: VaultResponse;
  try {
    res = await client.post(`${config.pkiMount}/issue/${config.role}`, {
      common_name: config.commonName,
      alt_names: config.altNames.join(','),
      ttl: config.ttl,
      format: 'pem',
    }, token, what);
  } catch (e) {
    if (e instanceof VaultError) {
      if (e.kind === VaultErrorKind.PERMISSION_DENIED) e.message += `. The token's policies must allow "update" on ${config.pkiMount}/issue/${config.role}`;
      if (e.kind === VaultErrorKind.UNKNOWN_ROLE) e.message += `. Create the PKI role "${config.role}" at mount "${config.pkiMount}" or fix the role prop`;
      if (e.kind === VaultErrorKind.BAD_REQUEST) e.message += `. Check that "${config.commonName}" and the alternative names are allowed by the role (allowed_domains, allow_subdomains, allow_wildcard_certificates) and that ttl ${config.ttl} is within its max_ttl`;
    }
    throw e;
  }
  const data = (res.body.data ?? {}) as Record<string, unknown>;
  const certificate = data.certificate;
  const privateKey = data.private_key;
  if (typeof certificate !== 'string' || typeof privateKey !== 'string') {
    throw new VaultError(`${what}: Vault answered without data.certificate or data.private_key`, VaultErrorKind.PROTOCOL, res.status);
  }
  const chainParts = Array.isArray(data.ca_chain) && data.ca_chain.length > 0
    ? (data.ca_chain as unknown[]).map(String)
    : (typeof data.issuing_ca === 'string' ? [data.issuing_ca] : []);
  let notAfter: Date;
  let serialNumber: string;
  try {
    const x509 = new X509Certificate(certificate);
    notAfter = new Date(x509.validTo);
    serialNumber = typeof data.serial_number === 'string' ? data.serial_number : formatSerial(x509.serialNumber);
  } catch {
    throw new VaultError(`${what}: data.certificate is not a PEM certificate`, VaultErrorKind.PROTOCOL, res.status);
  }
  const now = deps.now?.() ?? new Date();
  const minUntil = new Date(now.getTime() + config.minValidDays * 86400000);
  if (notAfter.getTime() < minUntil.getTime()) {
    throw new VaultError(
      `${what}: Vault issued certificate ${serialNumber} valid only until ${notAfter.toISOString()}, before the next rotation (${config.minValidDays} days); `
      + `the role's max_ttl (or the mount's max lease TTL) is probably shorter than the requested ttl ${config.ttl}: raise it, or lower ttlDays and rotationDays`,
      VaultErrorKind.BAD_REQUEST);
  }
  return { certificate: certificate.trim(), chain: chainParts.map((c) => c.trim()).join('\n'), privateKey, serialNumber, notAfter };
}

/** Vault writes serials as colon-separated lowercase hex pairs, as ACM does. */
export function formatSerial(hex: string): string {
  const clean = hex.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  const even = clean.length % 2 ? `0${clean}` : clean;
  return even.match(/../g)?.join(':') ?? even;
}

function acmFailure(e: unknown, action: string): Error {
  const err = e as Error;
  let hint = '';
  if (err.name === 'ValidationException' && /import|key|algorithm/i.test(err.message)) {
    hint = '. A re-import must keep the key type and size of the first certificate (set the PKI role\'s key_type/key_bits accordingly)';
  } else if (err.name === 'AccessDeniedException') {
    hint = '. The function may import or change only certificates tagged by this construct';
  } else if (err.name === 'LimitExceededException') {
    hint = '. The account reached its ACM imported-certificate quota';
  }
  return new Error(`${action} failed: ${err.name}: ${err.message}${hint}`);
}

async function importIntoAcm(acm: ACMClient, issued: IssuedCertificate, config: HandlerConfig, certificateArn?: string): Promise<string> {
  const input = {
    Certificate: Buffer.from(issued.certificate),
    PrivateKey: Buffer.from(issued.privateKey),
    ...(issued.chain ? { CertificateChain: Buffer.from(issued.chain) } : {}),
    // Tags only on the first import: ACM refuses tags on a re-import.
    ...(certificateArn ? { CertificateArn: certificateArn } : { Tags: [{ Key: config.tagKey, Value: config.tagValue }] }),
  };
  try {
    const out = await acm.send(new ImportCertificateCommand(input));
    const arn = out.CertificateArn ?? certificateArn;
    if (!arn) throw new Error('ACM returned no CertificateArn');
    return arn;
  } catch (e) {
    throw acmFailure(e, certificateArn ? `re-importing the certificate into ${certificateArn}` : 'importing the certificate into ACM');
  }
}

/** Issues and imports: into `certificateArn` when given (same ARN), else as a new certificate. */
export async function issueAndImport(config: HandlerConfig, certificateArn: string | undefined, deps: HandlerDependencies = {}): Promise<RotationResult> {
  const client = new VaultClient(config, deps);
  const token = await vaultToken(client, config, deps);
  const issued = await issueCertificate(client, token, config, deps);
  const arn = await importIntoAcm(deps.acm ?? new ACMClient({}), issued, config, certificateArn);
  if (config.caParameterName && issued.chain) {
    // After the import: the chain served and the chain trusted change together (a trusting
    // function that meets a verification failure reads the parameter again).
    try {
      await (deps.caParameters ?? ssmCaParameterStore).put(config.caParameterName, issued.chain);
    } catch (e) {
      throw new Error(`writing the CA chain to SSM parameter ${config.caParameterName} failed: ${(e as Error).name}: ${(e as Error).message}`
        + '. The certificate is imported; functions trusting this parameter keep the previous CA until it is written', { cause: e });
    }
  }
  const result = { certificateArn: arn, serialNumber: issued.serialNumber, notAfter: issued.notAfter.toISOString() };
  log(deps, { event: certificateArn ? 'certificate-reimported' : 'certificate-imported', ...result });
  return result;
}

function isAcmCertificateArn(id: string | undefined): id is string {
  return typeof id === 'string' && /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/.test(id);
}

async function deleteCertificate(config: HandlerConfig, arn: string, deps: HandlerDependencies): Promise<void> {
  const acm = deps.acm ?? new ACMClient({});
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  if (config.revokeOnDelete) {
    let serial: string | undefined;
    try {
      serial = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate?.Serial;
    } catch (e) {
      if ((e as Error).name !== 'ResourceNotFoundException') throw acmFailure(e, `reading the serial number of ${arn}`);
    }
    if (serial) {
      const client = new VaultClient(config, deps);
      const token = await vaultToken(client, config, deps);
      try {
        await client.post(`${config.pkiMount}/revoke`, { serial_number: serial }, token, `revoking certificate ${serial} in ${config.pkiMount}`);
      } catch (e) {
        if (e instanceof VaultError && e.kind === VaultErrorKind.PERMISSION_DENIED) e.message += `. The token's policies must allow "update" on ${config.pkiMount}/revoke (or set revokeOnDelete: false)`;
        throw e;
      }
      log(deps, { event: 'certificate-revoked', certificateArn: arn, serialNumber: serial });
    }
  }
  if (config.retainOnDelete) {
    log(deps, { event: 'certificate-retained', certificateArn: arn });
    return;
  }
  if (config.caParameterName) await (deps.caParameters ?? ssmCaParameterStore).delete(config.caParameterName);
  // A load balancer releases a certificate a little after its listener is deleted.
  const attempts = 8;
  for (let attempt = 1; ; attempt++) {
    try {
      await acm.send(new DeleteCertificateCommand({ CertificateArn: arn }));
      log(deps, { event: 'certificate-deleted', certificateArn: arn });
      return;
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'ResourceNotFoundException') return;
      if (name !== 'ResourceInUseException' && name !== 'ThrottlingException') throw acmFailure(e, `deleting ${arn}`);
      if (attempt >= attempts) {
        throw new Error(`deleting ${arn} failed: it is still in use after ${attempts} attempts (${(e as Error).message}); `
          + 'remove it from the listeners that use it, or retain it (retainOnDelete / RemovalPolicy.RETAIN)', { cause: e });
      }
      await sleep(Math.min(5000 * 2 ** (attempt - 1), 60000));
    }
  }
}

/** Parses and checks the configuration a custom-resource event or rotation event carries. */
export function parseConfig(raw: unknown): HandlerConfig {
  const config = (typeof raw === 'string' ? JSON.parse(raw) : raw) as HandlerConfig | undefined;
  if (!config || typeof config !== 'object') throw new Error('the event carries no certificate configuration');
  for (const key of ['vaultAddress', 'pkiMount', 'role', 'commonName', 'ttl', 'tagKey', 'tagValue'] as const) {
    if (typeof config[key] !== 'string' || config[key] === '') throw new Error(`the certificate configuration has no ${key}`);
  }
  return { ...config, altNames: config.altNames ?? [], minValidDays: Number(config.minValidDays ?? 1) };
}

/** The Lambda entry point (its second argument is Lambda's context, so dependencies are not taken here). */
export async function handler(event: CloudFormationCustomResourceEvent | RotateEvent): Promise<CustomResourceResult | RotationResult | void> {
  return isCloudFormationEvent(event) ? respondToCloudFormation(event) : handleEvent(event);
}

function isCloudFormationEvent(event: CloudFormationCustomResourceEvent | RotateEvent): event is CloudFormationCustomResourceEvent {
  return typeof (event as CloudFormationCustomResourceEvent).ResponseURL === 'string'
    && typeof (event as CloudFormationCustomResourceEvent).RequestType === 'string';
}

/** CloudFormation shows at most this much of a failure reason (the whole response is limited to 4,096 bytes). */
const MAX_REASON_LENGTH = 1000;

/**
 * CloudFormation invokes the function directly (no Provider framework): it handles
 * the event and always answers on the pre-signed response URL, SUCCESS with the
 * certificate's ARN as physical ID, or FAILED with the reason. Only a crash or a
 * timeout goes unanswered: Lambda retries the event, and the resource's
 * ServiceTimeout bounds CloudFormation's wait.
 */
export async function respondToCloudFormation(event: CloudFormationCustomResourceEvent, deps: HandlerDependencies = {}): Promise<void> {
  let response: Record<string, unknown>;
  try {
    const result = await handleEvent(event, deps) as CustomResourceResult;
    response = { Status: 'SUCCESS', PhysicalResourceId: result.PhysicalResourceId, Data: result.Data };
  } catch (e) {
    const reason = (e as Error).message || String(e);
    log(deps, { event: 'cloudformation-failed', requestType: event.RequestType, reason });
    response = {
      Status: 'FAILED',
      Reason: reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 3)}...` : reason,
      // A failed Create has no certificate: any stable ID will do (Delete recognizes it as none).
      PhysicalResourceId: 'PhysicalResourceId' in event ? event.PhysicalResourceId : `vault-certificate-not-created-${event.RequestId}`,
    };
  }
  const body = JSON.stringify({
    ...response, StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId, NoEcho: false,
  });
  await putResponse(event.ResponseURL, body, deps);
  log(deps, { event: 'cloudformation-response', requestType: event.RequestType, status: response.Status, physicalResourceId: response.PhysicalResourceId });
}

/** PUTs the response to the pre-signed URL (S3), retrying network errors and 5xx answers. */
async function putResponse(responseUrl: string, body: string, deps: HandlerDependencies): Promise<void> {
  const url = new URL(responseUrl);
  const attempts = deps.maxAttempts ?? 4;
  const put = () => new Promise<number>((resolve, reject) => {
    const request = (url.protocol === 'http:' ? http : https).request(url, {
      method: 'PUT',
      // S3 pre-signed URLs are signed without a content type.
      headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) },
      timeout: deps.requestTimeoutMs ?? 10_000,
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(body);
  });
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const status = await put();
      if (status >= 200 && status < 300) return;
      problem = `HTTP ${status}`;
      if (status < 500) throw new Error(`the CloudFormation response URL answered ${problem}`);
    } catch (e) {
      if ((e as Error).message.startsWith('the CloudFormation response URL')) throw e;
      problem = (e as Error).message;
    }
    if (attempt >= attempts) throw new Error(`the CloudFormation response URL failed ${attempts} times (last: ${problem})`);
    await (deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))((deps.baseDelayMs ?? 1000) * 2 ** (attempt - 1));
  }
}

/** Custom-resource events and the rotation event, with injectable dependencies. */
export async function handleEvent(
  event: CloudFormationCustomResourceEvent | RotateEvent,
  deps: HandlerDependencies = {},
): Promise<CustomResourceResult | RotationResult> {
  if ('action' in event && event.action === 'rotate') {
    if (!isAcmCertificateArn(event.certificateArn)) throw new Error(`rotation: "${event.certificateArn}" is not an ACM certificate ARN`);
    try {
      return await issueAndImport(parseConfig(event.config), event.certificateArn, deps);
    } catch (e) {
      log(deps, { event: 'rotation-failed', certificateArn: event.certificateArn, reason: (e as Error).message });
      throw e;
    }
  }
  const cfn = event as CloudFormationCustomResourceEvent;
  const config = parseConfig(cfn.ResourceProperties?.Config);
  switch (cfn.RequestType) {
    case 'Create': {
      const r = await issueAndImport(config, undefined, deps);
      return { PhysicalResourceId: r.certificateArn, Data: { CertificateArn: r.certificateArn, SerialNumber: r.serialNumber, NotAfter: r.notAfter } };
    }
    case 'Update': {
      // Same ARN: the listeners keep pointing at it and CloudFormation replaces nothing.
      const existing = isAcmCertificateArn(cfn.PhysicalResourceId) ? cfn.PhysicalResourceId : undefined;
      const r = await issueAndImport(config, existing, deps);
      return { PhysicalResourceId: r.certificateArn, Data: { CertificateArn: r.certificateArn, SerialNumber: r.serialNumber, NotAfter: r.notAfter } };
    }
    case 'Delete': {
      // A failed Create leaves a physical ID that is not a certificate: nothing to delete.
      if (isAcmCertificateArn(cfn.PhysicalResourceId)) await deleteCertificate(config, cfn.PhysicalResourceId, deps);
      return { PhysicalResourceId: cfn.PhysicalResourceId };
    }
    default:
      throw new Error(`unknown request type ${(cfn as { RequestType?: string }).RequestType}`);
  }
}
