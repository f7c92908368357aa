/**
 * A local stand-in for HashiCorp Vault, served over HTTPS on 127.0.0.1 with a CA
 * the test generates (openssl CLI). It implements the endpoints the certificate
 * function calls, with Vault's documented request and response shapes:
 *
 * - `POST /v1/auth/<mount>/login` (AWS auth, IAM type): decodes the base64
 *   `iam_request_url`, `iam_request_body` and `iam_request_headers` and checks they
 *   are an `sts:GetCallerIdentity` request whose SigV4 signature verifies with the
 *   test's secret key (recomputed here independently with node:crypto), signing
 *   `X-Vault-AWS-IAM-Server-ID` when the fake requires one; answers `auth.client_token`.
 * - `POST /v1/<mount>/issue/<role>`: a real certificate signed by the fake's PKI CA
 *   (`common_name`, `alt_names`, `ttl`, capped at the role's max TTL as Vault does),
 *   answering `data.certificate`, `issuing_ca`, `ca_chain`, `private_key`,
 *   `private_key_type`, `serial_number`, `expiration`.
 * - `POST /v1/<mount>/revoke` with `serial_number`.
 * - Errors as `{"errors": [...]}`: 403 "permission denied", 400 "unknown role: x",
 *   503 "Vault is sealed", and injected failures.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createHmac, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** PEM material for one test run. */
export interface TestPki {
  readonly dir: string;
  /** CA that signs the fake's TLS certificate (trust it with caBundlePem). */
  readonly tlsCaPem: string;
  /** An unrelated CA (trusting it must fail). */
  readonly otherCaPem: string;
  /** The PKI engine's issuing CA. */
  readonly pkiCaPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string, cn: string): void {
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`,
    '-days', '30', '-subj', `/CN=${cn}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
}

/** Generates the CAs and the server certificate (for 127.0.0.1 and localhost). */
export function generateTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-fake-'));
  makeCa(dir, 'tls-ca', 'Test TLS CA');
  makeCa(dir, 'other-ca', 'Unrelated CA');
  makeCa(dir, 'pki-ca', 'Test PKI Issuing CA');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'tls-ca.pem', '-CAkey', 'tls-ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '30', '-extfile', 'server.ext'], dir);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    dir,
    tlsCaPem: read('tls-ca.pem'),
    otherCaPem: read('other-ca.pem'),
    pkiCaPem: read('pki-ca.pem'),
    serverCertPem: read('server.pem'),
    serverKeyPem: read('server.key'),
  };
}

/** A server certificate for 127.0.0.1 issued by an intermediate CA under the PKI's CA (the usual Vault shape: `issuing_ca` is an intermediate). */
export interface ChainedServerCertificate {
  /** The intermediate CA (what Vault returns as `issuing_ca`). */
  readonly intermediatePem: string;
  /** Leaf then intermediate, as a server (or ACM with the chain) sends them. */
  readonly certChainPem: string;
  readonly keyPem: string;
}

/** Issues, under `pki`'s PKI CA, an intermediate CA and a 127.0.0.1 server certificate signed by it. */
export function issueChainedServerCertificate(pki: TestPki): ChainedServerCertificate {
  const dir = pki.dir;
  fs.writeFileSync(path.join(dir, 'int.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'int.key', '-out', 'int.csr', '-subj', '/CN=Test PKI Intermediate'], dir);
  openssl(['x509', '-req', '-in', 'int.csr', '-CA', 'pki-ca.pem', '-CAkey', 'pki-ca.key', '-set_serial', '0x77', '-out', 'int.pem', '-days', '30', '-extfile', 'int.ext'], dir);
  fs.writeFileSync(path.join(dir, 'chained.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'chained.key', '-out', 'chained.csr', '-subj', '/CN=127.0.0.1'], dir);
  openssl(['x509', '-req', '-in', 'chained.csr', '-CA', 'int.pem', '-CAkey', 'int.key', '-set_serial', '0x78', '-out', 'chained.pem', '-days', '30', '-extfile', 'chained.ext'], dir);
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { intermediatePem: read('int.pem'), certChainPem: `${read('chained.pem')}${read('int.pem')}`, keyPem: read('chained.key') };
}

/** Deletes the generated keys and certificates. */
export function removeTestPki(pki: TestPki): void {
  fs.rmSync(pki.dir, { recursive: true, force: true });
}

/** What the fake accepts. */
export interface VaultFakeOptions {
  /** Access key id -> secret key, for verifying SigV4 signatures of logins. */
  readonly awsSecrets: Record<string, string>;
  /** Vault roles of the AWS auth method, by name: the access key ids bound to each. */
  readonly awsRoles: Record<string, readonly string[]>;
  /** PKI roles by name: max TTL in hours and allowed domain suffix. */
  readonly pkiRoles: Record<string, { readonly maxTtlHours: number; readonly allowedDomain: string }>;
  /** Require this X-Vault-AWS-IAM-Server-ID header value (signed). */
  readonly serverId?: string;
  /** Tokens accepted without login (token auth). */
  readonly staticTokens?: readonly string[];
  readonly pkiMount?: string;
  readonly awsMount?: string;
}

export interface RecordedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly token?: string;
  /** Decoded login request (login only). */
  readonly login?: { url: string; body: string; headers: Record<string, string[]> };
}

interface InjectedFailure {
  readonly status: number;
  readonly errors: readonly string[];
  readonly pathPattern?: RegExp;
}

/** The fake Vault server. */
export class VaultFake {
  public sealed = false;
  public readonly requests: RecordedRequest[] = [];
  public readonly revoked: string[] = [];
  public readonly issuedSerials: string[] = [];
  private readonly tokens = new Set<string>();
  private readonly failures: InjectedFailure[] = [];
  /** The required X-Vault-AWS-IAM-Server-ID value (changeable between tests). */
  public serverId: string | undefined;
  private server?: https.Server;
  private serial = 0x1000;

  constructor(private readonly pki: TestPki, private readonly options: VaultFakeOptions) {
    for (const t of options.staticTokens ?? []) this.tokens.add(t);
    this.serverId = options.serverId;
  }

  /** Starts listening on 127.0.0.1 (random port) and returns the address. */
  public async start(): Promise<string> {
    this.server = https.createServer({ cert: this.pki.serverCertPem, key: this.pki.serverKeyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let body: Record<string, unknown>;
        try {
          body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        } catch {
          return send(res, 400, { errors: ['failed to parse JSON input'] });
        }
        const token = req.headers['x-vault-token'] as string | undefined;
        const answer = this.route(req.method ?? 'GET', req.url ?? '/', body, token);
        send(res, answer.status, answer.body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The next `count` requests (matching `pathPattern`) fail with `status` and `errors`. */
  public failNext(count: number, status: number, errors: readonly string[], pathPattern?: RegExp): void {
    for (let i = 0; i < count; i++) this.failures.push({ status, errors, pathPattern });
  }

  public reset(): void {
    this.sealed = false;
    this.requests.length = 0;
    this.failures.length = 0;
  }

  private route(method: string, url: string, body: Record<string, unknown>, token?: string): { status: number; body: unknown } {
    const p = url.replace(/^\/v1\//, '');
    const awsMount = this.options.awsMount ?? 'aws';
    const pkiMount = this.options.pkiMount ?? 'pki';
    if (method !== 'POST') return { status: 405, body: { errors: [] } };
    if (this.sealed) {
      this.requests.push({ path: p, body, token });
      return { status: 503, body: { errors: ['Vault is sealed'] } };
    }
    const i = this.failures.findIndex((f) => !f.pathPattern || f.pathPattern.test(p));
    if (i >= 0) {
      const [f] = this.failures.splice(i, 1);
      this.requests.push({ path: p, body, token });
      return { status: f.status, body: { errors: f.errors } };
    }
    if (p === `auth/${awsMount}/login`) return this.login(p, body);
    this.requests.push({ path: p, body, token });
    if (!token || !this.tokens.has(token)) return { status: 403, body: { errors: ['permission denied'] } };
    const issue = p.match(new RegExp(`^${pkiMount}/issue/([^/]+)$`));
    if (issue) return this.issue(issue[1], body);
    if (p === `${pkiMount}/revoke`) {
      const serial = String(body.serial_number ?? '');
      if (!serial) return { status: 400, body: { errors: ['The serial number must be provided'] } };
      this.revoked.push(serial);
      const now = Math.floor(Date.now() / 1000);
      return { status: 200, body: { data: { revocation_time: now, revocation_time_rfc3339: new Date(now * 1000).toISOString() } } };
    }
    return { status: 404, body: { errors: [`no handler for route "${p}". route entry not found.`] } };
  }

  private login(p: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const decode = (v: unknown) => Buffer.from(String(v ?? ''), 'base64').toString('utf8');
    let headers: Record<string, string[]>;
    try {
      headers = JSON.parse(decode(body.iam_request_headers)) as Record<string, string[]>;
    } catch {
      this.requests.push({ path: p, body });
      return { status: 400, body: { errors: ['error parsing iam_request_headers'] } };
    }
    const login = { url: decode(body.iam_request_url), body: decode(body.iam_request_body), headers };
    this.requests.push({ path: p, body, login });
    if (body.iam_http_request_method !== 'POST') return { status: 400, body: { errors: ['invalid iam_http_request_method; only POST is supported'] } };
    if (login.url !== 'https://sts.amazonaws.com/') return { status: 400, body: { errors: [`unexpected iam_request_url ${login.url}`] } };
    if (login.body !== 'Action=GetCallerIdentity&Version=2011-06-15') return { status: 400, body: { errors: ['iam_request_body must be GetCallerIdentity'] } };
    const verdict = verifySigV4(login, this.options.awsSecrets);
    if (!verdict.ok) {
      return { status: 400, body: { errors: [`error making upstream request: received error code 403 from STS: ${verdict.reason}`] } };
    }
    if (this.serverId !== undefined) {
      const sent = header(login.headers, 'X-Vault-AWS-IAM-Server-ID');
      if (sent !== this.serverId || !verdict.signedHeaders.includes('x-vault-aws-iam-server-id')) {
        return { status: 400, body: { errors: ['error validating X-Vault-AWS-IAM-Server-ID header: missing or non-matching header value'] } };
      }
    }
    const role = String(body.role ?? '');
    const bound = this.options.awsRoles[role];
    if (!bound) return { status: 400, body: { errors: [`entry for role ${role} not found`] } };
    if (!bound.includes(verdict.accessKeyId)) return { status: 403, body: { errors: ['permission denied'] } };
    const token = `hvs.fake${this.tokens.size}${Date.now()}`;
    this.tokens.add(token);
    return {
      status: 200,
      body: { auth: { client_token: token, accessor: 'acc', policies: ['default', 'pki-issue'], token_policies: ['default', 'pki-issue'], lease_duration: 3600, renewable: true } },
    };
  }

  private issue(roleName: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const role = this.options.pkiRoles[roleName];
    if (!role) return { status: 400, body: { errors: [`unknown role: ${roleName}`] } };
    const cn = String(body.common_name ?? '');
    if (!cn) return { status: 400, body: { errors: ['the common_name field is required, or must be provided in a CSR with "use_csr_common_name" set to true, unless "require_cn" is set to false'] } };
    const alt = String(body.alt_names ?? '').split(',').filter(Boolean);
    for (const name of [cn, ...alt]) {
      if (!name.endsWith(`.${role.allowedDomain}`)) return { status: 400, body: { errors: [`common name ${name} not allowed by this role`] } };
    }
    const ttl = String(body.ttl ?? '');
    const m = ttl.match(/^(\d+)h$/);
    if (!m) return { status: 400, body: { errors: [`error parsing ttl: time: invalid duration "${ttl}"`] } };
    const warnings: string[] = [];
    let hours = Number(m[1]);
    if (hours > role.maxTtlHours) {
      warnings.push(`TTL "${hours}h" is longer than permitted maxTTL "${role.maxTtlHours}h", so maxTTL is being used`);
      hours = role.maxTtlHours;
    }
    const days = Math.max(1, Math.floor(hours / 24));
    const serialHex = (this.serial++).toString(16).padStart(8, '0');
    const dir = this.pki.dir;
    const id = `leaf-${serialHex}`;
    fs.writeFileSync(path.join(dir, `${id}.ext`), `subjectAltName=${[cn, ...alt].map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\n`);
    openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${id}.key`, '-out', `${id}.csr`, '-subj', `/CN=${cn}`], dir);
    openssl(['x509', '-req', '-in', `${id}.csr`, '-CA', 'pki-ca.pem', '-CAkey', 'pki-ca.key', '-set_serial', `0x${serialHex}`, '-out', `${id}.pem`, '-days', String(days), '-extfile', `${id}.ext`], dir);
    const certificate = fs.readFileSync(path.join(dir, `${id}.pem`), 'utf8').trim();
    const privateKey = fs.readFileSync(path.join(dir, `${id}.key`), 'utf8').trim();
    const x509 = new X509Certificate(certificate);
    const serialNumber = (x509.serialNumber.length % 2 ? `0${x509.serialNumber}` : x509.serialNumber).toLowerCase().match(/../g)!.join(':');
    this.issuedSerials.push(serialNumber);
    const ca = this.pki.pkiCaPem.trim();
    return {
      status: 200,
      body: {
        request_id: `req-${serialHex}`, lease_id: '', renewable: false, lease_duration: 0,
        data: {
          certificate, issuing_ca: ca, ca_chain: [ca], private_key: privateKey, private_key_type: 'ec',
          serial_number: serialNumber, expiration: Math.floor(new Date(x509.validTo).getTime() / 1000),
        },
        warnings: warnings.length ? warnings : null,
      },
    };
  }
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function header(headers: Record<string, string[] | string>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) return undefined;
  const v = headers[key];
  return Array.isArray(v) ? v[0] : v;
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Verifies a SigV4 signature of a POST to https://sts.amazonaws.com/ the way STS
 * would (an implementation independent of the signer under test).
 */
export function verifySigV4(
  request: { url: string; body: string; headers: Record<string, string[]> },
  secrets: Record<string, string>,
): { ok: true; accessKeyId: string; signedHeaders: string[] } | { ok: false; reason: string } {
  const auth = header(request.headers, 'Authorization');
  const m = auth?.match(/^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/);
  if (!m) return { ok: false, reason: 'missing or malformed Authorization header' };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = m;
  if (service !== 'sts') return { ok: false, reason: `credential scope names service ${service}` };
  const secret = secrets[accessKeyId];
  if (!secret) return { ok: false, reason: 'InvalidClientTokenId' };
  const amzDate = header(request.headers, 'X-Amz-Date');
  if (!amzDate || !amzDate.startsWith(date)) return { ok: false, reason: 'X-Amz-Date missing or outside the credential scope' };
  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('host')) return { ok: false, reason: 'host is not signed' };
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(header(request.headers, h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const url = new URL(request.url);
  const canonicalRequest = ['POST', url.pathname || '/', '', canonicalHeaders, signedHeaderList, sha256Hex(request.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  if (expected !== signature) return { ok: false, reason: 'SignatureDoesNotMatch' };
  return { ok: true, accessKeyId, signedHeaders };
}
