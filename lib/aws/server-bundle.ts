/**
 * A Node.js MCP server shipped as a CDK asset: one bundled JavaScript file, copied
 * from the stack's asset bucket at boot, run by systemd under Node.js from Amazon
 * Linux 2023's packages (`nodejs22`, executable /usr/bin/node-22).
 *
 * An asset belongs to one stack (each region has its own asset bucket), so this
 * source is bound per stack: the fleet calls `bindToStack`, which stages the
 * asset in the fleet's stack and lets the instance role read it.
 */
import { AssetHashType, DockerImage } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import {
  McpServerEnv, McpServerSource, ServerEndpoint, ServerEndpointOptions, resolveServerEndpoint, shellQuote,
} from '../core/server-source';

/** A server source that must be bound to the stack of the fleet running it. */
export interface IStackBoundServerSource {
  /** A source for `scope`'s stack; `grantee` (the instance role) may read what it ships. */
  bindToStack(scope: Construct, grantee: iam.IGrantable): McpServerSource;
}

/** True when `source` must be bound per stack before it renders. */
export function isStackBound(source: McpServerSource): source is McpServerSource & IStackBoundServerSource {
  return typeof (source as Partial<IStackBoundServerSource>).bindToStack === 'function';
}

/** Options of `NodeServerSource.fromEntry` / `fromBundle`: the port, extra environment and Node.js version. */
export interface NodeServerOptions extends ServerEndpointOptions {
  /** Port the server listens on (it gets it as `MCP_PORT`); the load balancer and the probes use it. @default 8080 */
  readonly port?: number;
  /** Extra environment variables of the server process (the topologies add theirs: cache, timeouts, authorization). @default - none */
  readonly environment?: Record<string, string>;
  /** Node.js major version from Amazon Linux 2023's namespaced packages. @default 22 */
  readonly nodeMajorVersion?: number;
}

/** Node.js majors Amazon Linux 2023 packages as `nodejs<major>`. */
const AL2023_NODE_MAJORS = [20, 22, 24];
const INSTALL_DIR = '/opt/mcp-server';
const ENV_FILE = '/etc/mcp-server/env';
const UNIT = '/etc/systemd/system/mcp-server.service';

/** Runs a bundled Node.js server (see the module doc). */
export class NodeServerSource extends McpServerSource implements IStackBoundServerSource {
  /**
   * Bundles `entry` (TypeScript or JavaScript) into one file with esbuild at synth
   * time (locally, no Docker), like NodejsFunction does.
   */
  public static fromEntry(entry: string, options: NodeServerOptions = {}): NodeServerSource {
    const v = new Validator({ propPrefix: 'server' });
    v.check(fs.existsSync(entry), 'entry', entry, 'an existing TypeScript or JavaScript file');
    v.check(esbuildInstalled(), 'entry', entry,
      'a file to bundle with esbuild, which the app installs (npm install --save-dev esbuild); or an already bundled file (NodeServerSource.fromBundle)');
    const endpoint = resolve(options, v);
    v.throwIfInvalid();
    return new NodeServerSource(endpoint, { entry: path.resolve(entry) }, options.nodeMajorVersion ?? 22);
  }

  /** Ships an already bundled, self-contained JavaScript file. */
  public static fromBundle(file: string, options: NodeServerOptions = {}): NodeServerSource {
    const v = new Validator({ propPrefix: 'server' });
    v.check(fs.existsSync(file) && file.endsWith('.js'), 'bundle', file, 'an existing bundled .js file');
    const endpoint = resolve(options, v);
    v.throwIfInvalid();
    return new NodeServerSource(endpoint, { bundle: path.resolve(file) }, options.nodeMajorVersion ?? 22);
  }

  private constructor(
    private readonly endpoint: ServerEndpoint,
    private readonly code: { readonly entry?: string; readonly bundle?: string },
    public readonly nodeMajorVersion: number,
  ) {
    super(endpoint);
  }

  public bindToStack(scope: Construct, grantee: iam.IGrantable): McpServerSource {
    const asset = this.code.bundle
      ? new s3assets.Asset(scope, 'ServerBundle', { path: this.code.bundle })
      : new s3assets.Asset(scope, 'ServerBundle', {
        path: path.dirname(this.code.entry!),
        // The bundle (with its dependencies inlined) decides the hash, not just the entry's folder.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
          local: { tryBundle: (outputDir) => bundleLocally(this.code.entry!, outputDir) },
        },
      });
    // `aws s3 cp` of one object needs s3:GetObject on that object only (asset.grantRead
    // would allow GetObject*, GetBucket* and List* on the whole asset bucket).
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
    });
    return new BoundNodeServer(this.endpoint, asset, this.nodeMajorVersion, !this.code.bundle);
  }

  protected renderBody(): string[] {
    throw new Error('NodeServerSource renders per stack: the fleet binds it first (bindToStack)');
  }
}

class BoundNodeServer extends McpServerSource {
  constructor(endpoint: ServerEndpoint, private readonly asset: s3assets.Asset, private readonly major: number,
    private readonly directory: boolean) {
    super(endpoint);
  }

  protected renderBody(env: Record<string, string>, secretNames: readonly string[]): string[] {
    const drain = Number(env[McpServerEnv.DRAIN_SECONDS] ?? '30');
    const node = `/usr/bin/node-${this.major}`;
    const fetch = this.directory
      ? [`aws s3 cp ${shellQuote(this.asset.s3ObjectUrl)} /tmp/mcp-server.zip --region "$AWS_REGION"`,
        `unzip -o /tmp/mcp-server.zip -d ${INSTALL_DIR}`, 'rm -f /tmp/mcp-server.zip']
      : [`aws s3 cp ${shellQuote(this.asset.s3ObjectUrl)} ${INSTALL_DIR}/server.js --region "$AWS_REGION"`];
    return [
      // The asset bucket is in this region; IMDSv2 says which.
      'IMDS_TOKEN="$(curl -sS -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 300")"',
      'AWS_REGION="$(curl -sS -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" http://169.254.169.254/latest/meta-data/placement/region)"',
      `dnf install -y nodejs${this.major} unzip`,
      `install -d -m 0755 ${INSTALL_DIR}`,
      ...fetch,
      `install -d -m 0700 ${path.posix.dirname(ENV_FILE)}`,
      '( umask 077',
      ...Object.entries(env).map(([k, val]) => `  printf '%s=%s\\n' ${k} ${shellQuote(val)} >> ${ENV_FILE}`),
      ...secretNames.map((k) => `  printf '%s=%s\\n' ${k} "$${k}" >> ${ENV_FILE}`),
      ')',
      `cat > ${UNIT} <<'UNIT'`,
      '[Unit]',
      'Description=MCP server (mcp-ha-constructs)',
      'After=network-online.target',
      'Wants=network-online.target',
      '[Service]',
      'Type=simple',
      `EnvironmentFile=${ENV_FILE}`,
      'Environment=NODE_ENV=production',
      `ExecStart=${node} ${INSTALL_DIR}/server.js`,
      'Restart=always',
      'RestartSec=2',
      'RestartPreventExitStatus=78',
      'KillSignal=SIGTERM',
      'KillMode=mixed',
      // systemd kills only after the drain: in-flight calls get MCP_DRAIN_SECONDS, plus a margin.
      `TimeoutStopSec=${drain + 15}`,
      'DynamicUser=yes',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'LimitNOFILE=65536',
      '[Install]',
      'WantedBy=multi-user.target',
      'UNIT',
      'systemctl daemon-reload',
      'systemctl enable --now mcp-server.service',
    ];
  }
}

function resolve(options: NodeServerOptions, v: Validator): ServerEndpoint {
  const major = options.nodeMajorVersion ?? 22;
  v.oneOf('nodeMajorVersion', major, AL2023_NODE_MAJORS, 'Amazon Linux 2023 packages nodejs20, nodejs22 and nodejs24');
  return resolveServerEndpoint({ ...options, port: options.port ?? 8080 }, v);
}

/** esbuild is an optional peer: only `fromEntry` needs it. */
function esbuildInstalled(): boolean {
  try {
    require.resolve('esbuild');
    return true;
  } catch {
    return false;
  }
}

function bundleLocally(entry: string, outputDir: string): boolean {
  // esbuild is what NodejsFunction bundles with; it is a peer the app installs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
  esbuild.buildSync({
    entryPoints: [entry],
    outfile: path.join(outputDir, 'server.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
  });
  return true;
}
