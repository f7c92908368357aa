import { McpHaValidationError } from '../../lib/core/errors';
import { McpServerEnv, McpServerSource, shellQuote, timeoutEnvironment } from '../../lib/core/server-source';
import { AvailabilityTier, resolveTier } from '../../lib/core/tiers';

const chain = resolveTier(AvailabilityTier.BUSINESS_CRITICAL).timeouts;

describe('McpServerSource.container', () => {
  test('defaults: port 8080, /mcp, the tier health paths', () => {
    // GIVEN / WHEN
    const source = McpServerSource.container('public.ecr.aws/acme/context:1.4');
    // THEN
    expect(source.port).toBe(8080);
    expect(source.mcpPath).toBe('/mcp');
    expect(source.readinessPath).toBe('/health/ready');
    expect(source.livenessPath).toBe('/health/live');
    // the same defaults as the tier's HealthProbe
    const probe = resolveTier(AvailabilityTier.MISSION_CRITICAL).healthProbe;
    expect(source.readinessPath).toBe(probe.path);
    expect(source.livenessPath).toBe(probe.livenessPath);
    expect(source.healthPaths).toEqual(['/health/ready', '/health/live']);
  });

  test('renders docker install, enable and run with the timeout chain and a drain-long stop timeout', () => {
    // GIVEN
    const source = McpServerSource.container('public.ecr.aws/acme/context:1.4', {
      port: 9000,
      environment: { LOG_LEVEL: 'info' },
    });
    // WHEN
    const script = source.renderStartScript({ ...timeoutEnvironment(chain), CACHE_ENDPOINT: 'redis.example:6379' });
    // THEN
    expect(script[0]).toBe('set -euo pipefail');
    expect(script).toContain('dnf install -y docker');
    expect(script).toContain('systemctl enable --now docker');
    const run = script[script.length - 1];
    expect(run).toMatch(/^docker run -d --restart unless-stopped --name mcp --stop-timeout '130' -p 9000:9000 /);
    expect(run).toContain("-e MCP_REQUEST_TIMEOUT_SECONDS='150'");
    expect(run).toContain("-e MCP_KEEPALIVE_SECONDS='15'");
    expect(run).toContain("-e MCP_DRAIN_SECONDS='130'");
    expect(run).toContain("-e MCP_LONGEST_TOOL_CALL_SECONDS='120'");
    expect(run).toContain("-e MCP_PORT='9000'");
    expect(run).toContain("-e MCP_PATH='/mcp'");
    expect(run).toContain("-e LOG_LEVEL='info'");
    expect(run).toContain("-e CACHE_ENDPOINT='redis.example:6379'");
    expect(run.endsWith("'public.ecr.aws/acme/context:1.4'")).toBe(true);
  });

  test('without a drain time there is no stop-timeout flag', () => {
    const run = McpServerSource.container('img:1').renderStartScript({}).at(-1);
    expect(run).not.toContain('--stop-timeout');
  });

  test('quotes values for bash, including single quotes', () => {
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    const run = McpServerSource.container('img:1', { environment: { GREETING: "it's $HOME" } }).renderStartScript().at(-1);
    expect(run).toContain(`-e GREETING='it'"'"'s $HOME'`);
  });

  test('custom paths are served; others are not', () => {
    const source = McpServerSource.container('img:1', { mcpPath: '/v1/mcp', readinessPath: '/ready', livenessPath: '/live' });
    expect(source.serves('/ready')).toBe(true);
    expect(source.serves('/live')).toBe(true);
    expect(source.serves('/health/ready')).toBe(false);
  });
});

describe('McpServerSource.commands', () => {
  test('exports the environment, then runs the commands in order', () => {
    // GIVEN
    const source = McpServerSource.commands(['systemctl start mcp'], { port: 9100, readinessPath: '/readyz' });
    // WHEN
    const script = source.renderStartScript(timeoutEnvironment(chain));
    // THEN
    expect(script[0]).toBe('set -euo pipefail');
    expect(script).toContain("export MCP_DRAIN_SECONDS='130'");
    expect(script).toContain("export MCP_PORT='9100'");
    expect(script).toContain("export MCP_READINESS_PATH='/readyz'");
    expect(script.at(-1)).toBe('systemctl start mcp');
    expect(script.some((l) => l.includes('docker'))).toBe(false);
  });
});

describe('timeoutEnvironment', () => {
  test('maps the chain onto the documented variable names', () => {
    expect(timeoutEnvironment(chain)).toEqual({
      [McpServerEnv.REQUEST_TIMEOUT_SECONDS]: String(chain.originReadTimeoutSeconds),
      [McpServerEnv.KEEPALIVE_SECONDS]: '15',
      [McpServerEnv.DRAIN_SECONDS]: '130',
      [McpServerEnv.LONGEST_TOOL_CALL_SECONDS]: '120',
    });
  });
});

describe('bad input', () => {
  test.each([
    ['port 22', () => McpServerSource.container('img:1', { port: 22 }), /server\.port: got 22; allowed: an integer from 1 to 65535 other than 22/],
    ['port above 65535', () => McpServerSource.container('img:1', { port: 70000 }), /server\.port: got 70000/],
    ['empty image', () => McpServerSource.container(''), /server\.image: got ""; allowed: a non-empty container image reference/],
    ['readiness path equal to the MCP path',
      () => McpServerSource.container('img:1', { readinessPath: '/mcp' }),
      /server\.readinessPath: got "\/mcp"; allowed: a plain GET path distinct from mcpPath "\/mcp"/],
    ['relative liveness path', () => McpServerSource.container('img:1', { livenessPath: 'health' }),
      /server\.livenessPath: got "health"; allowed: an absolute URL path/],
    ['MCP path "/"', () => McpServerSource.container('img:1', { mcpPath: '/' }), /server\.mcpPath: got "\/"; allowed: an absolute path other than "\/"/],
    ['reserved environment variable', () => McpServerSource.container('img:1', { environment: { MCP_DRAIN_SECONDS: '1' } }),
      /server\.environment\.MCP_DRAIN_SECONDS: got "MCP_DRAIN_SECONDS"; allowed: a name the library does not set itself/],
    ['invalid environment name', () => McpServerSource.container('img:1', { environment: { '1BAD': 'x' } }),
      /server\.environment\.1BAD: got "1BAD"; allowed: a variable name/],
    ['no commands', () => McpServerSource.commands([], { port: 9000 }), /server\.commands: got \[\]; allowed: at least one non-empty shell command/],
    ['commands without a port', () => McpServerSource.commands(['run'], undefined as never),
      /server\.port: got undefined; allowed: the port the commands start the server on/],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(McpHaValidationError);
    expect(build).toThrow(message);
  });

  test('collects every problem in one error', () => {
    expect(() => McpServerSource.container('', { port: 22, mcpPath: 'mcp' })).toThrow(/3 invalid settings/);
  });
});

/** The problem lines (`prop: got value; allowed: ...`) a factory throws, or [] when it accepts. */
function refusals(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(McpHaValidationError);
    return (e as Error).message.split('\n  - ').slice(1);
  }
  return [];
}

const PORT_ALLOWED = 'an integer from 1 to 65535 other than 22 (the fleet opens no SSH port and the server must not take it)';

describe('endpoint limits at both ends (issue 16 mutation survivors)', () => {
  test('ports 1 and 65535 are accepted; 0 and 65536 are refused', () => {
    expect(McpServerSource.container('img:1', { port: 1 }).port).toBe(1);
    expect(McpServerSource.container('img:1', { port: 65535 }).port).toBe(65535);
    expect(refusals(() => McpServerSource.container('img:1', { port: 0 }))).toEqual([`server.port: got 0; allowed: ${PORT_ALLOWED}`]);
    expect(refusals(() => McpServerSource.container('img:1', { port: 65536 }))).toEqual([`server.port: got 65536; allowed: ${PORT_ALLOWED}`]);
    expect(refusals(() => McpServerSource.commands(['run'], { port: 8080.5 }))).toEqual([`server.port: got 8080.5; allowed: ${PORT_ALLOWED}`]);
  });

  test('commands without a port: the missing port is reported once, not also as port 0', () => {
    expect(refusals(() => McpServerSource.commands(['run'], {} as never))).toEqual([
      'server.port: got undefined; allowed: the port the commands start the server on (required: the load balancer must know it)',
    ]);
  });

  test('an MCP path of 128 characters is accepted (the load balancer\'s path-pattern limit); 129 are refused', () => {
    const path = (n: number) => `/${'m'.repeat(n - 1)}`;
    expect(McpServerSource.container('img:1', { mcpPath: path(128) }).mcpPath).toHaveLength(128);
    expect(refusals(() => McpServerSource.container('img:1', { mcpPath: path(129) }))).toEqual([
      `server.mcpPath: got "${path(129)}"; allowed: an absolute path other than "/" without a trailing slash, query or wildcard, at most 128 characters `
      + '(load-balancer path patterns are limited to 128)',
    ]);
  });

  test('a health path of 1024 characters is accepted; 1025 are refused', () => {
    const path = (n: number) => `/${'r'.repeat(n - 1)}`;
    expect(McpServerSource.container('img:1', { readinessPath: path(1024) }).readinessPath).toHaveLength(1024);
    expect(refusals(() => McpServerSource.container('img:1', { livenessPath: path(1025) }))).toEqual([
      `server.livenessPath: got "${path(1025)}"; allowed: an absolute URL path (starting with "/", no query string, at most 1024 characters)`,
    ]);
  });

  test('a reserved variable name is refused with every name the library sets, comma-separated', () => {
    expect(refusals(() => McpServerSource.container('img:1', { environment: { MCP_PORT: '1' } }))).toEqual([
      'server.environment.MCP_PORT: got "MCP_PORT"; allowed: a name the library does not set itself (MCP_REQUEST_TIMEOUT_SECONDS, '
      + 'MCP_KEEPALIVE_SECONDS, MCP_DRAIN_SECONDS, MCP_LONGEST_TOOL_CALL_SECONDS, MCP_PORT, MCP_PATH, MCP_READINESS_PATH, MCP_LIVENESS_PATH '
      + 'come from the timeout chain and the source)',
    ]);
  });

  test('without a drain time, the docker run line carries nothing between the name and the port', () => {
    expect(McpServerSource.container('img:1').renderStartScript().at(-1)).toBe(
      'docker run -d --restart unless-stopped --name mcp -p 8080:8080 -e MCP_PORT=\'8080\' -e MCP_PATH=\'/mcp\' '
      + '-e MCP_READINESS_PATH=\'/health/ready\' -e MCP_LIVENESS_PATH=\'/health/live\' \'img:1\'',
    );
  });
});
