/**
 * HTTP/1.1 over a bare TCP socket, for requests an HTTP client would refuse or rewrite: dot
 * segments and overlong UTF-8 in paths, `GET *`, duplicate Content-Length, control characters in
 * headers, bodies that trickle or never come. Each request uses its own connection
 * (`Connection: close`), and the answer is read until the server closes it.
 */
import { connect, type Socket } from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text: string;
}

/** How long to wait for an answer before failing the case: a hang guard, not a timing check. */
const ANSWER_GUARD_MS = 15_000;

export interface RawRequest {
  method: string;
  /** Sent as is, without normalisation or encoding. */
  target: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

/** Serialises a request; Host, Connection: close and Content-Length are added unless given. */
export function serialise(request: RawRequest): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Array<[string, string]> = [];
  const given = new Set<string>();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    given.add(name.toLowerCase());
    for (const one of Array.isArray(value) ? value : [value]) headers.push([name, one]);
  }
  if (!given.has('host')) headers.unshift(['Host', 'localhost']);
  if (!given.has('connection')) headers.push(['Connection', 'close']);
  if (body !== undefined && !given.has('content-length') && !given.has('transfer-encoding')) {
    headers.push(['Content-Length', String(body.length)]);
  }
  const head = `${request.method} ${request.target} HTTP/1.1\r\n${headers
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return body === undefined
    ? Buffer.from(head, 'latin1')
    : Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** Sends bytes on a new connection and reads the answer until the server closes it. */
export function sendRaw(port: number, bytes: Buffer | string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${ANSWER_GUARD_MS} ms`));
    }, ANSWER_GUARD_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error) => {
      // A reset after a complete answer (the server closing a connection it refused) is fine.
      const answer = tryParse(Buffer.concat(chunks));
      clearTimeout(guard);
      if (answer !== undefined) resolve(answer);
      else reject(error);
    });
    socket.on('close', () => {
      clearTimeout(guard);
      const answer = tryParse(Buffer.concat(chunks));
      if (answer !== undefined) resolve(answer);
      else reject(new Error(`connection closed without an HTTP answer (${chunks.length} chunks)`));
    });
    socket.write(bytes);
  });
}

export function parseAnswer(raw: Buffer): HttpAnswer {
  const answer = tryParse(raw);
  if (answer === undefined)
    throw new Error(`not an HTTP answer: ${raw.subarray(0, 80).toString()}`);
  return answer;
}

function tryParse(raw: Buffer): HttpAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (match === null) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = raw.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  else if (headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  return { status: Number(match[1]), headers, body, text: body.toString('utf8') };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/** Opens a connection and resolves once it is connected, for clients that hold it open. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}
