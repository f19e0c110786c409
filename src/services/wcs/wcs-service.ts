/**
 * The core WCS. It registers like a plugin service; until DescribeCoverage and GetCoverage land
 * it serves only GetCapabilities.
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import { knownVersion } from '../known-version.ts';
import type { OwsServiceDefinition } from '../ows-service.ts';
import { SERVICE_METADATA } from '../service-metadata.ts';
import { xmlResult } from '../xml-result.ts';
import { wcs100Capabilities } from './wcs100-capabilities.ts';
import { wcs201Capabilities } from './wcs201-capabilities.ts';
import { WCS_VERSIONS } from './wcs-versions.ts';

export const wcsService: OwsServiceDefinition = {
  name: 'WCS',
  title: 'Web Coverage Service',
  versions: WCS_VERSIONS,
  operations: {
    GetCapabilities: ({ version, endpoint }) =>
      xmlResult(
        knownVersion(WCS_VERSIONS, version) === '1.0.0'
          ? wcs100Capabilities(endpoint, SERVICE_METADATA)
          : wcs201Capabilities(endpoint, SERVICE_METADATA),
      ),
  },
  exceptionFormat(version: string): ExceptionFormat {
    return version === '1.0.0'
      ? { kind: 'ogc-se-dtd', version: '1.2.0' }
      : { kind: 'ows', owsVersion: '2.0.0', reportVersion: '2.0.0' };
  },
};
