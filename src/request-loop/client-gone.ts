/**
 * A signal that aborts when the client goes away before its response is finished: the
 * connection closed (the client gave up, or a proxy in front did) while the answer was still
 * being worked out. Pool work and other costly steps for the request take it, so a map nobody
 * waits for is not drawn. A response that finished normally never fires it, on keep-alive
 * connections as well: the response's 'close' comes after 'finish' there.
 */
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const CLIENT_GONE_MESSAGE = 'The client closed the connection before the response was sent';

export function clientGoneSignal(request: IncomingMessage, response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  // One request may run many pool jobs on it (a GetMap of 32 layers): not a leak.
  setMaxListeners(0, controller.signal);
  const gone = () => controller.abort(new DOMException(CLIENT_GONE_MESSAGE, 'AbortError'));
  if (response.writableFinished) return controller.signal;
  if (response.destroyed || request.socket?.destroyed === true) {
    gone();
    return controller.signal;
  }
  response.once('close', () => {
    if (!response.writableFinished) gone();
  });
  return controller.signal;
}

/** True for the reason clientGoneSignal aborts with (and for errors carrying it as cause). */
export function isClientGone(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 3; e = e.cause, depth++) {
    if (e.name === 'AbortError' && e.message === CLIENT_GONE_MESSAGE) return true;
  }
  return false;
}
