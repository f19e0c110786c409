/**
 * Renders a ServiceException in the XML form the request's service and version expect:
 * - WMS 1.3.0: ServiceExceptionReport 1.3.0 in the http://www.opengis.net/ogc namespace;
 * - WMS 1.1.1 (and WCS 1.0.0's 1.2.0 form): the DTD-based ServiceExceptionReport;
 * - OWS Common 1.1 ExceptionReport for WFS 2.0 and WCS 2.0, OWS 1.0 for WFS 1.1.
 */
import { xmlDocument, xmlString } from '../xml/xml-document.ts';
import type { ServiceException } from './service-exception.ts';

export type ExceptionFormat =
  | { kind: 'wms-1.3.0' }
  | { kind: 'ogc-se-dtd'; version: '1.1.1' | '1.2.0' }
  | { kind: 'ows'; owsVersion: '2.0.0' | '1.1.0' | '1.0.0'; reportVersion: string };

export interface RenderedException {
  contentType: string;
  body: string;
}

const OGC_NS = 'http://www.opengis.net/ogc';
const OWS_NAMESPACES = {
  '2.0.0': {
    ns: 'http://www.opengis.net/ows/2.0',
    schema: 'http://schemas.opengis.net/ows/2.0/owsExceptionReport.xsd',
  },
  '1.1.0': {
    ns: 'http://www.opengis.net/ows/1.1',
    schema: 'http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd',
  },
  '1.0.0': {
    ns: 'http://www.opengis.net/ows',
    schema: 'http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd',
  },
} as const;
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

export function renderExceptionReport(
  format: ExceptionFormat,
  error: Pick<ServiceException, 'code' | 'message' | 'locator'>,
): RenderedException {
  switch (format.kind) {
    case 'wms-1.3.0': {
      const doc = xmlDocument().ele(OGC_NS, 'ServiceExceptionReport', {
        version: '1.3.0',
        'xmlns:xsi': XSI_NS,
        'xsi:schemaLocation': `${OGC_NS} http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd`,
      });
      doc.ele(OGC_NS, 'ServiceException', attributes(error)).txt(error.message);
      return { contentType: 'text/xml; charset=utf-8', body: xmlString(doc) };
    }
    case 'ogc-se-dtd': {
      const dtd =
        format.version === '1.1.1'
          ? 'http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd'
          : 'http://schemas.opengis.net/wcs/1.0.0/OGC-exception.xsd';
      const root = xmlDocument();
      if (format.version === '1.1.1') root.dtd({ name: 'ServiceExceptionReport', sysID: dtd });
      const report =
        format.version === '1.1.1'
          ? root.ele('ServiceExceptionReport', { version: '1.1.1' })
          : root.ele(OGC_NS, 'ServiceExceptionReport', {
              version: '1.2.0',
              'xmlns:xsi': XSI_NS,
              'xsi:schemaLocation': `${OGC_NS} ${dtd}`,
            });
      report.ele('ServiceException', attributes(error)).txt(error.message);
      return {
        // WMS 1.1.1 section 6.5.3 names this MIME type; WCS 1.0.0 reuses it.
        contentType: 'application/vnd.ogc.se_xml; charset=utf-8',
        body: xmlString(root),
      };
    }
    case 'ows': {
      const { ns, schema } = OWS_NAMESPACES[format.owsVersion];
      const doc = xmlDocument().ele(ns, 'ows:ExceptionReport', {
        version: format.reportVersion,
        // OWS 1.0 declares a plain `language` attribute; xml:lang is only allowed from OWS 1.1.
        ...(format.owsVersion === '1.0.0' ? { language: 'en' } : { 'xml:lang': 'en' }),
        'xmlns:xsi': XSI_NS,
        'xsi:schemaLocation': `${ns} ${schema}`,
      });
      const exception = doc.ele(ns, 'ows:Exception', {
        exceptionCode: error.code,
        ...(error.locator === undefined ? {} : { locator: error.locator }),
      });
      exception.ele(ns, 'ows:ExceptionText').txt(error.message);
      return {
        contentType: 'application/xml; charset=utf-8',
        body: xmlString(doc),
      };
    }
  }
}

function attributes(error: Pick<ServiceException, 'code' | 'locator'>): Record<string, string> {
  return error.locator === undefined
    ? { code: error.code }
    : { code: error.code, locator: error.locator };
}
