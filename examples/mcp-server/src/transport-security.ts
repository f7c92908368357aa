/**
 * MCP transport security (Streamable HTTP, "Security Warning"): servers MUST validate
 * the `Origin` header of every request, to stop DNS-rebinding attacks in which a web
 * page, served from a name that now resolves to this server, calls it from a browser.
 * Both checks are the SDK's own helpers (`originValidationResponse`,
 * `hostHeaderValidationResponse` from @modelcontextprotocol/server), run as the first
 * steps of the server's request pipeline (see `RequestStep` in server.ts):
 *
 * - Origin, on every request: absent passes (non-browser MCP clients send none); a
 *   present Origin whose host name is not allowed, or that cannot be parsed (the
 *   opaque `null` origin), gets 403 with a JSON-RPC error body.
 * - Host, on every request but the health paths (load balancers and DNS checkers probe
 *   by IP address or their own names): a Host whose name is not allowed gets 403.
 *   The allow-list comes from `MCP_ALLOWED_HOSTS` (the topologies render the service's
 *   names into it) plus the loopback names when the server binds to loopback. With no
 *   names on a non-loopback bind the Host check is off (said at start), and the Origin
 *   check then refuses every browser origin.
 */
import { hostHeaderValidationResponse, originValidationResponse } from '@modelcontextprotocol/server';
import type { RequestStep } from './server';

/** 403 for a request whose `Origin` is present and not one of `allowedOrigins` (host names). */
export function originCheck(allowedOrigins: readonly string[]): RequestStep {
  const allowed = [...allowedOrigins];
  return (request) => originValidationResponse(request, allowed);
}

/** 403 for a request (health paths excepted) whose `Host` is not one of `allowedHosts`. */
export function hostCheck(allowedHosts: readonly string[]): RequestStep {
  const allowed = [...allowedHosts];
  return (request, ctx) => (ctx.health ? undefined : hostHeaderValidationResponse(request, allowed));
}
