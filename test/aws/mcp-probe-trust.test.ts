/**
 * The MCP probe against a service whose certificate a private CA issued (as with
 * McpCertificate.vault): a real HTTPS MCP server on 127.0.0.1 with a certificate
 * from a test CA. With the runtime's default trust store the probe fails on TLS;
 * with the CA configured (inline, or the SSM parameter the Vault certificate
 * function writes) it succeeds, an intermediate CA can anchor the chain, and a CA
 * that rotated is picked up on the first verification failure.
 */
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { ENV, ProbeFailure, TRUST_ENV, resetTokenCache, runProbe, trustedFetch } from '../../lib/aws/mcp-probe-handler';
import { ChainedServerCertificate, TestPki, generateTestPki, issueChainedServerCertificate, removeTestPki } from '../support/vault-fake';

let pki: TestPki;
let chained: ChainedServerCertificate;

/** A stateless MCP server (server/discover, tools/list) over HTTPS; `sse` answers tools/list as an event stream. */
async function mcpServer(cert: string, key: string, sse = false): Promise<{ url: string; close(): Promise<void> }> {
  const server = https.createServer({ cert, key }, (req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}') as { id?: number; method?: string };
      const result = body.method === 'server/discover'
        ? { supportedVersions: ['2026-07-28'], serverInfo: { name: 't', version: '1' } }
        : { tools: [{ name: 'context_lookup', inputSchema: { type: 'object' } }] };
      const message = JSON.stringify({ jsonrpc: '2.0', id: body.id, result });
      if (sse && body.method === 'tools/list') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream' });
        res.end(`event: message\ndata: ${message}\n\n`);
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(message);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

let direct: Awaited<ReturnType<typeof mcpServer>>;
let viaIntermediate: Awaited<ReturnType<typeof mcpServer>>;

beforeAll(async () => {
  pki = generateTestPki();
  chained = issueChainedServerCertificate(pki);
  direct = await mcpServer(pki.serverCertPem, pki.serverKeyPem);
  viaIntermediate = await mcpServer(chained.certChainPem, chained.keyPem, true);
});
afterAll(async () => {
  await direct.close();
  await viaIntermediate.close();
  removeTestPki(pki);
});
beforeEach(() => resetTokenCache());

function probeEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [ENV.url]: url, [ENV.timeoutMs]: '10000', [ENV.endpoint]: 'test', ...extra };
}

async function probe(env: Record<string, string>, readParameter?: (name: string) => Promise<string>) {
  const lines: string[] = [];
  const outcome = await runProbe(env, { write: (l) => lines.push(l), readParameter });
  return { outcome, record: JSON.parse(lines[0]) as Record<string, unknown> };
}

describe('MCP probe and a private CA', () => {
  test('with the default trust store the probe fails on TLS and says which CA is missing', async () => {
    const { outcome, record } = await probe(probeEnv(direct.url));
    expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.TLS });
    expect(outcome.error).toMatch(/certificate is not trusted .*configure the CA that issued it/);
    expect(record.Success).toBe(0);
  });

  test('with the CA inline (TrustedCa.fromPem) it succeeds and lists the tools', async () => {
    const { outcome, record } = await probe(probeEnv(direct.url, { [TRUST_ENV.pem]: pki.tlsCaPem }));
    expect(outcome).toMatchObject({ success: true, toolCount: 1 });
    expect(record).toMatchObject({ Success: 1, ToolCount: 1 });
  });

  test('an unrelated CA is not enough', async () => {
    const { outcome } = await probe(probeEnv(direct.url, { [TRUST_ENV.pem]: pki.otherCaPem }));
    expect(outcome).toMatchObject({ success: false, failure: ProbeFailure.TLS });
  });

  test('with the CA parameter the Vault certificate function writes, read once and kept by the warm function', async () => {
    const reads: string[] = [];
    const read = async (name: string) => { reads.push(name); return pki.tlsCaPem; };
    const env = probeEnv(direct.url, { [TRUST_ENV.parameter]: '/mcp-ha/S/a/ca-chain' });
    expect((await probe(env, read)).outcome.success).toBe(true);
    expect((await probe(env, read)).outcome.success).toBe(true);
    expect(reads).toEqual(['/mcp-ha/S/a/ca-chain']);
  });

  test('a CA that rotated (the parameter now holds the new one) is read again on the first verification failure', async () => {
    let current = pki.otherCaPem; // what the warm function read before the rotation
    const reads: string[] = [];
    const read = async (name: string) => { reads.push(name); return current; };
    const env = probeEnv(direct.url, { [TRUST_ENV.parameter]: '/p' });
    expect((await probe(env, read)).outcome.success).toBe(false);
    current = pki.tlsCaPem; // the certificate function wrote the new chain
    expect((await probe(env, read)).outcome.success).toBe(true);
    expect(reads.length).toBeGreaterThanOrEqual(2);
  });

  test('a warm probe keeps the CA it read when SSM cannot be read later (an SSM problem is not an MCP failure)', async () => {
    let now = 0;
    let fail = false;
    const read = async () => { if (fail) throw new Error('ThrottlingException'); return pki.tlsCaPem; };
    const env = probeEnv(direct.url, { [TRUST_ENV.parameter]: '/p' });
    const lines: string[] = [];
    expect((await runProbe(env, { write: (l) => lines.push(l), readParameter: read, clock: () => now })).success).toBe(true);
    fail = true;
    now += 10 * 60 * 1000; // past the 5-minute cache
    expect((await runProbe(env, { write: (l) => lines.push(l), readParameter: read, clock: () => now })).success).toBe(true);
  });

  test('an unreadable CA parameter is an error (no data point), like an unreadable token secret', async () => {
    await expect(runProbe(probeEnv(direct.url, { [TRUST_ENV.parameter]: '/p' }), {
      write: () => undefined, readParameter: async () => { throw new Error('AccessDeniedException'); },
    })).rejects.toThrow('AccessDeniedException');
  });

  test('Vault\'s usual shape: the issuing CA is an intermediate; trusting it alone anchors the chain (SSE answers stream through)', async () => {
    const { outcome } = await probe(probeEnv(viaIntermediate.url, { [TRUST_ENV.pem]: chained.intermediatePem }));
    expect(outcome).toMatchObject({ success: true, toolCount: 1 });
    // The chain Vault returns as ca_chain (intermediate, then its root) works as well.
    resetTokenCache();
    const { outcome: withRoot } = await probe(probeEnv(viaIntermediate.url, { [TRUST_ENV.pem]: `${chained.intermediatePem}${pki.pkiCaPem}` }));
    expect(withRoot.success).toBe(true);
    resetTokenCache();
    expect((await probe(probeEnv(viaIntermediate.url))).outcome.failure).toBe(ProbeFailure.TLS);
  });

  test('trustedFetch answers like fetch (status, JSON body), refuses plain http; without a CA it is the global fetch', async () => {
    const f = trustedFetch(pki.tlsCaPem);
    const res = await f(direct.url, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }), headers: { 'Content-Type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { result: { tools: unknown[] } }).result.tools).toHaveLength(1);
    await expect(f('http://127.0.0.1:1/', {})).rejects.toThrow(/only https/);
    expect(trustedFetch(undefined)).toBe(globalThis.fetch);
  });
});
