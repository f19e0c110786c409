/** A client that writes raw bytes to a listening server: for requests no HTTP client would send. */
import { connect, type Socket } from 'node:net';

export interface RawExchange {
  socket: Socket;
  /** Everything the server sent until it closed the connection. */
  closed: Promise<string>;
}

export function openRaw(port: number, firstBytes = ''): RawExchange {
  const socket = connect(port, '127.0.0.1');
  const closed = new Promise<string>((resolve, reject) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => resolve(received));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may reset the connection right after its answer; what arrived still counts.
      if (error.code !== 'ECONNRESET') reject(error);
    });
  });
  if (firstBytes !== '') socket.write(firstBytes);
  return { socket, closed };
}

/** Sends one request and reads the whole answer (the request asks the server to close). */
export function rawRequest(port: number, text: string): Promise<string> {
  return openRaw(port, text).closed;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Splits an HTTP/1.1 answer without chunked encoding into status, headers and body. */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: end < 0 ? '' : text.slice(end + 4),
  };
}
