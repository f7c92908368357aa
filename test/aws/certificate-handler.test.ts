import { X509Certificate } from 'node:crypto';
import {
  ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ImportCertificateCommand,
} from '@aws-sdk/client-acm';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import * as http from 'http';
import type { AddressInfo } from 'net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import {
  CustomResourceResult, HandlerConfig, HandlerDependencies, RotationResult, formatSerial, handleEvent, handler, parseConfig,
  respondToCloudFormation,
} from '../../lib/aws/certificate-handler';
import { TestPki, VaultFake, generateTestPki, removeTestPki, verifySigV4 } from '../support/vault-fake';

const ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const NEW_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/99999999-aaaa-bbbb-cccc-dddddddddddd';
const CREDS = { accessKeyId: 'AKIDLAMBDAROLE', secretAccessKey: 'lambda-secret-key', sessionToken: 'lambda-session-token' };

const acmMock = mockClient(ACMClient);
const smMock = mockClient(SecretsManagerClient);

let pki: TestPki;
let vault: VaultFake;
let address: string;
/** Every line the function logged, through deps.log or console, in the whole file. */
const allOutput: string[] = [];
let logLines: string[] = [];
let sleeps: number[] = [];
const consoleSpies: jest.SpyInstance[] = [];

beforeAll(async () => {
  pki = generateTestPki();
  vault = new VaultFake(pki, {
    awsSecrets: { AKIDLAMBDAROLE: 'lambda-secret-key', AKIDSTRANGER: 'stranger-secret' },
    awsRoles: { 'mcp-cert': ['AKIDLAMBDAROLE'] },
    pkiRoles: {
      mcp: { maxTtlHours: 2160, allowedDomain: 'internal.example.com' },
      short: { maxTtlHours: 240, allowedDomain: 'internal.example.com' },
    },
    staticTokens: ['hvs.static-token'],
  });
  address = await vault.start();
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    consoleSpies.push(jest.spyOn(console, method).mockImplementation((...args: unknown[]) => { allOutput.push(args.map(String).join(' ')); }));
  }
});

afterAll(async () => {
  await vault.stop();
  removeTestPki(pki);
  consoleSpies.forEach((s) => s.mockRestore());
});

beforeEach(() => {
  acmMock.reset();
  smMock.reset();
  vault.reset();
  vault.serverId = undefined;
  logLines = [];
  sleeps = [];
});

function config(overrides: Partial<HandlerConfig> = {}): HandlerConfig {
  return {
    vaultAddress: address,
    caBundlePem: pki.tlsCaPem,
    pkiMount: 'pki',
    role: 'mcp',
    commonName: 'mcp.internal.example.com',
    altNames: ['api.internal.example.com'],
    ttl: '1080h',
    minValidDays: 30,
    auth: { method: 'aws-iam', vaultRole: 'mcp-cert', awsAuthMount: 'aws' },
    tagKey: 'mcp-ha:certificate',
    tagValue: 'Test/Cert',
    retainOnDelete: false,
    revokeOnDelete: false,
    ...overrides,
  };
}

function deps(overrides: Partial<HandlerDependencies> = {}): HandlerDependencies {
  return {
    acm: new ACMClient({ region: 'us-east-1' }),
    secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    credentials: async () => CREDS,
    sleep: async (ms) => { sleeps.push(ms); },
    log: (line) => { logLines.push(line); allOutput.push(line); },
    ...overrides,
  };
}

function cfnEvent(type: 'Create' | 'Update' | 'Delete', cfg: HandlerConfig, physicalId?: string): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Test/guid',
    RequestId: 'req-1',
    LogicalResourceId: 'CertResource',
    ResourceType: 'Custom::VaultIssuedCertificate',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:us-east-1:111111111111:function:provider', Config: JSON.stringify(cfg) },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  if (type === 'Update') return { ...base, RequestType: 'Update', PhysicalResourceId: physicalId!, OldResourceProperties: base.ResourceProperties };
  return { ...base, RequestType: 'Delete', PhysicalResourceId: physicalId! };
}

function importInputs(): Array<Record<string, unknown>> {
  return acmMock.commandCalls(ImportCertificateCommand).map((c) => c.args[0].input as unknown as Record<string, unknown>);
}

const text = (v: unknown) => Buffer.from(v as Uint8Array).toString('utf8');

describe('Create', () => {
  test('logs in with a signed GetCallerIdentity request, issues from the PKI role and imports a new tagged certificate', async () => {
    // GIVEN
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: NEW_ARN });
    // WHEN
    const result = await handleEvent(cfnEvent('Create', config()), deps()) as CustomResourceResult;
    // THEN the login carried Vault's four IAM fields, decoding to a verifiable SigV4 request
    const login = vault.requests.find((r) => r.path === 'auth/aws/login')!;
    expect(login.body).toMatchObject({ role: 'mcp-cert', iam_http_request_method: 'POST' });
    expect(login.login!.url).toBe('https://sts.amazonaws.com/');
    expect(login.login!.body).toBe('Action=GetCallerIdentity&Version=2011-06-15');
    expect(login.login!.headers.Authorization[0]).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLAMBDAROLE\/\d{8}\/us-east-1\/sts\/aws4_request/);
    expect(login.login!.headers['X-Amz-Security-Token']).toEqual(['lambda-session-token']);
    expect(verifySigV4(login.login!, { AKIDLAMBDAROLE: 'lambda-secret-key' })).toMatchObject({ ok: true });
    // AND the issue request asked for the names and TTL with the login's token
    const issue = vault.requests.find((r) => r.path === 'pki/issue/mcp')!;
    expect(issue.body).toEqual({ common_name: 'mcp.internal.example.com', alt_names: 'api.internal.example.com', ttl: '1080h', format: 'pem' });
    expect(issue.token).toMatch(/^hvs\.fake/);
    // AND ACM received certificate, chain and key, with the construct's tag, and no ARN (a new certificate)
    const [input] = importInputs();
    expect(input.CertificateArn).toBeUndefined();
    expect(input.Tags).toEqual([{ Key: 'mcp-ha:certificate', Value: 'Test/Cert' }]);
    expect(text(input.Certificate)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(text(input.CertificateChain)).toBe(pki.pkiCaPem.trim());
    expect(text(input.PrivateKey)).toMatch(/PRIVATE KEY-----/);
    // AND the response names the ARN and holds only ARN, serial and expiry
    expect(result.PhysicalResourceId).toBe(NEW_ARN);
    expect(Object.keys(result.Data!).sort()).toEqual(['CertificateArn', 'NotAfter', 'SerialNumber']);
    expect(result.Data!.SerialNumber).toBe(vault.issuedSerials[vault.issuedSerials.length - 1]);
    expect(new Date(result.Data!.NotAfter).getTime()).toBeGreaterThan(Date.now() + 44 * 86400000);
  });

  test('signs and sends X-Vault-AWS-IAM-Server-ID when the auth method requires it', async () => {
    // GIVEN a Vault requiring a server ID
    vault.serverId = 'vault.example.com';
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: NEW_ARN });
    // WHEN
    await handleEvent(cfnEvent('Create', config({ auth: { method: 'aws-iam', vaultRole: 'mcp-cert', iamServerIdHeader: 'vault.example.com' } })), deps());
    // THEN
    const login = vault.requests.find((r) => r.path === 'auth/aws/login')!;
    expect(login.login!.headers['X-Vault-AWS-IAM-Server-ID']).toEqual(['vault.example.com']);
    expect(login.login!.headers.Authorization[0]).toMatch(/SignedHeaders=[^,]*x-vault-aws-iam-server-id/);
  });

  test('token auth: reads the token from Secrets Manager (one JSON field) and sends it as X-Vault-Token', async () => {
    // GIVEN
    smMock.on(GetSecretValueCommand, { SecretId: 'vault/token' }).resolves({ SecretString: JSON.stringify({ token: 'hvs.static-token' }) });
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: NEW_ARN });
    // WHEN
    await handleEvent(cfnEvent('Create', config({ auth: { method: 'token', tokenSecretId: 'vault/token', tokenJsonField: 'token' } })), deps());
    // THEN no login, the secret's token on the issue request
    expect(vault.requests.map((r) => r.path)).toEqual(['pki/issue/mcp']);
    expect(vault.requests[0].token).toBe('hvs.static-token');
  });
});

describe('Update and rotation re-import into the same ARN', () => {
  test('Update: ImportCertificate names the existing ARN, carries no tags, and the physical ID stays', async () => {
    // GIVEN
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    // WHEN
    const result = await handleEvent(cfnEvent('Update', config({ altNames: [] }), ARN), deps()) as CustomResourceResult;
    // THEN
    const [input] = importInputs();
    expect(input.CertificateArn).toBe(ARN);
    expect(input.Tags).toBeUndefined();
    expect(result.PhysicalResourceId).toBe(ARN);
  });

  test('rotate event: a fresh certificate re-imported into the given ARN', async () => {
    // GIVEN
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    // WHEN
    const first = await handleEvent({ action: 'rotate', certificateArn: ARN, config: config() }, deps()) as RotationResult;
    const second = await handleEvent({ action: 'rotate', certificateArn: ARN, config: config() }, deps()) as RotationResult;
    // THEN
    expect(importInputs().map((i) => i.CertificateArn)).toEqual([ARN, ARN]);
    expect(first.certificateArn).toBe(ARN);
    expect(second.serialNumber).not.toBe(first.serialNumber);
    expect(logLines.filter((l) => l.includes('certificate-reimported'))).toHaveLength(2);
  });

  test('every issuance writes the CA chain Vault returned to the CA parameter, and that chain verifies the imported certificate', async () => {
    // GIVEN
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    const written: [string, string][] = [];
    const caParameters = { put: async (n: string, v: string) => { written.push([n, v]); }, delete: async () => undefined };
    // WHEN
    await handleEvent({ action: 'rotate', certificateArn: ARN, config: config({ caParameterName: '/mcp-ha/T/x/ca-chain' }) }, deps({ caParameters }));
    // THEN
    expect(written.map(([n]) => n)).toEqual(['/mcp-ha/T/x/ca-chain']);
    const leaf = new X509Certificate(Buffer.from(importInputs()[0].Certificate as Uint8Array).toString('utf8'));
    expect(leaf.verify(new X509Certificate(written[0][1]).publicKey)).toBe(true);
  });

  test('a CA parameter that cannot be written fails the run, naming the parameter', async () => {
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: ARN });
    const caParameters = { put: async () => { throw Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }); }, delete: async () => undefined };
    await expect(handleEvent({ action: 'rotate', certificateArn: ARN, config: config({ caParameterName: '/p' }) }, deps({ caParameters })))
      .rejects.toThrow(/writing the CA chain to SSM parameter \/p failed: AccessDeniedException: not authorized/);
  });

  test('rotate event with something other than an ACM ARN is refused', async () => {
    await expect(handleEvent({ action: 'rotate', certificateArn: 'not-an-arn', config: config() }, deps()))
      .rejects.toThrow(/rotation: "not-an-arn" is not an ACM certificate ARN/);
  });
});

describe('Delete', () => {
  test('deletes the certificate from ACM and does not touch Vault by default', async () => {
    // GIVEN
    acmMock.on(DeleteCertificateCommand).resolves({});
    // WHEN
    await handleEvent(cfnEvent('Delete', config(), ARN), deps());
    // THEN
    expect(acmMock.commandCalls(DeleteCertificateCommand).map((c) => c.args[0].input.CertificateArn)).toEqual([ARN]);
    expect(vault.requests).toEqual([]);
  });

  test('deletes the CA parameter with the certificate, keeps it with retainOnDelete', async () => {
    acmMock.on(DeleteCertificateCommand).resolves({});
    const deleted: string[] = [];
    const caParameters = { put: async () => undefined, delete: async (n: string) => { deleted.push(n); } };
    await handleEvent(cfnEvent('Delete', config({ caParameterName: '/p' }), ARN), deps({ caParameters }));
    await handleEvent(cfnEvent('Delete', config({ caParameterName: '/q', retainOnDelete: true }), ARN), deps({ caParameters }));
    expect(deleted).toEqual(['/p']);
  });

  test('retainOnDelete keeps the certificate', async () => {
    // WHEN
    await handleEvent(cfnEvent('Delete', config({ retainOnDelete: true }), ARN), deps());
    // THEN
    expect(acmMock.commandCalls(DeleteCertificateCommand)).toHaveLength(0);
    expect(logLines.some((l) => l.includes('certificate-retained'))).toBe(true);
  });

  test('revokeOnDelete revokes the serial ACM reports in Vault, then deletes', async () => {
    // GIVEN
    acmMock.on(DescribeCertificateCommand).resolves({ Certificate: { CertificateArn: ARN, Serial: '0a:1b:2c' } });
    acmMock.on(DeleteCertificateCommand).resolves({});
    // WHEN
    await handleEvent(cfnEvent('Delete', config({ revokeOnDelete: true }), ARN), deps());
    // THEN
    expect(vault.revoked).toContain('0a:1b:2c');
    expect(vault.requests.find((r) => r.path === 'pki/revoke')!.body).toEqual({ serial_number: '0a:1b:2c' });
    expect(acmMock.commandCalls(DeleteCertificateCommand)).toHaveLength(1);
  });

  test('waits while a load balancer still holds the certificate, then deletes', async () => {
    // GIVEN
    const inUse = Object.assign(new Error('Certificate is in use'), { name: 'ResourceInUseException' });
    acmMock.on(DeleteCertificateCommand).rejectsOnce(inUse).rejectsOnce(inUse).resolves({});
    // WHEN
    await handleEvent(cfnEvent('Delete', config(), ARN), deps());
    // THEN
    expect(acmMock.commandCalls(DeleteCertificateCommand)).toHaveLength(3);
    expect(sleeps).toEqual([5000, 10000]);
  });

  test('gives up with a clear message when the certificate stays in use', async () => {
    acmMock.on(DeleteCertificateCommand).rejects(Object.assign(new Error('Certificate is in use'), { name: 'ResourceInUseException' }));
    await expect(handleEvent(cfnEvent('Delete', config(), ARN), deps()))
      .rejects.toThrow(/still in use after 8 attempts .*remove it from the listeners that use it, or retain it/);
  });

  test('an already deleted certificate, or a failed Create (no ARN), is not an error', async () => {
    acmMock.on(DeleteCertificateCommand).rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    await expect(handleEvent(cfnEvent('Delete', config(), ARN), deps())).resolves.toEqual({ PhysicalResourceId: ARN });
    acmMock.reset();
    await expect(handleEvent(cfnEvent('Delete', config(), 'Test-CertResource-req-1'), deps())).resolves.toEqual({ PhysicalResourceId: 'Test-CertResource-req-1' });
    expect(acmMock.calls()).toHaveLength(0);
  });
});

describe('Vault errors become clear failures', () => {
  test('sealed Vault: fails at once (no retries) saying it is sealed', async () => {
    vault.sealed = true;
    await expect(handleEvent(cfnEvent('Create', config()), deps()))
      .rejects.toThrow(/AWS IAM login to Vault role "mcp-cert": Vault at https:\/\/127\.0\.0\.1:\d+ is sealed \(HTTP 503: Vault is sealed\); an operator must unseal it/);
    expect(vault.requests).toHaveLength(1);
    expect(acmMock.calls()).toHaveLength(0);
  });

  test('permission denied at login names the binding to check', async () => {
    await expect(handleEvent(cfnEvent('Create', config()), deps({ credentials: async () => ({ accessKeyId: 'AKIDSTRANGER', secretAccessKey: 'stranger-secret' }) })))
      .rejects.toThrow(/permission denied \(HTTP 403: permission denied\)\. Check that the Vault role "mcp-cert" \(auth\/aws\) has auth_type=iam and its bound_iam_principal_arn includes this function's role/);
  });

  test('a missing server ID header is reported with the setting to fix', async () => {
    vault.serverId = 'vault.example.com';
    await expect(handleEvent(cfnEvent('Create', config()), deps()))
      .rejects.toThrow(/X-Vault-AWS-IAM-Server-ID.*iam_server_id_header_value must equal iamServerIdHeader \(not set\)/);
  });

  test('unknown AWS auth role', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ auth: { method: 'aws-iam', vaultRole: 'nobody' } })), deps()))
      .rejects.toThrow(/does not know the role \(HTTP 400: entry for role nobody not found\)\. Create the role "nobody" in Vault's AWS auth method/);
  });

  test('unknown PKI role', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ role: 'nope' })), deps()))
      .rejects.toThrow(/issuing a certificate from pki\/issue\/nope: .*does not know the role \(HTTP 400: unknown role: nope\)\. Create the PKI role "nope" at mount "pki"/);
  });

  test('names the role does not allow', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ commonName: 'mcp.other.org' })), deps()))
      .rejects.toThrow(/refused the request \(HTTP 400: common name mcp\.other\.org not allowed by this role\)\. Check that "mcp\.other\.org" .*allowed_domains/);
  });

  test('a TTL Vault cannot parse (HTTP 400)', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ ttl: '45 days' })), deps()))
      .rejects.toThrow(/HTTP 400: error parsing ttl: time: invalid duration "45 days".*within its max_ttl/);
  });

  test('a TTL the role caps below the next rotation fails before anything is imported', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ role: 'short' })), deps()))
      .rejects.toThrow(/valid only until .*before the next rotation \(30 days\); the role's max_ttl .* is probably shorter than the requested ttl 1080h/);
    expect(acmMock.calls()).toHaveLength(0);
  });

  test('a wrong CA bundle fails with a TLS message naming caBundlePem', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ caBundlePem: pki.otherCaPem })), deps()))
      .rejects.toThrow(/TLS to Vault at https:\/\/127\.0\.0\.1:\d+ failed \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): Vault's server certificate is not trusted\. Set caBundlePem/);
    expect(sleeps).toEqual([]);
  });

  test('no CA bundle: the public roots do not trust a private CA either', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ caBundlePem: undefined })), deps())).rejects.toThrow(/TLS to Vault .* not trusted/);
  });

  test('transient 5xx errors are retried with exponential backoff', async () => {
    // GIVEN two failures, then success
    vault.failNext(2, 500, ['internal error'], /^pki\/issue/);
    acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: NEW_ARN });
    // WHEN
    await handleEvent(cfnEvent('Create', config()), deps({ baseDelayMs: 200 }));
    // THEN
    expect(sleeps).toEqual([200, 400]);
    expect(vault.requests.filter((r) => r.path === 'pki/issue/mcp')).toHaveLength(3);
    expect(logLines.filter((l) => l.includes('vault-retry'))).toHaveLength(2);
  });

  test('a bounded number of attempts, then a clear failure', async () => {
    vault.failNext(10, 502, ['upstream'], /^pki\/issue/);
    await expect(handleEvent(cfnEvent('Create', config()), deps({ baseDelayMs: 1 })))
      .rejects.toThrow(/answered HTTP 502 \(upstream\) \(gave up after 4 attempts\)/);
    expect(sleeps).toEqual([1, 2, 4]);
  });

  test('an unreachable Vault is retried, then reported with what to check', async () => {
    await expect(handleEvent(cfnEvent('Create', config({ vaultAddress: 'https://127.0.0.1:1' })), deps({ baseDelayMs: 1, maxAttempts: 2 })))
      .rejects.toThrow(/cannot reach Vault at https:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\); check the function's subnets, security group and Vault's port \(gave up after 2 attempts\)/);
  });

  test('an unreadable token secret', async () => {
    smMock.on(GetSecretValueCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(handleEvent(cfnEvent('Create', config({ auth: { method: 'token', tokenSecretId: 'vault/token' } })), deps()))
      .rejects.toThrow(/reading the Vault token from secret vault\/token failed: AccessDeniedException: not authorized/);
  });

  test('a token without the rights to issue', async () => {
    smMock.on(GetSecretValueCommand).resolves({ SecretString: 'hvs.revoked' });
    await expect(handleEvent(cfnEvent('Create', config({ auth: { method: 'token', tokenSecretId: 'vault/token' } })), deps()))
      .rejects.toThrow(/permission denied \(HTTP 403: permission denied\)\. The token's policies must allow "update" on pki\/issue\/mcp/);
  });
});

describe('ACM errors become clear failures', () => {
  test('a re-import ACM refuses (key type changed)', async () => {
    acmMock.on(ImportCertificateCommand).rejects(Object.assign(new Error('The certificate key algorithm must match the existing certificate'), { name: 'ValidationException' }));
    await expect(handleEvent(cfnEvent('Update', config(), ARN), deps()))
      .rejects.toThrow(new RegExp(`re-importing the certificate into ${ARN.replace(/[/.]/g, '\\$&')} failed: ValidationException: .*must keep the key type and size`));
  });

  test('access denied on import', async () => {
    acmMock.on(ImportCertificateCommand).rejects(Object.assign(new Error('not authorized to perform acm:ImportCertificate'), { name: 'AccessDeniedException' }));
    await expect(handleEvent(cfnEvent('Create', config()), deps()))
      .rejects.toThrow(/importing the certificate into ACM failed: AccessDeniedException: .*only certificates tagged by this construct/);
  });

  test('the quota of imported certificates', async () => {
    acmMock.on(ImportCertificateCommand).rejects(Object.assign(new Error('limit'), { name: 'LimitExceededException' }));
    await expect(handleEvent(cfnEvent('Create', config()), deps())).rejects.toThrow(/LimitExceededException: limit\. The account reached its ACM imported-certificate quota/);
  });

  test('a delete ACM refuses for another reason', async () => {
    acmMock.on(DeleteCertificateCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(handleEvent(cfnEvent('Delete', config(), ARN), deps())).rejects.toThrow(/deleting arn:aws:acm:.* failed: AccessDeniedException: denied/);
  });
});

describe('configuration', () => {
  test('parseConfig refuses an event without configuration', () => {
    expect(() => parseConfig(undefined)).toThrow(/carries no certificate configuration/);
    expect(() => parseConfig(JSON.stringify({ ...config(), role: '' }))).toThrow(/has no role/);
  });

  test('formatSerial writes colon-separated lowercase hex pairs', () => {
    expect(formatSerial('1A2B3')).toBe('01:a2:b3');
  });
});

describe('CloudFormation invokes the function directly: every event is answered on the response URL', () => {
  /** A stand-in for the pre-signed S3 URL: records each PUT, answers with the next status (then 200). */
  async function responseEndpoint(statuses: number[] = []) {
    const puts: Array<{ method: string; path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> = [];
    const server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => { data += c; });
      req.on('end', () => {
        puts.push({ method: req.method!, path: req.url!, headers: req.headers, body: JSON.parse(data) });
        res.statusCode = statuses.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response?X-Amz-Signature=abc`;
    return { puts, url, close: () => new Promise<void>((r) => server.close(() => r())) };
  }
  const withUrl = (e: CloudFormationCustomResourceEvent, url: string) => ({ ...e, ResponseURL: url }) as CloudFormationCustomResourceEvent;

  test('Create: SUCCESS with the certificate ARN as physical ID and ARN, serial and expiry as data', async () => {
    const endpoint = await responseEndpoint();
    try {
      acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: NEW_ARN });
      await respondToCloudFormation(withUrl(cfnEvent('Create', config()), endpoint.url), deps());
      expect(endpoint.puts).toHaveLength(1);
      const [put] = endpoint.puts;
      expect(put.method).toBe('PUT');
      expect(put.path).toBe('/cfn-response?X-Amz-Signature=abc');
      expect(put.headers['content-type']).toBe('');
      expect(put.body).toMatchObject({
        Status: 'SUCCESS', PhysicalResourceId: NEW_ARN, RequestId: 'req-1', LogicalResourceId: 'CertResource',
        StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/Test/guid', NoEcho: false,
        Data: { CertificateArn: NEW_ARN, SerialNumber: expect.stringMatching(/^([0-9a-f]{2}:)+[0-9a-f]{2}$/), NotAfter: expect.any(String) },
      });
      expect(JSON.stringify(put.body)).not.toMatch(/PRIVATE KEY/);
    } finally {
      await endpoint.close();
    }
  });

  test('a failed Create: FAILED with the reason and a physical ID Delete knows is no certificate; the function itself does not fail', async () => {
    const endpoint = await responseEndpoint();
    try {
      vault.sealed = true;
      await expect(respondToCloudFormation(withUrl(cfnEvent('Create', config()), endpoint.url), deps())).resolves.toBeUndefined();
      const [put] = endpoint.puts;
      expect(put.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: 'vault-certificate-not-created-req-1' });
      expect(put.body.Reason).toMatch(/is sealed \(HTTP 503: Vault is sealed\); an operator must unseal it/);
      // The stack's rollback then deletes that ID: nothing to delete, SUCCESS.
      vault.sealed = false;
      await respondToCloudFormation(withUrl(cfnEvent('Delete', config(), 'vault-certificate-not-created-req-1'), endpoint.url), deps());
      expect(endpoint.puts[1].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'vault-certificate-not-created-req-1' });
      expect(acmMock.calls()).toHaveLength(0);
    } finally {
      await endpoint.close();
    }
  });

  test('a failed Update keeps the physical ID (the certificate serving stays)', async () => {
    const endpoint = await responseEndpoint();
    try {
      acmMock.on(ImportCertificateCommand).rejects(Object.assign(new Error('The certificate is malformed'), { name: 'ValidationException' }));
      await respondToCloudFormation(withUrl(cfnEvent('Update', config(), ARN), endpoint.url), deps());
      expect(endpoint.puts[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: ARN });
    } finally {
      await endpoint.close();
    }
  });

  test('a response URL answering 5xx is retried with backoff; a 4xx is not', async () => {
    const flaky = await responseEndpoint([503, 500]);
    const denied = await responseEndpoint([403]);
    try {
      acmMock.on(ImportCertificateCommand).resolves({ CertificateArn: NEW_ARN });
      await respondToCloudFormation(withUrl(cfnEvent('Create', config()), flaky.url), deps());
      expect(flaky.puts).toHaveLength(3);
      expect(sleeps.slice(-2)).toEqual([1000, 2000]);
      await expect(respondToCloudFormation(withUrl(cfnEvent('Create', config()), denied.url), deps()))
        .rejects.toThrow(/the CloudFormation response URL answered HTTP 403/);
      expect(denied.puts).toHaveLength(1);
    } finally {
      await Promise.all([flaky.close(), denied.close()]);
    }
  });

  test('the Lambda entry point answers CloudFormation events and returns rotation results', async () => {
    const endpoint = await responseEndpoint();
    try {
      vault.sealed = true;
      // Through the real entry point (default dependencies: no AWS call happens, Vault refuses first).
      await expect(handler(withUrl(cfnEvent('Create', config({ auth: { method: 'token', tokenSecretId: undefined } })), endpoint.url)))
        .resolves.toBeUndefined();
      expect(endpoint.puts[0].body.Status).toBe('FAILED');
      await expect(handler({ action: 'rotate', certificateArn: 'not-an-arn', config: config() })).rejects.toThrow(/is not an ACM certificate ARN/);
    } finally {
      await endpoint.close();
    }
  });
});

describe('the private key stays secret', () => {
  test('no key material in any log line, response or error of this file', async () => {
    // GIVEN one more successful create and one failing re-import (the key was in memory during both)
    acmMock.on(ImportCertificateCommand).resolvesOnce({ CertificateArn: NEW_ARN })
      .rejectsOnce(Object.assign(new Error('boom'), { name: 'ValidationException' }));
    const result = await handleEvent(cfnEvent('Create', config()), deps());
    const error = await handleEvent(cfnEvent('Update', config(), NEW_ARN), deps()).catch((e: Error) => e);
    const keys = importInputs().map((i) => text(i.PrivateKey));
    expect(keys).toHaveLength(2);
    // THEN
    const keyBodies = keys.map((k) => k.split('\n').filter((l) => !l.startsWith('-----')).join(''));
    const haystacks = [JSON.stringify(result), String((error as Error).message), ...allOutput];
    for (const h of haystacks) {
      expect(h).not.toMatch(/PRIVATE KEY/);
      for (const body of keyBodies) expect(h.replace(/\s/g, '')).not.toContain(body.slice(0, 40));
    }
    expect(allOutput.length).toBeGreaterThan(10);
  });
});
