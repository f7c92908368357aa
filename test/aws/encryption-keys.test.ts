/**
 * Every KMS key prop of the AWS building blocks is named for what it encrypts (`dataEncryptionKey`,
 * `logEncryptionKey`, `alarmTopicEncryptionKey`): the key given under that name encrypts exactly that, and a
 * key of another region (which the service cannot use there) is refused at synth time, naming the prop.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import { McpCache, McpMultiRegionCache, MultiRegionClusterRole } from '../../lib/aws/cache';
import { McpCachePromotion } from '../../lib/aws/cache-promotion';
import { VaultIssuedCertificate } from '../../lib/aws/certificate';
import { McpProbe } from '../../lib/aws/mcp-probe';
import { McpMonitoring } from '../../lib/aws/monitoring';
import { testApp } from '../support/app';

const ENV = { account: '111111111111', region: 'us-east-1' };
const FOREIGN_KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SUCCESS = new cloudwatch.Metric({ namespace: 'McpHa/Probe', metricName: 'Success', dimensionsMap: { Endpoint: 'us' }, statistic: 'Minimum' });

// GIVEN one key per purpose, each passed under the name of what it encrypts.
const stack = new Stack(testApp(), 'Keys', { env: ENV });
const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 3, natGateways: 1 });
const key = (id: string) => new kms.Key(stack, id, { enableKeyRotation: true });
const cacheKey = key('CacheDataKey');
const memoryDbKey = key('MemoryDbDataKey');
const probeKey = key('ProbeLogKey');
const certKey = key('CertificateLogKey');
const topicKey = key('TopicKey');
new McpCache(stack, 'Cache', { vpc, dataEncryptionKey: cacheKey });
new McpMultiRegionCache(stack, 'MemoryDb', { vpc, role: MultiRegionClusterRole.CREATE, multiRegionClusterNameSuffix: 'mcp', name: 'mcp', dataEncryptionKey: memoryDbKey });
const probe = new McpProbe(stack, 'Probe', { url: 'https://mcp.example.com/mcp', logEncryptionKey: probeKey });
const cert = new VaultIssuedCertificate(stack, 'Cert', { vpc, vaultAddress: 'https://vault.example.com', role: 'mcp', commonName: 'mcp.example.com', logEncryptionKey: certKey });
const monitoring = new McpMonitoring(stack, 'Monitoring', { probe, alarmTopicEncryptionKey: topicKey });
const template = Template.fromStack(stack);
const arnOf = (prefix: string) => ({ 'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'Arn'] });

describe('each key encrypts what its name says', () => {
  test('McpCache.dataEncryptionKey: the replication group at rest and the AUTH token secret', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { KmsKeyId: arnOf('CacheDataKey') });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('AUTH token of the MCP session cache Keys/Cache'), KmsKeyId: arnOf('CacheDataKey') });
  });

  test('McpMultiRegionCache.dataEncryptionKey: the MemoryDB cluster at rest and the password secret', () => {
    template.hasResourceProperties('AWS::MemoryDB::Cluster', { KmsKeyId: arnOf('MemoryDbDataKey') });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Description: Match.stringLikeRegexp('Password of the MemoryDB user'), KmsKeyId: arnOf('MemoryDbDataKey') });
  });

  test('McpProbe.logEncryptionKey and VaultIssuedCertificate.logEncryptionKey: their functions\' log groups', () => {
    expect(probe.logEncryptionKey).toBe(probeKey);
    expect(cert.logEncryptionKey).toBe(certKey);
    const logKeys = Object.values(template.findResources('AWS::Logs::LogGroup')).map((r) => JSON.stringify(r.Properties.KmsKeyId));
    expect(logKeys).toEqual(expect.arrayContaining([expect.stringContaining('ProbeLogKey'), expect.stringContaining('CertificateLogKey')]));
  });

  test('McpMonitoring.alarmTopicEncryptionKey: the alarm topic', () => {
    expect(monitoring.alarmTopicEncryptionKey).toBe(topicKey);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: arnOf('TopicKey') });
  });

  test('no block creates a key of its own for a purpose it was given a key for (only the cache\'s log key, not given, is created)', () => {
    const created = Object.keys(template.findResources('AWS::KMS::Key')).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort();
    expect(created).toEqual(['CacheDataKey', 'CacheLogKey', 'CertificateLogKey', 'MemoryDbDataKey', 'ProbeLogKey', 'TopicKey']);
  });
});

describe('a key of another region is refused, naming the prop and what it would encrypt', () => {
  const fresh = () => {
    const s = new Stack(testApp(), 'Bad', { env: ENV });
    return { s, far: kms.Key.fromKeyArn(s, 'Far', FOREIGN_KEY_ARN), v: new ec2.Vpc(s, 'Vpc', { maxAzs: 3, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] }) };
  };
  const message = (prop: string, what: string) =>
    `- ${prop}: got "a key in eu-west-1"; allowed: a KMS key in the stack's region (us-east-1) to encrypt ${what}: a KMS key is usable only in its own region`;

  test.each([
    ['McpCache', 'dataEncryptionKey', 'the cache\'s data and its AUTH token secret',
      (b: ReturnType<typeof fresh>) => new McpCache(b.s, 'X', { vpc: b.v, dataEncryptionKey: b.far })],
    ['McpMultiRegionCache', 'dataEncryptionKey', 'the cluster\'s data and its password secret',
      (b: ReturnType<typeof fresh>) => new McpMultiRegionCache(b.s, 'X', { vpc: b.v, role: MultiRegionClusterRole.CREATE, multiRegionClusterNameSuffix: 'mcp', name: 'mcp', dataEncryptionKey: b.far })],
    ['McpProbe', 'logEncryptionKey', 'the probe\'s log group',
      (b: ReturnType<typeof fresh>) => new McpProbe(b.s, 'X', { url: 'https://mcp.example.com/mcp', logEncryptionKey: b.far })],
    ['VaultIssuedCertificate', 'logEncryptionKey', 'the function\'s log group',
      (b: ReturnType<typeof fresh>) => new VaultIssuedCertificate(b.s, 'X', { vpc: b.v, vaultAddress: 'https://vault.example.com', role: 'mcp', commonName: 'mcp.example.com', logEncryptionKey: b.far })],
    ['McpMonitoring', 'alarmTopicEncryptionKey', 'the alarm topic',
      (b: ReturnType<typeof fresh>) => new McpMonitoring(b.s, 'X', { route53HealthCheckIds: ['hc-1'], alarmTopicEncryptionKey: b.far })],
  ])('%s.%s', (_block, prop, what, build) => {
    let thrown = '';
    try {
      build(fresh());
    } catch (e) {
      thrown = (e as Error).message;
    }
    expect(thrown).toMatch(/^Bad\/X: 1 invalid setting\n/);
    expect(thrown).toContain(message(prop, what));
  });

  test('McpCachePromotion.logEncryptionKey', () => {
    const s = new Stack(testApp(), 'Bad', { env: { ...ENV, region: 'ap-southeast-2' } });
    const far = kms.Key.fromKeyArn(s, 'Far', FOREIGN_KEY_ARN);
    expect(() => new McpCachePromotion(s, 'X', {
      globalReplicationGroupId: 'ldgnf-mcp', primaryRegion: 'us-east-1', primaryHealthUrl: 'https://us.example.com/health/ready',
      candidates: { 'ap-southeast-2': { replicationGroupId: 'mcp-ap', healthUrl: 'https://ap.example.com/health/ready' } },
      primarySuccessMetric: SUCCESS, logEncryptionKey: far,
    })).toThrow('- logEncryptionKey: got "a key in eu-west-1"; allowed: a KMS key in the stack\'s region (ap-southeast-2) to encrypt the promotion function\'s log group');
  });
});
