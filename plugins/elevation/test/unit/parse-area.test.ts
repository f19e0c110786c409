/**
 * parseArea: what it accepts (every GeoJSON form, every CRS spelling, antimeridian crossings in
 * both writings) and what it makes of it, and every refusal with its exact message and locator.
 */
import { booleanPointInPolygon, point, toWgs84 } from '@turf/turf';
import type { Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { ElevationArea } from '../../src/contracts.ts';
import { AreaError } from '../../src/input/area-error.ts';
import { crsKind, MERCATOR_MAX, mercatorToWgs84, wgs84ToMercator } from '../../src/input/crs.ts';
import { parseArea } from '../../src/input/parse-area.ts';
import { tilesFor } from '../../src/tiles/tile-set.ts';

const OPTIONS = { maxVertices: 1000 };
const INVALID = ' (an invalid polygon; send repair=true to have it repaired)';

function rectangle(west: number, south: number, east: number, north: number): Position[] {
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

function polygon(...rings: unknown[]) {
  return { type: 'Polygon', coordinates: rings };
}

function feature(geometry: unknown) {
  return { type: 'Feature', properties: { name: 'x' }, geometry };
}

function collection(...features: unknown[]) {
  return { type: 'FeatureCollection', features };
}

function nameCrs(name: string) {
  return { type: 'name', properties: { name } };
}

function expectRefusal(run: () => unknown, message: string, locator: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AreaError);
  expect((caught as AreaError).message).toBe(message);
  expect((caught as AreaError).locator).toBe(locator);
}

/** Planar area (deg²) of a MultiPolygon's coordinates, holes subtracted. */
function planarArea(area: ElevationArea): number {
  let total = 0;
  for (const rings of area.geometry.coordinates) {
    rings.forEach((ring, r) => {
      let sum = 0;
      for (let i = 0; i + 1 < ring.length; i++) {
        sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
      }
      total += (r === 0 ? 1 : -1) * Math.abs(sum / 2);
    });
  }
  return total;
}

const SQUARE = rectangle(7, 46, 9, 48);
const SQUARE_AREA: ElevationArea = {
  geometry: { type: 'MultiPolygon', coordinates: [[SQUARE]] },
  bbox: [7, 46, 9, 48],
  vertexCount: 5,
};

describe('accepted GeoJSON', () => {
  it('a Polygon becomes a one-part MultiPolygon with its bbox and vertex count', () => {
    expect(parseArea(polygon(SQUARE), OPTIONS)).toEqual(SQUARE_AREA);
  });

  it('a MultiPolygon, a Feature and a FeatureCollection of one polygon give the same', () => {
    expect(parseArea({ type: 'MultiPolygon', coordinates: [[SQUARE]] }, OPTIONS)).toEqual(
      SQUARE_AREA,
    );
    expect(parseArea(feature(polygon(SQUARE)), OPTIONS)).toEqual(SQUARE_AREA);
    expect(parseArea(collection(feature(polygon(SQUARE))), OPTIONS)).toEqual(SQUARE_AREA);
    expect(parseArea(feature({ type: 'MultiPolygon', coordinates: [[SQUARE]] }), OPTIONS)).toEqual(
      SQUARE_AREA,
    );
  });

  it('drops a third (height) coordinate', () => {
    const withHeights = SQUARE.map(([x, y]) => [x, y, 1200]);
    expect(parseArea(polygon(withHeights), OPTIONS)).toEqual(SQUARE_AREA);
  });

  it('keeps holes', () => {
    const hole = rectangle(7.5, 46.5, 8.5, 47.5).reverse();
    const area = parseArea(polygon(SQUARE, hole), OPTIONS);
    expect(area.geometry.coordinates).toEqual([[SQUARE, hole]]);
    expect(area.vertexCount).toBe(10);
  });

  it('keeps disjoint features as separate parts', () => {
    const other = rectangle(10, 40, 11, 41);
    const area = parseArea(
      collection(
        feature(polygon(SQUARE)),
        feature({ type: 'MultiPolygon', coordinates: [[other]] }),
      ),
      OPTIONS,
    );
    expect(area.geometry.coordinates).toEqual([[SQUARE], [other]]);
    expect(area.bbox).toEqual([7, 40, 11, 48]);
  });

  it('merges overlapping features into one polygon', () => {
    const area = parseArea(
      collection(feature(polygon(rectangle(0, 0, 2, 2))), feature(polygon(rectangle(1, 1, 3, 3)))),
      OPTIONS,
    );
    expect(area.geometry.coordinates).toHaveLength(1);
    expect(area.geometry.coordinates[0]).toHaveLength(1);
    expect(planarArea(area)).toBeCloseTo(7, 12);
    expect(area.bbox).toEqual([0, 0, 3, 3]);
  });

  it('ignores properties, bbox and foreign members', () => {
    const body = { ...polygon(SQUARE), bbox: [0, 0, 1, 1], title: 'mine' };
    expect(parseArea(body, OPTIONS)).toEqual(SQUARE_AREA);
  });
});

describe('antimeridian', () => {
  it('splits a ring written beyond 180 into parts on both sides', () => {
    const area = parseArea(polygon(rectangle(179, 10, 181, 11)), OPTIONS);
    expect(area.geometry.coordinates).toEqual([
      [rectangle(179, 10, 180, 11)],
      [rectangle(-180, 10, -179, 11)],
    ]);
    expect(area.bbox).toEqual([-180, 10, 180, 11]);
    expect(area.vertexCount).toBe(10);
  });

  it('splits a ring written beyond -180 the same way', () => {
    const area = parseArea(polygon(rectangle(-181, 10, -179, 11)), OPTIONS);
    const parts = area.geometry.coordinates.map((part) => part[0]!);
    expect(parts).toContainEqual(rectangle(179, 10, 180, 11));
    expect(parts).toContainEqual(rectangle(-180, 10, -179, 11));
    expect(parts).toHaveLength(2);
  });

  it('shifts a polygon lying wholly beyond 180', () => {
    const area = parseArea(polygon(rectangle(185, 10, 187, 11)), OPTIONS);
    expect(area.geometry.coordinates).toEqual([[rectangle(-175, 10, -173, 11)]]);
  });

  it('keeps parts given on both sides as they are', () => {
    const parts = [[rectangle(179, 10, 180, 11)], [rectangle(-180, 10, -179, 11)]];
    const area = parseArea({ type: 'MultiPolygon', coordinates: parts }, OPTIONS);
    expect(area.geometry.coordinates).toEqual(parts);
  });

  it('keeps a naive 179 to -179 ring as the 358° polygon it is', () => {
    const naive = [
      [179, 10],
      [-179, 10],
      [-179, 11],
      [179, 11],
      [179, 10],
    ];
    const area = parseArea(polygon(naive), OPTIONS);
    expect(area.geometry.coordinates).toEqual([[naive]]);
    expect(area.bbox).toEqual([-179, 10, 179, 11]);
  });

  it('clips an irregular polygon with a hole without losing area or the hole', () => {
    const shell = [
      [178.3, 10.1],
      [182.7, 10.6],
      [181.9, 13.8],
      [177.6, 12.9],
      [178.3, 10.1],
    ];
    const hole = rectangle(179.2, 11, 180.8, 12.5).reverse();
    const area = parseArea(polygon(shell, hole), OPTIONS);
    const unsplit = {
      ...SQUARE_AREA,
      geometry: { type: 'MultiPolygon' as const, coordinates: [[shell, hole]] },
    };
    expect(planarArea(area)).toBeCloseTo(planarArea(unsplit), 9);
    for (const [x] of area.geometry.coordinates.flat(2)) {
      expect(Math.abs(x!)).toBeLessThanOrEqual(180);
    }
    // The hole is cut too: no part covers a point inside it, on either side.
    const covers = (lon: number, lat: number) => booleanPointInPolygon([lon, lat], area.geometry);
    expect(covers(179.5, 11.5)).toBe(false);
    expect(covers(-179.5, 11.5)).toBe(false);
    expect(covers(179.5, 10.6)).toBe(true);
    expect(covers(-179.5, 13.2)).toBe(true);
    expect(area.geometry.coordinates).toHaveLength(2);
    expect(area.bbox[0]).toBe(-180);
    expect(area.bbox[2]).toBe(180);
  });

  it('merges a ring wider than 360° into one band of the whole world', () => {
    const area = parseArea(polygon(rectangle(-200, 10, 200, 11)), OPTIONS);
    expect(area.geometry.coordinates).toHaveLength(1);
    expect(area.bbox).toEqual([-180, 10, 180, 11]);
    expect(planarArea(area)).toBeCloseTo(360, 9);
  });
});

describe('CRS', () => {
  it.each([
    'EPSG:4326',
    'epsg:4326',
    'CRS:84',
    'CRS84',
    'OGC:CRS84',
    'urn:ogc:def:crs:OGC:1.3:CRS84',
    'urn:ogc:def:crs:OGC::CRS84',
    'urn:ogc:def:crs:EPSG::4326',
    'urn:ogc:def:crs:EPSG:6.6:4326',
    'http://www.opengis.net/def/crs/EPSG/0/4326',
    'https://www.opengis.net/def/crs/OGC/1.3/CRS84',
    'http://www.opengis.net/gml/srs/epsg.xml#4326',
  ])('%s is WGS84 in lon/lat order', (name) => {
    expect(crsKind(name)).toBe('wgs84');
    expect(parseArea(polygon(SQUARE), { ...OPTIONS, crs: name })).toEqual(SQUARE_AREA);
  });

  it.each([
    'EPSG:3857',
    'EPSG:900913',
    'EPSG:102100',
    'ESRI:102100',
    'EPSG:3785',
    'urn:ogc:def:crs:EPSG::3857',
    'http://www.opengis.net/def/crs/EPSG/0/3857',
  ])('%s is spherical Mercator', (name) => {
    expect(crsKind(name)).toBe('web-mercator');
  });

  it.each(['EPSG:2056', 'EPSG:4258', 'EPSG:', '4326', 'WGS84', 'urn:ogc:def:crs:EPSG::32632'])(
    '%s is not supported',
    (name) => expect(crsKind(name)).toBeUndefined(),
  );

  it('the Mercator inverse is exact at known points and agrees with turf', () => {
    expect(mercatorToWgs84(0, 0)).toEqual([0, 0]);
    const [lon, lat] = mercatorToWgs84(MERCATOR_MAX, MERCATOR_MAX);
    expect(lon).toBeCloseTo(180, 9);
    expect(lat).toBeCloseTo(85.0511287798066, 12);
    for (const [x, y] of [
      [1_000_000, 5_000_000],
      [-15_000_000, -19_000_000],
      [123.456, -7.89],
    ] as const) {
      const ours = mercatorToWgs84(x, y);
      const theirs = toWgs84(point([x, y])).geometry.coordinates;
      expect(ours[0]).toBeCloseTo(theirs[0]!, 10);
      expect(ours[1]).toBeCloseTo(theirs[1]!, 10);
      const back = wgs84ToMercator(...ours);
      expect(back[0]).toBeCloseTo(x, 6);
      expect(back[1]).toBeCloseTo(y, 6);
    }
  });

  it('transforms EPSG:3857 coordinates given by the crs option', () => {
    const ring = SQUARE.map(([lon, lat]) => wgs84ToMercator(lon!, lat!));
    const area = parseArea(polygon(ring), { ...OPTIONS, crs: 'EPSG:3857' });
    const corners = area.geometry.coordinates[0]![0]!;
    SQUARE.forEach(([lon, lat], i) => {
      expect(corners[i]![0]).toBeCloseTo(lon!, 9);
      expect(corners[i]![1]).toBeCloseTo(lat!, 9);
    });
  });

  it('takes the CRS from a legacy crs member, on the object or a parent', () => {
    const ring = SQUARE.map(([lon, lat]) => wgs84ToMercator(lon!, lat!));
    const member = nameCrs('urn:ogc:def:crs:EPSG::3857');
    const direct = parseArea({ ...polygon(ring), crs: member }, OPTIONS);
    const inherited = parseArea({ ...collection(feature(polygon(ring))), crs: member }, OPTIONS);
    const epsg = parseArea(
      { ...polygon(ring), crs: { type: 'EPSG', properties: { code: 3857 } } },
      OPTIONS,
    );
    expect(direct.bbox[0]).toBeCloseTo(7, 9);
    expect(direct.bbox[3]).toBeCloseTo(48, 9);
    expect(inherited).toEqual(direct);
    expect(epsg).toEqual(direct);
    // A member agreeing with the option is fine; a null member means none.
    expect(parseArea({ ...polygon(ring), crs: member }, { ...OPTIONS, crs: 'EPSG:3857' })).toEqual(
      direct,
    );
    expect(parseArea({ ...polygon(SQUARE), crs: null }, OPTIONS)).toEqual(SQUARE_AREA);
  });

  it('accepts the corners of the EPSG:3857 square', () => {
    const m = MERCATOR_MAX;
    const area = parseArea(polygon(rectangle(-m, -m, m, m)), { ...OPTIONS, crs: 'EPSG:3857' });
    expect(area.bbox[1]).toBeCloseTo(-85.0511287798066, 9);
  });
});

describe('refusals', () => {
  const closed = [
    [7, 46],
    [8, 46],
    [8, 47],
    [7, 46],
  ];

  it.each([
    ['hello', 'got a string'],
    [42, 'got a number'],
    [null, 'got null'],
    [undefined, 'got a undefined'],
    [[closed], 'got an array'],
  ])('not an object: %j', (body, got) => {
    expectRefusal(
      () => parseArea(body, OPTIONS),
      `the area must be a GeoJSON object (Polygon, MultiPolygon, Feature or FeatureCollection), ${got}`,
      'geometry',
    );
  });

  it('not GeoJSON', () => {
    expectRefusal(
      () => parseArea({ coordinates: [closed] }, OPTIONS),
      'the area is not GeoJSON: it has no "type" member',
      'geometry',
    );
    expectRefusal(
      () => parseArea({ type: 'Polygone', coordinates: [closed] }, OPTIONS),
      'the area is not GeoJSON: unknown type "Polygone"',
      'geometry.type',
    );
  });

  it.each(['Point', 'MultiPoint', 'LineString', 'MultiLineString', 'GeometryCollection'])(
    'a %s',
    (type) => {
      expectRefusal(
        () => parseArea({ type, coordinates: [7, 46] }, OPTIONS),
        `the area is a ${type}; only Polygon and MultiPolygon areas are supported`,
        'geometry.type',
      );
    },
  );

  it('a feature without a polygon', () => {
    expectRefusal(
      () => parseArea(feature(null), OPTIONS),
      'the feature has no geometry; it must be a Polygon or MultiPolygon',
      'geometry.geometry',
    );
    expectRefusal(
      () => parseArea(feature({ type: 'LineString', coordinates: closed }), OPTIONS),
      'the area is a LineString; only Polygon and MultiPolygon areas are supported',
      'geometry.geometry.type',
    );
    expectRefusal(
      () => parseArea(feature(collection()), OPTIONS),
      'the feature has no valid geometry: {"type":"FeatureCollection","features":[]}',
      'geometry.geometry',
    );
  });

  it('a FeatureCollection with something other than polygons', () => {
    const good = feature(polygon(closed));
    expectRefusal(
      () => parseArea(collection(good, feature({ type: 'Point', coordinates: [7, 46] })), OPTIONS),
      'feature 1 is a Point; only Polygon and MultiPolygon areas are supported',
      'geometry.features[1].geometry.type',
    );
    expectRefusal(
      () => parseArea(collection(good, good, feature(null)), OPTIONS),
      'feature 2 has no geometry; it must be a Polygon or MultiPolygon',
      'geometry.features[2].geometry',
    );
    expectRefusal(
      () => parseArea(collection(polygon(closed)), OPTIONS),
      'feature 0 of the FeatureCollection is not a GeoJSON Feature but a Polygon',
      'geometry.features[0]',
    );
    expectRefusal(
      () => parseArea(collection(good, [7, 46]), OPTIONS),
      'feature 1 of the FeatureCollection is not a GeoJSON Feature but [7,46]',
      'geometry.features[1]',
    );
    expectRefusal(
      () => parseArea(collection(good, collection(good)), OPTIONS),
      'feature 1 of the FeatureCollection is not a GeoJSON Feature but a FeatureCollection',
      'geometry.features[1]',
    );
  });

  it('empty coordinates', () => {
    expectRefusal(
      () => parseArea(polygon(), OPTIONS),
      'the Polygon is empty: it has no rings',
      'geometry.coordinates',
    );
    expectRefusal(
      () => parseArea({ type: 'Polygon' }, OPTIONS),
      'the Polygon has no rings array: undefined',
      'geometry.coordinates',
    );
    expectRefusal(
      () => parseArea({ type: 'MultiPolygon', coordinates: [] }, OPTIONS),
      'the MultiPolygon is empty: it has no polygons',
      'geometry.coordinates',
    );
    expectRefusal(
      () => parseArea({ type: 'MultiPolygon', coordinates: [[closed], []] }, OPTIONS),
      'polygon 1 is empty: it has no rings',
      'geometry.coordinates[1]',
    );
    expectRefusal(
      () => parseArea(collection(), OPTIONS),
      'the FeatureCollection is empty: it has no features',
      'geometry.features',
    );
    expectRefusal(
      () => parseArea(collection(feature(polygon())), OPTIONS),
      'feature 0 is empty: it has no rings',
      'geometry.features[0].geometry.coordinates',
    );
    expectRefusal(
      () => parseArea(polygon([]), OPTIONS),
      'ring 0 has 0 positions; a ring needs at least 4 (3 corners and the closing point)',
      'geometry.coordinates[0]',
    );
  });

  it('coordinates nested one level too shallow', () => {
    expectRefusal(
      () => parseArea({ type: 'Polygon', coordinates: closed }, OPTIONS),
      'ring 0 is not an array of positions: [7,46] (check the nesting of coordinates)',
      'geometry.coordinates[0]',
    );
    expectRefusal(
      () => parseArea({ type: 'MultiPolygon', coordinates: [closed] }, OPTIONS),
      'ring 0 of polygon 0 is not an array of positions: [7,46] (check the nesting of coordinates)',
      'geometry.coordinates[0][0]',
    );
  });

  it('a ring with fewer than 4 positions', () => {
    expectRefusal(
      () => parseArea(polygon(closed.slice(0, 3)), OPTIONS),
      'ring 0 has 3 positions; a ring needs at least 4 (3 corners and the closing point)',
      'geometry.coordinates[0]',
    );
    expectRefusal(
      () => parseArea(polygon(rectangle(0, 0, 5, 5), [[1, 1]]), OPTIONS),
      'ring 1 has 1 position; a ring needs at least 4 (3 corners and the closing point)',
      'geometry.coordinates[1]',
    );
  });

  it('an unclosed ring, named by polygon and feature', () => {
    const open = [
      [7, 46],
      [8, 46],
      [8, 47],
      [7.5, 46],
    ];
    expectRefusal(
      () => parseArea({ type: 'MultiPolygon', coordinates: [[closed], [open]] }, OPTIONS),
      'ring 0 of polygon 1 is not closed: first point [7, 46] differs from last [7.5, 46]',
      'geometry.coordinates[1][0]',
    );
    expectRefusal(
      () =>
        parseArea(
          collection(
            feature(polygon(closed)),
            feature(polygon(closed)),
            feature({ type: 'MultiPolygon', coordinates: [[closed], [closed, open]] }),
          ),
          OPTIONS,
        ),
      'ring 1 of polygon 1 of feature 2 is not closed: first point [7, 46] differs from last [7.5, 46]',
      'geometry.features[2].geometry.coordinates[1][1]',
    );
    expectRefusal(
      () => parseArea(collection(feature(polygon(open))), OPTIONS),
      'ring 0 of feature 0 is not closed: first point [7, 46] differs from last [7.5, 46]',
      'geometry.features[0].geometry.coordinates[0]',
    );
  });

  it('degenerate rings', () => {
    const line = [
      [0, 0],
      [1, 1],
      [2, 2],
      [0, 0],
    ];
    expectRefusal(
      () => parseArea(polygon(line), OPTIONS),
      'ring 0 is degenerate: all its points lie on one line',
      'geometry.coordinates[0]',
    );
    const noisyLine = [
      [0.1, 0.3],
      [0.2, 0.6],
      [0.7, 2.1],
      [0.1, 0.3],
    ];
    expectRefusal(
      () => parseArea(polygon(noisyLine), OPTIONS),
      'ring 0 is degenerate: all its points lie on one line',
      'geometry.coordinates[0]',
    );
    const samePoint = [
      [5, 5],
      [5, 5],
      [5, 5],
      [5, 5],
    ];
    expectRefusal(
      () => parseArea(polygon(rectangle(0, 0, 10, 10), samePoint), OPTIONS),
      'ring 1 is degenerate: all its points lie on one line',
      'geometry.coordinates[1]',
    );
    const bowtie = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    expectRefusal(
      () => parseArea(polygon(bowtie), OPTIONS),
      `ring 0 has a self-intersection at 0.5,0.5: two of its edges cross${INVALID}`,
      'geometry.coordinates[0]',
    );
    const flatMercator = [
      [1e6, 5e6],
      [2e6, 6e6],
      [3e6, 7e6],
      [1e6, 5e6],
    ];
    expectRefusal(
      () => parseArea(polygon(flatMercator), { ...OPTIONS, crs: 'EPSG:3857' }),
      'ring 0 is degenerate: all its points lie on one line',
      'geometry.coordinates[0]',
    );
  });

  it.each([
    [[7, '46'], '[7,"46"]'],
    [[7], '[7]'],
    [[7, 46, 0, 0], '[7,46,0,0]'],
    [[7, null], '[7,null]'],
    [null, 'null'],
    ['7,46', '"7,46"'],
    [{ x: 7, y: 46 }, '{"x":7,"y":46}'],
  ])('a bad position %j', (bad, shown) => {
    const ring = [[7, 46], bad, [8, 47], [7, 46]];
    expectRefusal(
      () => parseArea(polygon(ring), OPTIONS),
      `position 1 of ring 0 is not an array of 2 or 3 finite numbers: ${shown}`,
      'geometry.coordinates[0][1]',
    );
  });

  it('a non-finite number', () => {
    const ring = [
      [7, 46],
      [8, Number.POSITIVE_INFINITY],
      [8, 47],
      [7, 46],
    ];
    expectRefusal(
      () => parseArea(polygon(ring), OPTIONS),
      'position 1 of ring 0 is not an array of 2 or 3 finite numbers: [8,null]',
      'geometry.coordinates[0][1]',
    );
  });

  it('out-of-range coordinates', () => {
    expectRefusal(
      () =>
        parseArea(
          polygon([
            [7, 46],
            [8, 46],
            [8, 91],
            [7, 46],
          ]),
          OPTIONS,
        ),
      'position 2 of ring 0 has latitude 91 outside [-90, 90]',
      'geometry.coordinates[0][2]',
    );
    expectRefusal(
      () =>
        parseArea(
          polygon([
            [7, -90.5],
            [8, 46],
            [8, 47],
            [7, -90.5],
          ]),
          OPTIONS,
        ),
      'position 0 of ring 0 has latitude -90.5 outside [-90, 90]',
      'geometry.coordinates[0][0]',
    );
    expectRefusal(
      () =>
        parseArea(
          polygon([
            [7, 46],
            [541, 46],
            [8, 47],
            [7, 46],
          ]),
          OPTIONS,
        ),
      'position 1 of ring 0 has longitude 541 outside [-540, 540] (beyond ±180 only to cross the antimeridian)',
      'geometry.coordinates[0][1]',
    );
    expectRefusal(
      () =>
        parseArea(
          polygon([
            [0, 0],
            [1e6, 0],
            [20037509, 1e6],
            [0, 0],
          ]),
          {
            ...OPTIONS,
            crs: 'EPSG:3857',
          },
        ),
      'position 2 of ring 0 has x 20037509 outside the EPSG:3857 range [-20037508.3427892, 20037508.3427892]',
      'geometry.coordinates[0][2]',
    );
    expectRefusal(
      () =>
        parseArea(
          polygon([
            [0, 0],
            [1e6, 0],
            [1e6, -3e7],
            [0, 0],
          ]),
          {
            ...OPTIONS,
            crs: 'EPSG:3857',
          },
        ),
      'position 2 of ring 0 has y -30000000 outside the EPSG:3857 range [-20037508.3427892, 20037508.3427892]',
      'geometry.coordinates[0][2]',
    );
  });

  it('more vertices than allowed, counting every position of every ring and feature', () => {
    const body = collection(
      feature(polygon(rectangle(0, 0, 5, 5), rectangle(1, 1, 2, 2).reverse())),
      feature(polygon(closed)),
    );
    expect(parseArea(body, { maxVertices: 14 }).vertexCount).toBe(14);
    expectRefusal(
      () => parseArea(body, { maxVertices: 13 }),
      'the area has 14 vertices; at most 13 are allowed (simplify it)',
      'geometry',
    );
  });

  it('an unsupported CRS parameter', () => {
    expectRefusal(
      () => parseArea(polygon(SQUARE), { ...OPTIONS, crs: 'EPSG:2056' }),
      'unsupported CRS "EPSG:2056": use EPSG:4326 (CRS:84) or EPSG:3857',
      'crs',
    );
  });

  it('an unsupported or malformed crs member', () => {
    expectRefusal(
      () => parseArea({ ...polygon(SQUARE), crs: nameCrs('EPSG:27700') }, OPTIONS),
      'unsupported CRS "EPSG:27700": use EPSG:4326 (CRS:84) or EPSG:3857',
      'geometry.crs.properties.name',
    );
    expectRefusal(
      () =>
        parseArea(collection(feature({ ...polygon(SQUARE), crs: nameCrs('EPSG:2154') })), OPTIONS),
      'unsupported CRS "EPSG:2154": use EPSG:4326 (CRS:84) or EPSG:3857',
      'geometry.features[0].geometry.crs.properties.name',
    );
    expectRefusal(
      () =>
        parseArea(
          { ...polygon(SQUARE), crs: { type: 'link', properties: { href: 'http://x/crs' } } },
          OPTIONS,
        ),
      'linked CRS definitions are not supported: use EPSG:4326 (CRS:84) or EPSG:3857',
      'geometry.crs',
    );
    expectRefusal(
      () => parseArea({ ...polygon(SQUARE), crs: 'EPSG:4326' }, OPTIONS),
      'the crs member must be {"type": "name", "properties": {"name": "EPSG:4326"}}',
      'geometry.crs',
    );
  });

  it('a crs member contradicting the crs parameter', () => {
    expectRefusal(
      () =>
        parseArea(
          { ...polygon(SQUARE), crs: nameCrs('EPSG:3857') },
          { ...OPTIONS, crs: 'EPSG:4326' },
        ),
      'the GeoJSON crs member (EPSG:3857) contradicts the crs parameter (EPSG:4326)',
      'geometry.crs',
    );
  });
});

describe('polygon validity (OGC Simple Features, as GEOS IsValid)', () => {
  const refuse = (geometry: unknown, message: string, locator: string, crs?: string) =>
    expectRefusal(
      () => parseArea(geometry, { ...OPTIONS, ...(crs === undefined ? {} : { crs }) }),
      `${message}${INVALID}`,
      locator,
    );
  const accept = (geometry: unknown) => expect(() => parseArea(geometry, OPTIONS)).not.toThrow();
  const SHELL = rectangle(7, 46, 9, 48);

  it('refuses a self-intersecting (bowtie) polygon, naming where it crosses', () => {
    const bowtie = [
      [8, 46],
      [9, 47.4],
      [9, 46],
      [8, 47],
      [8, 46],
    ];
    refuse(
      polygon(bowtie),
      'ring 0 has a self-intersection at 8.4166667,46.5833333: two of its edges cross',
      'geometry.coordinates[0]',
    );
  });

  it('refuses a ring that passes through one of its points twice (a figure eight)', () => {
    const eight = [
      [0, 0],
      [1, 1],
      [2, 0],
      [2, 2],
      [1, 1],
      [0, 2],
      [0, 0],
    ];
    refuse(
      polygon(eight),
      'ring 0 has a self-intersection at 1,1: it touches itself',
      'geometry.coordinates[0]',
    );
  });

  it('refuses a spike (a ring doubling back along its own edge, touching itself)', () => {
    const spike = [
      [0, 0],
      [2, 0],
      [3, 0],
      [2.5, 0],
      [2, 2],
      [0, 2],
      [0, 0],
    ];
    refuse(
      polygon(spike),
      'ring 0 has a self-intersection at 2.5,0: it touches itself',
      'geometry.coordinates[0]',
    );
  });

  it('refuses a hole outside its shell', () => {
    refuse(
      polygon(SHELL, rectangle(10, 46, 11, 47)),
      'ring 1 is a hole outside its shell (ring 0): its point 10,46 is not inside it',
      'geometry.coordinates[1]',
    );
  });

  it('refuses a hole crossing its shell, holes crossing each other and nested holes', () => {
    refuse(
      polygon(SHELL, rectangle(8, 47, 10, 47.5)),
      'ring 0 and ring 1 cross at 9,47.5',
      'geometry.coordinates[1]',
    );
    refuse(
      polygon(SHELL, rectangle(7.2, 46.2, 8, 47), rectangle(7.5, 46.5, 8.5, 47.5)),
      'ring 1 and ring 2 cross at 8,46.5',
      'geometry.coordinates[2]',
    );
    refuse(
      polygon(SHELL, rectangle(7.2, 46.2, 8.8, 47.8), rectangle(7.5, 46.5, 8, 47)),
      'ring 2 is a hole inside another hole (ring 1) at 7.5,46.5',
      'geometry.coordinates[2]',
    );
  });

  it('refuses holes sharing an edge with each other or the shell', () => {
    refuse(
      polygon(SHELL, rectangle(7, 46.5, 8, 47)),
      'ring 0 and ring 1 share an edge at 7,46.5',
      'geometry.coordinates[1]',
    );
  });

  it('refuses touches that split the interior: a hole touching the shell at two points', () => {
    const diamond = [
      [8, 46],
      [8.5, 47],
      [8, 48],
      [7.5, 47],
      [8, 46],
    ];
    refuse(
      polygon(SHELL, diamond),
      'the interior of the polygon is split in pieces: ring 0 and ring 1 touch at 8,48, closing a loop of touching rings',
      'geometry.coordinates[1]',
    );
  });

  it('accepts holes touching the shell or each other at one point, repeated and collinear points', () => {
    accept(
      polygon(SHELL, [
        [7, 46],
        [8, 46.5],
        [8, 47],
        [7, 46],
      ]),
    );
    accept(
      polygon(SHELL, [
        [8, 46],
        [8.5, 46.5],
        [7.5, 46.5],
        [8, 46],
      ]),
    );
    accept(polygon(SHELL, rectangle(7.2, 46.2, 8, 47), rectangle(8, 47, 8.5, 47.5)));
    // Three holes meeting the shell at one corner do not cut the interior.
    accept(
      polygon(
        SHELL,
        [
          [7, 46],
          [7.5, 46.2],
          [7.5, 46.4],
          [7, 46],
        ],
        [
          [7, 46],
          [7.3, 46.6],
          [7.1, 46.7],
          [7, 46],
        ],
      ),
    );
    accept(
      polygon([
        [0, 0],
        [2, 0],
        [2, 0],
        [2, 2],
        [0, 2],
        [0, 0],
        [0, 0],
      ]),
    );
    accept(
      polygon([
        [0, 0],
        [1, 0],
        [2, 0],
        [2, 2],
        [0, 2],
        [0, 0],
      ]),
    );
  });

  it('judges a corner placed on an edge at decimal coordinates exactly (a touch, not a crossing)', () => {
    accept(
      polygon(rectangle(0.1, 0.1, 0.7, 0.7), [
        [0.1, 0.3],
        [0.3, 0.2],
        [0.3, 0.4],
        [0.1, 0.3],
      ]),
    );
  });

  it('refuses overlapping, edge-sharing and nested MultiPolygon parts; accepts touching ones and islands in lakes', () => {
    const multi = (...polygons: Position[][][]) => ({
      type: 'MultiPolygon',
      coordinates: polygons,
    });
    refuse(
      multi([SHELL], [rectangle(8, 47, 10, 49)]),
      'polygon 0 and polygon 1 of the MultiPolygon overlap: their boundaries cross at 9,47',
      'geometry.coordinates[1]',
    );
    refuse(
      multi([rectangle(7, 46, 8, 47)], [rectangle(8, 46, 9, 47)]),
      'polygon 0 and polygon 1 of the MultiPolygon overlap: they share an edge at 8,46',
      'geometry.coordinates[1]',
    );
    refuse(
      multi([SHELL], [rectangle(7.5, 46.5, 8, 47)]),
      'polygon 1 and polygon 0 of the MultiPolygon overlap: polygon 1 lies inside polygon 0 (at 7.5,46.5)',
      'geometry.coordinates[1]',
    );
    accept(multi([rectangle(7, 46, 8, 47)], [rectangle(8, 47, 9, 48)]));
    accept(multi([SHELL, rectangle(7.2, 46.2, 8.8, 47.8)], [rectangle(7.5, 46.5, 8, 47)]));
  });

  it('names the polygon and feature of an invalid ring', () => {
    const bowtie = [
      [0, 0],
      [1, 1],
      [1, 0],
      [0, 1],
      [0, 0],
    ];
    refuse(
      collection(
        feature(polygon(SHELL)),
        feature({ type: 'MultiPolygon', coordinates: [[bowtie]] }),
      ),
      'ring 0 of polygon 0 of feature 1 has a self-intersection at 0.5,0.5: two of its edges cross',
      'geometry.features[1].geometry.coordinates[0][0]',
    );
  });

  it('checks EPSG:3857 input in its own coordinates and reports them', () => {
    const bowtie = [
      [890000, 5780000],
      [1000000, 5900000],
      [1000000, 5780000],
      [890000, 5900000],
      [890000, 5780000],
    ];
    refuse(
      polygon(bowtie),
      'ring 0 has a self-intersection at 945000,5840000: two of its edges cross',
      'geometry.coordinates[0]',
      'EPSG:3857',
    );
  });

  it('checks antimeridian input as written: parts on both sides are valid, a crossing ring beyond 180 is not', () => {
    accept({
      type: 'MultiPolygon',
      coordinates: [[rectangle(179, 0, 180, 1)], [rectangle(-180, 0, -179, 1)]],
    });
    accept(polygon(rectangle(179, 0, 181, 1)));
    refuse(
      polygon([
        [179, 0],
        [181, 1],
        [181, 0],
        [179, 1],
        [179, 0],
      ]),
      'ring 0 has a self-intersection at 180,0.5: two of its edges cross',
      'geometry.coordinates[0]',
    );
  });

  it('accepts a valid 20 000-vertex outline and refuses a 20 000-spike star as too intricate, without testing every pair', () => {
    const wobbly: Position[] = [];
    const star: Position[] = [];
    for (let i = 0; i < 20_000; i++) {
      const angle = (2 * Math.PI * i) / 20_000;
      const r = 1 + 0.001 * Math.sin(i * 0.37);
      wobbly.push([8 + r * Math.cos(angle), 46 + r * Math.sin(angle)]);
      const spike = 1 + (i % 2) * 0.5;
      star.push([8 + spike * Math.cos(angle), 46 + spike * Math.sin(angle)]);
    }
    wobbly.push(wobbly[0]!);
    star.push(star[0]!);
    expect(parseArea(polygon(wobbly), { maxVertices: 100_000 }).vertexCount).toBe(20_001);
    expectRefusal(
      () => parseArea(polygon(star), { maxVertices: 100_000 }),
      "the area's outline is too intricate to check: its 20000 edges have more than 128 neighbouring edges each on average (simplify it)",
      'geometry.coordinates',
    );
  });
});

describe('repair, only when asked', () => {
  const repaired = (geometry: unknown) => parseArea(geometry, { ...OPTIONS, repair: true });
  const tiles = (area: ElevationArea) =>
    tilesFor(area, 100)
      .map(({ lon, lat }) => `${lon},${lat}`)
      .sort();

  it('splits a bowtie into the two triangles it encloses, and fetches their tiles only', () => {
    const bowtie = [
      [7, 46],
      [9, 48],
      [9, 46],
      [7, 48],
      [7, 46],
    ];
    const area = repaired(polygon(bowtie));
    expect(area.repairs).toEqual([
      'ring 0 has a self-intersection at 8,47: two of its edges cross',
    ]);
    expect(area.geometry.coordinates).toHaveLength(2);
    expect(planarArea(area)).toBeCloseTo(2, 9);
    expect(tiles(area)).toEqual(['7,46', '7,47', '8,46', '8,47']);
    expect(booleanPointInPolygon(point([8, 46.5]), area.geometry)).toBe(false);
    expect(booleanPointInPolygon(point([7.5, 47]), area.geometry)).toBe(true);
  });

  it("drops a hole outside its shell, so only the shell's tiles are fetched", () => {
    const area = repaired(polygon(rectangle(7, 46, 9, 48), rectangle(10, 46, 11, 47)));
    expect(area.repairs).toEqual([
      'ring 1 is a hole outside its shell (ring 0): its point 10,46 is not inside it',
    ]);
    expect(area.geometry.coordinates).toEqual([[rectangle(7, 46, 9, 48)]]);
    expect(tiles(area)).toEqual(['7,46', '7,47', '8,46', '8,47']);
  });

  it('merges overlapping MultiPolygon parts', () => {
    const area = repaired({
      type: 'MultiPolygon',
      coordinates: [[rectangle(7, 46, 9, 48)], [rectangle(8, 47, 10, 49)]],
    });
    expect(area.repairs).toHaveLength(1);
    expect(area.geometry.coordinates).toHaveLength(1);
    expect(planarArea(area)).toBeCloseTo(7, 9);
    expect(tiles(area)).toEqual(['7,46', '7,47', '8,46', '8,47', '8,48', '9,47', '9,48']);
  });

  it('leaves a valid polygon unchanged and records no repair', () => {
    expect(repaired(polygon(SQUARE))).toEqual(SQUARE_AREA);
  });
});
