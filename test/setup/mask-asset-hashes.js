// Snapshot serializer: masks values that change when code (not infrastructure) changes,
// so a snapshot diff always means an infrastructure diff.
//  - CDK asset hashes (64 hex chars) in S3 keys, asset paths and parameter names
//  - the CDK version in BootstrapVersion rules does not appear in templates we snapshot
const HASH = /[0-9a-f]{64}/g;
module.exports = {
  test(val) {
    return typeof val === 'string' && HASH.test(val) && (HASH.lastIndex = 0, true);
  },
  serialize(val) {
    return JSON.stringify(val.replace(HASH, '[ASSET-HASH]'));
  },
};
