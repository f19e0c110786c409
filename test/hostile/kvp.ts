/** KVP query strings as lists of already-encoded pairs, so one good request can be varied per case. */

export type Kvp = ReadonlyArray<readonly [string, string]>;

/** Splits `A=b&C=d` without decoding. */
export function kvp(query: string): Kvp {
  return query.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return at === -1 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
  });
}

/** The query with `name` set to the encoded `value` (appended when absent), or removed for null. */
export function withParam(base: Kvp, name: string, value: string | null): string {
  const upper = name.toUpperCase();
  const present = base.some(([key]) => key.toUpperCase() === upper);
  const pairs = present
    ? base.flatMap(([key, old]) =>
        key.toUpperCase() === upper
          ? value === null
            ? []
            : [[key, value] as const]
          : [[key, old] as const],
      )
    : value === null
      ? base
      : [...base, [name, value] as const];
  return pairs.map(([key, val]) => `${key}=${val}`).join('&');
}

export function toQuery(base: Kvp): string {
  return base.map(([key, val]) => `${key}=${val}`).join('&');
}
