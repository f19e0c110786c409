/**
 * tilesFor: exactly the cells whose interior meets the area's interior. Exact expected lists for
 * the shapes where a bounding-box selection goes wrong (concave, multi-part, holes, edge and
 * corner contact), at the equator and prime meridian, across the antimeridian and from EPSG:3857;
 * a comparison with turf.intersect on random polygons; the tile limit; timings (printed).
 */
import { bboxPolygon, featureCollection, intersect, polygon as turfPolygon } from '@turf/turf';
import type { MultiPolygon, Position } from 'geojson';
import { describe, expect, it } from 'vitest';
import type { ElevationArea } from '../../src/contracts.ts';
import { AreaError } from '../../src/input/area-error.ts';
import { wgs84ToMercator } from '../../src/input/crs.ts';
import { parseArea } from '../../src/input/parse-area.ts';
import { hgtTileName as tileName } from 'relief/worker';
import { segmentEntersBox, tilesFor } from '../../src/tiles/tile-set.ts';

const MAX_VERTICES = 100_000;

function rectangle(west: number, south: number, east: number, north: number): Position[] {
  return [
    [west, south],
    [east, south],
    [east, north],
    [west, north],
    [west, south],
  ];
}

function polygon(...rings: Position[][]) {
  return { type: 'Polygon', coordinates: rings };
}

function multiPolygon(...polygons: Position[][][]) {
  return { type: 'MultiPolygon', coordinates: polygons };
}

function areaOf(geometry: unknown, crs?: string): ElevationArea {
  return parseArea(geometry, { maxVertices: MAX_VERTICES, crs });
}

function names(geometry: unknown, crs?: string): string[] {
  return tilesFor(areaOf(geometry, crs)).map(tileName);
}

/** An area straight from a MultiPolygon, bypassing parseArea (no merging, no normalising). */
function rawArea(coordinates: Position[][][]): ElevationArea {
  const geometry: MultiPolygon = { type: 'MultiPolygon', coordinates };
  return { geometry, bbox: [-180, -90, 180, 90], vertexCount: coordinates.flat(2).length };
}

describe('cell-aligned polygons', () => {
  it('a 2°×2° square gives its 4 cells, not the neighbours it touches', () => {
    expect(names(polygon(rectangle(7, 46, 9, 48)))).toEqual([
      'N46E007',
      'N46E008',
      'N47E007',
      'N47E008',
    ]);
  });

  it('a single cell gives that cell only', () => {
    expect(names(polygon(rectangle(7, 46, 8, 47)))).toEqual(['N46E007']);
  });

  it('a polygon with an edge along a grid line leaves out the cell beyond it', () => {
    expect(names(polygon(rectangle(7.5, 46.2, 8, 46.8)))).toEqual(['N46E007']);
    expect(names(polygon(rectangle(7.2, 46.5, 7.8, 47)))).toEqual(['N46E007']);
  });

  it('a vertex on a grid corner does not bring in the cells meeting there', () => {
    const triangle = [
      [7.2, 46.2],
      [8, 47],
      [7.2, 46.8],
      [7.2, 46.2],
    ];
    expect(names(polygon(triangle))).toEqual(['N46E007']);
  });

  it('an edge running diagonally through grid corners leaves out the cells it only touches', () => {
    // Hypotenuse y = x + 39 through the corners (7, 46) and (8, 47); the triangle is above it.
    const triangle = [
      [6.5, 45.5],
      [8.5, 47.5],
      [6.5, 47.5],
      [6.5, 45.5],
    ];
    expect(names(polygon(triangle))).toEqual([
      'N45E006',
      'N46E006',
      'N46E007',
      'N47E006',
      'N47E007',
      'N47E008',
    ]);
  });

  it('reprojection noise (6.999999999999999 for 7) does not bring in a neighbour', () => {
    expect(names(polygon(rectangle(7 - 1e-12, 46 - 1e-12, 9 + 1e-12, 48 + 1e-12)))).toEqual([
      'N46E007',
      'N46E008',
      'N47E007',
      'N47E008',
    ]);
  });

  it('an overlap a little deeper than the sliver margin counts', () => {
    expect(names(polygon(rectangle(8 - 1e-7, 46.2, 8.5, 46.8)))).toEqual(['N46E007', 'N46E008']);
  });

  it('a polygon thinner than the sliver margin on a grid line still gets its cells', () => {
    expect(names(polygon(rectangle(7 - 1e-10, 46.2, 7 + 1e-10, 46.8)))).toEqual([
      'N46E006',
      'N46E007',
    ]);
  });
});

describe('shapes a bounding box gets wrong', () => {
  it('an L-shaped polygon leaves out the cells of its bbox it does not reach', () => {
    const l = [
      [0.5, 0.5],
      [3.5, 0.5],
      [3.5, 1.5],
      [1.5, 1.5],
      [1.5, 3.5],
      [0.5, 3.5],
      [0.5, 0.5],
    ];
    // The bbox has 16 cells; (2..3, 2..3) are not reached.
    expect(names(polygon(l))).toEqual([
      'N00E000',
      'N00E001',
      'N00E002',
      'N00E003',
      'N01E000',
      'N01E001',
      'N01E002',
      'N01E003',
      'N02E000',
      'N02E001',
      'N03E000',
      'N03E001',
    ]);
  });

  it('a U-shaped polygon leaves out the cells of its notch (whose sides it touches)', () => {
    const u = [
      [0, 0],
      [3, 0],
      [3, 3],
      [2, 3],
      [2, 1],
      [1, 1],
      [1, 3],
      [0, 3],
      [0, 0],
    ];
    expect(names(polygon(u))).toEqual([
      'N00E000',
      'N00E001',
      'N00E002',
      'N01E000',
      'N01E002',
      'N02E000',
      'N02E002',
    ]);
  });

  it('a MultiPolygon gives the cells of its parts, not those between them', () => {
    const area = multiPolygon(
      [rectangle(10.2, 20.2, 10.8, 20.8)],
      [rectangle(12.5, 22.5, 13.5, 23.5)],
    );
    expect(names(area)).toEqual(['N20E010', 'N22E012', 'N22E013', 'N23E012', 'N23E013']);
  });

  it('a FeatureCollection gives the cells of all its features', () => {
    const collection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: polygon(rectangle(-5.5, 40.2, -5.2, 40.4)) },
        { type: 'Feature', properties: {}, geometry: polygon(rectangle(-3.5, 42.5, -3.2, 42.9)) },
      ],
    };
    expect(names(collection)).toEqual(['N40W006', 'N42W004']);
  });

  it('a hole containing a whole cell leaves that cell out', () => {
    const area = polygon(rectangle(0, 0, 3, 3), rectangle(0.5, 0.5, 2.5, 2.5).reverse());
    expect(names(area)).toEqual([
      'N00E000',
      'N00E001',
      'N00E002',
      'N01E000',
      'N01E002',
      'N02E000',
      'N02E001',
      'N02E002',
    ]);
  });

  it('a hole exactly one cell leaves that cell out', () => {
    const area = polygon(rectangle(0, 0, 3, 3), rectangle(1, 1, 2, 2).reverse());
    expect(names(area)).not.toContain('N01E001');
    expect(names(area)).toHaveLength(8);
  });

  it('a hole containing no whole cell leaves nothing out', () => {
    const area = polygon(rectangle(0, 0, 3, 3), rectangle(0.5, 0.5, 1.5, 1.5).reverse());
    expect(names(area)).toHaveLength(9);
  });

  it('overlapping parts give each cell once, sorted by lat then lon', () => {
    const area = rawArea([[rectangle(1.5, 1.5, 3.5, 2.5)], [rectangle(1.2, 1.2, 2.8, 2.8)]]);
    expect(tilesFor(area).map(tileName)).toEqual([
      'N01E001',
      'N01E002',
      'N01E003',
      'N02E001',
      'N02E002',
      'N02E003',
    ]);
  });
});

describe('special places', () => {
  it('a small square around 0,0 gives the four cells around the equator and prime meridian', () => {
    expect(names(polygon(rectangle(-0.5, -0.5, 0.5, 0.5)))).toEqual([
      'S01W001',
      'S01E000',
      'N00W001',
      'N00E000',
    ]);
  });

  it('polar cells', () => {
    expect(names(polygon(rectangle(0.2, 89.5, 1.5, 90)))).toEqual(['N89E000', 'N89E001']);
    expect(names(polygon(rectangle(-180, -90, -179.5, -89.5)))).toEqual(['S90W180']);
  });

  it('the whole world gives every cell', () => {
    const tiles = tilesFor(areaOf(polygon(rectangle(-180, -90, 180, 90))));
    expect(tiles).toHaveLength(180 * 360);
    expect(tiles[0]).toEqual({ lat: -90, lon: -180 });
    expect(tiles.at(-1)).toEqual({ lat: 89, lon: 179 });
  });
});

describe('antimeridian', () => {
  const bothSides = ['N10W180', 'N10E179'];

  it('a ring written with longitudes beyond 180 gives cells on both sides', () => {
    expect(names(polygon(rectangle(179.5, 10.2, 180.5, 10.8)))).toEqual(bothSides);
  });

  it('a ring written with longitudes beyond -180 gives the same cells', () => {
    expect(names(polygon(rectangle(-180.5, 10.2, -179.5, 10.8)))).toEqual(bothSides);
  });

  it('a MultiPolygon of parts on both sides gives the same cells', () => {
    const area = multiPolygon(
      [rectangle(179.5, 10.2, 180, 10.8)],
      [rectangle(-180, 10.2, -179.5, 10.8)],
    );
    expect(names(area)).toEqual(bothSides);
  });

  it('a wider crossing gives the cells on both sides and never a band', () => {
    const tiles = names(polygon(rectangle(177.5, 10.2, 182.5, 11.5)));
    expect(tiles).toEqual([
      'N10W180',
      'N10W179',
      'N10W178',
      'N10E177',
      'N10E178',
      'N10E179',
      'N11W180',
      'N11W179',
      'N11W178',
      'N11E177',
      'N11E178',
      'N11E179',
    ]);
  });

  it('a crossing polygon with a hole keeps the hole on both sides', () => {
    // The hole [178.5, 181.5] × [10.5, 13.5] contains the cells 179 and -180 at lat 11 and 12.
    const area = polygon(
      rectangle(177, 10, 183, 14),
      rectangle(178.5, 10.5, 181.5, 13.5).reverse(),
    );
    const tiles = names(area);
    expect(tiles).toHaveLength(6 * 4 - 4);
    for (const inHole of ['N11E179', 'N12E179', 'N11W180', 'N12W180']) {
      expect(tiles).not.toContain(inHole);
    }
    expect(tiles).toContain('N10E179');
    expect(tiles).toContain('N13W180');
  });

  it('a ring written naively from 179 to -179 is the 358° polygon it says', () => {
    const naive = [
      [179, 10],
      [-179, 10],
      [-179, 11],
      [179, 11],
      [179, 10],
    ];
    const tiles = names(polygon(naive));
    expect(tiles).toHaveLength(358);
    expect(tiles).not.toContain('N10E179');
    expect(tiles).not.toContain('N10W180');
    expect(() => tilesFor(areaOf(polygon(naive)), 100)).toThrow(AreaError);
  });
});

describe('EPSG:3857', () => {
  const toMercator = (ring: Position[]) => ring.map(([lon, lat]) => wgs84ToMercator(lon!, lat!));

  it.each([
    [rectangle(7.2, 46.3, 8.6, 47.4)],
    [rectangle(7, 46, 9, 48)],
    [rectangle(-0.5, -0.5, 0.5, 0.5)],
    [
      [
        [-70.3, -33.2],
        [-68.1, -33.9],
        [-69.5, -31.1],
        [-70.3, -33.2],
      ],
    ],
  ])('a polygon gives the same cells as its EPSG:4326 equivalent: %j', (ring) => {
    const expected = names(polygon(ring));
    expect(names(polygon(toMercator(ring)), 'EPSG:3857')).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });
});

describe('segmentEntersBox', () => {
  it('counts crossing and inside, not touching a side or corner', () => {
    expect(segmentEntersBox(-1, 0.5, 2, 0.5, 0, 1, 0, 1)).toBe(true); // across
    expect(segmentEntersBox(0.2, 0.2, 0.3, 0.3, 0, 1, 0, 1)).toBe(true); // inside
    expect(segmentEntersBox(0.5, 0.5, 0.5, 0.5, 0, 1, 0, 1)).toBe(true); // a point inside
    expect(segmentEntersBox(0, -1, 0, 2, 0, 1, 0, 1)).toBe(false); // along the west side
    expect(segmentEntersBox(-1, 1, 2, 1, 0, 1, 0, 1)).toBe(false); // along the north side
    expect(segmentEntersBox(-1, 0, 1, 2, 0, 1, 0, 1)).toBe(false); // through the corner (0, 1)
    expect(segmentEntersBox(2, 2, 3, 3, 0, 1, 0, 1)).toBe(false); // beyond
    expect(segmentEntersBox(1, 1, 3, 3, 0, 1, 0, 1)).toBe(false); // from the corner outwards
    expect(segmentEntersBox(1, 1, 0.9, 0.9, 0, 1, 0, 1)).toBe(true); // from the corner inwards
  });
});

describe('agreement with turf.intersect', () => {
  /** Deterministic pseudo-random numbers (mulberry32). */
  function random(seed: number): () => number {
    let a = seed;
    return () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function star(next: () => number, cx: number, cy: number, radius: number, n: number): Position[] {
    const ring: Position[] = [];
    for (let i = 0; i < n; i++) {
      const angle = (2 * Math.PI * i) / n;
      const r = radius * (0.3 + 0.7 * next());
      ring.push([cx + r * Math.cos(angle), cy + r * Math.sin(angle)]);
    }
    ring.push(ring[0]!);
    return ring;
  }

  function planarArea(rings: Position[][]): number {
    let sum = 0;
    for (const ring of rings) {
      for (let i = 0; i + 1 < ring.length; i++) {
        sum += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
      }
    }
    return sum / 2;
  }

  /** The brute-force definition: cells whose intersection with the polygon has an area. */
  function byIntersect(rings: Position[][]): string[] {
    const shell = rings[0]!;
    const xs = shell.map((p) => p[0]!);
    const ys = shell.map((p) => p[1]!);
    const found: string[] = [];
    for (let lat = Math.floor(Math.min(...ys)); lat < Math.max(...ys); lat++) {
      for (let lon = Math.floor(Math.min(...xs)); lon < Math.max(...xs); lon++) {
        const cell = bboxPolygon([lon, lat, lon + 1, lat + 1]);
        const common = intersect(featureCollection([cell, turfPolygon(rings)]));
        if (common === null) continue;
        const parts =
          common.geometry.type === 'Polygon'
            ? [common.geometry.coordinates]
            : common.geometry.coordinates;
        const area = parts.reduce(
          (sum, part) =>
            sum + Math.abs(planarArea(part.slice(0, 1))) - Math.abs(planarArea(part.slice(1))),
          0,
        );
        if (area > 1e-9) found.push(tileName({ lat, lon }));
      }
    }
    return found.sort((a, b) => sortKey(a) - sortKey(b));
  }

  function sortKey(name: string): number {
    const lat = (name[0] === 'S' ? -1 : 1) * Number(name.slice(1, 3));
    const lon = (name[3] === 'W' ? -1 : 1) * Number(name.slice(4));
    return lat * 1000 + lon;
  }

  it('gives the same cells on 40 random star polygons, half of them with a hole', () => {
    const next = random(42);
    for (let i = 0; i < 40; i++) {
      const cx = -20 + 40 * next();
      const cy = -20 + 40 * next();
      const radius = 0.5 + 3 * next();
      const rings = [star(next, cx, cy, radius, 5 + Math.floor(10 * next()))];
      if (i % 2 === 1) rings.push(star(next, cx, cy, radius * 0.25, 6).reverse());
      expect(names(polygon(...rings)), JSON.stringify(rings)).toEqual(byIntersect(rings));
    }
  });
});

describe('limit', () => {
  it('passes with exactly the limit, throws beyond it', () => {
    const area = areaOf(polygon(rectangle(7, 46, 9, 48)));
    expect(tilesFor(area, 4)).toHaveLength(4);
    expect(() => tilesFor(area, 3)).toThrow(
      new AreaError(
        'area covers more than 3 tiles (1°×1° cells), the most one request may use; ask for a smaller area',
        'geometry',
      ),
    );
    try {
      tilesFor(area, 3);
    } catch (error) {
      expect(error).toBeInstanceOf(AreaError);
      expect((error as AreaError).locator).toBe('geometry');
    }
  });

  it('refuses a 100°×60° polygon quickly', () => {
    const area = areaOf(polygon(rectangle(-10.5, -20.5, 89.5, 39.5)));
    const start = performance.now();
    expect(() => tilesFor(area, 1000)).toThrow(/more than 1000 tiles/);
    console.log(
      `100°×60° polygon refused with limit 1000 in ${(performance.now() - start).toFixed(1)} ms`,
    );
  });

  it('is fast on a 10 000-vertex polygon over ~1000 candidate cells', () => {
    const ring: Position[] = [];
    const n = 10_000;
    for (let i = 0; i < n; i++) {
      const angle = (2 * Math.PI * i) / n;
      const r = 13 + 4 * Math.sin(angle * 50);
      ring.push([20 + r * Math.cos(angle), 10 + r * Math.sin(angle)]);
    }
    ring.push(ring[0]!);
    const area = areaOf(polygon(ring));
    const start = performance.now();
    const tiles = tilesFor(area, 2000);
    const [west, south, east, north] = area.bbox;
    const candidates =
      (Math.ceil(east) - Math.floor(west)) * (Math.ceil(north) - Math.floor(south));
    console.log(
      `10 000 vertices, ${candidates} candidate cells, ${tiles.length} tiles in ${(performance.now() - start).toFixed(1)} ms`,
    );
    expect(candidates).toBeGreaterThan(1000);
    expect(tiles.length).toBeLessThan(candidates);
  });
});
