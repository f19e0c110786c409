/**
 * OWS operations sent as XML by POST (e.g. a WFS GetFeature document): the root element names
 * the operation, its `service` and `version` attributes the rest. Only the prolog and the root
 * start tag are read (root-element.ts), so a body of any size costs the event loop a bounded
 * scan; the service parses the body it understands, bounded and on the pool.
 */
import { ServiceException } from '../errors/service-exception.ts';
import { readRootElement, startsWithMarkup } from '../xml/root-element.ts';
import { describeUntrustedXmlProblem } from '../xml/untrusted-xml.ts';

export interface XmlOperation {
  request: string;
  service?: string;
  version?: string;
}

/** Whether a request body is an XML document (its first character after whitespace is `<`). */
export function isXmlBody(body: unknown, maxBytes: number): body is string {
  return typeof body === 'string' && startsWithMarkup(body, maxBytes);
}

/**
 * The operation an XML body names. Throws the OGC exception for a body whose root cannot be
 * read: OperationParsingFailed (400) for a DTD or a malformed prolog or start tag, and 413 when
 * the root start tag does not end within `maxBytes`.
 */
export function readXmlOperation(body: string, maxBytes: number): XmlOperation {
  const scan = readRootElement(body, maxBytes);
  switch (scan.kind) {
    case 'element': {
      // OWS puts service and version in unqualified attributes.
      const { attributes } = scan;
      return {
        request: scan.localName,
        service: attributes.get('service'),
        version: attributes.get('version'),
      };
    }
    case 'dtd':
      throw new ServiceException(
        'OperationParsingFailed',
        describeUntrustedXmlProblem({ kind: 'dtd' }, 'The XML request body'),
      );
    case 'too-long':
      throw new ServiceException(
        'OperationParsingFailed',
        `The root element of the XML request body does not start and end its tag within the first ${scan.limit} characters`,
        undefined,
        413,
      );
    case 'malformed':
      throw new ServiceException(
        'OperationParsingFailed',
        `The XML request body is not well-formed: ${scan.reason}`,
      );
  }
}
