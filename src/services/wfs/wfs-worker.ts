/**
 * Pool worker functions of the WFS: reading a FILTER. Loaded with require() in the pool's
 * threads; the main-thread side is wfs-jobs.ts. A refused filter travels back as a value, since
 * a ServiceException's class and fields do not survive the trip between threads.
 */
import { isServiceException } from '../../errors/service-exception.ts';
import type { WorkerTools } from '../../pool/pool-job.ts';
import { parseFilter, type FilterConditions } from './wfs-filter.ts';

export type ParseFilterOutput =
  | { kind: 'ok'; conditions: FilterConditions }
  | { kind: 'refused'; code: string; message: string; locator: string | undefined; status: number };

export function parseFilterJob(input: { text: string }, tools?: WorkerTools): ParseFilterOutput {
  // The request may have gone while the job waited for its thread; the parse is one step.
  tools?.throwIfCancelled();
  try {
    return { kind: 'ok', conditions: parseFilter(input.text) };
  } catch (error) {
    if (!isServiceException(error)) throw error;
    const { code, message, locator, status } = error;
    return { kind: 'refused', code, message, locator, status };
  }
}
