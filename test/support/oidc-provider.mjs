// A real OpenID Provider (panva/oidc-provider, OpenID Certified) on loopback, for the
// authorization tests and the drill. Run by test/support/oidc.ts with `node` (plain ESM:
// oidc-provider is ESM-only and Jest runs CommonJS). The parent talks to it over the IPC
// channel: {type:'start', ...} -> {type:'ready', issuer}; {type:'rotate', keys} ->
// {type:'rotated'}. It binds 127.0.0.1 only and exits when the parent disconnects.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

let current;
let issuer;
let settings;

function build(keys) {
  const provider = new Provider(issuer, {
    clients: settings.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: settings.alg,
      scope: c.scope,
    })),
    jwks: { keys },
    scopes: settings.scopes,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: false },
      revocation: { enabled: false },
      resourceIndicators: {
        enabled: true,
        // No `resource` parameter: the MCP server's resource (a token is always for one resource).
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? settings.resource,
        useGrantedResource: async () => true,
        // Any https or loopback resource is an audience here, so tests can obtain a token for another server.
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          const c = settings.clients.find((x) => x.clientId === client.clientId);
          return {
            scope: settings.scopes.join(' '),
            audience: resourceIndicator,
            accessTokenFormat: 'jwt',
            accessTokenTTL: c?.accessTokenTtlSeconds ?? 300,
            jwt: { sign: { alg: settings.alg } },
          };
        },
      },
    },
    // A client registered with `roles` gets them as a top-level `roles` claim in its access tokens
    // (what Microsoft Entra ID does for app-only tokens of the client-credentials grant).
    extraTokenClaims: async (_ctx, token) => {
      const c = settings.clients.find((x) => x.clientId === token.clientId);
      return c?.roles ? { roles: c.roles } : undefined;
    },
    // Keeps the test output clean: oidc-provider warns about cookie keys that client credentials never use.
    cookies: { keys: ['loopback-test-only-cookie-key'] },
  });
  return provider.callback();
}

const server = createServer((req, res) => current(req, res));

process.on('message', (msg) => {
  try {
    if (msg.type === 'start') {
      settings = msg;
      server.listen(msg.port ?? 0, '127.0.0.1', () => {
        issuer = `http://127.0.0.1:${server.address().port}`;
        current = build(msg.keys);
        process.send({ type: 'ready', issuer });
      });
    } else if (msg.type === 'rotate') {
      // A new key set replaces the old one: tokens signed by the old key stop verifying once
      // resource servers refetch the JWKS.
      current = build(msg.keys);
      process.send({ type: 'rotated' });
    }
  } catch (err) {
    process.send({ type: 'error', error: err instanceof Error ? err.stack : String(err) });
  }
});
process.on('disconnect', () => {
  server.close();
  process.exit(0);
});
