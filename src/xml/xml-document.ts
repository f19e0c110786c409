/**
 * Every XML document Relief builds with xmlbuilder2 starts with xmlDocument() and becomes text
 * through xmlString(). Two habits of xmlbuilder2 would otherwise let client or layer text break
 * the document (exception reports echo parameters, capabilities carry titles from a project
 * file, GetFeatureInfo feature attributes):
 * - it passes characters XML 1.0 cannot carry (NUL, ESC, U+FFFF, lone surrogates…) through
 *   unless given a replacement; they become U+FFFD, as in the hand-written XML (xml-escape.ts);
 * - it writes an `&` that looks like a reference (`&id;`, `&#0;`) as is, taking it for one
 *   already escaped (xmlbuilder2 issue #117): an echoed `&id;` would be an undefined entity. So
 *   every `&` in text and attribute values is escaped just before writing, and xmlbuilder2 then
 *   leaves the resulting `&amp;` alone. CR in text, and tab, LF and CR in attribute values, are
 *   written as character references at the same time, as xml-escape.ts does, so that parsers'
 *   line-end and attribute-value normalisation give back the characters that were written.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { REPLACEMENT_CHARACTER } from './xml-escape.ts';

/** An empty document with the `<?xml version="1.0" encoding="UTF-8"?>` declaration. */
export function xmlDocument(): XMLBuilder {
  return create({
    version: '1.0',
    encoding: 'UTF-8',
    invalidCharReplacement: REPLACEMENT_CHARACTER,
  });
}

/** The whole document `builder` belongs to, pretty-printed for the people who read it. */
export function xmlString(builder: XMLBuilder): string {
  const document = builder.doc();
  if (!escaped.has(document.node)) {
    escapeForWriter(document.node);
    escaped.add(document.node);
  }
  return document.end({ prettyPrint: true });
}

/** Documents escaped already: a second xmlString must not escape them twice. */
const escaped = new WeakSet<object>();

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** The DOM as xmlbuilder2 exposes it, as far as this walk needs it. */
interface DomNode {
  nodeType: number;
  data?: string;
  attributes?: Iterable<{ value: string }>;
  firstChild: DomNode | null;
  nextSibling: DomNode | null;
}

const REFERENCES: Record<string, string> = {
  '&': '&amp;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
const reference = (character: string) => REFERENCES[character] as string;

function escapeForWriter(root: unknown): void {
  const stack: DomNode[] = [root as DomNode];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (node.nodeType === TEXT_NODE && node.data !== undefined && /[&\r]/.test(node.data)) {
      node.data = node.data.replace(/[&\r]/g, reference);
    } else if (node.nodeType === ELEMENT_NODE && node.attributes !== undefined) {
      for (const attribute of node.attributes) {
        if (/[&\t\n\r]/.test(attribute.value)) {
          attribute.value = attribute.value.replace(/[&\t\n\r]/g, reference);
        }
      }
    }
    for (let child = node.firstChild; child !== null; child = child.nextSibling) stack.push(child);
  }
}
