/**
 * The two test commands. `npm test` runs the library's constructs, core logic and rendered templates (in
 * process; under 150 s on the 2-core machine CI uses). `npm run test:e2e` runs what a user runs, end to
 * end: the published package, the real CLIs, the failover drills, the compliance packs over the whole
 * reference app and the reference MCP server against real services. CI runs both (`.ci/run`); so does the
 * README's test command. Each file here is listed with what makes it end to end.
 */
const E2E = {
  'test/package/build.test.ts': 'npm pack (tsc + handler bundles), the tarball installed in a scratch app, the README example synthesized from it',
  'test/examples/cli-synth.test.ts': 'npm run synth: the real cdk and cdktf CLIs over every reference app',
  'test/drill/drill.test.ts': 'the single-region failover drill: HAProxy, redis-server and reference servers on loopback, killed and measured',
  'test/drill/region-drill.test.ts': 'the region-failure drill: a region lost, the switchover measured against the budget',
  'test/compliance/reference-stacks.test.ts': 'every reference stack under four cdk-nag packs and cfn-guard\'s Control Tower rules (the cfn-guard binary)',
  'test/examples/mcp-server.test.ts': 'the reference MCP server over HTTP against a real redis-server',
  'test/examples/cache-auth.test.ts': 'the reference server\'s cache authentication against redis-server with TLS and ACLs',
  'test/examples/store-cluster.test.ts': 'the reference server\'s store against a redis-server cluster',
  'test/examples/oauth.test.ts': 'the reference server as an OAuth resource server, tokens from a real oidc-provider',
};

module.exports = { E2E };
