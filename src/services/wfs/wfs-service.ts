/**
 * The core WFS. It registers like a plugin service; until DescribeFeatureType and GetFeature
 * land it serves only GetCapabilities.
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import { knownVersion } from '../known-version.ts';
import type { OwsServiceDefinition } from '../ows-service.ts';
import { SERVICE_METADATA } from '../service-metadata.ts';
import { xmlResult } from '../xml-result.ts';
import { wfs110Capabilities } from './wfs110-capabilities.ts';
import { wfs200Capabilities } from './wfs200-capabilities.ts';
import { WFS_VERSIONS } from './wfs-versions.ts';

export const wfsService: OwsServiceDefinition = {
  name: 'WFS',
  title: 'Web Feature Service',
  versions: WFS_VERSIONS,
  operations: {
    GetCapabilities: ({ version, endpoint }) =>
      xmlResult(
        knownVersion(WFS_VERSIONS, version) === '1.1.0'
          ? wfs110Capabilities(endpoint, SERVICE_METADATA)
          : wfs200Capabilities(endpoint, SERVICE_METADATA),
      ),
  },
  exceptionFormat(version: string): ExceptionFormat {
    return version === '1.1.0'
      ? { kind: 'ows', owsVersion: '1.0.0', reportVersion: '1.0.0' }
      : { kind: 'ows', owsVersion: '1.1.0', reportVersion: '2.0.0' };
  },
};
