import type { FastifyReply } from 'fastify';

export type ResponseBody = Buffer | string;

/**
 * Thrown by ResponseState when a filter changes what has already gone to the client: the body of
 * a streamed response, or status and headers once they are on the wire. Late changes fail loudly
 * instead of being lost or cutting the response short.
 */
export class ResponseSentError extends Error {
  override readonly name = 'ResponseSentError';
}

/**
 * The response as filters see it. Status and headers are read from and written to the Fastify
 * reply directly, so there is one source of truth; the body is held here until it is sent.
 */
export class ResponseState {
  readonly #reply: FastifyReply;
  #body: ResponseBody | null = null;
  #hasBody = false;
  #streamed = false;

  constructor(reply: FastifyReply) {
    this.#reply = reply;
  }

  get statusCode(): number {
    return this.#reply.statusCode;
  }

  set statusCode(status: number) {
    this.#unsent(`set the status to ${status}`);
    this.#reply.code(status);
  }

  getHeader(name: string): string | number | string[] | undefined {
    return this.#reply.getHeader(name);
  }

  setHeader(name: string, value: string | number | string[]): this {
    this.#unsent(`set the header ${name}`);
    this.#reply.header(name, value);
    // A stream's headers were handed to the Node response when it started: update them there.
    if (this.#streamed) this.#reply.raw.setHeader(name, value);
    return this;
  }

  removeHeader(name: string): this {
    this.#unsent(`remove the header ${name}`);
    this.#reply.removeHeader(name);
    return this;
  }

  get headers(): Readonly<Record<string, string | number | string[] | undefined>> {
    return this.#reply.getHeaders();
  }

  /** The buffered body; null before anything is set, and for a streamed response. */
  get body(): ResponseBody | null {
    return this.#body;
  }

  set body(body: ResponseBody | null) {
    if (this.#streamed) {
      throw new ResponseSentError(
        'Response already sent: the body of a streamed response goes out chunk by chunk and ' +
          'cannot be replaced (change chunk.data in sendResponse instead)',
      );
    }
    this.#body = body;
    this.#hasBody = body !== null;
  }

  /** True when a body has been set: in requestReady this answers early and skips the service. */
  get hasBody(): boolean {
    return this.#hasBody;
  }

  /**
   * True when the service streamed its output: chunks went through sendResponse as they came,
   * and the body cannot be replaced. Status and headers can change until the first chunk is
   * written (in sendResponse of chunk 0), not later.
   */
  get streamed(): boolean {
    return this.#streamed;
  }

  /** True once the status line and headers are on the wire: they can no longer change. */
  get headersSent(): boolean {
    return this.#reply.raw.headersSent;
  }

  /** @internal set by the request loop when it wraps a stream. */
  markStreamed(): void {
    this.#streamed = true;
    this.#body = null;
  }

  /** Sets a complete response in one call. */
  send(body: ResponseBody, contentType?: string, status?: number): this {
    this.body = body;
    if (contentType !== undefined) this.setHeader('content-type', contentType);
    if (status !== undefined) this.statusCode = status;
    return this;
  }

  #unsent(change: string): void {
    if (!this.#reply.raw.headersSent) return;
    throw new ResponseSentError(
      `Response already sent: its status and headers went out with the first bytes, so a filter ` +
        `cannot ${change} now (for a streamed response, do it in requestReady or in sendResponse ` +
        `of the first chunk)`,
    );
  }
}
