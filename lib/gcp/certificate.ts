/**
 * Certificates of the HTTPS proxies on Google Cloud.
 *
 * - `McpCertificate.vault(...)`: the core Vault PKI model
 *   (lib/core/certificate.ts) with @cdktf/provider-vault: Terraform asks Vault's
 *   PKI engine for a certificate (`vault_pki_secret_backend_cert`, `auto_renew`
 *   with `min_seconds_remaining` = the days left at the scheduled rotation, so the
 *   apply that runs after the rotation day issues a new one) and hands it to the
 *   load balancer as a self-managed SSL certificate. Self-managed certificates are
 *   immutable: the certificate resource uses `name_prefix` and
 *   create-before-destroy, so a new one is attached to the proxy before the old one
 *   is deleted (no downtime).
 *   The private key lands in Terraform state (the provider marks it sensitive;
 *   nothing here outputs it): keep the state in an encrypted remote backend with
 *   restricted access (docs/GCP.md).
 * - `McpCertificate.existing(...)`: self links of certificates you manage.
 *
 * Renewal needs an apply: schedule `cdktf deploy` at least every `rotationDays`;
 * the uptime check's certificate-expiry alert (monitoring.ts) warns `warningDays`
 * before expiry if it does not happen.
 */
import { PkiSecretBackendCert } from '@cdktf/provider-vault/lib/pki-secret-backend-cert';
import { VaultProvider } from '@cdktf/provider-vault/lib/provider';
import { ComputeRegionSslCertificate } from '@cdktf/provider-google/lib/compute-region-ssl-certificate';
import { ComputeSslCertificate } from '@cdktf/provider-google/lib/compute-ssl-certificate';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { VaultAuthMethod, VaultCertificatePolicy, resolveVaultCertificatePolicy } from '../core/certificate';
import { defaultPrefix, resourceName } from './private/names';
import { validatorFor } from './validation';

/** How `McpCertificate.vault` issues the service's certificate from a Vault PKI role. */
export interface VaultCertificateSourceOptions {
  /** https:// address of Vault. The Terraform vault provider authenticates with VAULT_TOKEN (or its own auth settings) at deploy time. */
  readonly vaultAddress: string;
  /** PKI role. */
  readonly role: string;
  /** Path of Vault's PKI secrets engine. @default 'pki' */
  readonly pkiMount?: string;
  /** The certificate's common name. @default - the service's name */
  readonly commonName?: string;
  /** Names besides the common name. @default - the service's regional names */
  readonly subjectAlternativeNames?: string[];
  /** Days the certificate is valid. @default 45 */
  readonly ttlDays?: number;
  /** Days after issue when an apply renews it (Vault's auto_renew). @default 30 (renewed by the first apply with 15 days left) */
  readonly rotationDays?: number;
  /** Days before expiry the certificate-expiry alert fires. @default 7 */
  readonly warningDays?: number;
  /** The PKI role's max_ttl in days, to refuse a ttlDays Vault would cap. @default - not checked */
  readonly maxTtlDays?: number;
  /**
   * The certificate's CA is private (not in public trust stores): Google's uptime
   * checks cannot be given a CA, so they skip certificate validation (they still
   * check the expiry). @default true
   */
  readonly privateCa?: boolean;
}

/** Where a deployment's certificate goes. */
export interface CertificateBindContext {
  /** 'global' for a global load balancer, else the region of a regional one. */
  readonly location: string;
  /** Names the certificate must cover (the service name, the regional name). */
  readonly domainNames: string[];
}

/** Where the HTTPS proxies' certificates come from. */
export abstract class McpCertificate {
  /** Self links you manage: `global` for global load balancers, else by region. */
  public static existing(selfLinks: Record<string, string[]>): McpCertificate {
    return new ExistingCertificates(selfLinks);
  }

  /** A certificate issued by Vault PKI for each load balancer. */
  public static vault(options: VaultCertificateSourceOptions): McpCertificate {
    return new VaultCertificates(options);
  }

  /** True when the service's domain is needed (common name). */
  public abstract readonly needsDomain: boolean;
  /** True when the certificate comes from a private CA (probes cannot validate it). */
  public abstract readonly privateCa: boolean;
  /**
   * The CA that issued the certificates, for callers of the service's own names (a
   * Terraform reference to the PEM), once bound. @default - public roots suffice
   */
  public trustedCaPem(_scope: Construct): string | undefined {
    return undefined;
  }
  /**
   * Certificates to present, as self links (called by the topologies).
   * @internal
   */
  public abstract bind(scope: Construct, context: CertificateBindContext): string[];
  /** Problems with this source for these locations. */
  public abstract validate(locations: readonly string[], v: Validator): void;
}

class ExistingCertificates extends McpCertificate {
  public readonly needsDomain = false;
  public readonly privateCa = false;
  constructor(private readonly selfLinks: Record<string, string[]>) { super(); }
  public bind(_scope: Construct, context: CertificateBindContext): string[] {
    return this.selfLinks[context.location];
  }
  public validate(locations: readonly string[], v: Validator): void {
    for (const l of locations) {
      v.check((this.selfLinks[l] ?? []).length > 0, `certificate.${l}`, this.selfLinks[l],
        `at least one SSL certificate self link for ${l === 'global' ? 'the global load balancer' : `the load balancer in ${l}`}`);
    }
  }
}

class VaultCertificates extends McpCertificate {
  public readonly needsDomain = true;
  public readonly privateCa: boolean;
  /** The first certificate's issuing CA in each stack (a source may serve several stacks). */
  private readonly issuingCa = new Map<TerraformStack, string>();
  constructor(public readonly options: VaultCertificateSourceOptions) {
    super();
    this.privateCa = options.privateCa ?? true;
  }
  public bind(scope: Construct, context: CertificateBindContext): string[] {
    const [first, ...rest] = context.domainNames;
    const commonName = this.options.commonName ?? first;
    const sans = [...new Set([...(this.options.subjectAlternativeNames ?? []), ...(commonName === first ? rest : context.domainNames)])];
    const cert = new VaultIssuedCertificate(scope, `Certificate-${context.location}`, {
      ...this.options, commonName, subjectAlternativeNames: sans, location: context.location,
    });
    const stack = TerraformStack.of(scope);
    if (!this.issuingCa.has(stack)) this.issuingCa.set(stack, cert.issuingCaPem);
    return [cert.selfLink];
  }
  public override trustedCaPem(scope: Construct): string | undefined {
    return this.privateCa ? this.issuingCa.get(TerraformStack.of(scope)) : undefined;
  }
  public validate(): void { /* the policy is validated where the certificate is made */ }
}

/** Props of `VaultIssuedCertificate`: one Vault-issued certificate as a self-managed SSL certificate. */
export interface VaultIssuedCertificateProps extends VaultCertificateSourceOptions {
  /** The certificate's common name (the service's name). */
  readonly commonName: string;
  /** 'global' or a region (regional load balancers need a regional certificate). @default 'global' */
  readonly location?: string;
  /** Prefix of the SSL certificate's name_prefix. @default - derived from the construct path */
  readonly namePrefix?: string;
}

/** A Vault-issued certificate as a self-managed Compute Engine SSL certificate (zero-downtime replacement). */
export class VaultIssuedCertificate extends Construct {
  public readonly policy: VaultCertificatePolicy;
  public readonly issued: PkiSecretBackendCert;
  public readonly sslCertificate: ComputeSslCertificate | ComputeRegionSslCertificate;
  public readonly selfLink: string;
  /** Seconds before expiry at which an apply renews (auto_renew's min_seconds_remaining). */
  public readonly renewBeforeSeconds: number;
  /** The issuing CA's PEM (a Terraform reference): what callers of the service must trust. */
  public readonly issuingCaPem: string;

  constructor(scope: Construct, id: string, props: VaultIssuedCertificateProps) {
    super(scope, id);
    const v = validatorFor(this);
    // The Terraform vault provider authenticates the deploying process (VAULT_TOKEN); no token is in the configuration.
    const policy = resolveVaultCertificatePolicy({
      ...props,
      auth: { method: VaultAuthMethod.TOKEN, tokenSecret: 'VAULT_TOKEN of the process running cdktf deploy' },
    }, v);
    v.throwIfInvalid();
    this.policy = policy;
    this.renewBeforeSeconds = policy.daysLeftAtRotation * 86400;
    const stack = TerraformStack.of(this);
    if (!stack.node.tryFindChild('VaultProvider')) {
      new VaultProvider(stack, 'VaultProvider', { address: policy.vaultAddress, skipChildToken: true });
    }
    this.issued = new PkiSecretBackendCert(this, 'Issued', {
      backend: policy.pkiMount,
      name: policy.role,
      commonName: policy.commonName,
      altNames: [...policy.subjectAlternativeNames],
      ttl: policy.vaultTtl,
      autoRenew: true,
      minSecondsRemaining: this.renewBeforeSeconds,
      revoke: false,
    });
    this.issuingCaPem = this.issued.issuingCa;
    const prefix = props.namePrefix ?? defaultPrefix(this);
    const location = props.location ?? 'global';
    const common = {
      namePrefix: `${resourceName(prefix, '').slice(0, 40)}-`,
      description: `Vault-issued (${policy.pkiMount}/${policy.role}) for ${policy.commonName}`,
      // Leaf then issuing CA: the chain clients need.
      certificate: `\${${this.issued.fqn}.certificate}\n\${${this.issued.fqn}.issuing_ca}`,
      privateKey: this.issued.privateKey,
      lifecycle: { createBeforeDestroy: true },
    };
    this.sslCertificate = location === 'global'
      ? new ComputeSslCertificate(this, 'SslCertificate', common)
      : new ComputeRegionSslCertificate(this, 'SslCertificate', { ...common, region: location });
    this.selfLink = this.sslCertificate.selfLink;
    new TerraformOutput(this, 'Expiration', {
      value: this.issued.expiration,
      description: `Unix time the certificate of ${policy.commonName} expires (renewed by the first apply ${policy.daysLeftAtRotation} days before)`,
    });
  }
}
