/**
 * Capabilities documents are small and built whole, so they are sent buffered, pretty-printed
 * for the people who read them by hand.
 */
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { OwsResult } from './ows-service.ts';
import { xmlString } from '../xml/xml-document.ts';

export const TEXT_XML = 'text/xml; charset=utf-8';

export function xmlResult(document: XMLBuilder, contentType: string = TEXT_XML): OwsResult {
  return { body: xmlString(document), contentType };
}
