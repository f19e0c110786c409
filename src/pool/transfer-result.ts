/**
 * For worker functions: a result whose large buffers are moved to the main thread instead of
 * copied. piscina only honours the wrapper when it is the worker function's return value itself
 * (pool-job.ts passes it on). Outside a pool thread (tests, direct calls) the value is returned
 * as is. Never list a buffer that other objects still view (Node's pooled small Buffers, sharp's
 * external memory): moving it detaches them.
 */
import { Piscina } from 'piscina';

export function transferResult<T>(value: T, buffers: ArrayBufferLike[]): T {
  if (!Piscina.isWorkerThread) return value;
  const movable = { [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: value };
  return Piscina.move(movable as never) as T;
}
