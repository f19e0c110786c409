/**
 * The output formats of DescribeFeatureType and GetFeature, per WFS version, and how a requested
 * OUTPUTFORMAT maps to one. Matching ignores case, quotes, spaces and `+` (a raw `+` in a query
 * string arrives as a space), so `application/gml+xml; version=3.2`, `application/gml+xml;
 * version="3.2"` and `application/gml xml;version=3.2` are the same format.
 */
import { ServiceException } from '../../errors/service-exception.ts';
import type { WfsVersion } from './wfs-versions.ts';

export type Encoding = 'gml32' | 'gml311' | 'geojson';

export interface OutputFormat {
  readonly encoding: Encoding;
  /** The Content-Type of the response. */
  readonly contentType: string;
}

export const GML32 = 'application/gml+xml; version=3.2';
export const GML311 = 'text/xml; subtype=gml/3.1.1';
export const GEOJSON = 'application/geo+json';
export const JSON_FORMAT = 'application/json';

/** What capabilities advertise, default first. */
export const FEATURE_FORMATS: Record<WfsVersion, readonly string[]> = {
  '1.1.0': [GML311, JSON_FORMAT, GEOJSON],
  '2.0.0': [GML32, JSON_FORMAT, GEOJSON],
};
export const SCHEMA_FORMATS: Record<WfsVersion, readonly string[]> = {
  '1.1.0': [GML311],
  '2.0.0': [GML32],
};

const DEFAULT_ENCODING: Record<WfsVersion, Encoding> = { '1.1.0': 'gml311', '2.0.0': 'gml32' };
const CONTENT_TYPE: Record<Exclude<Encoding, 'geojson'>, string> = {
  gml32: GML32,
  gml311: GML311,
};

const ALIASES: Record<Encoding, readonly string[]> = {
  gml32: [GML32, 'application/gml+xml; version=3.2.1', 'text/xml; subtype=gml/3.2', 'gml32'],
  gml311: [GML311, 'text/xml; subtype=gml/3.1', 'gml3', 'gml311'],
  geojson: [GEOJSON, JSON_FORMAT, 'application/vnd.geo+json', 'json', 'geojson'],
};

const normalise = (format: string) => format.toLowerCase().replace(/[\s+"']/g, '');
const BY_KEY = new Map<string, Encoding>(
  Object.entries(ALIASES).flatMap(([encoding, names]) =>
    names.map((name) => [normalise(name), encoding as Encoding] as const),
  ),
);

/**
 * GetFeature's format: GML of the version by default, GeoJSON on request. Each version's
 * feature collection carries only its own GML version.
 */
export function featureFormat(version: WfsVersion, requested: string | undefined): OutputFormat {
  const encoding = encodingOf(version, requested);
  if (
    encoding === undefined ||
    (encoding !== 'geojson' && encoding !== DEFAULT_ENCODING[version])
  ) {
    throw unsupported(requested, FEATURE_FORMATS[version]);
  }
  if (encoding === 'geojson') {
    // Answer in the spelling asked for: some clients only accept application/json.
    const asked = normalise(requested ?? '');
    return {
      encoding,
      contentType: asked === JSON_FORMAT || asked === 'json' ? JSON_FORMAT : GEOJSON,
    };
  }
  return { encoding, contentType: CONTENT_TYPE[encoding] };
}

/** DescribeFeatureType's format: an XML Schema for GML 3.2 or 3.1.1 (either, in both versions). */
export function schemaFormat(version: WfsVersion, requested: string | undefined): OutputFormat {
  const key = requested === undefined ? '' : normalise(requested);
  const encoding =
    key === 'xmlschema' || key === 'text/xml'
      ? DEFAULT_ENCODING[version]
      : encodingOf(version, requested);
  if (encoding === undefined || encoding === 'geojson') {
    throw unsupported(requested, SCHEMA_FORMATS[version]);
  }
  return { encoding, contentType: CONTENT_TYPE[encoding] };
}

function encodingOf(version: WfsVersion, requested: string | undefined): Encoding | undefined {
  if (requested === undefined || requested.trim() === '') return DEFAULT_ENCODING[version];
  return BY_KEY.get(normalise(requested));
}

function unsupported(requested: string | undefined, supported: readonly string[]) {
  return new ServiceException(
    'InvalidParameterValue',
    `Output format "${requested}" is not supported; supported: ${supported.join(', ')}`,
    'outputFormat',
  );
}
