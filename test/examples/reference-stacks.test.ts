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
import { alarmExpression, evaluateMetricMath, stepFor } from '../support/failover-sim';
import { CacheWriteEnv, CacheWriteModel, RegionWriteMode } from '../../lib/core/cache-write-model';
import { ASSUMPTIONS, Cloud } from '../../lib/core/failover-budget';

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
      if (name === 'McpMultiRegion-global') {
        // The global stack runs no function: it reads the regions' load balancer ARNs as SSM-typed parameters.
        expect(groups).toEqual([]);
        expect(logKeys).toEqual([]);
        continue;
      }
      expect(logKeys.map(([id]) => id)).toEqual([expect.stringMatching(/LogKey/)]);
      {
        // Flow logs and at least two functions; ElastiCache adds its slow and engine logs (MemoryDB delivers none).
        expect(groups.length).toBeGreaterThanOrEqual(3);
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

  describe('failover scaling fires as the requirement says (simulated alarm -> step -> capacity)', () => {
    /** The policy an alarm triggers and the alarm, by construct-path fragment. */
    const scaling = (t: Template, fragment: string) => {
      const alarms = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.includes(fragment) && id.includes('Alarm'));
      expect(alarms).toHaveLength(1);
      const [, alarm] = alarms[0];
      const ref = (alarm.Properties.AlarmActions as { Ref: string }[])[0].Ref;
      const policy = t.toJSON().Resources[ref];
      expect(policy.Type).toBe('AWS::AutoScaling::ScalingPolicy');
      expect(policy.Properties.AdjustmentType).toBe('ExactCapacity');
      return { alarm, policy, expression: alarmExpression(alarm) };
    };

    test('active-passive: while the primary\'s Route 53 record check is unhealthy, the standby goes to the primary\'s scheduled minimum of that hour, and back after failback', () => {
      const t = templates.McpActivePassive;
      const up = scaling(t, 'PromotionScaleUp');
      // The signal is the one that moves traffic: Route 53's verdict on the primary record's health check.
      const serving = (up.alarm.Properties.Metrics as { Id: string; MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: { Value: unknown }[] } } }[])
        .find((m) => m.Id === 'serving')!;
      expect(serving.MetricStat!.Metric).toMatchObject({ Namespace: 'AWS/Route53', MetricName: 'HealthCheckStatus' });
      const primaryRecordCheck = ref.activePassive.dns!.recordHealthChecks.primary;
      expect(serving.MetricStat!.Metric.Dimensions[0].Value).toEqual(Stack.of(ref.activePassive).resolve(primaryRecordCheck.healthCheckId));
      // A gap in the data scales nothing.
      expect(up.alarm.Properties.TreatMissingData).toBe('notBreaching');
      const standbyMin = ref.activePassive.standby!.fleet.capacity.min;
      const windows = ref.activePassive.scheduledScaling!.capacities;
      expect(new Set(windows.map((w) => w.minCapacity)).size).toBeGreaterThan(1); // the test needs a schedule that moves
      for (const w of windows) {
        // GIVEN the schedule runs the primary at this window's minimum, WHEN Route 53 says the primary is down,
        const value = evaluateMetricMath(up.expression, { serving: 0, desired: standbyMin, mn: w.minCapacity });
        // THEN the standby is set to exactly that capacity (or nothing happens when it already runs at least that).
        const applied = stepFor(up.alarm, up.policy, value);
        expect(applied).toBe(w.minCapacity > standbyMin ? w.minCapacity : undefined);
        // AND while the primary serves, nothing scales up.
        expect(stepFor(up.alarm, up.policy, evaluateMetricMath(up.expression, { serving: 1, desired: standbyMin, mn: w.minCapacity }))).toBeUndefined();
      }
      // After failback the standby goes back to its own minimum; missing data does not scale it in.
      const back = scaling(t, 'PromotionScaleBack');
      expect(back.alarm.Properties.TreatMissingData).toBe('notBreaching');
      expect(back.alarm.Properties.EvaluationPeriods).toBeGreaterThanOrEqual(5);
      expect(stepFor(back.alarm, back.policy, evaluateMetricMath(back.expression, { serving: 1, desired: 9, mn: standbyMin }))).toBe(standbyMin);
      expect(stepFor(back.alarm, back.policy, evaluateMetricMath(back.expression, { serving: 0, desired: 9, mn: standbyMin }))).toBeUndefined();
    });

    test('multi-region: when the other region stops serving, each survivor raises itself by the lost share of this window, under a max that leaves room', () => {
      for (const [region, other] of [['us-east-1', 'eu-west-1'], ['eu-west-1', 'us-east-1']]) {
        const t = templates[`McpMultiRegion-${region}`];
        const r = ref.multiRegion.regions[region];
        const up = scaling(t, 'AbsorbLostRegion');
        expect(up.alarm.Properties.TreatMissingData).toBe('notBreaching');
        // The signal: the probe of the other region's own name, from here.
        expect(r.regionWatches[other]).toBeDefined();
        expect(JSON.stringify(up.alarm.Properties.Metrics)).toContain(other);
        const s = r.scheduledScaling!;
        s.capacities.forEach((w, i) => {
          const needed = 2 * s.scheduleCapacities[i].minCapacity; // two regions: the survivor carries both shares
          expect(w.maxCapacity).toBeGreaterThanOrEqual(needed); // the schedule's cap leaves the room
          const value = evaluateMetricMath(up.expression, { serving: 0, desired: w.minCapacity, mn: w.minCapacity, mx: w.maxCapacity });
          expect(stepFor(up.alarm, up.policy, value)).toBe(needed);
          expect(stepFor(up.alarm, up.policy, evaluateMetricMath(up.expression, { serving: 1, desired: w.minCapacity, mn: w.minCapacity, mx: w.maxCapacity }))).toBeUndefined();
        });
      }
    });
  });

  test('multi-region writes: a multi-writer MemoryDB cluster, every region\'s servers write to their own regional cluster', () => {
    expect(ref.multiRegion.plan.cacheWrite!.model).toBe(CacheWriteModel.MULTI_WRITER);
    const first = templates['McpMultiRegion-us-east-1'];
    first.resourceCountIs('AWS::MemoryDB::MultiRegionCluster', 1);
    first.hasResourceProperties('AWS::MemoryDB::MultiRegionCluster', { Engine: 'valkey', TLSEnabled: true });
    for (const region of ['us-east-1', 'eu-west-1']) {
      const t = templates[`McpMultiRegion-${region}`];
      t.resourceCountIs('AWS::ElastiCache::ReplicationGroup', 0);
      const clusters = Object.entries(t.findResources('AWS::MemoryDB::Cluster'));
      expect(clusters).toHaveLength(1);
      expect(clusters[0][1].Properties.TLSEnabled).toBe(true);
      expect(clusters[0][1].Properties.MultiRegionClusterName).toBeDefined();
      for (const lt of Object.values(t.findResources('AWS::EC2::LaunchTemplate'))) {
        const text = JSON.stringify(lt.Properties.LaunchTemplateData.UserData);
        // REDIS_URL is this region's own cluster endpoint, writable here.
        expect(text).toContain(`"${clusters[0][0]}","ClusterEndpoint.Address"`);
        const env = serverEnvironment(lt.Properties.LaunchTemplateData.UserData);
        expect(env[CacheWriteEnv.MODE]).toBe(RegionWriteMode.LOCAL);
        expect(env[CacheWriteEnv.MODEL]).toBe(CacheWriteModel.MULTI_WRITER);
        expect(env[CacheWriteEnv.REGION]).toBe(region);
        // Readiness outlasts an in-region cache failover by one probe interval.
        expect(Number(env[CacheWriteEnv.DEPENDENCY_GRACE_SECONDS]))
          .toBe(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds + ref.multiRegion.plan.profile.healthProbe.intervalSeconds);
      }
    }
  });

  test('active-passive: primary and standby share the cache and both tolerate its in-region failover', () => {
    for (const lt of Object.values(templates.McpActivePassive.findResources('AWS::EC2::LaunchTemplate'))) {
      const env = serverEnvironment(lt.Properties.LaunchTemplateData.UserData);
      expect(env[CacheWriteEnv.MODEL]).toBe(CacheWriteModel.SINGLE_REGION);
      expect(Number(env[CacheWriteEnv.DEPENDENCY_GRACE_SECONDS])).toBeGreaterThan(ASSUMPTIONS.cacheAutomaticFailover[Cloud.AWS].seconds);
    }
  });
});
