/**
 * Takes credentials out of URLs before they are logged or shown to a client: the userinfo
 * (`user:password@`) and the values of query parameters named like secrets (`token`,
 * `access_token`, `X-Amz-Signature`, `apiKey`, …). Everything else is kept as written, so a
 * redacted URL still says which host, path and request it was.
 *
 * Strings only: a URL is never parsed and serialised again, which would percent-encode a
 * template's `{name}` and normalise what the operator wrote.
 */

export const REDACTED = '***';

/**
 * The last word of a parameter name that marks its value as a secret. Words are split at
 * punctuation and camelCase: `x-amz-security-token`, `client_secret`, `apiKey` and
 * `X-Goog-Signature` end in one; `token_type`, `X-Amz-Date` and `keyword` do not.
 */
const SECRET_WORDS = new Set([
  'token',
  'secret',
  'password',
  'passwd',
  'pwd',
  'pass',
  'signature',
  'sig',
  'credential',
  'credentials',
  'apikey',
  'key',
  'auth',
  'authorization',
]);

/** Whether a query parameter's name (raw or percent-encoded) names a secret. */
export function isSecretName(name: string): boolean {
  const words = decodeComponent(name)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  const last = words[words.length - 1];
  return last !== undefined && SECRET_WORDS.has(last);
}

/** Scheme (or none: `//host`), then the authority up to its last `@`: the userinfo. */
const USERINFO = /^((?:[a-z][a-z0-9+.-]*:)?\/\/)([^/?#]*)@/i;

/**
 * The URL with its userinfo and secret parameter values replaced by `***`. Absolute and
 * relative URLs (`/ows?access_token=…`) alike; a string with neither is returned unchanged.
 */
export function redactUrl(url: string): string {
  // Most request URLs carry neither: the hot path of the access log.
  if (!/[@?#]/.test(url)) return url;
  const hash = url.indexOf('#');
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  const query = beforeHash.indexOf('?');
  const base = query === -1 ? beforeHash : beforeHash.slice(0, query);
  let out = base.replace(USERINFO, (_all, start: string, userinfo: string) =>
    userinfo.includes(':') ? `${start}${REDACTED}:${REDACTED}@` : `${start}${REDACTED}@`,
  );
  if (query !== -1) out += `?${redactParameters(beforeHash.slice(query + 1))}`;
  // Credentials handed to a browser (an OAuth implicit grant) travel in the fragment.
  if (hash !== -1) out += `#${redactParameters(url.slice(hash + 1))}`;
  return out;
}

function redactParameters(query: string): string {
  return query
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals === -1) return pair;
      const name = pair.slice(0, equals);
      return isSecretName(name) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
}

/**
 * URLs inside free text (an error message, a reason): absolute ones (`scheme://…`, `//host…`)
 * and paths with a query (`/ows?…`). A URL's end is the first space, quote or angle bracket;
 * closing punctuation right after it stays outside.
 */
const URL_IN_TEXT =
  /(?:\b[a-z][a-z0-9+.-]*:)?\/\/[^\s"'<>`]+|(?<![\w/.:])\/[^\s"'<>`?]*\?[^\s"'<>`]+/gi;
const TRAILING_PUNCTUATION = /[).,;:!\]]+$/;

/** The text with every URL in it redacted as by `redactUrl`. */
export function redactText(text: string): string {
  if (!/[@?#]/.test(text)) return text;
  return text.replace(URL_IN_TEXT, (match) => {
    const tail = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
    return redactUrl(match.slice(0, match.length - tail.length)) + tail;
  });
}

function decodeComponent(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    return text;
  }
}
