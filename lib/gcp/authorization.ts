/**
 * MCP authorization on Google Cloud: core's model (lib/core/authorization.ts), the
 * rule every Google topology applies, and the Google issuers that cannot work.
 *
 * Every Google topology is internet-facing (an external Application Load Balancer
 * with a public address), so it refuses to synthesize without `authorization`;
 * `McpAuthorization.allowUnauthenticated(reason)` opts out visibly (a synth warning,
 * `unauthenticated (opt-out)` in the summary).
 *
 * Core requires every token's `aud` to be the service's resource URL
 * (`https://<service name><mcpPath>`, RFC 8707). Google's own issuers never put a
 * resource URL there:
 * - Identity Platform / Firebase Authentication (`https://securetoken.google.com/<project>`)
 *   issues ID tokens whose `aud` is the project ID
 *   (https://firebase.google.com/docs/auth/admin/verify-id-tokens#verify_id_tokens_using_a_third-party_jwt_library:
 *   "aud (Audience): Must be your Firebase project ID");
 * - Google Sign-In (`https://accounts.google.com`) issues ID tokens whose `aud` is the
 *   OAuth client ID, and its access tokens are opaque, not JWTs
 *   (https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken).
 * The servers would answer every call 401, so the Google topologies refuse those
 * issuers at synth and name what works: an OIDC provider that issues JWT access
 * tokens for a resource (RFC 8707 `resource`, or its own audience setting), or a
 * gateway that exchanges Google identities for such tokens. docs/GCP.md
 * ("Authorization") walks through one (Keycloak) and the client's flow.
 */
import { IConstruct } from 'constructs';
import { AuthorizationMode, McpAuthorization, ResolvedAuthorization, resolveServiceAuthorization } from '../core/authorization';
import { Validator } from '../core/errors';
import { addWarnings } from './validation';

/** Where Google documents the `aud` of Identity Platform ID tokens (the project ID). */
export const IDENTITY_PLATFORM_TOKEN_DOC = 'https://firebase.google.com/docs/auth/admin/verify-id-tokens#verify_id_tokens_using_a_third-party_jwt_library';
/** Where Google documents the `aud` of Google Sign-In ID tokens (the client ID). */
export const GOOGLE_ID_TOKEN_DOC = 'https://developers.google.com/identity/openid-connect/openid-connect#validatinganidtoken';

/** What the Google topologies need to resolve an authorization. */
interface AuthorizationInput {
  readonly authorization?: McpAuthorization;
  /** The service's DNS name, when it has a domain. */
  readonly serviceName?: string;
  readonly mcpPath: string;
}

/**
 * Resolves the topology's authorization (problems go to `v`): required on every
 * Google topology (each one is internet-facing), and never one of Google's own
 * issuers (their tokens' `aud` is never the service's URL).
 */
export function resolveGoogleAuthorization(v: Validator, input: AuthorizationInput): ResolvedAuthorization | undefined {
  const resolved = resolveServiceAuthorization(v, input.authorization, {
    serviceName: input.serviceName, mcpPath: input.mcpPath, internetFacing: true,
  });
  checkGoogleIssuer(v, resolved);
  return resolved;
}

/** The Google issuers whose tokens never carry the service's URL in `aud`: refused. */
export function checkGoogleIssuer(v: Validator, resolved: ResolvedAuthorization | undefined): void {
  const issuer = resolved?.issuer;
  if (resolved?.mode !== AuthorizationMode.OAUTH || issuer === undefined || !URL.canParse(issuer)) return;
  const host = new URL(issuer).hostname;
  const works = 'an OIDC provider that issues JWT access tokens whose "aud" is the service\'s resource URL '
    + `${resolved.audience ?? ''} (RFC 8707 "resource" or the provider's audience setting: Keycloak, Auth0, Okta, ZITADEL, ...), `
    + 'or a gateway that exchanges Google identities for such tokens (docs/GCP.md, Authorization)';
  if (host === 'securetoken.google.com') {
    v.add('authorization.issuer', issuer, `${works}: Identity Platform ID tokens carry the project ID in "aud" (${IDENTITY_PLATFORM_TOKEN_DOC}), so every call would be answered 401`);
  } else if (host === 'accounts.google.com') {
    v.add('authorization.issuer', issuer, `${works}: Google ID tokens carry the OAuth client ID in "aud" and Google access tokens are opaque (${GOOGLE_ID_TOKEN_DOC}), so every call would be answered 401`);
  }
}

/** Passes the authorization's warnings (the explicit opt-out) to `cdktf synth`. */
export function addAuthorizationWarnings(scope: IConstruct, resolved: ResolvedAuthorization | undefined): void {
  addWarnings(scope, resolved?.warnings ?? []);
}

/** True when the servers check tokens (the MCP uptime check then expects the 401 challenge). */
export function checksTokens(resolved: ResolvedAuthorization | undefined): boolean {
  return resolved?.mode === AuthorizationMode.OAUTH;
}
