import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { McpFleet } from '../../lib/aws/fleet';
import { NodeServerSource, isStackBound } from '../../lib/aws/server-bundle';
import { McpServerSource } from '../../lib/core/server-source';
import { TEST_ACCOUNT, testApp } from '../support/app';
import { writeEsbuildBlocker } from '../support/no-esbuild';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
const bundle = path.join(dir, 'server.js');
fs.writeFileSync(bundle, 'console.log("server")\n');

// GIVEN a fleet running a bundled Node server WHEN synthesized
const app = testApp();
const stack = new Stack(app, 'Bundle', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3 });
const fleet = new McpFleet(stack, 'Fleet', { vpc, server: NodeServerSource.fromBundle(bundle, { port: 9000 }), capacity: { baseline: 3 } });
const t = Template.fromStack(stack);
const userData = JSON.stringify(Object.values(t.findResources('AWS::EC2::LaunchTemplate'))[0].Properties.LaunchTemplateData.UserData);

describe('NodeServerSource', () => {
  test('the fleet stages the bundle as an asset of its own stack and lets the instance role read it', () => {
    expect(isStackBound(NodeServerSource.fromBundle(bundle))).toBe(true);
    expect(isStackBound(McpServerSource.container('x:1'))).toBe(false);
    t.hasResourceProperties('AWS::IAM::Policy', {
      // Only the asset object itself, read-only.
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 's3:GetObject', Resource: Match.stringLikeRegexp('^arn:aws:s3:::cdk-[a-z0-9]+-assets-111111111111-us-east-1/[0-9a-f]{64}\\.js$'),
      })]) },
      Roles: [{ Ref: Match.stringLikeRegexp('FleetInstanceRole') }],
    });
    expect(fleet.serverSource.port).toBe(9000);
  });

  test('user data installs Node 22 from Amazon Linux, copies the bundle, writes the environment file and a systemd unit', () => {
    expect(userData).toContain('dnf install -y nodejs22 unzip');
    expect(userData).toContain('aws s3 cp \'s3://cdk-');
    expect(userData).toContain('/opt/mcp-server/server.js --region \\"$AWS_REGION\\"');
    expect(userData).toContain("printf '%s=%s\\\\n' MCP_PORT '9000' >> /etc/mcp-server/env");
    expect(userData).toContain('ExecStart=/usr/bin/node-22 /opt/mcp-server/server.js');
    // systemd waits the drain (130 s) plus 15 s before it kills the server.
    expect(userData).toContain('TimeoutStopSec=145');
    expect(userData).toContain('systemctl enable --now mcp-server.service');
  });

  test('a host process gets an IMDSv2 hop limit of 1 (a container needs 2)', () => {
    t.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({ MetadataOptions: Match.objectLike({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 }) }),
    });
    expect(McpServerSource.container('x:1').metadataHops).toBe(2);
    expect(McpServerSource.commands(['start'], { port: 8080 }).metadataHops).toBe(1);
  });

  test('an unbound source refuses to render (it ships code per stack)', () => {
    expect(() => NodeServerSource.fromBundle(bundle).renderStartScript()).toThrow(/renders per stack: the fleet binds it first/);
  });

  test('fromEntry without esbuild in the app: a clear error pointing at esbuild or fromBundle', () => {
    // GIVEN a process where the library cannot resolve esbuild (an optional peer; tsx, which runs this test's TypeScript, still can)
    const blocker = writeEsbuildBlocker(dir);
    const entry = path.join(dir, 'main.ts');
    fs.writeFileSync(entry, 'export {};\n');
    const script = `require(${JSON.stringify(path.join(__dirname, '..', '..', 'lib', 'aws', 'server-bundle.ts'))}).NodeServerSource.fromEntry(${JSON.stringify(entry)})`;
    // WHEN a server source is made from an entry
    const r = spawnSync(process.execPath, ['--require', blocker, '--import', 'tsx', '-e', script], { encoding: 'utf8' });
    // THEN synthesis stops with the prop, the value and what is allowed
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/server\.entry: got ".*main\.ts"; allowed: a file to bundle with esbuild, which the app installs \(npm install --save-dev esbuild\); or an already bundled file \(NodeServerSource\.fromBundle\)/);
  });

  test.each<[string, () => unknown, RegExp]>([
    ['a missing entry', () => NodeServerSource.fromEntry('/nope/main.ts'), /server\.entry: got "\/nope\/main\.ts"; allowed: an existing TypeScript or JavaScript file/],
    ['a bundle that is not JavaScript', () => NodeServerSource.fromBundle(path.join(dir)), /server\.bundle: got .*; allowed: an existing bundled \.js file/],
    ['Node 18', () => NodeServerSource.fromBundle(bundle, { nodeMajorVersion: 18 }), /server\.nodeMajorVersion: got 18; allowed: one of 20, 22, 24/],
    ['port 22', () => NodeServerSource.fromBundle(bundle, { port: 22 }), /server\.port: got 22/],
  ])('refuses %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
