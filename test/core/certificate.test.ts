import {
  DEFAULT_CERTIFICATE_TTL_DAYS, GUIDE_CERTIFICATE, VaultAuthMethod, VaultCertificateOptions,
  countPemCertificates, isCertificateDnsName, resolveVaultCertificatePolicy,
} from '../../lib/core/certificate';
import { McpHaValidationError, Validator } from '../../lib/core/errors';

const PEM = `-----BEGIN CERTIFICATE-----\n${'MIIBszCCAVmgAwIBAgIUQ2VydGlmaWNhdGVGb3JUZXN0aW5nT25seTAKBggqhkjOPQQDAjAW'.repeat(2)}\n-----END CERTIFICATE-----\n`;
const base: VaultCertificateOptions = { vaultAddress: 'https://vault.example.com:8200/', role: 'mcp', commonName: 'mcp.example.com' };

function problemsOf(options: Partial<VaultCertificateOptions>): string[] {
  const v = new Validator();
  resolveVaultCertificatePolicy({ ...base, ...options }, v);
  return v.problems.map((p) => `${p.prop}: ${p.allowed}`);
}

describe('resolveVaultCertificatePolicy defaults', () => {
  test('the guide: rotate every 30 days, warn at 7, live 45 (15 days to fix a failed rotation)', () => {
    // WHEN
    const policy = resolveVaultCertificatePolicy(base);
    // THEN
    expect(policy).toMatchObject({
      vaultAddress: 'https://vault.example.com:8200',
      pkiMount: 'pki',
      ttlDays: DEFAULT_CERTIFICATE_TTL_DAYS,
      vaultTtl: '1080h',
      rotationDays: GUIDE_CERTIFICATE.rotationDays,
      warningDays: GUIDE_CERTIFICATE.warningDays,
      daysLeftAtRotation: 15,
      auth: { method: VaultAuthMethod.AWS_IAM, vaultRole: 'mcp', awsAuthMount: 'aws' },
      subjectAlternativeNames: [],
      warnings: [],
    });
  });

  test('SANs are deduplicated (case-insensitively) and exclude the common name', () => {
    const policy = resolveVaultCertificatePolicy({ ...base, subjectAlternativeNames: ['API.example.com', 'api.example.com', 'mcp.example.com'] });
    expect(policy.subjectAlternativeNames).toEqual(['api.example.com']);
  });

  test('token auth and a CA bundle are accepted', () => {
    const policy = resolveVaultCertificatePolicy({ ...base, caBundlePem: PEM + PEM, auth: { method: VaultAuthMethod.TOKEN, tokenSecret: 'vault/token' } });
    expect(policy.auth).toEqual({ method: VaultAuthMethod.TOKEN, tokenSecret: 'vault/token', awsAuthMount: 'aws' });
  });

  test('lifetimes outside the guide\'s 30-90 days are warnings, not errors', () => {
    const policy = resolveVaultCertificatePolicy({ ...base, ttlDays: 200, rotationDays: 120, warningDays: 30 });
    expect(policy.warnings).toEqual([
      'ttlDays 200 is longer than the guide\'s 30-90 day lifecycles',
      'rotationDays 120 rotates less often than the guide\'s 90-day maximum lifecycle',
    ]);
  });
});

describe('names and PEM', () => {
  test.each([
    ['mcp.example.com', true], ['*.example.com', true], ['a-b.c-d.example', true],
    ['*.com', false], ['example', false], ['mcp.*.example.com', false], ['*mcp.example.com', false],
    ['-bad.example.com', false], ['bad_.example.com', false], ['10.0.0.1', false], ['', false], [`${'a'.repeat(64)}.com`, false],
  ])('isCertificateDnsName(%p) is %p', (name, ok) => {
    expect(isCertificateDnsName(name)).toBe(ok);
  });

  test('countPemCertificates', () => {
    expect(countPemCertificates(PEM + PEM)).toBe(2);
    expect(countPemCertificates(`${PEM}junk`)).toBe(0);
    expect(countPemCertificates('-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----')).toBe(0);
  });
});

describe('resolveVaultCertificatePolicy bad input', () => {
  test.each<[string, Partial<VaultCertificateOptions>, RegExp]>([
    ['plain http', { vaultAddress: 'http://vault.example.com' }, /^vaultAddress: an https:\/\/ URL of Vault/],
    ['credentials in the address', { vaultAddress: 'https://user:pw@vault.example.com' }, /^vaultAddress: an https:\/\/ URL .*without credentials/],
    ['rotation equal to the TTL', { ttlDays: 30, rotationDays: 30 }, /^rotationDays: fewer days than ttlDays \(30\)/],
    ['warning reaching the rotation', { ttlDays: 40, rotationDays: 30, warningDays: 10 }, /^warningDays: fewer days than are left when the scheduled rotation runs \(ttlDays 40 - rotationDays 30 = 10\)/],
    ['empty common name', { commonName: '  ' }, /^commonName: a DNS name such as "mcp\.example\.com" \(required/],
    ['wildcard in the middle', { commonName: 'a.*.example.com' }, /^commonName: a DNS name of at least two labels/],
    ['bad SAN', { subjectAlternativeNames: ['ok.example.com', 'no spaces.example.com'] }, /^subjectAlternativeNames\[1\]: a DNS name/],
    ['TTL above the role\'s max', { ttlDays: 100, maxTtlDays: 90, rotationDays: 30 }, /^ttlDays: at most maxTtlDays \(90\), the role's max_ttl/],
    ['PEM that is not a certificate', { caBundlePem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----' }, /^caBundlePem: one or more PEM certificates/],
    ['private key as CA bundle', { caBundlePem: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----' }, /^caBundlePem: CA certificates only .*never be put in a template/],
    ['huge CA bundle', { caBundlePem: PEM.repeat(200) }, /^caBundlePem: at most 16384 characters/],
    ['mount with a leading slash', { pkiMount: '/pki' }, /^pkiMount: a Vault mount path/],
    ['role with a slash', { role: 'a/b' }, /^role: the name of a PKI role/],
    ['negative TTL', { ttlDays: -5 }, /^ttlDays: a whole number of days from 2 to 825/],
    ['fractional warning', { warningDays: 2.5 }, /^warningDays: a whole number of days, at least 1/],
    ['rotation above a year', { rotationDays: 400, ttlDays: 500 }, /^rotationDays: a whole number of days from 1 to 365/],
    ['token auth without a secret', { auth: { method: VaultAuthMethod.TOKEN } }, /^auth\.tokenSecret: the name or ARN of the secret/],
    ['server ID with token auth', { auth: { method: VaultAuthMethod.TOKEN, tokenSecret: 's', iamServerIdHeader: 'x' } }, /^auth\.iamServerIdHeader: only with the AWS_IAM method/],
    ['secret with IAM auth', { auth: { method: VaultAuthMethod.AWS_IAM, vaultRole: 'r', tokenSecret: 's' } }, /^auth\.tokenSecret: only with the TOKEN method/],
    ['unknown auth method', { auth: { method: 'ldap' as VaultAuthMethod } }, /^auth\.method: one of "aws-iam", "token"/],
  ])('%s', (_name, options, message) => {
    const problems = problemsOf(options);
    expect(problems.some((p) => message.test(p))).toBe(true);
  });

  test('without a validator, every problem is thrown together with the value given', () => {
    // WHEN / THEN
    expect(() => resolveVaultCertificatePolicy({ ...base, vaultAddress: 'http://x', ttlDays: 10, rotationDays: 12 }))
      .toThrow(McpHaValidationError);
    expect(() => resolveVaultCertificatePolicy({ ...base, vaultAddress: 'http://x', ttlDays: 10, rotationDays: 12 }))
      .toThrow(/2 invalid settings\n {2}- vaultAddress: got "http:\/\/x"; allowed: .*\n {2}- rotationDays: got 12; allowed: fewer days than ttlDays \(10\)/);
  });

  test('a private key is never echoed in the message', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nSECRETSECRET\n-----END PRIVATE KEY-----';
    expect(() => resolveVaultCertificatePolicy({ ...base, caBundlePem: key })).toThrow(/not shown/);
    try {
      resolveVaultCertificatePolicy({ ...base, caBundlePem: key });
    } catch (e) {
      expect((e as Error).message).not.toContain('SECRETSECRET');
    }
  });
});
