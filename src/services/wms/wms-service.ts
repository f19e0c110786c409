/**
 * The core WMS. It registers like a plugin service; until GetMap lands it serves only
 * GetCapabilities, and the dispatcher answers OperationNotSupported for the rest.
 */
import type { ExceptionFormat } from '../../errors/exception-report.ts';
import { knownVersion } from '../known-version.ts';
import type { OwsServiceDefinition } from '../ows-service.ts';
import { SERVICE_METADATA } from '../service-metadata.ts';
import { TEXT_XML, xmlResult } from '../xml-result.ts';
import { wmsCapabilities } from './wms-capabilities.ts';
import { WMS_1_1_1_CAPABILITIES_TYPE, WMS_VERSIONS } from './wms-versions.ts';

export const wmsService: OwsServiceDefinition = {
  name: 'WMS',
  title: 'Web Map Service',
  versions: WMS_VERSIONS,
  operations: {
    GetCapabilities: ({ version, endpoint }) => {
      const wmsVersion = knownVersion(WMS_VERSIONS, version);
      const contentType =
        wmsVersion === '1.1.1' ? `${WMS_1_1_1_CAPABILITIES_TYPE}; charset=utf-8` : TEXT_XML;
      return xmlResult(wmsCapabilities(wmsVersion, endpoint, SERVICE_METADATA), contentType);
    },
  },
  exceptionFormat(version: string): ExceptionFormat {
    return version === '1.1.1' ? { kind: 'ogc-se-dtd', version: '1.1.1' } : { kind: 'wms-1.3.0' };
  },
};
