/** The WCS versions Relief speaks and the operations their capabilities list. */
export const WCS_VERSIONS = ['1.0.0', '2.0.1'] as const;
export type WcsVersion = (typeof WCS_VERSIONS)[number];

/** WCS 1.0.0's schema and WCS 2.0 core both require all three to be listed. */
export const WCS_OPERATIONS = ['GetCapabilities', 'DescribeCoverage', 'GetCoverage'] as const;
export type WcsOperationName = (typeof WCS_OPERATIONS)[number];

/** GetCoverage output formats. */
export const WCS_COVERAGE_FORMATS = ['image/tiff'] as const;
