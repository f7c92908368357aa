/**
 * lib/core/server-source.ts: behaviour the mutation run found unguarded (docs/TESTING.md lists the survivors).
 * The start scripts are run by bash where that is what matters: the server must get exactly the variables
 * and secrets the library gives it, whatever their values.
 */
import { execFileSync } from 'child_process';
import { McpHaValidationError, Validator } from '../../lib/core/errors';
import { McpServerSource, OsFamily } from '../../lib/core/server-source';

/** Runs a rendered script with bash (no network, no docker): the commands source's commands print the environment. */
function runScript(lines: string[]): Record<string, string> {
  const out = execFileSync('bash', ['-c', lines.join('\n')], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Object.fromEntries(out.split('\0').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

describe('an image that is not a string is refused by name, not with a TypeError', () => {
  test.each([[42], [undefined], [null]])('%p', (image) => {
    const build = () => McpServerSource.container(image as never);
    expect(build).toThrow(McpHaValidationError);
    expect(build).toThrow(/server\.image: got .*; allowed: a non-empty container image reference without whitespace/);
  });

  test('whitespace inside or only whitespace is refused; a digest reference is accepted', () => {
    expect(() => McpServerSource.container('acme/mcp :1')).toThrow(/server\.image: got "acme\/mcp :1"/);
    expect(() => McpServerSource.container('   ')).toThrow(/server\.image: got " {3}"/);
    expect(() => McpServerSource.container('public.ecr.aws/acme/mcp@sha256:0123abcd')).not.toThrow();
  });
});

describe('every start command must be a command', () => {
  test.each([[['systemctl start mcp', '']], [['   ']], [['run', 42]]])('%p is refused', (commands) => {
    expect(() => McpServerSource.commands(commands as string[], { port: 9000 })).toThrow(/server\.commands: got .*; allowed: at least one non-empty shell command/);
  });
  test('several non-empty commands are accepted, in order', () => {
    expect(McpServerSource.commands(['a', 'b'], { port: 9000 }).renderStartScript().slice(-2)).toEqual(['a', 'b']);
  });
});

describe('validateHealthPath: a load balancer must probe a path the server serves', () => {
  // Built in each test: the mutation run attributes coverage per test (describe bodies count for none).
  const source = () => McpServerSource.container('img:1', { readinessPath: '/ready', livenessPath: '/live' });

  test('the readiness and liveness paths pass', () => {
    const v = new Validator();
    source().validateHealthPath('/ready', 'healthCheck.path', v);
    source().validateHealthPath('/live', 'healthCheck.path', v);
    expect(v.problems).toEqual([]);
  });

  test('any other path (the MCP endpoint, the default readiness path) is a problem naming both paths the server serves', () => {
    const v = new Validator();
    source().validateHealthPath('/health/ready', 'healthCheck.path', v);
    source().validateHealthPath('/mcp', 'healthCheck.path', v);
    expect(v.problems).toEqual(['/health/ready', '/mcp'].map((value) => ({
      prop: 'healthCheck.path', value,
      allowed: 'a path the server serves (readinessPath "/ready" or livenessPath "/live"): the health path must match what the server serves',
    })));
  });
});

describe('renderStartScript refuses a variable name bash cannot export', () => {
  const source = () => McpServerSource.container('img:1');
  test('in the environment or in the secrets, every bad name listed under "environment"', () => {
    expect(() => source().renderStartScript({ 'BAD-NAME': 'x', GOOD: 'y' }, { '9LIVES': 'arn:aws:secretsmanager:eu-west-1:1:secret:s' })).toThrow(
      new McpHaValidationError([
        { prop: 'environment.BAD-NAME', value: 'BAD-NAME', allowed: 'a variable name of letters, digits and underscores, not starting with a digit' },
        { prop: 'environment.9LIVES', value: '9LIVES', allowed: 'a variable name of letters, digits and underscores, not starting with a digit' },
      ]).message);
  });

  test('good names render', () => {
    expect(() => source().renderStartScript({ _UNDER: 'x', A1: 'y' })).not.toThrow();
  });
});

describe('secrets reach the server by name, never on a command line', () => {
  const arn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:cache-token-AbCdEf';

  test('the default reader calls Secrets Manager in the secret\'s own region (the ARN\'s 4th field), with the instance role', () => {
    const [, fetch] = McpServerSource.container('img:1').renderStartScript({}, { REDIS_AUTH_TOKEN: arn });
    expect(fetch).toBe(`REDIS_AUTH_TOKEN="$(aws secretsmanager get-secret-value --region "$(echo '${arn}' | cut -d: -f4)" `
      + `--secret-id '${arn}' --query SecretString --output text)"`);
    // The region expression, run by bash, yields the ARN's region.
    expect(execFileSync('bash', ['-c', `echo '${arn}' | cut -d: -f4`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()).toBe('eu-west-1');
  });

  test('container: the variable is exported and passed with `-e NAME` (no value), after docker is up', () => {
    const script = McpServerSource.container('img:1').renderStartScript({}, { REDIS_AUTH_TOKEN: arn });
    const run = script.at(-1)!;
    expect(run).toMatch(/ -e REDIS_AUTH_TOKEN 'img:1'$/);
    expect(run).not.toContain(arn);
    expect(script.indexOf('export REDIS_AUTH_TOKEN')).toBeGreaterThan(script.indexOf('systemctl enable --now docker'));
    expect(script.indexOf('export REDIS_AUTH_TOKEN')).toBeLessThan(script.length - 1);
  });

  test('commands: run by bash, the server process sees every variable and the secret\'s value, quoted values intact', () => {
    const source = McpServerSource.commands(['env -0'], { port: 9100, environment: { GREETING: "it's $HOME; `x`" } });
    const script = source.renderStartScript({ CACHE: 'rediss://h:6380' }, { TOKEN: 'ref' }, { fetchSecret: (k) => `${k}='s3cr3t value'` });
    const env = runScript(script);
    expect(env).toMatchObject({
      GREETING: "it's $HOME; `x`", CACHE: 'rediss://h:6380', TOKEN: 's3cr3t value',
      MCP_PORT: '9100', MCP_PATH: '/mcp', MCP_READINESS_PATH: '/health/ready', MCP_LIVENESS_PATH: '/health/live',
    });
  });

  test('commands: without the export, a secret stays a shell variable the server never sees (the export is what passes it)', () => {
    const script = McpServerSource.commands(['env -0'], { port: 9100 }).renderStartScript({}, { TOKEN: 'ref' }, { fetchSecret: (k) => `${k}=v` });
    expect(script.filter((l) => l === 'export TOKEN')).toHaveLength(1);
    expect(runScript(script.filter((l) => l !== 'export TOKEN')).TOKEN).toBeUndefined();
  });
});

describe('Docker is installed with the OS\'s own package manager', () => {
  test('Ubuntu (the Azure scale sets): apt, non-interactive, then docker enabled and run', () => {
    const script = McpServerSource.container('img:1').renderStartScript({}, {}, { osFamily: OsFamily.UBUNTU });
    expect(script.slice(1, 5)).toEqual([
      'export DEBIAN_FRONTEND=noninteractive', 'apt-get update -q', 'apt-get install -y -q docker.io', 'systemctl enable --now docker',
    ]);
    expect(script.some((l) => l.startsWith('dnf'))).toBe(false);
  });

  test('Amazon Linux (the default): dnf only', () => {
    const script = McpServerSource.container('img:1').renderStartScript();
    expect(script.slice(1, 3)).toEqual(['dnf install -y docker', 'systemctl enable --now docker']);
    expect(script.some((l) => l.startsWith('apt'))).toBe(false);
  });
});
