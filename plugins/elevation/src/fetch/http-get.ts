/**
 * One GET through node:http / node:https, following redirects the way fetch does, for tile
 * downloads on the main thread.
 *
 * Why not fetch: the undici in Node 24 (7.x) asserts in its HTTP parser when an upstream closes
 * the connection (Connection: close, then FIN) while a body is paused under backpressure — which
 * a download that writes each chunk before reading the next does all the time. The assertion is
 * thrown from a socket event handler, so nothing can catch it and the whole server exits
 * (nodejs/undici#5360; fixed only in undici 8, which needs Node ≥ 22.19). node:http's client
 * has no such path, pauses the socket instead, and gives the same streaming with backpressure.
 */
import { request as requestHttp, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as requestHttps } from 'node:https';

/** fetch follows 20, curl -L 50; a tile source behind a CDN or a presigning gateway needs 1–2. */
export const MAX_REDIRECTS = 5;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** A redirect that cannot be followed: too many, or to something other than http(s). */
export class RedirectError extends Error {}

/**
 * Sends the GET and resolves with the response of the last hop, body unread (the caller reads or
 * destroys it). Rejects with a network error, a RedirectError, or — once `signal` aborts — the
 * request's AbortError; an abort after the response destroys its body with an error.
 *
 * An `authorization` header is sent only to the origin of `url`: a redirect to another origin
 * drops it, as fetch does, so credentials for the tile source never reach a third party.
 */
export async function httpGet(
  url: URL,
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  let current = url;
  let sent = headers;
  for (let redirects = 0; ; redirects++) {
    const response = await requestOnce(current, sent, signal);
    const location = response.headers.location;
    if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || location === undefined) {
      return response;
    }
    // The redirect's own body is of no interest; reading it to the end keeps the socket reusable.
    response.resume();
    if (redirects === MAX_REDIRECTS) {
      throw new RedirectError(`more than ${MAX_REDIRECTS} redirects`);
    }
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RedirectError(`redirect to an invalid location`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new RedirectError(`redirect to an unsupported scheme ${next.protocol}`);
    }
    if (next.origin !== current.origin && 'authorization' in sent) {
      const { authorization: _dropped, ...rest } = sent;
      sent = rest;
    }
    current = next;
  }
}

function requestOnce(
  url: URL,
  headers: OutgoingHttpHeaders,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? requestHttps : requestHttp)(url, {
      headers,
      signal,
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end();
  });
}
