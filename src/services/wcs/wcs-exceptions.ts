/**
 * The exceptions WCS answers with, spelled and numbered as the standards give them. WCS 2.0
 * core (OGC 09-110r4 table 18) and its scaling and CRS extensions answer their codes with HTTP
 * 404, as GeoServer and EOxServer do for the OGC test suite; WCS 1.0.0 names an unknown
 * coverage CoverageNotDefined. A coverage the client may not read is reported exactly like one
 * that does not exist, so access control never reveals a hidden name.
 */
import { ServiceException } from '../../errors/service-exception.ts';

export type Wcs20Code =
  | 'NoSuchCoverage'
  | 'EmptyCoverageIdList'
  | 'InvalidAxisLabel'
  | 'InvalidSubsetting'
  | 'InvalidScaleFactor'
  | 'InvalidExtent'
  | 'ScaleAxisUndefined'
  | 'SubsettingCrs-NotSupported'
  | 'OutputCrs-NotSupported';

export function wcs20Exception(
  code: Wcs20Code,
  message: string,
  locator: string,
): ServiceException {
  return new ServiceException(code, message, locator, 404);
}

/** Unknown or hidden coverages, in the code of the request's WCS version. */
export function noSuchCoverage(version: string, ids: readonly string[]): ServiceException {
  const list = ids.map((id) => `"${id}"`).join(', ');
  const message = `No coverage ${list} is offered; GetCapabilities lists the coverages`;
  return version === '1.0.0'
    ? new ServiceException('CoverageNotDefined', message, ids.join(','))
    : wcs20Exception('NoSuchCoverage', message, ids.join(','));
}
