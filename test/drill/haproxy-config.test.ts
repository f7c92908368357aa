/**
 * The drill's HAProxy configuration is rendered from core's plan: each probe and
 * timeout setting maps to one directive. The last test has HAProxy itself check
 * the rendered file (haproxy must be installed: CI installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AvailabilityTier, resolveTier } from '../../lib/core/tiers';
import { haproxySettings, renderHaproxyConfig } from '../../scripts/drill/haproxy-config';
import { parseBackendCounters, parseShowStat } from '../../scripts/drill/haproxy-stats';
import { requireBinary } from '../../scripts/drill/processes';

const servers = [
  { name: 'r1', host: '127.0.0.1', port: 9001 },
  { name: 'r2', host: '127.0.0.1', port: 9002 },
];

function render(tier: AvailabilityTier, overrides = {}): string {
  const profile = resolveTier(tier, overrides);
  return renderHaproxyConfig({ probe: profile.healthProbe, timeouts: profile.timeouts, servers, bindPort: 8443, statsSocket: '/tmp/x.sock' });
}

describe('renderHaproxyConfig', () => {
  test('mission-critical: 5 s interval, 2 failures, 2 successes, 2 s check timeout, GET /health/ready expecting 200', () => {
    // GIVEN the mission-critical profile WHEN rendered
    const cfg = render(AvailabilityTier.MISSION_CRITICAL);
    const profile = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    // THEN every probe setting maps to its directive
    // (fastinter = inter - timeout: timed-out checks start one interval apart, as core's budget assumes)
    expect(cfg).toContain('  default-server inter 5s fastinter 3s fall 2 rise 2\n');
    expect(cfg).toContain('  timeout check 2s\n');
    expect(cfg).toContain('  option httpchk GET /health/ready\n');
    expect(cfg).toContain('  http-check expect status 200\n');
    // AND the idle timeout of the chain bounds both sides of a connection
    expect(cfg).toContain(`  timeout client ${profile.timeouts.idleTimeoutSeconds}s\n`);
    expect(cfg).toContain(`  timeout server ${profile.timeouts.idleTimeoutSeconds}s\n`);
    // AND the worst-case detection core computes is the one stated
    expect(profile.healthProbe.detectionSeconds).toBe(12);
    expect(cfg).toContain('= 12 s worst-case detection');
  });

  test.each([AvailabilityTier.BUSINESS_CRITICAL, AvailabilityTier.STANDARD])('%s: the directives follow the tier', (tier) => {
    const p = resolveTier(tier).healthProbe;
    const cfg = render(tier);
    expect(cfg).toContain(`default-server inter ${p.intervalSeconds}s fastinter ${p.intervalSeconds - p.timeoutSeconds}s `
      + `fall ${p.unhealthyThreshold} rise ${p.healthyThreshold}\n`);
    expect(cfg).toContain(`timeout check ${p.timeoutSeconds}s\n`);
  });

  test('user overrides of the probe and the chain reach the directives', () => {
    const cfg = render(AvailabilityTier.STANDARD, {
      healthCheck: { path: '/ready', intervalSeconds: 7, unhealthyThreshold: 3, healthyThreshold: 4, timeoutSeconds: 3, healthyHttpStatus: 204 },
      timeouts: { idleTimeoutSeconds: 300 },
    });
    expect(cfg).toContain('option httpchk GET /ready\n');
    expect(cfg).toContain('http-check expect status 204\n');
    expect(cfg).toContain('default-server inter 7s fastinter 4s fall 3 rise 4\n');
    expect(cfg).toContain('timeout check 3s\n');
    expect(cfg).toContain('timeout client 300s\n');
    expect(cfg).toContain('timeout server 300s\n');
  });

  test('graceful drain: no shutdown-sessions; refused connections are retried elsewhere, nothing else is', () => {
    const cfg = render(AvailabilityTier.MISSION_CRITICAL);
    expect(cfg).not.toMatch(/^\s*[^#\s].*on-marked-down\s+shutdown-sessions/m);
    expect(cfg).toContain('  option redispatch 1\n');
    expect(cfg).toContain('  retry-on conn-failure\n');
    expect(cfg).not.toMatch(/retry-on .*(empty-response|response-timeout|50\d)/);
  });

  test('binds the frontend and every server to loopback, one server line each', () => {
    const cfg = render(AvailabilityTier.MISSION_CRITICAL);
    expect(cfg).toContain('  bind 127.0.0.1:8443\n');
    expect(cfg).toContain('  server r1 127.0.0.1:9001 check\n');
    expect(cfg).toContain('  server r2 127.0.0.1:9002 check\n');
  });

  test('haproxySettings names the mapping', () => {
    const p = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    expect(haproxySettings(p.healthProbe, p.timeouts)).toEqual({
      inter: '5s', fall: 2, rise: 2, timeoutCheck: '2s', httpchk: 'GET /health/ready', expectStatus: 200,
      timeoutClient: '180s', timeoutServer: '180s', timeoutConnect: '2s', fastinter: '3s',
    });
    expect(haproxySettings(p.healthProbe, p.timeouts, 'native').fastinter).toBeUndefined();
  });

  test('native check cadence: no fastinter (HAProxy spaces checks from the end of the previous one)', () => {
    const p = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    const cfg = renderHaproxyConfig({
      probe: p.healthProbe, timeouts: p.timeouts, servers, bindPort: 8443, statsSocket: '/tmp/x.sock', checkCadence: 'native',
    });
    expect(cfg).toContain('  default-server inter 5s fall 2 rise 2\n');
    expect(cfg).not.toContain('fastinter');
  });

  test('refuses an empty server list and server names HAProxy would misread', () => {
    const p = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    const base = { probe: p.healthProbe, timeouts: p.timeouts, bindPort: 1, statsSocket: '/tmp/s' };
    expect(() => renderHaproxyConfig({ ...base, servers: [] })).toThrow(/at least one server/);
    expect(() => renderHaproxyConfig({ ...base, servers: [{ name: 'a b', host: '127.0.0.1', port: 1 }] })).toThrow(/server name "a b"/);
  });

  test('HAProxy accepts the rendered configuration (haproxy -c)', () => {
    const bin = requireBinary('haproxy');
    const dir = mkdtempSync(join(tmpdir(), 'haproxy-cfg-'));
    const p = resolveTier(AvailabilityTier.MISSION_CRITICAL);
    const file = join(dir, 'haproxy.cfg');
    writeFileSync(file, renderHaproxyConfig({ probe: p.healthProbe, timeouts: p.timeouts, servers, bindPort: 8443, statsSocket: join(dir, 's.sock') }));
    const r = spawnSync(bin, ['-c', '-f', file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toMatch(/Configuration file is valid/);
    expect(r.status).toBe(0);
  });
});

describe('show stat parsing', () => {
  const csv = [
    '# pxname,svname,scur,status,lastchg,check_status,wretr,wredis',
    'mcp,FRONTEND,,OPEN,,,,',
    'mcp_replicas,r1,2,UP,12,L7OK,0,0',
    'mcp_replicas,r2,0,DOWN 1/2,3,L4CON,0,0',
    'mcp_replicas,BACKEND,0,UP,40,,4,3',
    '',
  ].join('\n');

  test('server rows with status, check status, last change and current sessions', () => {
    expect(parseShowStat(csv)).toEqual([
      { backend: 'mcp_replicas', server: 'r1', status: 'UP', checkStatus: 'L7OK', lastChangeSeconds: 12, sessions: 2 },
      { backend: 'mcp_replicas', server: 'r2', status: 'DOWN 1/2', checkStatus: 'L4CON', lastChangeSeconds: 3, sessions: 0 },
    ]);
  });

  test('backend retry and redispatch counters', () => {
    expect(parseBackendCounters(csv, 'mcp_replicas')).toEqual({ retries: 4, redispatches: 3 });
    expect(parseBackendCounters('', 'mcp_replicas')).toEqual({ retries: 0, redispatches: 0 });
  });
});
