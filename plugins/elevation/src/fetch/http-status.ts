/**
 * What an upstream HTTP status means for a tile download: go on reading the body, no data for
 * this cell, worth retrying later (with the server's Retry-After hint), or pointless to retry.
 * Kept apart from the download so the rules are testable without a server.
 */
import type { FetchFailure } from '../contracts.ts';

/** Statuses that are worth retrying besides 5xx: request timeout and rate limiting. */
const RETRYABLE = new Set([408, 429]);

/**
 * Returns undefined for a 2xx status (read the body), otherwise the result to report. `retryAfter`
 * is the raw Retry-After header; `now` (ms since the epoch) resolves its HTTP-date form.
 */
export function classifyStatus(
  status: number,
  retryAfter: string | null,
  now: number = Date.now(),
): FetchFailure | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 404) return { kind: 'not-found', status };
  if (status >= 500 || RETRYABLE.has(status)) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return {
      kind: 'retryable',
      reason: `HTTP ${status}`,
      status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  return { kind: 'fatal', reason: `HTTP ${status}`, status };
}

/**
 * Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns milliseconds
 * from `now` (never negative), or undefined when the header is missing or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with the weekday; Date.parse
  // would also accept loose forms such as "1.5" or "2030".
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
