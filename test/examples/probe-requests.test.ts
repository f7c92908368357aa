/**
 * The MCP-level availability checks of Azure and Google Cloud send a fixed request (they cannot run an MCP
 * client) and pass on a fixed answer. Here the request each construct renders is sent, byte for byte, to the
 * reference server on loopback, and the answer is judged the way the check judges it: without authorization
 * the status and the body match (`initialize` pinned to protocol version 2025-06-18: the server must still
 * answer it); with authorization the only passing answer is the 401 challenge.
 */
import type { AddressInfo } from 'node:net';
import { Testing, TerraformStack } from 'cdktf';
import { McpProbe as AzureMcpProbe } from '../../lib/azure/mcp-probe';
import { McpServerSource } from '../../lib/core/server-source';
import { McpProbe as GoogleMcpProbe } from '../../lib/gcp/mcp-probe';
import { ReferenceServer, createServer, readConfig } from '../../examples/mcp-server/src';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = Record<string, any>;

const LOOPBACK = '127.0.0.1';
const servers: ReferenceServer[] = [];

/** The reference server, with the cache unreachable (initialize and the challenge need no cache). */
async function start(auth: boolean): Promise<string> {
  const base = { port: 0, host: LOOPBACK, redisUrl: 'redis://127.0.0.1:1', logSink: () => undefined };
  const server = createServer(auth
    ? { ...readConfig({ MCP_AUTH_ISSUER: 'https://auth.example.com', MCP_AUTH_AUDIENCE: 'https://mcp.example.com/mcp', HOST: LOOPBACK, MCP_PORT: '0' }), ...base }
    : base);
  servers.push(server);
  const { url } = await server.start();
  return url;
}

afterAll(async () => {
  await Promise.allSettled(servers.map((s) => s.close()));
});

function resources(stack: TerraformStack, type: string): Tf[] {
  return Object.values((JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Tf>> }).resource[type] ?? {});
}

function azureTest(expectsChallenge: boolean): Tf {
  const stack = new TerraformStack(Testing.app(), 'azure');
  new AzureMcpProbe(stack, 'Probe', {
    actionGroupId: 'ag', location: 'eastus', resourceGroupName: 'rg', url: 'https://mcp.example.com/mcp', workspaceId: 'w',
    publiclyTrusted: true, expectsChallenge,
  });
  return resources(stack, 'azurerm_application_insights_standard_web_test')[0];
}

function googleCheck(expectsChallenge: boolean): Tf {
  const stack = new TerraformStack(Testing.app(), 'gcp');
  new GoogleMcpProbe(stack, 'Probe', {
    host: 'mcp.example.com', server: McpServerSource.container('example/mcp:1'), project: 'p', expectsChallenge,
  });
  return resources(stack, 'google_monitoring_uptime_check_config')[0];
}

/** Sends what an Azure standard test sends (method, headers, body) and judges it by its validation rules. */
async function runAzure(test: Tf, url: string): Promise<{ passes: boolean; status: number }> {
  const headers = Object.fromEntries((test.request.header as { name: string; value: string }[]).map((h) => [h.name, h.value]));
  const res = await fetch(url, { method: test.request.http_verb, headers, body: test.request.body, redirect: 'manual' });
  const body = await res.text();
  const rules = test.validation_rules;
  const content = rules.content as { content_match: string; pass_if_text_found: boolean; ignore_case: boolean } | undefined;
  const found = content ? (content.ignore_case ? body.toLowerCase().includes(content.content_match.toLowerCase()) : body.includes(content.content_match)) : true;
  return { passes: res.status === rules.expected_status_code && (content ? found === content.pass_if_text_found : true), status: res.status };
}

/** Sends what a Google uptime check sends (method, content type, headers, base64 body) and judges it by its accepted statuses and matchers. */
async function runGoogle(check: Tf, url: string): Promise<{ passes: boolean; status: number }> {
  const http = check.http_check;
  const res = await fetch(url, {
    method: http.request_method,
    headers: { 'Content-Type': http.custom_content_type, ...http.headers },
    body: Buffer.from(http.body, 'base64').toString(),
    redirect: 'manual',
  });
  const body = await res.text();
  const accepted = (http.accepted_response_status_codes as { status_value?: number; status_class?: string }[]).some((c) =>
    c.status_value !== undefined ? c.status_value === res.status : c.status_class === 'STATUS_CLASS_2XX' && res.status >= 200 && res.status < 300);
  const matchers = (check.content_matchers ?? []) as { content: string; matcher: string }[];
  const matched = matchers.every((m) => m.matcher === 'CONTAINS_STRING' && body.includes(m.content));
  return { passes: accepted && matched, status: res.status };
}

describe('the availability checks\' own requests against the reference server', () => {
  test('without authorization: Azure\'s standard test and Google\'s uptime check pass on the server\'s initialize answer', async () => {
    const url = await start(false);
    expect(await runAzure(azureTest(false), url)).toEqual({ passes: true, status: 200 });
    expect(await runGoogle(googleCheck(false), url)).toEqual({ passes: true, status: 200 });
  });

  test('with authorization: both checks send no token and pass only on the 401 challenge; the check without challenge fails there', async () => {
    const url = await start(true);
    expect(await runAzure(azureTest(true), url)).toEqual({ passes: true, status: 401 });
    expect(await runGoogle(googleCheck(true), url)).toEqual({ passes: true, status: 401 });
    // Control: a check that expects a 200 does fail against a server that checks tokens.
    expect(await runAzure(azureTest(false), url)).toEqual({ passes: false, status: 401 });
    expect(await runGoogle(googleCheck(false), url)).toEqual({ passes: false, status: 401 });
  });

  test('a server that answers something else fails both checks (the judge is not vacuous)', async () => {
    const http = await import('node:http');
    const other = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('OK'));
    await new Promise<void>((resolve) => other.listen(0, LOOPBACK, resolve));
    const url = `http://${LOOPBACK}:${(other.address() as AddressInfo).port}/mcp`;
    try {
      expect((await runAzure(azureTest(false), url)).passes).toBe(false);
      expect((await runGoogle(googleCheck(false), url)).passes).toBe(false);
    } finally {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
