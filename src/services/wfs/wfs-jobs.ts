/** The main-thread side of wfs-worker.ts: typed calls, each one job on the shared pool. */
import { ServiceException } from '../../errors/service-exception.ts';
import type { WorkerPool } from '../../pool/worker-pool.ts';
import { describeUntrustedXmlProblem, untrustedXmlProblem } from '../../xml/untrusted-xml.ts';
import type { FilterConditions } from './wfs-filter.ts';
import type { ParseFilterOutput } from './wfs-worker.ts';
import { moduleUrl } from '../../server/module-url.ts';

export const WFS_WORKER = moduleUrl('./wfs-worker.ts', import.meta.url);

/**
 * The conditions of a FILTER parameter, parsed on the pool. A filter over `maxBytes` or with a
 * DTD is refused here at once, before any parsing (InvalidParameterValue, locator FILTER).
 */
export async function parseFilterOnPool(
  pool: WorkerPool,
  text: string,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<FilterConditions> {
  const problem = untrustedXmlProblem(text, maxBytes);
  if (problem !== undefined) {
    throw new ServiceException(
      'InvalidParameterValue',
      describeUntrustedXmlProblem(problem, 'FILTER'),
      'FILTER',
    );
  }
  const output = await pool.run<ParseFilterOutput>(
    WFS_WORKER,
    'parseFilterJob',
    { text },
    signal === undefined ? {} : { signal },
  );
  if (output.kind === 'ok') return output.conditions;
  throw new ServiceException(output.code, output.message, output.locator, output.status);
}
