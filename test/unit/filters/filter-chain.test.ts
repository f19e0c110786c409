import { describe, expect, it } from 'vitest';
import { FilterChain, runStage } from '../../../src/filters/filter-chain.ts';
import { FilterError } from '../../../src/filters/filter-error.ts';
import { ServiceException } from '../../../src/errors/service-exception.ts';
import type { RequestContext } from '../../../src/request-loop/request-context.ts';

const ctx = {} as RequestContext;

describe('FilterChain', () => {
  it('keeps a stage nobody uses as null', () => {
    const chain = new FilterChain();
    expect(chain.requestReady).toBeNull();
    expect(chain.watchesResponses).toBe(false);
    chain.register({ requestReady: () => undefined });
    expect(chain.requestReady).toHaveLength(1);
    expect(chain.sendResponse).toBeNull();
    expect(chain.responseComplete).toBeNull();
    expect(chain.watchesResponses).toBe(false);
  });

  it('validates filters and priorities with exact messages', () => {
    const chain = new FilterChain();
    expect(() => chain.register({})).toThrow(TypeError);
    expect(() => chain.register({})).toThrow(
      'A filter must define at least one of requestReady, sendResponse, responseComplete',
    );
    expect(() => chain.register(null as never)).toThrow(TypeError);
    expect(() => chain.register({ requestReady: 'x' as never })).toThrow(
      'Filter requestReady must be a function',
    );
    expect(() => chain.register({ requestReady: () => undefined }, 1.5)).toThrow(RangeError);
    expect(() => chain.register({ requestReady: () => undefined }, Number.NaN)).toThrow(
      'Filter priority must be an integer, got NaN',
    );
  });

  it('orders by ascending priority, then registration; removePlugin drops only that owner', () => {
    const chain = new FilterChain();
    const calls: string[] = [];
    const f = (name: string) => ({ requestReady: () => void calls.push(name) });
    chain.register(f('b'), 5, 'p1');
    chain.register(f('a'), -1, 'p2');
    chain.register(f('c'), 5, 'p2');
    runStage(chain.requestReady!, 'requestReady', ctx);
    expect(calls).toEqual(['a', 'b', 'c']);
    chain.removePlugin('p2');
    calls.length = 0;
    runStage(chain.requestReady!, 'requestReady', ctx);
    expect(calls).toEqual(['b']);
    expect(chain.size).toBe(1);
  });

  it('stays synchronous while filters are, and returns a promise from the first async one', async () => {
    const chain = new FilterChain();
    chain.register({ requestReady: () => undefined });
    expect(runStage(chain.requestReady!, 'requestReady', ctx)).toBeUndefined();
    chain.register({ requestReady: async () => undefined });
    const run = runStage(chain.requestReady!, 'requestReady', ctx);
    expect(run).toBeInstanceOf(Promise);
    await run;
  });

  it('calls hooks with the filter as `this`', () => {
    const chain = new FilterChain();
    const filter = {
      seen: [] as string[],
      requestReady(this: { seen: string[] }) {
        this.seen.push('called');
      },
    };
    chain.register(filter);
    runStage(chain.requestReady!, 'requestReady', ctx);
    expect(filter.seen).toEqual(['called']);
  });

  it('wraps unexpected errors with the plugin and stage, passes ServiceExceptions through', async () => {
    const chain = new FilterChain();
    chain.register(
      {
        requestReady: () => {
          throw new Error('sync');
        },
      },
      0,
      'broken',
    );
    expect(() => runStage(chain.requestReady!, 'requestReady', ctx)).toThrow(FilterError);
    try {
      runStage(chain.requestReady!, 'requestReady', ctx);
    } catch (error) {
      expect(error).toMatchObject({ plugin: 'broken', stage: 'requestReady' });
      expect((error as FilterError).cause).toMatchObject({ message: 'sync' });
    }
    const asyncChain = new FilterChain();
    asyncChain.register(
      {
        responseComplete: async () => {
          throw new Error('async');
        },
      },
      0,
      'later',
    );
    await expect(
      runStage(asyncChain.responseComplete!, 'responseComplete', ctx),
    ).rejects.toMatchObject({
      plugin: 'later',
      stage: 'responseComplete',
    });
    const ogc = new FilterChain();
    ogc.register({
      requestReady: () => {
        throw new ServiceException('LayerNotDefined', 'no');
      },
    });
    expect(() => runStage(ogc.requestReady!, 'requestReady', ctx)).toThrow(ServiceException);
  });
});
