/** What `McpCertificate._bind` receives (internal: the topologies bind the certificate in each region). */
import { ITerraformDependable } from 'cdktf';

/** Where and for which names a certificate is bound (the topology's region). */
export interface CertificateBindContext {
  readonly region: string;
  readonly keyVaultId: string;
  /** Names the certificate must cover: the service name, then the regional name. */
  readonly domainNames: string[];
  /** Resources the import must wait for (the deployer's Key Vault role). */
  readonly dependsOn: ITerraformDependable[];
}
