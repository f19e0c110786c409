/**
 * Answers errors Node's HTTP parser raises before Fastify sees a request (malformed request line
 * or headers, headers too large, a request not received within RELIEF_HEADERS_TIMEOUT or
 * RELIEF_REQUEST_TIMEOUT) with a problem+json document, then closes the connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { problem, PROBLEM_CONTENT_TYPE } from '../errors/problem-details.ts';

const ANSWERS: Record<string, { status: number; detail: string; code: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    detail: 'The request was not received in time',
    code: 'RequestTimeout',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    detail: 'The request headers are too large',
    code: 'HeadersTooLarge',
  },
};
const MALFORMED = { status: 400, detail: 'The request is not valid HTTP', code: 'BadRequest' };

/**
 * `Expect` values other than `100-continue` get 417 (RFC 9110 §10.1.1). Without a listener Node
 * answers them itself with an empty body; with one, the request never reaches Fastify.
 */
export function answerUnmetExpectations(app: FastifyInstance): void {
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    app.log.info({ expect: request.headers.expect }, 'client error: unmet Expect');
    const body = JSON.stringify(
      problem(417, 'Only "Expect: 100-continue" is supported', { code: 'ExpectationFailed' }),
    );
    response.writeHead(417, {
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    response.end(body);
  });
}

export function clientErrorHandler(
  this: FastifyInstance,
  error: NodeJS.ErrnoException,
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const answer = ANSWERS[error.code ?? ''] ?? MALFORMED;
  this.log.info({ code: error.code, status: answer.status }, 'client error: %s', error.message);
  // A response already under way cannot be replaced, only cut.
  const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage
    ?.headersSent;
  if (!socket.writable || started === true) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(problem(answer.status, answer.detail, { code: answer.code }));
  socket.end(
    `HTTP/1.1 ${answer.status} ${problem(answer.status, undefined).title}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
    () => socket.destroy(),
  );
}
