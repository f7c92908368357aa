/**
 * lib/aws/mcp-probe-handler/trust.ts on its own (test/aws/mcp-probe-trust.test.ts goes through runProbe):
 * `trustedFetch` against a real HTTPS server on 127.0.0.1 whose certificate a test CA issued, `isTrustError`
 * on the errors the runtime really throws, `TrustStore`'s reads of the CA parameter on a fake clock (kept
 * MCP_TRUSTED_CA_CACHE_SECONDS, 300 s by default; read again once on a verification failure; a warm store keeps
 * its CA when SSM cannot be read, a cold one fails), and `readParameterWithSdk` against a stand-in SSM client.
 * Requirements: the module's doc comments and TrustedCa.fromParameter ("kept 5 minutes by a warm function, and
 * read again at once when a TLS verification fails").
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { TRUST_ENV, TrustStore, isTrustError, readParameterWithSdk, trustedFetch } from '../../lib/aws/mcp-probe-handler/trust';
import { TestPki, generateTestPki, removeTestPki } from '../support/vault-fake';

/** What the stand-in SSM client was asked, and what it answers. */
const ssm: { requests: unknown[]; answer: { Parameter?: { Value?: string } } } = { requests: [], answer: {} };
jest.mock('@aws-sdk/client-ssm', () => ({
  GetParameterCommand: class { constructor(public readonly input: unknown) {} },
  SSMClient: class { async send(command: { input: unknown }) { ssm.requests.push(command.input); return ssm.answer; } },
}), { virtual: true });

let pki: TestPki;
let server: https.Server;
let url: string;
/** A port nothing listens on (a plain server opened and closed). */
let closedPortUrl: string;

beforeAll(async () => {
  pki = generateTestPki();
  server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      if (req.url === '/empty') {
        res.writeHead(204, { 'x-trace': 'a' });
        res.end();
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
      res.end(JSON.stringify({ method: req.method, body: raw, length: req.headers['content-length'] ?? null, probe: req.headers['x-probe'] ?? null }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const plain = http.createServer();
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  closedPortUrl = `https://127.0.0.1:${(plain.address() as AddressInfo).port}/`;
  await new Promise<void>((r) => plain.close(() => r()));
});
afterAll(async () => {
  await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  removeTestPki(pki);
});

/** The rejection of `p` (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('trustedFetch and isTrustError against a server a private CA certified', () => {
  test('trusting the CA: status, headers (repeated ones kept) and the JSON body, like fetch; a string body goes with its length', async () => {
    const f = trustedFetch(pki.tlsCaPem);
    const res = await f(`${url}/echo`, { method: 'POST', body: 'héllo', headers: { 'x-probe': '1' } });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await res.json()).toEqual({ method: 'POST', body: 'héllo', length: String(Buffer.byteLength('héllo')), probe: '1' });
    // A Request and a URL are accepted as the input too.
    expect((await f(new URL(`${url}/echo`))).status).toBe(201);
    expect(((await (await f(new Request(`${url}/echo`))).json()) as { method: string }).method).toBe('GET');
  });

  test('204 and HEAD answers have no body', async () => {
    const f = trustedFetch(pki.tlsCaPem);
    const empty = await f(`${url}/empty`);
    expect(empty.status).toBe(204);
    expect(empty.headers.get('x-trace')).toBe('a');
    expect(empty.body).toBeNull();
    const head = await f(`${url}/echo`, { method: 'HEAD' });
    expect(head.status).toBe(201);
    expect(head.body).toBeNull();
  });

  test('without the CA (the runtime\'s public roots: the global fetch) the request fails with a trust error', async () => {
    const e = await rejection(trustedFetch(undefined)(`${url}/echo`));
    // Jest's sandbox has its own TypeError; the global fetch's comes from Node's realm.
    expect({ name: (e as Error).name, message: (e as Error).message }).toEqual({ name: 'TypeError', message: 'fetch failed' });
    expect(isTrustError(e)).toBe(true);
  });

  test('trusting an unrelated CA fails the same way, as a TypeError("fetch failed") whose cause is the TLS error', async () => {
    const e = await rejection(trustedFetch(pki.otherCaPem)(`${url}/echo`));
    expect(e).toBeInstanceOf(TypeError);
    expect((e as Error).message).toBe('fetch failed');
    expect(isTrustError(e)).toBe(true);
    expect(isTrustError((e as Error).cause)).toBe(true);
  });

  test('a failure that is not about the certificate is not a trust error (nothing listening)', async () => {
    const e = await rejection(trustedFetch(pki.tlsCaPem)(closedPortUrl));
    expect(e).toBeInstanceOf(TypeError);
    expect(isTrustError(e)).toBe(false);
  });

  test('isTrustError: Node\'s verification codes, on the error or its cause; anything else is not', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE']) {
      expect({ code, direct: isTrustError({ code }), asCause: isTrustError(new TypeError('fetch failed', { cause: { code } })) })
        .toEqual({ code, direct: true, asCause: true });
    }
    for (const e of [undefined, null, new Error('x'), { code: 'ECONNREFUSED' }, { code: 'CERT_HAS_EXPIRED' }, new TypeError('fetch failed', { cause: { code: 'ETIMEDOUT' } })]) {
      expect(isTrustError(e)).toBe(false);
    }
  });

  test('refuses what it cannot send: plain http, a non-string body, an already aborted signal', async () => {
    const f = trustedFetch(pki.tlsCaPem);
    await expect(f('http://127.0.0.1:1/')).rejects.toThrow('trustedFetch: only https URLs (http:)');
    await expect(f(`${url}/echo`, { method: 'POST', body: new Uint8Array([1]) })).rejects.toThrow('trustedFetch: only string bodies');
    const aborted = AbortSignal.abort(new Error('gave up'));
    await expect(f(`${url}/echo`, { signal: aborted })).rejects.toThrow('gave up');
  });
});

describe('TrustStore', () => {
  test('configured only when a PEM or a parameter is set; otherwise its fetch is the global fetch and nothing is read', async () => {
    const read = jest.fn(async () => pki.tlsCaPem);
    expect(new TrustStore({}, read).configured).toBe(false);
    expect(new TrustStore({ [TRUST_ENV.pem]: '', [TRUST_ENV.parameter]: '' }, read).configured).toBe(false);
    expect(new TrustStore({ [TRUST_ENV.pem]: pki.tlsCaPem }, read).configured).toBe(true);
    expect(new TrustStore({ [TRUST_ENV.parameter]: '/p' }, read).configured).toBe(true);
    expect(await new TrustStore({}, read).fetch()).toBe(globalThis.fetch);
    expect(read).not.toHaveBeenCalled();
  });

  test('an inline PEM is trusted without reading any parameter, and the same fetch is kept', async () => {
    const read = jest.fn(async () => pki.otherCaPem);
    const store = new TrustStore({ [TRUST_ENV.pem]: pki.tlsCaPem, [TRUST_ENV.parameter]: '/p' }, read);
    const f = await store.fetch();
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(await store.fetch()).toBe(f);
    expect(read).not.toHaveBeenCalled();
  });

  test('the parameter is read once and kept 300 s by default: not again at 299.999 s, again at 300 s', async () => {
    let now = 1_000_000;
    const reads: string[] = [];
    const store = new TrustStore({ [TRUST_ENV.parameter]: '/mcp-ha/S/a/ca-chain' }, async (n) => { reads.push(n); return pki.tlsCaPem; }, () => now);
    const f = await store.fetch();
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(reads).toEqual(['/mcp-ha/S/a/ca-chain']);
    now += 299_999;
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(reads).toHaveLength(1);
    now += 1;
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(reads).toHaveLength(2);
  });

  test('MCP_TRUSTED_CA_CACHE_SECONDS sets how long it is kept', async () => {
    let now = 0;
    const read = jest.fn(async () => pki.tlsCaPem);
    const store = new TrustStore({ [TRUST_ENV.parameter]: '/p', [TRUST_ENV.cacheSeconds]: '60' }, read, () => now);
    await store.fetch();
    now = 59_999;
    await store.fetch();
    expect(read).toHaveBeenCalledTimes(1);
    now = 60_000;
    await store.fetch();
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('a CA that rotated is read again once on the verification failure, the request retried with it, and then kept', async () => {
    let current = pki.otherCaPem; // what the store read before the rotation
    const read = jest.fn(async () => current);
    const store = new TrustStore({ [TRUST_ENV.parameter]: '/p' }, read, () => 0);
    const f = await store.fetch();
    expect(read).toHaveBeenCalledTimes(1);
    current = pki.tlsCaPem; // the certificate function wrote the new chain
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(read).toHaveBeenCalledTimes(2);
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('a CA that still does not verify after the re-read fails with the trust error: read again once, not in a loop', async () => {
    const read = jest.fn(async () => pki.otherCaPem);
    const f = await new TrustStore({ [TRUST_ENV.parameter]: '/p' }, read, () => 0).fetch();
    const e = await rejection(f(`${url}/echo`));
    expect(isTrustError(e)).toBe(true);
    expect(read).toHaveBeenCalledTimes(2);
  });

  test('a failure that is not about trust does not re-read the parameter', async () => {
    const read = jest.fn(async () => pki.tlsCaPem);
    const f = await new TrustStore({ [TRUST_ENV.parameter]: '/p' }, read, () => 0).fetch();
    const e = await rejection(f(closedPortUrl));
    expect(isTrustError(e)).toBe(false);
    expect(read).toHaveBeenCalledTimes(1);
  });

  test('SSM unreadable: a cold store fails with the read\'s error; a warm one keeps the CA it has past the cache time', async () => {
    const cold = new TrustStore({ [TRUST_ENV.parameter]: '/p' }, async () => { throw new Error('AccessDeniedException'); });
    await expect(cold.fetch()).rejects.toThrow('AccessDeniedException');

    let now = 0;
    let fail = false;
    const read = jest.fn(async () => { if (fail) throw new Error('ThrottlingException'); return pki.tlsCaPem; });
    const warm = new TrustStore({ [TRUST_ENV.parameter]: '/p' }, read, () => now);
    const f = await warm.fetch();
    fail = true;
    now += 10 * 60_000;
    expect((await f(`${url}/echo`)).status).toBe(201);
    expect(read.mock.calls.length).toBeGreaterThanOrEqual(2); // it did try to read again
  });
});

describe('readParameterWithSdk (the Lambda runtime\'s SSM client)', () => {
  test('asks GetParameter for the name and answers its value', async () => {
    ssm.requests = [];
    ssm.answer = { Parameter: { Value: pki.tlsCaPem } };
    expect(await readParameterWithSdk('/mcp-ha/S/a/ca-chain')).toBe(pki.tlsCaPem);
    expect(ssm.requests).toEqual([{ Name: '/mcp-ha/S/a/ca-chain' }]);
  });

  test('a parameter without a value is an error naming it', async () => {
    ssm.answer = { Parameter: {} };
    await expect(readParameterWithSdk('/p')).rejects.toThrow('SSM parameter /p has no value');
    ssm.answer = {};
    await expect(readParameterWithSdk('/q')).rejects.toThrow('SSM parameter /q has no value');
  });
});
