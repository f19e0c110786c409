/**
 * Exception codes spelled exactly as the OGC standards spell them: OWS Common 1.1 (table 25),
 * WMS 1.3.0 (annex E) and WFS 2.0 (table 3). Plugins may use their own codes too.
 */
export type OwsCommonExceptionCode =
  | 'OperationNotSupported'
  | 'MissingParameterValue'
  | 'InvalidParameterValue'
  | 'VersionNegotiationFailed'
  | 'InvalidUpdateSequence'
  | 'OptionNotSupported'
  | 'NoApplicableCode';

export type WmsExceptionCode =
  | 'InvalidFormat'
  | 'InvalidCRS'
  | 'InvalidSRS'
  | 'LayerNotDefined'
  | 'StyleNotDefined'
  | 'LayerNotQueryable'
  | 'InvalidPoint'
  | 'CurrentUpdateSequence'
  | 'MissingDimensionValue'
  | 'InvalidDimensionValue'
  | 'OperationNotSupported';

export type WfsExceptionCode =
  | 'CannotLockAllFeatures'
  | 'DuplicateStoredQueryIdValue'
  | 'DuplicateStoredQueryParameterName'
  | 'FeaturesNotLocked'
  | 'InvalidLockId'
  | 'InvalidValue'
  | 'LockHasExpired'
  | 'OperationParsingFailed'
  | 'OperationProcessingFailed'
  | 'ResponseCacheExpired';

export type WcsExceptionCode =
  'NoSuchCoverage' | 'EmptyCoverageIdList' | 'InvalidAxisLabel' | 'InvalidSubsetting';

export type OgcExceptionCode =
  OwsCommonExceptionCode | WmsExceptionCode | WfsExceptionCode | WcsExceptionCode;

/**
 * HTTP status per code, from OWS Common 1.1 table 28 and WFS 2.0 table D.2. Codes not listed are
 * client errors (400); a thrown exception may still set its own status.
 */
const STATUS_BY_CODE: Partial<Record<OgcExceptionCode, number>> = {
  OperationNotSupported: 501,
  OptionNotSupported: 501,
  NoApplicableCode: 500,
  OperationProcessingFailed: 500,
  ResponseCacheExpired: 403,
  LockHasExpired: 403,
  NoSuchCoverage: 404,
};

export function defaultStatusFor(code: string): number {
  return STATUS_BY_CODE[code as OgcExceptionCode] ?? 400;
}
