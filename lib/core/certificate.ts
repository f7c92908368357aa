/**
 * Certificates issued by a HashiCorp Vault PKI secrets engine: the cloud-neutral
 * policy (what to ask Vault for, how often to rotate, when to warn) and its rules.
 *
 * The guide's "Certificate and Key Management": "Regular rotation (30-90 day
 * lifecycles for maximum security)", "Monitoring for expiration", and the example
 * deployment with "HashiCorp Vault integration. Automated rotation occurs every 30
 * days with 7-day advance notifications". Those are the defaults here: rotate every
 * 30 days, a certificate lives 45 days (so a failed rotation leaves 15 days to fix
 * it), warn when 7 days are left.
 *
 * Pure TypeScript: each cloud folder turns the policy into its own resources
 * (on AWS: a custom resource importing into ACM, a schedule, alarms).
 */
import { Validator } from './errors';

/** The guide's certificate figures. */
export const GUIDE_CERTIFICATE = {
  /** "Automated rotation occurs every 30 days". */
  rotationDays: 30,
  /** "with 7-day advance notifications". */
  warningDays: 7,
  /** "Regular rotation (30-90 day lifecycles for maximum security)". */
  lifecycleDays: { min: 30, max: 90 },
} as const;

/** Default lifetime: the rotation interval plus 15 days to notice and fix a failed rotation. */
export const DEFAULT_CERTIFICATE_TTL_DAYS = 45;

/** Largest rotation interval accepted (a schedule firing less than yearly is not rotation). */
export const MAX_ROTATION_DAYS = 365;
/** Largest lifetime accepted: 825 days, the longest any CA/Browser Forum rule ever allowed a TLS server certificate. */
export const MAX_CERTIFICATE_TTL_DAYS = 825;
/** Own limit on the CA bundle: it travels in the custom resource's properties and the rotation schedule's input. */
export const MAX_CA_BUNDLE_CHARS = 16384;

/** How the issuing function proves its identity to Vault. */
export enum VaultAuthMethod {
  /**
   * Vault's AWS auth method, IAM type: the function signs an `sts:GetCallerIdentity`
   * request with its own role's credentials and Vault checks it with STS. No secret exists.
   */
  AWS_IAM = 'aws-iam',
  /** A Vault token read from a secret store at run time (never in the template). */
  TOKEN = 'token',
}

/** The authentication part of the policy. */
export interface VaultAuthSettings {
  /** How the rotation function logs in to Vault: the AWS IAM auth method, or a token kept in a secret. */
  readonly method: VaultAuthMethod;
  /**
   * AWS_IAM: the Vault role of the AWS auth method (`role` in the login request).
   * @default - none: required with AWS_IAM (a synth-time error names it; when `auth` itself is omitted the
   * PKI `role` is used); not read with TOKEN
   */
  readonly vaultRole?: string;
  /**
   * AWS_IAM: where the AWS auth method is mounted.
   * @default 'aws'
   */
  readonly awsAuthMount?: string;
  /**
   * AWS_IAM: value of the `X-Vault-AWS-IAM-Server-ID` header, signed into the
   * request; must equal the auth method's `iam_server_id_header_value`.
   * @default - no header
   */
  readonly iamServerIdHeader?: string;
  /**
   * TOKEN: the name or ARN of the secret holding the token.
   * @default - none: required with TOKEN (a synth-time error names it), refused with AWS_IAM
   */
  readonly tokenSecret?: string;
}

/** `VaultAuthSettings` resolved: the method and the AWS auth mount always set. */
export interface ResolvedVaultAuthSettings {
  /** How the rotation function logs in to Vault. */
  readonly method: VaultAuthMethod;
  /** AWS_IAM: the Vault role of the AWS auth method. @default - none (the TOKEN method) */
  readonly vaultRole?: string;
  /** Where the AWS auth method is mounted ('aws' unless set). */
  readonly awsAuthMount: string;
  /** AWS_IAM: the signed `X-Vault-AWS-IAM-Server-ID` header value. @default - no header */
  readonly iamServerIdHeader?: string;
  /** TOKEN: the name or ARN of the secret holding the token. @default - none (the AWS_IAM method) */
  readonly tokenSecret?: string;
}

/** What the user states; everything else has a default. */
export interface VaultCertificateOptions {
  /** Vault's address, `https://host[:port]` (a path prefix is allowed, no query). */
  readonly vaultAddress: string;
  /**
   * PEM CA certificate(s) to trust for TLS to Vault, in addition to the public roots.
   * @default - the runtime's public roots only
   */
  readonly caBundlePem?: string;
  /**
   * Mount path of the PKI secrets engine.
   * @default 'pki'
   */
  readonly pkiMount?: string;
  /** The PKI role certificates are issued from (`/v1/<pkiMount>/issue/<role>`). */
  readonly role: string;
  /** The certificate's common name: a DNS name, or a wildcard `*.example.com`. */
  readonly commonName: string;
  /**
   * Further DNS names (sent as `alt_names`).
   * @default - none
   */
  readonly subjectAlternativeNames?: string[];
  /**
   * Requested lifetime, whole days.
   * @default 45 - the rotation interval plus 15 days
   */
  readonly ttlDays?: number;
  /**
   * Days between rotations.
   * @default 30 - the guide
   */
  readonly rotationDays?: number;
  /**
   * Warn when fewer days than this are left before expiry.
   * @default 7 - the guide
   */
  readonly warningDays?: number;
  /**
   * The longest TTL the Vault role allows (its `max_ttl`), in days, when you know it;
   * a longer `ttlDays` is refused at synth time instead of being capped by Vault.
   * @default - not checked
   */
  readonly maxTtlDays?: number;
  /**
   * How to authenticate.
   * @default - AWS_IAM, with `vaultRole` equal to `role`
   */
  readonly auth?: VaultAuthSettings;
}

/** The resolved, validated policy. */
export interface VaultCertificatePolicy {
  /** Without a trailing slash. */
  readonly vaultAddress: string;
  /** PEM CA certificate(s) trusted for TLS to Vault besides the public roots. @default - the public roots only */
  readonly caBundlePem?: string;
  /** Mount path of the PKI secrets engine. */
  readonly pkiMount: string;
  /** The PKI role certificates are issued from. */
  readonly role: string;
  /** The certificate's common name. */
  readonly commonName: string;
  /** Deduplicated, without the common name. */
  readonly subjectAlternativeNames: string[];
  /** Requested lifetime, whole days. */
  readonly ttlDays: number;
  /** The TTL as Vault reads it (`"1080h"`). */
  readonly vaultTtl: string;
  /** Days between rotations. */
  readonly rotationDays: number;
  /** Days before expiry at which the expiry alarm fires. */
  readonly warningDays: number;
  /** Days left on the certificate when the scheduled rotation runs (`ttlDays - rotationDays`). */
  readonly daysLeftAtRotation: number;
  /** How the rotation function authenticates, with the AWS auth mount resolved. */
  readonly auth: ResolvedVaultAuthSettings;
  /** Advice that is not an error (outside the guide's ranges). */
  readonly warnings: string[];
}

const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
/** Vault path segments: letters, digits, `.`, `_`, `-`; no empty segments. */
const VAULT_PATH = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;
const VAULT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END CERTIFICATE-----/g;

/**
 * True for a DNS host name of at least two labels, or a wildcard whose `*` is the
 * whole leftmost label (`*.example.com`), as certificates allow.
 */
export function isCertificateDnsName(name: unknown): boolean {
  if (typeof name !== 'string' || name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (labels.length < 2) return false;
  return labels.every((label, i) => (i === 0 && label === '*' ? labels.length >= 3 : DNS_LABEL.test(label)))
    && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** The number of PEM certificates in `pem`, or 0 when it is not a bundle of certificates only. */
export function countPemCertificates(pem: string): number {
  const blocks = [...pem.matchAll(PEM_CERT)];
  if (blocks.length === 0) return 0;
  const rest = pem.replace(PEM_CERT, '').trim();
  if (rest !== '') return 0;
  return blocks.every((m) => m[1].replace(/\s/g, '').length >= 64) ? blocks.length : 0;
}

function isHttpsAddress(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '' && u.search === '' && u.hash === '';
  } catch {
    return false;
  }
}

function isWholeNumber(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Resolves the defaults and validates every setting (all problems together).
 *
 * @param validator where problems go; when omitted, problems are thrown here.
 */
export function resolveVaultCertificatePolicy(options: VaultCertificateOptions, validator?: Validator): VaultCertificatePolicy {
  const v = validator ?? new Validator();
  const ttlDays = options.ttlDays ?? DEFAULT_CERTIFICATE_TTL_DAYS;
  const rotationDays = options.rotationDays ?? GUIDE_CERTIFICATE.rotationDays;
  const warningDays = options.warningDays ?? GUIDE_CERTIFICATE.warningDays;
  const pkiMount = options.pkiMount ?? 'pki';
  const auth = options.auth ?? { method: VaultAuthMethod.AWS_IAM, vaultRole: options.role };
  const awsAuthMount = auth.awsAuthMount ?? 'aws';
  const warnings: string[] = [];

  v.check(typeof options.vaultAddress === 'string' && isHttpsAddress(options.vaultAddress), 'vaultAddress', options.vaultAddress,
    'an https:// URL of Vault (e.g. "https://vault.example.com:8200"), without credentials, query or fragment: the token and the private key cross this connection');

  if (options.caBundlePem !== undefined) {
    const pem = options.caBundlePem;
    if (typeof pem === 'string' && /PRIVATE KEY-----/.test(pem)) {
      v.add('caBundlePem', '(a PEM containing a private key; not shown)',
        'CA certificates only ("-----BEGIN CERTIFICATE-----" blocks): a private key must never be put in a template');
    } else {
      v.check(typeof pem === 'string' && countPemCertificates(pem) > 0, 'caBundlePem', typeof pem === 'string' ? `${pem.slice(0, 40)}...` : pem,
        'one or more PEM certificates ("-----BEGIN CERTIFICATE-----" ... "-----END CERTIFICATE-----") and nothing else');
      v.check(typeof pem !== 'string' || pem.length <= MAX_CA_BUNDLE_CHARS, 'caBundlePem', `${typeof pem === 'string' ? pem.length : 0} characters`,
        `at most ${MAX_CA_BUNDLE_CHARS} characters: trust only the CA chain that signs Vault's TLS certificate`);
    }
  }

  v.check(typeof pkiMount === 'string' && VAULT_PATH.test(pkiMount) && pkiMount.length <= 256, 'pkiMount', pkiMount,
    'a Vault mount path: segments of letters, digits, ".", "_" and "-" separated by "/", no leading or trailing "/" (e.g. "pki" or "pki/int")');
  v.check(typeof options.role === 'string' && VAULT_NAME.test(options.role), 'role', options.role,
    'the name of a PKI role: 1 to 128 letters, digits, ".", "_" and "-", starting with a letter or digit');

  if (typeof options.commonName !== 'string' || options.commonName.trim() === '') {
    v.check(false, 'commonName', options.commonName, 'a DNS name such as "mcp.example.com" (required: Vault issues nothing without a common name)');
  } else {
    v.check(isCertificateDnsName(options.commonName), 'commonName', options.commonName,
      'a DNS name of at least two labels (letters, digits, "-"), or a wildcard "*.example.com" whose "*" is the whole leftmost label');
  }
  const sans = options.subjectAlternativeNames ?? [];
  sans.forEach((name, i) => {
    v.check(isCertificateDnsName(name), `subjectAlternativeNames[${i}]`, name,
      'a DNS name of at least two labels (letters, digits, "-"), or a wildcard "*.example.com" whose "*" is the whole leftmost label');
  });
  const uniqueSans = [...new Set(sans.map((s) => (typeof s === 'string' ? s.toLowerCase() : s)))]
    .filter((s) => typeof options.commonName !== 'string' || s !== options.commonName.toLowerCase());

  v.check(isWholeNumber(ttlDays, 2, MAX_CERTIFICATE_TTL_DAYS), 'ttlDays', ttlDays, `a whole number of days from 2 to ${MAX_CERTIFICATE_TTL_DAYS}`);
  v.check(isWholeNumber(rotationDays, 1, MAX_ROTATION_DAYS), 'rotationDays', rotationDays, `a whole number of days from 1 to ${MAX_ROTATION_DAYS}`);
  v.check(isWholeNumber(warningDays, 1, MAX_CERTIFICATE_TTL_DAYS), 'warningDays', warningDays, 'a whole number of days, at least 1');
  const numbersOk = Number.isInteger(ttlDays) && Number.isInteger(rotationDays) && Number.isInteger(warningDays);
  if (numbersOk) {
    v.check(rotationDays < ttlDays, 'rotationDays', rotationDays,
      `fewer days than ttlDays (${ttlDays}): the certificate must be replaced before it expires, with days to spare for a failed rotation`);
    if (rotationDays < ttlDays) {
      v.check(warningDays < ttlDays - rotationDays, 'warningDays', warningDays,
        `fewer days than are left when the scheduled rotation runs (ttlDays ${ttlDays} - rotationDays ${rotationDays} = ${ttlDays - rotationDays}): otherwise the expiry warning fires before every normal rotation`);
    }
  }
  if (options.maxTtlDays !== undefined) {
    v.check(isWholeNumber(options.maxTtlDays, 1, 100000), 'maxTtlDays', options.maxTtlDays, 'a whole number of days, at least 1');
    if (Number.isInteger(options.maxTtlDays) && Number.isInteger(ttlDays)) {
      v.check(ttlDays <= options.maxTtlDays, 'ttlDays', ttlDays,
        `at most maxTtlDays (${options.maxTtlDays}), the role's max_ttl: Vault would cap the certificate's lifetime`);
    }
  }

  v.oneOf('auth.method', auth.method, Object.values(VaultAuthMethod));
  if (auth.method === VaultAuthMethod.AWS_IAM) {
    v.check(typeof auth.vaultRole === 'string' && VAULT_NAME.test(auth.vaultRole), 'auth.vaultRole', auth.vaultRole,
      'the name of a role of Vault\'s AWS auth method: 1 to 128 letters, digits, ".", "_" and "-"');
    v.check(typeof awsAuthMount === 'string' && VAULT_PATH.test(awsAuthMount), 'auth.awsAuthMount', awsAuthMount,
      'a Vault mount path below auth/ (e.g. "aws")');
    if (auth.iamServerIdHeader !== undefined) {
      v.check(typeof auth.iamServerIdHeader === 'string' && /^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(auth.iamServerIdHeader),
        'auth.iamServerIdHeader', auth.iamServerIdHeader, '1 to 255 printable ASCII characters (an HTTP header value, signed into the login request)');
    }
    v.check(auth.tokenSecret === undefined, 'auth.tokenSecret', auth.tokenSecret, 'only with the TOKEN method');
  } else if (auth.method === VaultAuthMethod.TOKEN) {
    v.check(typeof auth.tokenSecret === 'string' && auth.tokenSecret.length > 0, 'auth.tokenSecret', auth.tokenSecret,
      'the name or ARN of the secret holding the Vault token (required with the TOKEN method)');
    v.check(auth.iamServerIdHeader === undefined, 'auth.iamServerIdHeader', auth.iamServerIdHeader, 'only with the AWS_IAM method');
  }

  if (numbersOk && (ttlDays > GUIDE_CERTIFICATE.lifecycleDays.max)) {
    warnings.push(`ttlDays ${ttlDays} is longer than the guide's ${GUIDE_CERTIFICATE.lifecycleDays.min}-${GUIDE_CERTIFICATE.lifecycleDays.max} day lifecycles`);
  }
  if (numbersOk && rotationDays > GUIDE_CERTIFICATE.lifecycleDays.max) {
    warnings.push(`rotationDays ${rotationDays} rotates less often than the guide's ${GUIDE_CERTIFICATE.lifecycleDays.max}-day maximum lifecycle`);
  }

  if (!validator) v.throwIfInvalid();

  return {
    vaultAddress: typeof options.vaultAddress === 'string' ? options.vaultAddress.replace(/\/+$/, '') : options.vaultAddress,
    caBundlePem: options.caBundlePem,
    pkiMount,
    role: options.role,
    commonName: options.commonName,
    subjectAlternativeNames: uniqueSans,
    ttlDays,
    vaultTtl: `${ttlDays * 24}h`,
    rotationDays,
    warningDays,
    daysLeftAtRotation: ttlDays - rotationDays,
    auth: { ...auth, awsAuthMount },
    warnings,
  };
}
