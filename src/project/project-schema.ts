/**
 * The project file's shape, checked strictly so that a typo is an error rather than a silently
 * ignored field, and the first problem found as one line naming the field
 * (`layers[1].source.type: expected one of hgt-folder, geotiff, geojson`).
 */
import { z } from 'zod';

/** Same rule as the layer registry, so a name the schema accepts can be published. */
const LAYER_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** Spellings of WGS84 longitude/latitude that sources may declare; all mean EPSG:4326 here. */
const WGS84_NAMES = new Set([
  'epsg:4326',
  'urn:ogc:def:crs:epsg::4326',
  'http://www.opengis.net/def/crs/epsg/0/4326',
  'crs:84',
  'ogc:crs84',
  'urn:ogc:def:crs:ogc:1.3:crs84',
  'http://www.opengis.net/def/crs/ogc/1.3/crs84',
]);

const text = z.string().trim().min(1, { error: 'expected a non-empty string' });
const keywords = z.array(text, { error: 'expected a list of strings' });

const byte = '(25[0-5]|2[0-4]\\d|1?\\d?\\d)';
const alpha = '(0|1|0?\\.\\d+|1\\.0*)';
const RGBA = new RegExp(
  `^rgba\\(\\s*${byte}\\s*,\\s*${byte}\\s*,\\s*${byte}\\s*,\\s*${alpha}\\s*\\)$`,
);
const color = z.string().refine((value) => /^#[0-9a-fA-F]{6}$/.test(value) || RGBA.test(value), {
  error: 'expected a colour as #rrggbb or rgba(r, g, b, a)',
});

export const RASTER_STYLES = ['grey', 'hillshade', 'color-relief'] as const;

const vectorStyle = z.strictObject({
  fill: color.optional(),
  stroke: color.optional(),
  strokeWidth: z
    .number({ error: 'expected a number of pixels' })
    .positive({ error: 'expected a positive number of pixels' })
    .max(100, { error: 'expected at most 100 pixels' })
    .optional(),
  opacity: z
    .number({ error: 'expected a number from 0 to 1' })
    .min(0, { error: 'expected a number from 0 to 1' })
    .max(1, { error: 'expected a number from 0 to 1' })
    .optional(),
});

export type VectorStyle = z.output<typeof vectorStyle>;

const source = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('hgt-folder'), path: text }),
    z.strictObject({ type: z.literal('geotiff'), path: text }),
    z.strictObject({ type: z.literal('geojson'), path: text }),
  ],
  { error: 'expected an object with type hgt-folder, geotiff or geojson, and a path' },
);

const crs = z
  .string({ error: 'expected a CRS name such as EPSG:4326' })
  .refine((value) => WGS84_NAMES.has(value.trim().toLowerCase()), {
    error: (issue) =>
      `only EPSG:4326 is supported for sources for now, got ${JSON.stringify(issue.input)}`,
  })
  .transform(() => 'EPSG:4326' as const);

const longitude = z.number().min(-180).max(180);
const latitude = z.number().min(-90).max(90);
const bbox = z
  .tuple([longitude, latitude, longitude, latitude], {
    error: 'expected [west, south, east, north] in degrees',
  })
  .refine(([west, south, east, north]) => west < east && south < north, {
    error: 'expected [west, south, east, north] with west < east and south < north',
  });

const layer = z
  .strictObject({
    name: z.string({ error: 'expected a layer name' }).regex(LAYER_NAME, {
      error: 'expected a name of letters, digits, _, - and . starting with a letter or _',
    }),
    title: text,
    abstract: text.optional(),
    keywords: keywords.optional(),
    kind: z.enum(['raster', 'vector'], { error: 'expected one of raster, vector' }),
    source,
    style: z.unknown().optional(),
    crs: crs.default('EPSG:4326'),
    bbox: bbox.optional(),
  })
  .superRefine((value, context) => {
    const rasterSource = value.source.type !== 'geojson';
    if ((value.kind === 'raster') !== rasterSource) {
      context.addIssue({
        code: 'custom',
        path: ['source', 'type'],
        message:
          value.kind === 'raster'
            ? `a raster layer needs a hgt-folder or geotiff source, got ${value.source.type}`
            : `a vector layer needs a geojson source, got ${value.source.type}`,
      });
    }
  })
  .transform((value, context) => {
    // The style's shape depends on the kind, so it is checked once the kind is known.
    if (value.style === undefined) return { ...value, style: undefined };
    const schema =
      value.kind === 'raster'
        ? z.enum(RASTER_STYLES, { error: `expected one of ${RASTER_STYLES.join(', ')}` })
        : vectorStyle;
    const parsed = schema.safeParse(value.style);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        context.addIssue({
          code: 'custom',
          path: ['style', ...issue.path],
          message: describeProblem(issue),
        });
      }
      return z.NEVER;
    }
    return { ...value, style: parsed.data };
  });

const contact = z.strictObject({
  person: text.optional(),
  organization: text.optional(),
  position: text.optional(),
  email: z.email({ error: 'expected an e-mail address' }).optional(),
  phone: text.optional(),
});

export const projectSchema = z.strictObject({
  title: text.optional(),
  abstract: text.optional(),
  keywords: keywords.optional(),
  contact: contact.optional(),
  providerName: text.optional(),
  fees: text.optional(),
  accessConstraints: text.optional(),
  layers: z
    .array(layer, { error: 'expected a list of layers; [] for none' })
    .superRefine((layers, context) => {
      const seen = new Set<string>();
      const duplicates = new Set<string>();
      for (const { name } of layers) (seen.has(name) ? duplicates : seen).add(name);
      if (duplicates.size > 0) {
        context.addIssue({
          code: 'custom',
          message: `duplicate layer names: ${[...duplicates].join(', ')}`,
        });
      }
    }),
});

export type ProjectDocument = z.output<typeof projectSchema>;
export type ProjectLayerEntry = ProjectDocument['layers'][number];
export type ProjectContact = NonNullable<ProjectDocument['contact']>;

/** `layers[1].source.type`, or `(project)` for the document itself. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    out += typeof key === 'number' ? `[${key}]` : `${out === '' ? '' : '.'}${String(key)}`;
  }
  return out === '' ? '(project)' : out;
}

/**
 * One readable line for a zod issue. Parse with `reportInput: true` so that a missing field reads
 * as "required".
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  return `${issuePath(issue.path)}: ${describeProblem(issue)}`;
}

function describeProblem(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options)
        ? `expected one of ${issue.options.join(', ')}`
        : issue.message;
    case 'invalid_type':
      return issue.input === undefined && 'input' in issue
        ? `required (${issue.message.replace(/^Invalid input: /, '').replace(/, received undefined$/, '')})`
        : issue.message.replace(/^Invalid input: /, '');
    case 'invalid_value':
      return `expected one of ${issue.values.map(String).join(', ')}`;
    case 'too_small':
    case 'too_big':
      return issue.message.replace(/^Too (small|big): /, '');
    default:
      return issue.message;
  }
}
