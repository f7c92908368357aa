import { Validator } from '../../lib/core/errors';
import { McpCertificate, VaultIssuedCertificate } from '../../lib/gcp/certificate';
import { errorOf, only, resourcesOf, synthJson, testStack, Tf } from './support';

const vault = { vaultAddress: 'https://vault.example.com:8200', role: 'mcp-server' };
// GIVEN a Vault-issued certificate for a global load balancer and one for a regional one (built once)
const { stack } = testStack();
const cert = new VaultIssuedCertificate(stack, 'Cert', { ...vault, commonName: 'mcp.example.com', subjectAlternativeNames: ['mcp-us-east1.example.com'] });
new VaultIssuedCertificate(stack, 'Regional', { ...vault, commonName: 'mcp.example.com', location: 'us-east1' });
const t = synthJson(stack);
const issued = Object.values(resourcesOf(t, 'vault_pki_secret_backend_cert'))[0];

describe('VaultIssuedCertificate', () => {
  test('Vault issues it for the core policy: 45-day certificates renewed by the apply after day 30', () => {
    expect(issued).toMatchObject({
      backend: 'pki', name: 'mcp-server', common_name: 'mcp.example.com', alt_names: ['mcp-us-east1.example.com'],
      ttl: `${45 * 24}h`, auto_renew: true, min_seconds_remaining: 15 * 86400, revoke: false,
    });
    expect(cert.renewBeforeSeconds).toBe((cert.policy.ttlDays - cert.policy.rotationDays) * 86400);
  });

  test('self-managed SSL certificates are replaced without downtime: name_prefix and create-before-destroy', () => {
    const ssl = only(t, 'google_compute_ssl_certificate');
    expect(ssl.name).toBeUndefined();
    expect(ssl.name_prefix).toMatch(/-$/);
    expect(ssl.lifecycle).toEqual({ create_before_destroy: true });
    expect(ssl.certificate).toMatch(/\.certificate\}\n\$\{vault_pki_secret_backend_cert\..*\.issuing_ca\}$/);
    expect(only(t, 'google_compute_region_ssl_certificate')).toMatchObject({ region: 'us-east1', lifecycle: { create_before_destroy: true } });
  });

  test('the private key never reaches a plain output; the Vault provider is configured once, without a token', () => {
    for (const [name, out] of Object.entries(t.output ?? {})) {
      if (JSON.stringify(out.value).includes('private_key')) expect([name, out.sensitive]).toEqual([name, true]);
    }
    expect(JSON.stringify(t.output)).not.toMatch(/private_key/);
    const provider = (t as Tf).provider.vault;
    expect(provider).toHaveLength(1);
    expect(provider[0]).toEqual({ address: 'https://vault.example.com:8200', skip_child_token: true });
  });

  test('bad inputs: the core policy\'s rules with the construct path', () => {
    expect(errorOf((s) => new VaultIssuedCertificate(s, 'C', { vaultAddress: 'http://vault:8200', role: 'r', commonName: 'mcp', rotationDays: 50 })))
      .toMatch(/^test\/C: 3 invalid settings\n {2}- vaultAddress: got "http:\/\/vault:8200"; allowed: an https:\/\/ URL[\s\S]*commonName: got "mcp"[\s\S]*rotationDays: got 50; allowed: fewer days than ttlDays \(45\)/);
  });

  test('McpCertificate.existing refuses a location without certificates', () => {
    const v = new Validator();
    McpCertificate.existing({ global: ['x'] }).validate(['global', 'us-east1'], v);
    expect(v.problems.map((p: Tf) => p.prop)).toEqual(['certificate.us-east1']);
  });

  test('snapshot', () => {
    expect(t.resource).toMatchSnapshot();
  });
});
