/**
 * How the MCP server runs on an instance, independent of any cloud: a container
 * image or the user's own start commands, the port and paths it serves, and the
 * shell script that starts it.
 *
 * The script is plain bash for Amazon Linux 2023 (dnf). Every cloud's fleet hands
 * it the timeout chain as environment variables (`timeoutEnvironment`), so the
 * server, the load balancer and the failover budget read the same numbers.
 *
 * Room is left for `McpServerSource.asset(...)` (a reference server packaged as a
 * deployment asset): the base class keeps the port/paths contract, subclasses only
 * render a script.
 */
import { Validator } from './errors';
import { TimeoutChain } from './timeouts';

/** Names of the environment variables the library sets on the server. */
export enum McpServerEnv {
  /** How long the server may work on one request: the chain's originReadTimeoutSeconds. */
  REQUEST_TIMEOUT_SECONDS = 'MCP_REQUEST_TIMEOUT_SECONDS',
  /** Interval of stream keep-alives (SSE comments/pings) on long responses. */
  KEEPALIVE_SECONDS = 'MCP_KEEPALIVE_SECONDS',
  /** Seconds the server has to finish in-flight calls after SIGTERM / deregistration. */
  DRAIN_SECONDS = 'MCP_DRAIN_SECONDS',
  /** The longest a single tool call may take. */
  LONGEST_TOOL_CALL_SECONDS = 'MCP_LONGEST_TOOL_CALL_SECONDS',
  /** Port the server listens on. */
  PORT = 'MCP_PORT',
  /** Path of the MCP (Streamable HTTP) endpoint. */
  PATH = 'MCP_PATH',
  /** Readiness path, probed by load balancers and DNS checkers. */
  READINESS_PATH = 'MCP_READINESS_PATH',
  /** Liveness path, probed by process supervisors and autohealing. */
  LIVENESS_PATH = 'MCP_LIVENESS_PATH',
}

const RESERVED_ENV: readonly string[] = Object.values(McpServerEnv);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PATH_SHAPE = /^\/[A-Za-z0-9\-._~/%]*$/;

/** The timeout chain as the environment variables a server reads. */
export function timeoutEnvironment(chain: TimeoutChain): Record<string, string> {
  return {
    [McpServerEnv.REQUEST_TIMEOUT_SECONDS]: String(chain.originReadTimeoutSeconds),
    [McpServerEnv.KEEPALIVE_SECONDS]: String(chain.keepAliveSeconds),
    [McpServerEnv.DRAIN_SECONDS]: String(chain.drainSeconds),
    [McpServerEnv.LONGEST_TOOL_CALL_SECONDS]: String(chain.longestToolCallSeconds),
  };
}

/** The Linux family a start script targets (its package manager). */
export enum OsFamily {
  /** Amazon Linux 2023 (dnf): the AWS fleets. */
  AMAZON_LINUX = 'amazon-linux',
  /** Ubuntu (apt): the Azure scale sets (and any Debian-based image). */
  UBUNTU = 'ubuntu',
}

/** Options of `McpServerSource.renderStartScript` beyond the environment. */
export interface StartScriptOptions {
  /**
   * The instance's operating system: decides how Docker is installed (dnf or apt).
   * @default OsFamily.AMAZON_LINUX
   */
  readonly osFamily?: OsFamily;
  /**
   * Renders the command that reads one secret into the shell variable `name`
   * at boot, from `reference` (a Secrets Manager ARN, a Key Vault secret URI...).
   * @default - AWS Secrets Manager with the instance role
   */
  readonly fetchSecret?: (name: string, reference: string) => string;
}

/** Quotes a value for bash: single quotes, with embedded single quotes closed, escaped and reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** What every server source declares about the server it starts. */
export interface ServerEndpointOptions {
  /**
   * Path of the MCP (Streamable HTTP) endpoint.
   * @default '/mcp'
   */
  readonly mcpPath?: string;
  /**
   * Readiness path the server answers with a plain GET (200 when ready). Must equal
   * the load balancer's health-check path.
   * @default '/health/ready' (the tiers' health probe default)
   */
  readonly readinessPath?: string;
  /**
   * Liveness path the server answers with a plain GET.
   * @default '/health/live'
   */
  readonly livenessPath?: string;
}

/** Options of `McpServerSource.container`. */
export interface ContainerServerOptions extends ServerEndpointOptions {
  /**
   * Port the container listens on; published on the same host port.
   * @default 8080
   */
  readonly port?: number;
  /**
   * Environment variables for the container. Names the library sets itself
   * (`McpServerEnv`) are refused: they come from the timeout chain and the source.
   * Values are written to the instance's user data: never put a secret here, read
   * secrets at start-up from a secret store instead.
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** Options of `McpServerSource.commands`. */
export interface CommandsServerOptions extends ServerEndpointOptions {
  /** Port the server started by the commands listens on. */
  readonly port: number;
  /**
   * Environment variables exported before the commands run (same rules as for containers).
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/** A server source's endpoint, resolved and validated (for sources defined outside core). */
export interface ServerEndpoint {
  /** Port the server listens on; the load balancer and the probes use it. */
  readonly port: number;
  /** Path of the MCP (Streamable HTTP) endpoint. */
  readonly mcpPath: string;
  /** Path the load balancer's health check requests (ready to serve, dependencies included). */
  readonly readinessPath: string;
  /** Path answering while the process is alive (no dependency checks). */
  readonly livenessPath: string;
  /** Environment variables the server gets (the source's own; the topologies add theirs). */
  readonly environment: Record<string, string>;
}

/**
 * Describes how the MCP server runs on an instance.
 *
 * ```ts
 * McpServerSource.container('public.ecr.aws/acme/context:1.4', { port: 8080 });
 * McpServerSource.commands(['/opt/mcp/bin/server'], { port: 9000 });
 * ```
 *
 * Factories validate their input and throw McpHaValidationError listing every problem.
 */
export abstract class McpServerSource {
  /**
   * Runs a container image with Docker, restarted unless stopped, publishing `port`
   * on the same host port. The container's stop timeout is the drain time
   * (`MCP_DRAIN_SECONDS`), so Docker gives in-flight calls as long as the load
   * balancer does before it kills the server.
   */
  public static container(image: string, options: ContainerServerOptions = {}): McpServerSource {
    const v = new Validator({ propPrefix: 'server' });
    v.check(typeof image === 'string' && image.trim().length > 0 && !/\s/.test(image), 'image', image,
      'a non-empty container image reference without whitespace (registry/repository:tag or @digest)');
    const endpoint = resolveServerEndpoint({ ...options, port: options.port ?? 8080 }, v);
    v.throwIfInvalid();
    return new ContainerServerSource(image, endpoint);
  }

  /**
   * Runs the user's start commands (in order, as root, once at first boot). The
   * commands must start the server in the background or as a service (a systemd
   * unit is the robust choice) listening on `port`, and should stop it gracefully
   * within `MCP_DRAIN_SECONDS` on shutdown.
   */
  public static commands(commands: string[], options: CommandsServerOptions): McpServerSource {
    const v = new Validator({ propPrefix: 'server' });
    v.check(Array.isArray(commands) && commands.length > 0 && commands.every((c) => typeof c === 'string' && c.trim() !== ''),
      'commands', commands, 'at least one non-empty shell command');
    v.check(options?.port !== undefined, 'port', options?.port,
      'the port the commands start the server on (required: the load balancer must know it)');
    const endpoint = resolveServerEndpoint({ ...options, port: options?.port }, v);
    v.throwIfInvalid();
    return new CommandsServerSource([...commands], endpoint);
  }

  /** Port the server listens on. */
  public readonly port: number;
  /** Path of the MCP endpoint. */
  public readonly mcpPath: string;
  /** Readiness path (what load balancers and DNS checkers probe). */
  public readonly readinessPath: string;
  /** Liveness path. */
  public readonly livenessPath: string;
  /** Environment the user set on the source (the library adds its own at render time). */
  public readonly environment: Record<string, string>;

  protected constructor(endpoint: ServerEndpoint) {
    this.port = endpoint.port;
    this.mcpPath = endpoint.mcpPath;
    this.readinessPath = endpoint.readinessPath;
    this.livenessPath = endpoint.livenessPath;
    this.environment = endpoint.environment;
  }

  /**
   * Network hops between the server process and the instance metadata service:
   * 2 for a bridge-networked container (one hop behind the host), 1 for a process
   * on the host. Fleets set the IMDSv2 response hop limit to this, no higher.
   */
  public get metadataHops(): number {
    return 1;
  }

  /** Paths the server answers with a plain GET for health checking. */
  public get healthPaths(): string[] {
    return [this.readinessPath, this.livenessPath];
  }

  /** True when the server answers health checks on `path`. */
  public serves(path: string): boolean {
    return this.healthPaths.includes(path);
  }

  /**
   * Records a problem when a load balancer's health-check `path` is not one the
   * server serves (the check would fail on every instance and take the fleet out).
   */
  public validateHealthPath(path: string, prop: string, v: Validator): void {
    v.check(this.serves(path), prop, path,
      `a path the server serves (readinessPath ${JSON.stringify(this.readinessPath)} or livenessPath ` +
      `${JSON.stringify(this.livenessPath)}): the health path must match what the server serves`);
  }

  /**
   * The shell commands (bash, Amazon Linux 2023) that start the server, without a
   * shebang (the caller's user-data wrapper adds it).
   *
   * @param env variables the caller adds, typically `timeoutEnvironment(chain)` and
   * endpoints such as the cache's. They override the source's own environment; the
   * port and paths (`MCP_PORT`, `MCP_PATH`, ...) are always the source's.
   * `MCP_DRAIN_SECONDS`, when present, bounds graceful shutdown.
   */
  public renderStartScript(
    env: Record<string, string> = {},
    secretEnv: Record<string, string> = {},
    options: StartScriptOptions = {},
  ): string[] {
    const merged: Record<string, string> = {
      ...this.environment,
      ...env,
      [McpServerEnv.PORT]: String(this.port),
      [McpServerEnv.PATH]: this.mcpPath,
      [McpServerEnv.READINESS_PATH]: this.readinessPath,
      [McpServerEnv.LIVENESS_PATH]: this.livenessPath,
    };
    const bad = [...Object.keys(merged), ...Object.keys(secretEnv)].filter((k) => !ENV_NAME.test(k));
    if (bad.length > 0) {
      const v = new Validator({ propPrefix: 'environment' });
      bad.forEach((k) => v.add(k, k, 'a variable name of letters, digits and underscores, not starting with a digit'));
      v.throwIfInvalid();
    }
    // Secrets are read at boot with the instance role, never written into the template:
    // each lands in a shell variable of the same name, then reaches the server by name.
    const fetchSecret = options.fetchSecret ?? ((k: string, arn: string) =>
      `${k}="$(aws secretsmanager get-secret-value --region "$(echo ${shellQuote(arn)} | cut -d: -f4)" `
      + `--secret-id ${shellQuote(arn)} --query SecretString --output text)"`);
    const fetches = Object.entries(secretEnv).map(([k, ref]) => fetchSecret(k, ref));
    return ['set -euo pipefail', ...fetches,
      ...this.renderBody(merged, Object.keys(secretEnv), options.osFamily ?? OsFamily.AMAZON_LINUX)];
  }

  /**
   * The commands after the shell options; `env` is complete, `secretNames` are shell
   * variables already holding secret values, to pass on by name.
   */
  protected abstract renderBody(env: Record<string, string>, secretNames: string[], osFamily: OsFamily): string[];
}

class ContainerServerSource extends McpServerSource {
  constructor(public readonly image: string, endpoint: ServerEndpoint) {
    super(endpoint);
  }

  public override get metadataHops(): number {
    return 2;
  }

  protected renderBody(env: Record<string, string>, secretNames: string[], osFamily: OsFamily): string[] {
    const drain = env[McpServerEnv.DRAIN_SECONDS];
    const run = [
      'docker run -d --restart unless-stopped --name mcp',
      ...(drain !== undefined ? [`--stop-timeout ${shellQuote(drain)}`] : []),
      `-p ${this.port}:${this.port}`,
      ...Object.entries(env).map(([k, val]) => `-e ${k}=${shellQuote(val)}`),
      // `-e NAME` without a value passes the variable from this shell: the secret stays off the command line.
      ...secretNames.map((k) => `-e ${k}`),
      shellQuote(this.image),
    ];
    const install = osFamily === OsFamily.UBUNTU
      ? ['export DEBIAN_FRONTEND=noninteractive', 'apt-get update -q', 'apt-get install -y -q docker.io']
      : ['dnf install -y docker'];
    return [
      ...install,
      'systemctl enable --now docker',
      ...secretNames.map((k) => `export ${k}`),
      run.join(' '),
    ];
  }
}

class CommandsServerSource extends McpServerSource {
  constructor(public readonly commands: readonly string[], endpoint: ServerEndpoint) {
    super(endpoint);
  }

  protected renderBody(env: Record<string, string>, secretNames: string[]): string[] {
    return [
      ...Object.entries(env).map(([k, val]) => `export ${k}=${shellQuote(val)}`),
      ...secretNames.map((k) => `export ${k}`),
      ...this.commands,
    ];
  }
}

/** Resolves and validates endpoint options (defaults: /mcp, /health/ready, /health/live). */
export function resolveServerEndpoint(
  o: ServerEndpointOptions & { port: number | undefined; environment?: Record<string, string> },
  v: Validator,
): ServerEndpoint {
  const mcpPath = o.mcpPath ?? '/mcp';
  const readinessPath = o.readinessPath ?? '/health/ready';
  const livenessPath = o.livenessPath ?? '/health/live';
  const port = o.port ?? 0;
  if (o.port !== undefined) {
    v.check(Number.isInteger(port) && port >= 1 && port <= 65535 && port !== 22, 'port', port,
      'an integer from 1 to 65535 other than 22 (the fleet opens no SSH port and the server must not take it)');
  }
  v.check(PATH_SHAPE.test(mcpPath) && mcpPath !== '/' && mcpPath.length <= 128 && !mcpPath.endsWith('/'),
    'mcpPath', mcpPath,
    'an absolute path other than "/" without a trailing slash, query or wildcard, at most 128 characters ' +
    '(load-balancer path patterns are limited to 128)');
  for (const [prop, path] of [['readinessPath', readinessPath], ['livenessPath', livenessPath]] as const) {
    v.check(PATH_SHAPE.test(path) && path.length <= 1024, prop, path,
      'an absolute URL path (starting with "/", no query string, at most 1024 characters)');
    v.check(path !== mcpPath, prop, path,
      `a plain GET path distinct from mcpPath ${JSON.stringify(mcpPath)} (an MCP request is a POST health checkers cannot send)`);
  }
  const environment = o.environment ?? {};
  for (const name of Object.keys(environment)) {
    v.check(ENV_NAME.test(name), `environment.${name}`, name,
      'a variable name of letters, digits and underscores, not starting with a digit');
    v.check(!RESERVED_ENV.includes(name), `environment.${name}`, name,
      `a name the library does not set itself (${RESERVED_ENV.join(', ')} come from the timeout chain and the source)`);
  }
  return { port, mcpPath, readinessPath, livenessPath, environment: { ...environment } };
}
