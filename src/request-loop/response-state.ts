import type { FastifyReply } from 'fastify';

export type ResponseBody = Buffer | string;

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
    this.#reply.code(status);
  }

  getHeader(name: string): string | number | string[] | undefined {
    return this.#reply.getHeader(name);
  }

  setHeader(name: string, value: string | number | string[]): this {
    this.#reply.header(name, value);
    return this;
  }

  removeHeader(name: string): this {
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
      throw new Error(
        'The body of a streamed response has already been sent; it cannot be replaced',
      );
    }
    this.#body = body;
    this.#hasBody = body !== null;
  }

  /** True when a body has been set: in requestReady this answers early and skips the service. */
  get hasBody(): boolean {
    return this.#hasBody;
  }

  /** True when the service streamed its output: chunks went through sendResponse as they came. */
  get streamed(): boolean {
    return this.#streamed;
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
}
