/**
 * Every XML document Relief builds with xmlbuilder2 starts here. xmlbuilder2 passes characters
 * XML 1.0 cannot carry (NUL, ESC, U+FFFF, lone surrogates…) through to its output unless told
 * otherwise, and exception reports echo client parameters, capabilities layer titles from a
 * project file, GetFeatureInfo feature attributes: so each document replaces them as the
 * hand-written XML does (xml-escape.ts).
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
