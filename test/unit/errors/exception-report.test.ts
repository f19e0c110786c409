import { describe, expect, it } from 'vitest';
import {
  renderExceptionReport,
  type ExceptionFormat,
} from '../../../src/errors/exception-report.ts';
import { all, attr, first, parseXml, text } from '../../helpers/parse-xml.ts';

const MESSAGE = 'Layer "a<b>" & \'c\' is <&> not here';
const ERROR = { code: 'LayerNotDefined', message: MESSAGE, locator: 'LAYERS' };
const OGC_NS = 'http://www.opengis.net/ogc';

describe('renderExceptionReport', () => {
  it('renders WMS 1.3.0 as an ogc ServiceExceptionReport with code and locator attributes', () => {
    const rendered = renderExceptionReport({ kind: 'wms-1.3.0' }, ERROR);
    expect(rendered.contentType).toBe('text/xml; charset=utf-8');
    const doc = parseXml(rendered.body);
    expect(doc.name).toBe('ServiceExceptionReport');
    expect(doc.namespace).toBe(OGC_NS);
    expect(attr(doc.root, 'version')).toBe('1.3.0');
    expect(attr(doc.root, 'xsi:schemaLocation')).toBe(
      `${OGC_NS} http://schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd`,
    );
    const exception = first(doc.root, 'ServiceException');
    expect(attr(exception, 'code')).toBe('LayerNotDefined');
    expect(attr(exception, 'locator')).toBe('LAYERS');
    expect(text(exception)).toBe(MESSAGE);
    expect(rendered.body).not.toContain('<&>');
  });

  it('renders WMS 1.1.1 with the exception DTD and no namespace', () => {
    const rendered = renderExceptionReport({ kind: 'ogc-se-dtd', version: '1.1.1' }, ERROR);
    expect(rendered.contentType).toBe('application/vnd.ogc.se_xml; charset=utf-8');
    expect(rendered.body).toContain(
      '<!DOCTYPE ServiceExceptionReport SYSTEM "http://schemas.opengis.net/wms/1.1.1/exception_1_1_1.dtd">',
    );
    const doc = parseXml(rendered.body);
    expect(doc.name).toBe('ServiceExceptionReport');
    expect(doc.namespace).toBeUndefined();
    expect(attr(doc.root, 'version')).toBe('1.1.1');
    const exception = first(doc.root, 'ServiceException');
    expect([attr(exception, 'code'), attr(exception, 'locator'), text(exception)]).toEqual([
      'LayerNotDefined',
      'LAYERS',
      MESSAGE,
    ]);
  });

  it('renders WCS 1.0.0 as the namespaced 1.2.0 ServiceExceptionReport', () => {
    const rendered = renderExceptionReport({ kind: 'ogc-se-dtd', version: '1.2.0' }, ERROR);
    expect(rendered.contentType).toBe('application/vnd.ogc.se_xml; charset=utf-8');
    expect(rendered.body).not.toContain('<!DOCTYPE');
    const doc = parseXml(rendered.body);
    expect(doc.namespace).toBe(OGC_NS);
    expect(attr(doc.root, 'version')).toBe('1.2.0');
    expect(attr(doc.root, 'xsi:schemaLocation')).toBe(
      `${OGC_NS} http://schemas.opengis.net/wcs/1.0.0/OGC-exception.xsd`,
    );
    const exception = first(doc.root, 'ServiceException');
    expect([attr(exception, 'code'), attr(exception, 'locator'), text(exception)]).toEqual([
      'LayerNotDefined',
      'LAYERS',
      MESSAGE,
    ]);
  });

  const owsForms: Array<[ExceptionFormat & { kind: 'ows' }, string, string]> = [
    [
      { kind: 'ows', owsVersion: '2.0.0', reportVersion: '2.0.0' },
      'http://www.opengis.net/ows/2.0',
      'http://schemas.opengis.net/ows/2.0/owsExceptionReport.xsd',
    ],
    [
      { kind: 'ows', owsVersion: '1.1.0', reportVersion: '2.0.0' },
      'http://www.opengis.net/ows/1.1',
      'http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd',
    ],
    [
      { kind: 'ows', owsVersion: '1.0.0', reportVersion: '1.0.0' },
      'http://www.opengis.net/ows',
      'http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd',
    ],
  ];

  it.each(owsForms)('renders OWS %o as an ows:ExceptionReport', (format, namespace, schema) => {
    const rendered = renderExceptionReport(format, ERROR);
    expect(rendered.contentType).toBe('application/xml; charset=utf-8');
    const doc = parseXml(rendered.body);
    expect(doc.name).toBe('ows:ExceptionReport');
    expect(doc.namespace).toBe(namespace);
    expect(attr(doc.root, 'version')).toBe(format.reportVersion);
    expect(attr(doc.root, 'xsi:schemaLocation')).toBe(`${namespace} ${schema}`);
    // OWS 1.0 has a plain `language` attribute; 1.1 and 2.0 use xml:lang.
    if (format.owsVersion === '1.0.0') {
      expect([attr(doc.root, 'language'), attr(doc.root, 'xml:lang')]).toEqual(['en', undefined]);
    } else {
      expect([attr(doc.root, 'language'), attr(doc.root, 'xml:lang')]).toEqual([undefined, 'en']);
    }
    const exceptions = all(doc.root, 'ows:Exception');
    expect(exceptions).toHaveLength(1);
    const exception = exceptions[0]!;
    expect(attr(exception, 'exceptionCode')).toBe('LayerNotDefined');
    expect(attr(exception, 'locator')).toBe('LAYERS');
    expect(text(first(exception, 'ows:ExceptionText'))).toBe(MESSAGE);
  });

  it('leaves the locator out when the error has none', () => {
    const error = { code: 'NoApplicableCode', message: 'boom', locator: undefined };
    const wms = first(
      parseXml(renderExceptionReport({ kind: 'wms-1.3.0' }, error).body).root,
      'ServiceException',
    );
    expect(attr(wms, 'code')).toBe('NoApplicableCode');
    expect(attr(wms, 'locator')).toBeUndefined();
    const ows = first(
      parseXml(
        renderExceptionReport({ kind: 'ows', owsVersion: '1.1.0', reportVersion: '1.1.0' }, error)
          .body,
      ).root,
      'ows:Exception',
    );
    expect(attr(ows, 'exceptionCode')).toBe('NoApplicableCode');
    expect(attr(ows, 'locator')).toBeUndefined();
  });

  it.each<ExceptionFormat>([
    { kind: 'wms-1.3.0' },
    { kind: 'ogc-se-dtd', version: '1.1.1' },
    { kind: 'ogc-se-dtd', version: '1.2.0' },
    ...owsForms.map(([format]) => format),
  ])(
    'writes well-formed XML when message and locator echo invalid characters and references (%o)',
    (format) => {
      const hostile = 'a\u0000b\u0001c\u000Bd\u001Be\uFFFFf\uD800g &id; &#0;';
      const rendered = renderExceptionReport(format, {
        code: 'InvalidParameterValue',
        message: `Layer "${hostile}" is not defined`,
        locator: hostile,
      });
      const doc = parseXml(rendered.body);
      const exception =
        format.kind === 'ows'
          ? first(doc.root, 'ows:Exception')
          : first(doc.root, 'ServiceException');
      const shown = 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg &id; &#0;';
      expect(attr(exception, 'locator')).toBe(shown);
      expect(
        format.kind === 'ows' ? text(first(exception, 'ows:ExceptionText')) : text(exception),
      ).toBe(`Layer "${shown}" is not defined`);
    },
  );
});
