/**
 * Layer names from a request, resolved against the registry through access control. A layer the
 * client may not read is answered exactly like one that does not exist (LayerNotDefined, same
 * message), so a refusal never reveals that a layer is there.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { PublishedLayer } from '../../layers/layer-registry.ts';
import type { RequestContext } from '../../request-loop/request-context.ts';
import type { MapServicesContext } from '../map-services-context.ts';

/** A comma-separated list of names; MissingParameterValue when absent or empty. */
export function nameList(value: string | undefined, parameter: string): string[] {
  const names = (value ?? '').split(',').map((name) => name.trim());
  if (names.every((name) => name === '')) {
    throw new ServiceException(
      'MissingParameterValue',
      `The ${parameter} parameter is required`,
      parameter,
    );
  }
  return names;
}

export function readableLayer(
  context: MapServicesContext,
  ctx: RequestContext,
  name: string,
  locator: string,
): PublishedLayer {
  const layer = name === '' ? undefined : context.layers.get(name);
  if (layer === undefined || !context.accessControl.canRead(ctx, layer)) {
    throw new ServiceException('LayerNotDefined', `Layer "${name}" is not defined`, locator);
  }
  return layer;
}
