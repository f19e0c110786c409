/**
 * The per-request work budgets of the map services (RELIEF_MAX_MAP_LAYERS and
 * RELIEF_MAX_MAP_PIXELS), checked as soon as a request is parsed and before anything is read or
 * rendered: a URL naming one layer a thousand times, or a coverage of a huge extent, is refused
 * at once instead of after its time and memory are spent. Repeated layers are counted like any
 * other, as QGIS Server and MapServer draw repeats too.
 */
import { ServiceException } from '../errors/service-exception.ts';
import type { MapServiceLimits } from './map-services-context.ts';

export type BudgetLimits = Pick<MapServiceLimits, 'maxLayers' | 'maxPixels'>;

/** InvalidParameterValue at `parameter` when a request names more layers than allowed. */
export function checkLayerCount(limits: BudgetLimits, count: number, parameter: string): void {
  if (count <= limits.maxLayers) return;
  throw new ServiceException(
    'InvalidParameterValue',
    `${parameter} names ${count} layers (repeats count); one request may name at most ${limits.maxLayers}`,
    parameter,
  );
}

/** The pixels a request renders: every layer is a full image of the output grid. */
export function requestPixels(width: number, height: number, layers: number): number {
  return width * height * layers;
}

/**
 * Why a request of `layers` layers of width × height pixels is over the pixel budget, with the
 * parameter to change, or undefined when it fits. The locator is the layer list when fewer
 * layers would fit, the size otherwise.
 */
export function pixelBudgetProblem(
  limits: BudgetLimits,
  width: number,
  height: number,
  layers: number,
  layerParameter: string,
): { message: string; locator: string } | undefined {
  const pixels = requestPixels(width, height, layers);
  if (pixels <= limits.maxPixels) return undefined;
  const fitting = Math.floor(limits.maxPixels / (width * height));
  const what =
    layers === 1 ? `${width}×${height} pixels` : `${layers} layers of ${width}×${height} pixels`;
  const advice =
    fitting >= 1
      ? `ask for at most ${fitting} layers at this size, or fewer pixels`
      : 'ask for fewer pixels';
  return {
    message: `${what} is ${pixels} pixels of work, more than the ${limits.maxPixels} one request may take; ${advice}`,
    locator: fitting >= 1 && layers > 1 ? layerParameter : 'WIDTH',
  };
}

/** InvalidParameterValue when a GetMap's WIDTH × HEIGHT × layers is over the pixel budget. */
export function checkMapPixels(
  limits: BudgetLimits,
  width: number,
  height: number,
  layers: number,
): void {
  const problem = pixelBudgetProblem(limits, width, height, layers, 'LAYERS');
  if (problem !== undefined) {
    throw new ServiceException('InvalidParameterValue', problem.message, problem.locator);
  }
}
