/**
 * Narrows a version the dispatcher negotiated to a service's own version type, so each
 * capabilities builder can switch over the versions it knows.
 */
export function knownVersion<V extends string>(versions: readonly V[], version: string): V {
  const match = versions.find((v) => v === version);
  if (match === undefined) {
    // The dispatcher only passes versions the service registered, so this is a programming error.
    throw new Error(`Version ${version} is not one of ${versions.join(', ')}`);
  }
  return match;
}
