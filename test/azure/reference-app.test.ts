/**
 * The Azure stacks of the Terraform reference app, synthesized in-process once:
 * one stack per topology, each with an encrypted remote state and a summary
 * output whose budget is within its target. (`npm run synth` runs the real
 * `cdktf synth` CLI over the same app.)
 */
import { App, Testing } from 'cdktf';
import { addAzureStacks } from '../../examples/terraform/azure';
import { StackSummary } from '../../lib/core/summary';
import { TfJson } from './support';
import { bootScripts, containerEnv } from './semantics';

interface StackJson {
  readonly terraform: { backend: { azurerm: Record<string, unknown> } };
  readonly output: Record<string, { value: string }>;
}

const app = Testing.app() as App;
const stacks = addAzureStacks(app);
const json = Object.fromEntries(Object.entries(stacks).map(([k, s]) => [k, JSON.parse(Testing.synth(s)) as StackJson]));

describe('Azure reference stacks', () => {
  test('one stack per topology', () => {
    expect(Object.values(stacks).map((s) => s.node.id)).toEqual(['azure-active-active', 'azure-active-passive', 'azure-multi-region']);
  });

  test.each(Object.keys(json))('%s: remote state in Azure Storage with Entra ID auth, one blob per stack', (k) => {
    expect(json[k].terraform.backend.azurerm).toMatchObject({ use_azuread_auth: true, key: `${stacks[k].node.id}.tfstate` });
  });

  test.each(Object.keys(json))('%s: the summary output is within target', (k) => {
    const summary = JSON.parse(json[k].output.McpHa_Summary.value) as StackSummary;
    expect(summary.cloud).toBe('azure');
    expect(summary.budgetSeconds!).toBeLessThanOrEqual(summary.targetSeconds!);
  });

  test.each(Object.keys(json))('%s: DNS records in the Azure zone, none a CNAME at the zone apex', (k) => {
    const records = Object.values((json[k] as unknown as { resource: Record<string, Record<string, { name: string; record: string }>> }).resource.azurerm_dns_cname_record ?? {});
    for (const r of records) expect(['', '@']).not.toContain(r.name);
    // The service name points at what routes between regions (Traffic Manager, Front Door) or at the one gateway;
    // each regional name at its own gateway's public IP (what Front Door's origins and the certificates name).
    const target = { aa: /azurerm_public_ip\.\S+\.fqdn/, ap: /azurerm_traffic_manager_profile\.\S+\.fqdn/, mr: /azurerm_cdn_frontdoor_endpoint\.\S+\.host_name/ }[k]!;
    expect(records.find((r) => r.name === 'mcp')!.record).toMatch(target);
    const regional = records.filter((r) => r.name !== 'mcp');
    expect(regional.length).toBeGreaterThanOrEqual(1);
    const ips = (json[k] as unknown as TfJson).resource.azurerm_public_ip;
    for (const r of regional) {
      const id = /^\$\{azurerm_public_ip\.([\w-]+)\.fqdn\}$/.exec(r.record)![1];
      expect(ips[id].location).toBe(r.name.replace(/^mcp-/, ''));
    }
  });

  test.each(Object.keys(json))('%s: Microsoft Entra ID: every server trusts the v1.0 token issuer for the service URL, the probe checks the challenge', (k) => {
    const tf = json[k] as unknown as TfJson;
    const envs = Object.values(bootScripts(tf)).map(containerEnv);
    expect(envs).toHaveLength(k === 'aa' ? 1 : 2);
    for (const env of envs) {
      expect(env.MCP_AUTH_ISSUER).toMatch(/^https:\/\/sts\.windows\.net\/[0-9a-f-]{36}\/$/);
      expect(env).toMatchObject({ MCP_AUTH_AUDIENCE: 'https://mcp.example.com/mcp', MCP_AUTH_SCOPES_READ: 'mcp.read', MCP_AUTH_SCOPES_WRITE: 'mcp.write' });
    }
    const webTests = Object.values(tf.resource.azurerm_application_insights_standard_web_test ?? {});
    expect(webTests.map((t) => (t.validation_rules as { expected_status_code: number }).expected_status_code)).toEqual([401]);
    expect((JSON.parse(json[k].output.McpHa_Summary.value) as StackSummary).authorization).toBe('sts.windows.net');
  });

  test.each(Object.keys(json))('%s: no secret or private key in an output', (k) => {
    expect(Object.keys(json[k].output)).toEqual(['McpHa_Summary']);
    expect(JSON.stringify(json[k].output)).not.toMatch(/private_key|access_key/);
  });
});
