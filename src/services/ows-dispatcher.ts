/**
 * The `/ows` endpoint: finds the service and operation a request names, negotiates the version
 * and runs the handler. It runs inside the request loop like any route, so filters see its
 * parameters before and its output after.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceException } from '../errors/service-exception.ts';
import type { RequestContext } from '../request-loop/request-context.ts';
import { publicBaseUrl } from '../server/public-url.ts';
import type { ContextAccessor } from '../request-loop/install-request-loop.ts';
import type { OwsResult } from './ows-service.ts';
import type { ServiceRegistry } from './service-registry.ts';
import { negotiateCapabilitiesVersion, requireSupportedVersion } from './version-negotiation.ts';
import { isXmlBody, readXmlOperation } from './xml-request.ts';

export interface OwsDispatcherOptions {
  registry: ServiceRegistry;
  contextOf: ContextAccessor;
  /** The public base URL (no trailing slash); when absent it is derived from the request. */
  publicUrl: string | undefined;
  /** How far into an XML body the root start tag is looked for (RELIEF_MAX_XML_BYTES). */
  maxXmlBytes: number;
  /** Largest request body /ows accepts, in bytes. */
  bodyLimit?: number;
  path?: string;
}

export function registerOwsRoutes(app: FastifyInstance, options: OwsDispatcherOptions): void {
  const path = options.path ?? '/ows';
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const ctx = options.contextOf(request, reply);
    const result = await dispatch(ctx, options, request, path);
    reply.code(result.status ?? 200);
    if (result.headers !== undefined) reply.headers(result.headers);
    reply.type(result.contentType);
    const body = result.body;
    if (typeof body === 'string' || Buffer.isBuffer(body) || body instanceof Readable) {
      return reply.send(body);
    }
    return reply.send(Readable.from(body, { objectMode: false }));
  };
  app.route({
    method: ['GET', 'POST'],
    url: path,
    config: { requestKind: 'ows' },
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    handler,
  });
}

async function dispatch(
  ctx: RequestContext,
  options: OwsDispatcherOptions,
  request: FastifyRequest,
  path: string,
): Promise<OwsResult> {
  const parameters = ctx.parameters;
  if (isXmlBody(ctx.body, options.maxXmlBytes)) {
    const operation = readXmlOperation(ctx.body, options.maxXmlBytes);
    // The document is authoritative, but a filter may already have set a KVP value.
    if (!parameters.has('REQUEST')) parameters.set('REQUEST', operation.request);
    if (operation.service !== undefined && !parameters.has('SERVICE')) {
      parameters.set('SERVICE', operation.service);
    }
    if (operation.version !== undefined && !parameters.has('VERSION')) {
      parameters.set('VERSION', operation.version);
    }
  }
  const serviceName = parameters.get('SERVICE');
  if (serviceName === undefined || serviceName === '') {
    throw new ServiceException(
      'MissingParameterValue',
      'The SERVICE parameter is required',
      'SERVICE',
    );
  }
  const service = options.registry.get(serviceName);
  if (service === undefined) {
    const known = options.registry
      .list()
      .map((s) => s.name)
      .join(', ');
    throw new ServiceException(
      'InvalidParameterValue',
      `Service "${serviceName}" is not available; available services: ${known}`,
      'SERVICE',
    );
  }
  ctx.service = service.name;
  const operationName = parameters.get('REQUEST');
  if (operationName === undefined || operationName === '') {
    throw new ServiceException(
      'MissingParameterValue',
      'The REQUEST parameter is required',
      'REQUEST',
    );
  }
  const requestedVersion = parameters.get('VERSION');
  ctx.version = requestedVersion;
  // VERSION is checked before the operation is looked up: it is mandatory for every operation
  // but GetCapabilities, whether or not this server implements that operation (as MapServer
  // does), so a GetMap without VERSION is a MissingParameterValue even before GetMap exists.
  const version =
    operationName.toUpperCase() === 'GETCAPABILITIES'
      ? negotiateCapabilitiesVersion(service.versions, {
          acceptVersions: parameters.get('ACCEPTVERSIONS'),
          version: requestedVersion,
        })
      : requireSupportedVersion(service.versions, requestedVersion);
  ctx.version = version;
  const operation = service.operation(operationName);
  if (operation === undefined) {
    throw new ServiceException(
      'OperationNotSupported',
      `${service.name} does not support the operation "${operationName}"; supported: ${service.operationNames.join(', ')}`,
      'REQUEST',
    );
  }
  ctx.operation = operation.name;
  const base = publicBaseUrl(request, options.publicUrl);
  return operation.handler({ ctx, parameters, version, endpoint: `${base}${path}` });
}
