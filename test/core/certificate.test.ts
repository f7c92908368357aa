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

/** Every problem line (`prop: got value; allowed: ...`) the resolution records, and the policy it returns anyway. */
function resolveWith(options: Partial<VaultCertificateOptions>): { lines: string[]; warnings: string[]; policy: ReturnType<typeof resolveVaultCertificatePolicy> } {
  const v = new Validator();
  const policy = resolveVaultCertificatePolicy({ ...base, ...options }, v);
  return { lines: v.problems.map((p) => new McpHaValidationError([p]).message.split('\n  - ')[1]), warnings: policy.warnings, policy };
}

describe('certificate policy at its edges (issue 16 mutation survivors)', () => {
  test('every range is inclusive at both ends: TTL 2 and 825, rotation 1 and 365, warning 1, max TTL 1', () => {
    // 2 days is the shortest TTL: refused only for what the other settings then miss, never for its range
    expect(resolveWith({ ttlDays: 2, rotationDays: 1, warningDays: 1 }).lines).toEqual([
      'warningDays: got 1; allowed: fewer days than are left when the scheduled rotation runs (ttlDays 2 - rotationDays 1 = 1): otherwise the expiry warning fires before every normal rotation',
    ]);
    expect(resolveWith({ ttlDays: 1, rotationDays: 1, warningDays: 1 }).lines[0]).toBe('ttlDays: got 1; allowed: a whole number of days from 2 to 825');
    expect(resolveWith({ ttlDays: 825, rotationDays: 365, warningDays: 7 }).lines).toEqual([]);
    expect(resolveWith({ ttlDays: 826, rotationDays: 365 }).lines).toEqual(['ttlDays: got 826; allowed: a whole number of days from 2 to 825']);
    expect(resolveWith({ ttlDays: 45, rotationDays: 1, warningDays: 1, maxTtlDays: 45 }).lines).toEqual([]);
    expect(resolveWith({ rotationDays: 366, ttlDays: 400 }).lines).toEqual(['rotationDays: got 366; allowed: a whole number of days from 1 to 365']);
  });

  test('the role\'s max TTL: equal to the TTL is accepted, one day less refused; a max TTL that is not a whole number is refused by itself', () => {
    expect(resolveWith({ maxTtlDays: 45 }).lines).toEqual([]);
    expect(resolveWith({ maxTtlDays: 44 }).lines).toEqual([
      'ttlDays: got 45; allowed: at most maxTtlDays (44), the role\'s max_ttl: Vault would cap the certificate\'s lifetime',
    ]);
    expect(resolveWith({ maxTtlDays: 0 }).lines).toEqual([
      'maxTtlDays: got 0; allowed: a whole number of days, at least 1',
      'ttlDays: got 45; allowed: at most maxTtlDays (0), the role\'s max_ttl: Vault would cap the certificate\'s lifetime',
    ]);
    expect(resolveWith({ maxTtlDays: 44.5 }).lines).toEqual(['maxTtlDays: got 44.5; allowed: a whole number of days, at least 1']);
  });

  test('a day count that is not a whole number is reported once, by its range, and never compared with the others', () => {
    expect(resolveWith({ ttlDays: 45.5 }).lines).toEqual(['ttlDays: got 45.5; allowed: a whole number of days from 2 to 825']);
    expect(resolveWith({ rotationDays: 44.5 }).lines).toEqual(['rotationDays: got 44.5; allowed: a whole number of days from 1 to 365']);
    expect(resolveWith({ ttlDays: 100.5 }).warnings).toEqual([]);
  });

  test('a rotation as long as the TTL is reported once (no warning check against 0 days left)', () => {
    expect(resolveWith({ ttlDays: 30, rotationDays: 30 }).lines).toEqual([
      'rotationDays: got 30; allowed: fewer days than ttlDays (30): the certificate must be replaced before it expires, with days to spare for a failed rotation',
    ]);
  });

  test('the guide\'s 90-day lifecycle is itself within the guide: no warning at 90, one just above', () => {
    expect(resolveWith({ ttlDays: 90, rotationDays: 30 }).warnings).toEqual([]);
    expect(resolveWith({ ttlDays: 100, rotationDays: 90, warningDays: 7 }).warnings).toEqual([
      'ttlDays 100 is longer than the guide\'s 30-90 day lifecycles',
    ]);
    expect(resolveWith({ ttlDays: 100, rotationDays: 91, warningDays: 7 }).warnings).toEqual([
      'ttlDays 100 is longer than the guide\'s 30-90 day lifecycles',
      'rotationDays 91 rotates less often than the guide\'s 90-day maximum lifecycle',
    ]);
  });

  test('the Vault address loses every trailing slash', () => {
    expect(resolveWith({ vaultAddress: 'https://vault.example.com:8200//' }).policy.vaultAddress).toBe('https://vault.example.com:8200');
  });

  test('settings that are not strings are refused by name (no TypeError), even when they would read as valid text', () => {
    const pki = ['https://vault.example.com'] as never;
    expect(resolveWith({ vaultAddress: pki }).lines).toEqual([
      'vaultAddress: got ["https://vault.example.com"]; allowed: an https:// URL of Vault (e.g. "https://vault.example.com:8200"), without credentials, query or fragment: the token and the private key cross this connection',
    ]);
    expect(resolveWith({ vaultAddress: undefined as never }).lines).toEqual([
      'vaultAddress: got undefined; allowed: an https:// URL of Vault (e.g. "https://vault.example.com:8200"), without credentials, query or fragment: the token and the private key cross this connection',
    ]);
    expect(resolveWith({ pkiMount: ['pki'] as never }).lines).toEqual([
      'pkiMount: got ["pki"]; allowed: a Vault mount path: segments of letters, digits, ".", "_" and "-" separated by "/", no leading or trailing "/" (e.g. "pki" or "pki/int")',
    ]);
    expect(resolveWith({ role: ['mcp'] as never }).lines).toContain(
      'role: got ["mcp"]; allowed: the name of a PKI role: 1 to 128 letters, digits, ".", "_" and "-", starting with a letter or digit',
    );
    expect(resolveWith({ commonName: undefined as never, subjectAlternativeNames: ['api.example.com'] })).toMatchObject({
      lines: ['commonName: got undefined; allowed: a DNS name such as "mcp.example.com" (required: Vault issues nothing without a common name)'],
      policy: { subjectAlternativeNames: ['api.example.com'] },
    });
    expect(resolveWith({ subjectAlternativeNames: [42 as never] }).lines).toEqual([
      'subjectAlternativeNames[0]: got 42; allowed: a DNS name of at least two labels (letters, digits, "-"), or a wildcard "*.example.com" whose "*" is the whole leftmost label',
    ]);
  });

  test('a CA bundle that is not a string is refused once, as not a bundle', () => {
    for (const caBundlePem of [null, 42]) {
      expect(resolveWith({ caBundlePem: caBundlePem as never }).lines).toEqual([
        `caBundlePem: got ${caBundlePem}; allowed: one or more PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----") and nothing else`,
      ]);
    }
  });

  test('a bad CA bundle is shown by its first 40 characters only', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(100)}\n-----END PUBLIC KEY-----`;
    expect(resolveWith({ caBundlePem: pem }).lines).toEqual([
      'caBundlePem: got "-----BEGIN PUBLIC KEY-----\\nAAAAAAAAAAAAA..."; allowed: one or more PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----") and nothing else',
    ]);
  });

  test('the CA bundle limit: 16384 characters accepted, one more refused with its length', () => {
    const head = '-----BEGIN CERTIFICATE-----\n';
    const tail = '\n-----END CERTIFICATE-----\n';
    const bundle = (chars: number) => `${head}${'A'.repeat(chars - head.length - tail.length)}${tail}`;
    expect(bundle(16384)).toHaveLength(16384);
    expect(resolveWith({ caBundlePem: bundle(16384) }).lines).toEqual([]);
    expect(resolveWith({ caBundlePem: bundle(16385) }).lines).toEqual([
      'caBundlePem: got "16385 characters"; allowed: at most 16384 characters: trust only the CA chain that signs Vault\'s TLS certificate',
    ]);
  });

  test('the PKI mount path: 256 characters accepted, 257 refused', () => {
    expect(resolveWith({ pkiMount: 'p'.repeat(256) }).lines).toEqual([]);
    expect(resolveWith({ pkiMount: 'p'.repeat(257) }).lines).toEqual([
      `pkiMount: got "${'p'.repeat(257)}"; allowed: a Vault mount path: segments of letters, digits, ".", "_" and "-" separated by "/", no leading or trailing "/" (e.g. "pki" or "pki/int")`,
    ]);
  });

  test('AWS IAM auth: the Vault role is required, the mount must be a path, the server ID header a string', () => {
    expect(resolveWith({ auth: { method: VaultAuthMethod.AWS_IAM } }).lines).toEqual([
      'auth.vaultRole: got undefined; allowed: the name of a role of Vault\'s AWS auth method: 1 to 128 letters, digits, ".", "_" and "-"',
    ]);
    for (const awsAuthMount of ['/aws', ['aws'] as never]) {
      expect(resolveWith({ auth: { method: VaultAuthMethod.AWS_IAM, vaultRole: 'mcp', awsAuthMount } }).lines).toEqual([
        `auth.awsAuthMount: got ${JSON.stringify(awsAuthMount)}; allowed: a Vault mount path below auth/ (e.g. "aws")`,
      ]);
    }
    expect(resolveWith({ auth: { method: VaultAuthMethod.AWS_IAM, vaultRole: 'mcp', iamServerIdHeader: 42 as never } }).lines).toEqual([
      'auth.iamServerIdHeader: got 42; allowed: 1 to 255 printable ASCII characters (an HTTP header value, signed into the login request)',
    ]);
  });

  test('token auth: an empty secret name is refused; an unknown method is reported once, by the method', () => {
    expect(resolveWith({ auth: { method: VaultAuthMethod.TOKEN, tokenSecret: '' } }).lines).toEqual([
      'auth.tokenSecret: got ""; allowed: the name or ARN of the secret holding the Vault token (required with the TOKEN method)',
    ]);
    expect(resolveWith({ auth: { method: 'ldap' as VaultAuthMethod } }).lines).toEqual(['auth.method: got "ldap"; allowed: one of "aws-iam", "token"']);
  });
});
