/**
 * Where the gateways' certificates come from: an existing Key Vault secret, or
 * the core Vault PKI model through Terraform (@cdktf/provider-vault): a
 * certificate issued with `private_key_format = "pkcs8"` (Key Vault's PEM
 * import needs PKCS#8), imported into each region's Key Vault and referenced by
 * the gateway through its managed identity and the versionless secret id, so a
 * renewed certificate reaches the gateway without a gateway change.
 *
 * Renewal: Terraform renews only when an apply runs inside the renewal window
 * (`auto_renew` with `min_seconds_remaining` = ttl - rotation days). Keep an
 * apply scheduled (docs/AZURE.md has a pipeline) at least every
 * `rotationDays - warningDays` days; Key Vault emails the certificate contacts
 * `warningDays` (7) days before expiry (a lifetime action), the last warning.
 * The private key lands in Terraform state: nothing is output, and the state
 * must live in an encrypted backend.
 */
import { KeyVaultCertificate } from '@cdktf/provider-azurerm/lib/key-vault-certificate';
import { PkiSecretBackendCert } from '@cdktf/provider-vault/lib/pki-secret-backend-cert';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { Fn, ITerraformDependable, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { VaultCertificatePolicy, resolveVaultCertificatePolicy } from '../core/certificate';
import { Validator } from '../core/errors';
import { CertificateBindContext } from './private/certificate-binding';

/** The Vault PKI options on Azure (Terraform's Vault provider authenticates from its environment, e.g. VAULT_TOKEN). */
export interface VaultCertificateSourceOptions {
  /** The Vault server's address (`https://vault.example.com:8200`). */
  readonly vaultAddress: string;
  /** The PKI role that issues the certificate (it must allow the service and regional names). */
  readonly role: string;
  /**
   * The certificate's common name.
   * @default - the service's domain name
   */
  readonly commonName?: string;
  /**
   * Extra names the certificate covers, besides the service name and each region's regional name (always added).
   * @default - only the service and regional names
   */
  readonly subjectAlternativeNames?: string[];
  /**
   * The PKI secrets engine's mount path.
   * @default 'pki'
   */
  readonly pkiMount?: string;
  /**
   * The certificate's lifetime in whole days.
   * @default 45 - the rotation interval plus 15 days (core's DEFAULT_CERTIFICATE_TTL_DAYS)
   */
  readonly ttlDays?: number;
  /**
   * Days between rotations: the first apply after this many days renews the certificate.
   * @default 30 - the guide
   */
  readonly rotationDays?: number;
  /**
   * Days before expiry when Key Vault e-mails the certificate contacts (the alarm e-mails).
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
   * True when the issuing CA chains to a public root. Front Door validates
   * origin certificates against public roots: a private CA is refused with
   * Front Door routing.
   * @default false
   */
  readonly publiclyTrusted?: boolean;
}

/** What a bound certificate gives the gateway. */
export interface BoundCertificate {
  /** Versionless secret id the gateway reads. */
  readonly keyVaultSecretId: string;
  /**
   * The resolved policy (names, TTL, rotation), for Vault-issued certificates.
   * @default - none: an existing Key Vault secret
   */
  readonly policy?: VaultCertificatePolicy;
}

/** Options of `McpCertificate.fromKeyVaultSecretIds`. */
export interface KeyVaultSecretOptions {
  /**
   * True when the certificates chain to a public root (Front Door routing needs it).
   * @default true
   */
  readonly publiclyTrusted?: boolean;
}

/** Where the HTTPS listeners' certificates come from. */
export abstract class McpCertificate {
  /** Existing certificates, one versionless Key Vault secret id per region (the vault must grant the gateway identity). */
  public static fromKeyVaultSecretIds(secretIds: Record<string, string>, options: KeyVaultSecretOptions = {}): McpCertificate {
    return new ExistingSecrets(secretIds, options.publiclyTrusted ?? true);
  }

  /** Issued by HashiCorp Vault PKI at apply time, imported into each region's Key Vault. */
  public static vault(options: VaultCertificateSourceOptions): McpCertificate {
    return new VaultSource(options);
  }

  /** True when the certificate chains to a public root (Front Door needs it). */
  public abstract readonly publiclyTrusted: boolean;

  /**
   * Records problems for these regions and names (missing regions, invalid Vault options).
   * @internal the topologies validate before they build
   */
  public abstract _validate(v: Validator, regions: string[], domainNames: string[]): void;

  /**
   * Creates what the certificate needs in one region and returns what the gateway reads.
   * @internal the topologies bind the certificate in each region
   */
  public abstract _bind(scope: Construct, context: CertificateBindContext): BoundCertificate;
}

class ExistingSecrets extends McpCertificate {
  constructor(private readonly ids: Record<string, string>, public readonly publiclyTrusted: boolean) { super(); }
  public _validate(v: Validator, regions: string[]): void {
    for (const r of regions) {
      v.check(typeof this.ids[r] === 'string' && /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/[A-Za-z0-9-]+\/?$/.test(this.ids[r]),
        `certificate.secretIds.${r}`, this.ids[r],
        'a versionless Key Vault secret id (https://<vault>.vault.azure.net/secrets/<name>) for every region: the gateway then follows renewals');
    }
  }
  public _bind(_scope: Construct, context: CertificateBindContext): BoundCertificate {
    return { keyVaultSecretId: this.ids[context.region] };
  }
}

class VaultSource extends McpCertificate {
  public readonly publiclyTrusted: boolean;
  constructor(private readonly options: VaultCertificateSourceOptions) {
    super();
    this.publiclyTrusted = options.publiclyTrusted ?? false;
  }
  public _validate(v: Validator, _regions: string[], domainNames: string[]): void {
    this.policy(domainNames, v.nested('certificate'));
  }
  private policy(domainNames: string[], v: Validator): VaultCertificatePolicy {
    const [first, ...rest] = domainNames;
    const commonName = this.options.commonName ?? first;
    const sans = [...new Set([...(this.options.subjectAlternativeNames ?? []), ...(commonName === first ? rest : domainNames)])];
    return resolveVaultCertificatePolicy({ ...this.options, commonName, subjectAlternativeNames: sans }, v);
  }
  public _bind(scope: Construct, context: CertificateBindContext): BoundCertificate {
    const v = new Validator({ constructPath: scope.node.path, propPrefix: 'certificate' });
    const policy = this.policy(context.domainNames, v);
    v.throwIfInvalid();
    const cert = new VaultIssuedCertificate(scope, 'Certificate', { policy, keyVaultId: context.keyVaultId, dependsOn: context.dependsOn });
    return { keyVaultSecretId: cert.certificate.versionlessSecretId, policy };
  }
}

/** Props of `VaultIssuedCertificate`. */
export interface VaultIssuedCertificateProps {
  /** The resolved Vault policy (core's `resolveVaultCertificatePolicy`): names, TTL, rotation, warning. */
  readonly policy: VaultCertificatePolicy;
  /** The Key Vault the certificate is imported into. */
  readonly keyVaultId: string;
  /**
   * Resources the import waits for (the deployer's role on the Key Vault).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** A Vault PKI certificate imported into Key Vault. */
export class VaultIssuedCertificate extends Construct {
  /** The certificate as Vault issued it (its private key is in Terraform state only). */
  public readonly issued: PkiSecretBackendCert;
  /** The Key Vault certificate (its versionless secret id is what the gateway reads). */
  public readonly certificate: KeyVaultCertificate;

  constructor(scope: Construct, id: string, props: VaultIssuedCertificateProps) {
    super(scope, id);
    const p = props.policy;
    const stack = TerraformStack.of(this);
    const provider = stack.node.tryFindChild('vault') as VaultProvider | undefined
      ?? new VaultProvider(stack, 'vault', { address: p.vaultAddress });
    this.issued = new PkiSecretBackendCert(this, 'Issued', {
      provider,
      backend: p.pkiMount,
      name: p.role,
      commonName: p.commonName,
      altNames: p.subjectAlternativeNames.length > 0 ? [...p.subjectAlternativeNames] : undefined,
      ttl: p.vaultTtl,
      format: 'pem',
      // Key Vault imports PEM with a PKCS#8 key only.
      privateKeyFormat: 'pkcs8',
      // Renewed by the first apply after fewer than (ttl - rotation) days remain.
      autoRenew: true,
      minSecondsRemaining: p.daysLeftAtRotation * 86400,
    });
    this.certificate = new KeyVaultCertificate(this, 'Imported', {
      name: 'mcp-gateway',
      keyVaultId: props.keyVaultId,
      certificate: {
        contents: Fn.base64encode(Fn.join('\n', [this.issued.privateKey, this.issued.certificate, this.issued.caChain])),
      },
      certificatePolicy: {
        issuerParameters: { name: 'Unknown' },
        keyProperties: { exportable: true, keyType: 'RSA', keySize: 2048, reuseKey: false },
        secretProperties: { contentType: 'application/x-pem-file' },
        lifetimeAction: [{ action: { actionType: 'EmailContacts' }, trigger: { daysBeforeExpiry: p.warningDays } }],
      },
      dependsOn: props.dependsOn,
    });
  }
}
