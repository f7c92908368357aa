/**
 * MCP authorization on Azure with Microsoft Entra ID: which issuer the servers must
 * trust so that Entra's access tokens pass core's audience rule.
 *
 * Core's model (lib/core/authorization.ts) requires every token's `aud` to be the
 * service's resource URL (`https://<service name><mcpPath>`, RFC 8707). Entra ID
 * writes that URL into `aud` only in **v1.0 access tokens** requested for an API
 * whose Application ID URI is that URL: "In v2.0 tokens, this value is always the
 * client ID of the API. In v1.0 tokens, it can be the client ID or the resource URI
 * used in the request" (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 * A v1.0 token's `iss` is `https://sts.windows.net/<tenant-id>/` (trailing slash),
 * whichever endpoint issued it. So on Azure:
 *
 * - the API's app registration keeps `requestedAccessTokenVersion` (manifest
 *   `accessTokenAcceptedVersion`) at null/1 and sets its Application ID URI to the
 *   audience (the URL's host must be a verified domain of the tenant);
 * - the servers trust `https://sts.windows.net/<tenant-id>/` (`entraIdTokenIssuer`);
 * - the v2.0 issuer (`McpAuthorization.entraIdIssuer`, `.../v2.0`) is refused by the
 *   Azure topologies: its tokens' `aud` is a GUID, so every call would be answered 401.
 *
 * docs/AZURE.md ("Authorization with Microsoft Entra ID") walks through the app registration.
 */
import { ResolvedAuthorization } from '../core/authorization';
import { Validator } from '../core/errors';

/** Where Entra ID's access-token `aud` rules are documented. */
export const ENTRA_ACCESS_TOKEN_CLAIMS_URL = 'https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference';

const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The issuer of Microsoft Entra ID v1.0 access tokens for a tenant: `https://sts.windows.net/<tenantId>/`
 * (exactly, trailing slash included: it is the tokens' `iss` and the metadata's `issuer`).
 * @param tenantId the directory (tenant) id, a GUID
 */
export function entraIdTokenIssuer(tenantId: string): string {
  if (!TENANT_ID.test(tenantId)) {
    throw new Error(`entraIdTokenIssuer: got ${JSON.stringify(tenantId)}; allowed: the directory (tenant) id, a GUID such as 11111111-2222-3333-4444-555555555555`);
  }
  return `https://sts.windows.net/${tenantId.toLowerCase()}/`;
}

/**
 * Entra-specific checks of a resolved authorization (problems go to `v`): the v2.0 issuer
 * never issues a token whose `aud` is the service's URL.
 */
export function checkEntraAuthorization(v: Validator, resolved: ResolvedAuthorization | undefined): void {
  const issuer = resolved?.issuer;
  if (issuer === undefined || !URL.canParse(issuer)) return;
  const url = new URL(issuer);
  if (url.hostname === 'login.microsoftonline.com' && /\/v2\.0\/?$/.test(url.pathname)) {
    const tenant = url.pathname.split('/')[1];
    v.add('authorization.issuer', issuer,
      `the issuer of Entra ID v1.0 access tokens, https://sts.windows.net/${tenant}/ (entraIdTokenIssuer): v2.0 access tokens carry `
      + `the API's client id in "aud", never the service's URL ${resolved?.audience ?? ''} that the servers check, so every call would `
      + `be refused (${ENTRA_ACCESS_TOKEN_CLAIMS_URL}); keep the app registration's accessTokenAcceptedVersion at 1 and its `
      + 'Application ID URI equal to the audience');
  }
}
