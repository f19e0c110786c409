/**
 * Version negotiation for OWS GetCapabilities: OWS Common 1.1 §7.3.2 (AcceptVersions, first
 * match in client order) and the WMS rules for a single VERSION (WMS 1.3.0 §6.2.4).
 */
import { ServiceException } from '../errors/service-exception.ts';

const VERSION_PATTERN = /^\d+(\.\d+){0,3}$/;

export function isVersion(text: string): boolean {
  return VERSION_PATTERN.test(text);
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** `supported` must be sorted ascending. */
export function negotiateCapabilitiesVersion(
  supported: readonly string[],
  requested: { acceptVersions?: string | undefined; version?: string | undefined },
): string {
  const highest = supported[supported.length - 1] as string;
  if (requested.acceptVersions !== undefined && requested.acceptVersions.trim() !== '') {
    const wanted = requested.acceptVersions.split(',').map((v) => v.trim());
    for (const candidate of wanted) {
      if (!isVersion(candidate)) {
        throw new ServiceException(
          'InvalidParameterValue',
          `AcceptVersions lists "${candidate}", which is not a version number`,
          'AcceptVersions',
        );
      }
      const match = supported.find((v) => compareVersions(v, candidate) === 0);
      if (match !== undefined) return match;
    }
    throw new ServiceException(
      'VersionNegotiationFailed',
      `None of the versions ${wanted.join(', ')} is supported; supported: ${supported.join(', ')}`,
      'AcceptVersions',
    );
  }
  const version = requested.version?.trim();
  if (version === undefined || version === '') return highest;
  if (!isVersion(version)) {
    throw new ServiceException(
      'InvalidParameterValue',
      `"${version}" is not a version number`,
      'VERSION',
    );
  }
  // WMS: the requested version if supported; else the highest lower one; else the lowest.
  let best: string | undefined;
  for (const v of supported) if (compareVersions(v, version) <= 0) best = v;
  return best ?? (supported[0] as string);
}

/** Operations other than GetCapabilities must name a version this service supports. */
export function requireSupportedVersion(
  supported: readonly string[],
  version: string | undefined,
): string {
  if (version === undefined || version.trim() === '') {
    throw new ServiceException(
      'MissingParameterValue',
      'The VERSION parameter is required',
      'VERSION',
    );
  }
  const match = supported.find((v) => isVersion(version) && compareVersions(v, version) === 0);
  if (match === undefined) {
    throw new ServiceException(
      'InvalidParameterValue',
      `Version ${version} is not supported; supported: ${supported.join(', ')}`,
      'VERSION',
    );
  }
  return match;
}
