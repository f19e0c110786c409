/**
 * The ordered filters of each hook. Ordering happens once, at registration (start-up), so a
 * request only walks a ready array; a hook nobody uses is `null` and costs one comparison.
 * requestEnd is run differently (runRequestEnd): every filter, whatever the others returned.
 * Filters run in ascending priority, equal priorities in registration order (QGIS Server's
 * registerFilter). The runner stays synchronous while filters return plain values, and only
 * switches to promises at the first filter that returns one.
 */
import { isServiceException } from '../errors/service-exception.ts';
import type { RequestContext } from '../request-loop/request-context.ts';
import { FilterError } from './filter-error.ts';
import type {
  FilterResult,
  FilterStage,
  RequestEnd,
  ResponseChunk,
  ServerFilter,
} from './server-filter.ts';

interface Registration {
  filter: ServerFilter;
  priority: number;
  plugin: string;
  sequence: number;
}

export interface StageEntry {
  call: (ctx: RequestContext, argument: ResponseChunk | RequestEnd | undefined) => FilterResult;
  plugin: string;
}

const STAGES = ['requestReady', 'sendResponse', 'responseComplete', 'requestEnd'] as const;

export type StageRun = void | Promise<void>;

export class FilterChain {
  readonly #registrations: Registration[] = [];
  requestReady: readonly StageEntry[] | null = null;
  sendResponse: readonly StageEntry[] | null = null;
  responseComplete: readonly StageEntry[] | null = null;
  requestEnd: readonly StageEntry[] | null = null;

  /** Registers a filter; `plugin` names its owner in logs and errors. */
  register(filter: ServerFilter, priority = 0, plugin = 'core'): void {
    if (filter === null || typeof filter !== 'object') {
      throw new TypeError(
        'A filter must be an object with requestReady, sendResponse, responseComplete or requestEnd',
      );
    }
    if (!Number.isSafeInteger(priority)) {
      throw new RangeError(`Filter priority must be an integer, got ${String(priority)}`);
    }
    const hooks = STAGES.filter((stage) => filter[stage] !== undefined);
    if (hooks.length === 0) {
      throw new TypeError(
        'A filter must define at least one of requestReady, sendResponse, responseComplete, requestEnd',
      );
    }
    for (const stage of hooks) {
      if (typeof filter[stage] !== 'function')
        throw new TypeError(`Filter ${stage} must be a function`);
    }
    this.#registrations.push({ filter, priority, plugin, sequence: this.#registrations.length });
    this.#rebuild();
  }

  /** Removes every filter a plugin registered (used when its loading fails half-way). */
  removePlugin(plugin: string): void {
    for (let i = this.#registrations.length - 1; i >= 0; i--) {
      if (this.#registrations[i]?.plugin === plugin) this.#registrations.splice(i, 1);
    }
    this.#rebuild();
  }

  get size(): number {
    return this.#registrations.length;
  }

  /** True when any filter looks at responses, so the loop must see the payload. */
  get watchesResponses(): boolean {
    return this.sendResponse !== null || this.responseComplete !== null;
  }

  #rebuild(): void {
    // Array.prototype.sort is stable, but the explicit sequence keeps the rule visible.
    const sorted = [...this.#registrations].sort(
      (a, b) => a.priority - b.priority || a.sequence - b.sequence,
    );
    this.requestReady = entriesFor(sorted, 'requestReady');
    this.sendResponse = entriesFor(sorted, 'sendResponse');
    this.responseComplete = entriesFor(sorted, 'responseComplete');
    this.requestEnd = entriesFor(sorted, 'requestEnd');
  }
}

function entriesFor(sorted: Registration[], stage: FilterStage): StageEntry[] | null {
  const entries: StageEntry[] = [];
  for (const { filter, plugin } of sorted) {
    const hook = filter[stage];
    if (hook === undefined) continue;
    entries.push({
      call: (ctx, argument) =>
        (hook as (c: RequestContext, a?: ResponseChunk | RequestEnd) => FilterResult).call(
          filter,
          ctx,
          argument,
        ),
      plugin,
    });
  }
  return entries.length === 0 ? null : entries;
}

/**
 * Runs one hook's filters in order until one returns false. Returns a promise only if a filter
 * did. Errors other than ServiceException are wrapped in FilterError, naming the plugin.
 */
export function runStage(
  entries: readonly StageEntry[],
  stage: FilterStage,
  ctx: RequestContext,
  chunk?: ResponseChunk,
): StageRun {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as StageEntry;
    let result: FilterResult;
    try {
      result = entry.call(ctx, chunk);
    } catch (error) {
      throw wrap(error, entry, stage);
    }
    if (isThenable(result)) return continueAsync(entries, stage, ctx, chunk, i, result);
    if (result === false) return;
  }
}

async function continueAsync(
  entries: readonly StageEntry[],
  stage: FilterStage,
  ctx: RequestContext,
  chunk: ResponseChunk | undefined,
  index: number,
  pending: Promise<void | boolean>,
): Promise<void> {
  for (let i = index; i < entries.length; i++) {
    const entry = entries[i] as StageEntry;
    try {
      const result = i === index ? await pending : await entry.call(ctx, chunk);
      if (result === false) return;
    } catch (error) {
      throw wrap(error, entry, stage);
    }
  }
}

/**
 * Runs every requestEnd filter in order, whatever each returns: a `false` stops nothing, an error
 * is logged with its plugin and the next filter runs. Returns a promise only if a filter did; it
 * never rejects.
 */
export function runRequestEnd(
  entries: readonly StageEntry[],
  ctx: RequestContext,
  end: RequestEnd,
): StageRun {
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as StageEntry;
    let result: FilterResult;
    try {
      result = entry.call(ctx, end);
    } catch (error) {
      logEndFailure(ctx, entry, error);
      continue;
    }
    if (isThenable(result)) return continueEndAsync(entries, ctx, end, i, result);
  }
}

async function continueEndAsync(
  entries: readonly StageEntry[],
  ctx: RequestContext,
  end: RequestEnd,
  index: number,
  pending: Promise<void | boolean>,
): Promise<void> {
  for (let i = index; i < entries.length; i++) {
    const entry = entries[i] as StageEntry;
    try {
      await (i === index ? pending : entry.call(ctx, end));
    } catch (error) {
      logEndFailure(ctx, entry, error);
    }
  }
}

function logEndFailure(ctx: RequestContext, entry: StageEntry, error: unknown): void {
  ctx.log.error(
    { err: wrap(error, entry, 'requestEnd'), plugin: entry.plugin },
    'filter failed in requestEnd',
  );
}

function wrap(error: unknown, entry: StageEntry, stage: FilterStage): unknown {
  return isServiceException(error) ? error : new FilterError(entry.plugin, stage, error);
}

function isThenable(value: unknown): value is Promise<void | boolean> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
