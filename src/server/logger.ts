/**
 * pino options shared by the server and tests: JSON lines with level names, request ids, and no
 * secrets (credential headers, URL userinfo and secret query parameters are redacted).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { stdSerializers, type LoggerOptions } from 'pino';
import { REDACTED, redactText, redactUrl } from './redact-secrets.ts';

/** Headers that carry credentials, wherever a log line holds a `headers` object. */
const SECRET_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: 'relief' },
    // "level":"info" rather than 30: what log collectors and people read without a table.
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: SECRET_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
      censor: REDACTED,
    },
    serializers: {
      req: serializeRequest,
      err: serializeError,
    },
  };
}

/** Fastify's default request serializer, with the URL redacted. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** pino's error serializer; messages and stacks may quote a URL (undici's do), so redacted. */
function serializeError(error: Error): ReturnType<typeof stdSerializers.err> {
  const serialized = stdSerializers.err(error);
  if (serialized === (error as unknown)) return serialized; // not an error: left as it came
  const fields = serialized as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') fields[key] = redactText(value);
  }
  return serialized;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a sane incoming X-Request-Id so ids follow a request across proxies; else a new UUID. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
