/** RFC 9457 problem details, the error body of every REST route. */
import { STATUS_CODES } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** Extension member: the machine-readable error code. */
  code?: string;
  /** Extension member: which parameter or field was at fault. */
  locator?: string;
  [extension: string]: unknown;
}

export function problem(
  status: number,
  detail: string | undefined,
  extra: Partial<ProblemDetails> = {},
): ProblemDetails {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    ...(detail === undefined ? {} : { detail }),
    ...extra,
  };
}
