/**
 * Job results are written while the job runs, with no request to take a host from, so a task
 * names its files by path from the server's root (`/elevation/jobs/…/mosaic.tif`). When results
 * are served, those paths become absolute URLs on the public base, like every other link the
 * API writes: a client outside the web page then follows them correctly behind a proxy that
 * serves Relief under a prefix (RELIEF_PUBLIC_URL), and on whatever host it reached the server.
 */

/** Deepest nesting followed; results are small documents, this only bounds a runaway one. */
const MAX_DEPTH = 32;

/**
 * A copy of `result` in which every `href` member that is a root-relative path (`/…`, not the
 * scheme-relative `//…`) is prefixed with `base`; everything else is left as it is.
 */
export function resolveResultLinks(result: unknown, base: string, depth = 0): unknown {
  if (depth > MAX_DEPTH || result === null || typeof result !== 'object') return result;
  if (Array.isArray(result)) return result.map((item) => resolveResultLinks(item, base, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result)) {
    copy[key] =
      key === 'href' && typeof value === 'string' && isRootRelative(value)
        ? `${base}${value}`
        : resolveResultLinks(value, base, depth + 1);
  }
  return copy;
}

function isRootRelative(href: string): boolean {
  return href.startsWith('/') && !href.startsWith('//');
}
