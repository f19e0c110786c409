import { defaultStatusFor, type OgcExceptionCode } from './ows-exception-codes.ts';

/**
 * The error a filter, service or route throws to answer with an OGC exception (OWS requests) or
 * an RFC 9457 problem document (REST requests). The message is shown to the client, so it must
 * not carry internal detail; put that in `cause`, which is only logged.
 */
export class ServiceException extends Error {
  override readonly name = 'ServiceException';
  readonly code: string;
  readonly locator: string | undefined;
  readonly status: number;
  /** A problem type URI for REST answers (RFC 9457 `type`); `about:blank` when absent. */
  readonly type: string | undefined;
  /** Seconds after which the client may try again (a busy server's 503): sent as Retry-After. */
  readonly retryAfter: number | undefined;

  constructor(
    code: OgcExceptionCode | (string & {}),
    message: string,
    locator?: string,
    status?: number,
    options?: { cause?: unknown; type?: string; retryAfter?: number },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.locator = locator;
    this.status = status ?? defaultStatusFor(code);
    this.type = options?.type;
    this.retryAfter = options?.retryAfter;
    if (!Number.isInteger(this.status) || this.status < 400 || this.status > 599) {
      throw new RangeError(`ServiceException status must be an HTTP error status, got ${status}`);
    }
  }
}

export function isServiceException(error: unknown): error is ServiceException {
  return error instanceof ServiceException;
}
