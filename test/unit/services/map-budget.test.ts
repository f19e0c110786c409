import { describe, expect, it } from 'vitest';
import { ServiceException } from '../../../src/errors/service-exception.ts';
import {
  checkLayerCount,
  checkMapPixels,
  pixelBudgetProblem,
  requestPixels,
} from '../../../src/services/map-budget.ts';

const limits = { maxLayers: 32, maxPixels: 8 * 4096 * 4096 };

function thrown(run: () => void): ServiceException {
  try {
    run();
  } catch (error) {
    if (error instanceof ServiceException) return error;
    throw error;
  }
  throw new Error('expected a ServiceException');
}

describe('map budget', () => {
  it('counts every layer of a map as a full image of its grid', () => {
    expect(requestPixels(4096, 4096, 8)).toBe(134_217_728);
    expect(requestPixels(256, 256, 1)).toBe(65_536);
  });

  it('allows exactly the maximum number of layers and refuses one more, naming the parameter', () => {
    expect(() => checkLayerCount(limits, 32, 'LAYERS')).not.toThrow();
    const error = thrown(() => checkLayerCount(limits, 33, 'QUERY_LAYERS'));
    expect(error.code).toBe('InvalidParameterValue');
    expect(error.locator).toBe('QUERY_LAYERS');
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      'QUERY_LAYERS names 33 layers (repeats count); one request may name at most 32',
    );
  });

  it('allows a map of exactly the pixel budget and refuses one pixel row more', () => {
    expect(() => checkMapPixels(limits, 4096, 4096, 8)).not.toThrow();
    expect(pixelBudgetProblem(limits, 4096, 4096, 8, 'LAYERS')).toBeUndefined();
    const error = thrown(() => checkMapPixels(limits, 4096, 4096, 9));
    expect(error.code).toBe('InvalidParameterValue');
    expect(error.locator).toBe('LAYERS');
    expect(error.message).toBe(
      '9 layers of 4096×4096 pixels is 150994944 pixels of work, more than the 134217728 one ' +
        'request may take; ask for at most 8 layers at this size, or fewer pixels',
    );
    expect(() => checkMapPixels(limits, 4096, 4097, 8)).toThrow(ServiceException);
  });

  it('points at the size when even one layer of it is over the budget', () => {
    const small = { maxLayers: 32, maxPixels: 1000 };
    expect(pixelBudgetProblem(small, 40, 25, 1, 'LAYERS')).toBeUndefined();
    expect(pixelBudgetProblem(small, 41, 25, 1, 'LAYERS')).toEqual({
      message:
        '41×25 pixels is 1025 pixels of work, more than the 1000 one request may take; ask for fewer pixels',
      locator: 'WIDTH',
    });
    expect(pixelBudgetProblem(small, 41, 25, 3, 'LAYERS')?.locator).toBe('WIDTH');
    expect(pixelBudgetProblem(small, 20, 25, 3, 'LAYERS')?.locator).toBe('LAYERS');
  });
});
