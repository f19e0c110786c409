/** The parameter domains each operation advertises in OperationsMetadata. */
import { FEATURE_FORMATS, SCHEMA_FORMATS } from './wfs-formats.ts';
import { WFS_VERSIONS, type WfsOperationName, type WfsVersion } from './wfs-versions.ts';

export function operationParameters(
  version: WfsVersion,
  operation: WfsOperationName,
): Record<string, readonly string[]> {
  switch (operation) {
    case 'GetCapabilities':
      return { AcceptVersions: WFS_VERSIONS };
    case 'DescribeFeatureType':
      return { outputFormat: SCHEMA_FORMATS[version] };
    case 'GetFeature':
      return { outputFormat: FEATURE_FORMATS[version], resultType: ['results', 'hits'] };
    case 'GetPropertyValue':
      return { outputFormat: SCHEMA_FORMATS[version] };
    default:
      return {};
  }
}
