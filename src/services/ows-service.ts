import type { Readable } from 'node:stream';
import type { ExceptionFormat } from '../errors/exception-report.ts';
import type { OwsParameters } from '../request-loop/ows-parameters.ts';
import type { RequestContext } from '../request-loop/request-context.ts';

/** What an operation handler receives: the request context plus what dispatch worked out. */
export interface OwsOperationRequest {
  readonly ctx: RequestContext;
  /** The parameters after requestReady filters ran; names are case-insensitive. */
  readonly parameters: OwsParameters;
  /** The negotiated (GetCapabilities) or requested (other operations) version. */
  readonly version: string;
  /** The service endpoint as clients should call it, e.g. `https://maps.example.org/ows`. */
  readonly endpoint: string;
}

/**
 * An operation's output. A Readable or async iterable body is streamed: each chunk passes through
 * the sendResponse filters as it is produced, with backpressure; a Buffer or string is buffered.
 */
export interface OwsResult {
  body: Buffer | string | Readable | AsyncIterable<Buffer | string>;
  contentType: string;
  status?: number;
  headers?: Readonly<Record<string, string>>;
}

export type OperationHandler = (request: OwsOperationRequest) => OwsResult | Promise<OwsResult>;

/** A service as core and plugins declare it: WMS, WCS and WFS register the same way as HELLO. */
export interface OwsServiceDefinition {
  /** The SERVICE parameter value, matched case-insensitively (e.g. `WMS`). */
  readonly name: string;
  readonly title?: string;
  /** Supported versions, e.g. `['1.1.1', '1.3.0']`. */
  readonly versions: readonly string[];
  /** Operation name (as the standard spells it, e.g. `GetCapabilities`) → handler. */
  readonly operations: Readonly<Record<string, OperationHandler>>;
  /**
   * The exception document a version answers with. Defaults to the OWS Common 1.1
   * ExceptionReport; WMS answers with its ServiceExceptionReport forms.
   */
  exceptionFormat?(version: string): ExceptionFormat;
}
