/**
 * The reference stacks (examples/aws): what `cdk synth` deploys. Snapshot of each
 * stack, the failover budget of each topology against its tier, and the reference
 * MCP server on every fleet with health checks on the paths it really serves.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as fs from 'fs';
import * as path from 'path';
import { buildReferenceApp } from '../../examples/aws/reference';
import { readConfig } from '../../examples/mcp-server/src/config';
import { testApp } from '../support/app';

const app = testApp();
const ref = buildReferenceApp(app);
const assembly = app.synth();
const templates = Object.fromEntries(ref.stacks.map((s) => [s.stackName, Template.fromStack(s)]));

/** The environment a fleet's user data writes for the server (printf NAME=value lines). */
function serverEnvironment(userData: unknown): Record<string, string> {
  const text = JSON.stringify(userData);
  const env: Record<string, string> = {};
  for (const m of text.matchAll(/printf '%s=%s\\\\n' ([A-Z_]+) '([^']*)'/g)) env[m[1]] = m[2];
  return env;
}

describe('reference stacks', () => {
  test('the app defines every topology\'s stacks', () => {
    expect(Object.keys(templates).sort()).toEqual([
      'McpActiveActive', 'McpActivePassive', 'McpMultiRegion-eu-west-1', 'McpMultiRegion-global', 'McpMultiRegion-us-east-1',
    ]);
  });

  test.each(['McpActiveActive', 'McpActivePassive', 'McpMultiRegion-us-east-1', 'McpMultiRegion-eu-west-1', 'McpMultiRegion-global'])(
    'snapshot of %s', (name) => {
      expect(templates[name].toJSON()).toMatchSnapshot();
    });

  test('every topology\'s failover budget is within its tier target', () => {
    for (const svc of [ref.activeActive, ref.activePassive, ref.multiRegion]) {
      expect(svc.budget.withinTarget).toBe(true);
      expect(svc.budget.totalSeconds).toBeLessThanOrEqual(svc.plan.profile.targets[
        svc === ref.activeActive ? 'activeActiveDetectionSeconds' : svc === ref.activePassive ? 'activePassiveRtoSeconds' : 'multiRegionRtoSeconds']);
    }
  });

  test('each stack has one log key, and it encrypts every log group of the stack', () => {
    for (const [name, t] of Object.entries(templates)) {
      const groups = Object.entries(t.findResources('AWS::Logs::LogGroup'));
      const logKeys = Object.entries(t.findResources('AWS::KMS::Key')).filter(([, k]) => JSON.stringify(k.Properties.KeyPolicy).includes('logs.'));
      // The global stack's only function reads the regions' load balancer ARNs from SSM.
      expect(logKeys.map(([id]) => id)).toEqual([expect.stringMatching(name === 'McpMultiRegion-global' ? /^McpHaCrossRegionReaderLogsKey/ : /LogKey/)]);
      if (name === 'McpMultiRegion-global') {
        expect(groups.length).toBe(1);
        expect(groups[0][0]).toMatch(/^McpHaCrossRegionReaderLogsLogGroup/);
      } else {
        expect(groups.length).toBeGreaterThanOrEqual(4); // flow logs, cache slow and engine logs, at least one function
      }
      const [keyId, key] = logKeys[0];
      expect(key.Properties.EnableKeyRotation).toBe(true);
      expect(key.DeletionPolicy).toBe('Retain');
      for (const [, g] of groups) expect(g.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    }
  });

  test('every fleet runs the reference server from its bundled asset under systemd', () => {
    const fleets = Object.entries(templates).flatMap(([name, t]) =>
      Object.values(t.findResources('AWS::EC2::LaunchTemplate')).map((lt) => [name, lt.Properties.LaunchTemplateData.UserData] as const));
    expect(fleets.length).toBe(5); // active-active 1, active-passive 2, multi-region 2
    for (const [, userData] of fleets) {
      const text = JSON.stringify(userData);
      expect(text).toContain('dnf install -y nodejs22 unzip');
      expect(text).toContain('aws s3 cp');
      expect(text).toContain('ExecStart=/usr/bin/node-22 /opt/mcp-server/server.js');
      expect(text).toContain('systemctl enable --now mcp-server.service');
    }
    // The staged asset is the bundled reference server.
    const bundles = fs.readdirSync(assembly.directory).filter((d) => d.startsWith('asset.'))
      .map((d) => path.join(assembly.directory, d, 'server.js')).filter((f) => fs.existsSync(f));
    expect(bundles.length).toBeGreaterThan(0);
    expect(fs.readFileSync(bundles[0], 'utf8')).toContain('/health/ready');
  });

  test('health checks probe the paths the reference server really serves, with the settings it is given', () => {
    for (const t of Object.values(templates)) {
      for (const lt of Object.values(t.findResources('AWS::EC2::LaunchTemplate'))) {
        // GIVEN the environment the fleet writes for the server, WHEN the server reads it (its own config code),
        const env = serverEnvironment(lt.Properties.LaunchTemplateData.UserData);
        expect(Object.keys(env)).toEqual(expect.arrayContaining(['MCP_PORT', 'MCP_READINESS_PATH', 'MCP_DRAIN_SECONDS', 'REDIS_URL']));
        const config = readConfig(env);
        // THEN the load balancers' and Route 53's checks ask for its readiness path on its port.
        for (const tg of Object.values(t.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'))) {
          expect(tg.Properties.HealthCheckPath).toBe(config.readinessPath);
          expect(tg.Properties.Port).toBe(config.port);
        }
        for (const hc of Object.values(t.findResources('AWS::Route53::HealthCheck')).map((h) => h.Properties.HealthCheckConfig)) {
          if (hc.Type === 'HTTPS') expect(hc.ResourcePath).toBe(config.readinessPath);
        }
        expect(config.mcpPath).toBe('/mcp');
      }
    }
  });

  test('the stacks carry the summary npm run synth prints', () => {
    for (const s of ref.stacks) expect(Object.keys(templates[s.stackName].toJSON().Metadata?.['McpHa::Summary'] ?? {})).not.toHaveLength(0);
  });

  test('outputs: the failover budget of every topology', () => {
    const outputs = (s: Stack) => Object.values(templates[s.stackName].toJSON().Outputs ?? {}) as { Value: unknown }[];
    for (const s of ref.stacks) {
      expect(outputs(s).some((o) => typeof o.Value === 'string' && /^\d+ s = /.test(o.Value))).toBe(true);
    }
  });
});
