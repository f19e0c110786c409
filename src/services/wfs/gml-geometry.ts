/**
 * GeoJSON geometries as GML 3.2 or 3.1.1 strings. Multi-geometries become the GML 3 aggregates
 * (MultiPoint, MultiCurve, MultiSurface, MultiGeometry); coordinates are written in the output
 * CRS's axis order, so with the default `urn:ogc:def:crs:EPSG::4326` a position is
 * `latitude longitude`. GML 3.2 requires a gml:id on every geometry, derived here from the
 * feature's id; rings carry none (they are not GML objects).
 */
import type { Geometry, Position } from 'geojson';
import { project, type Crs } from './wfs-crs.ts';
import { escapeAttribute } from '../../xml/xml-escape.ts';

export interface GmlGeometryOptions {
  crs: Crs;
  gml32: boolean;
}

export function gmlGeometry(geometry: Geometry, id: string, options: GmlGeometryOptions): string {
  const dimension = firstPosition(geometry)?.[2] === undefined ? 2 : 3;
  const writer = new GeometryWriter(options, dimension);
  return writer.geometry(geometry, `${id}.geom`, ` srsName="${escapeAttribute(options.crs.name)}"`);
}

class GeometryWriter {
  readonly #crs: Crs;
  readonly #gml32: boolean;
  readonly #dimension: number;

  constructor(options: GmlGeometryOptions, dimension: number) {
    this.#crs = options.crs;
    this.#gml32 = options.gml32;
    this.#dimension = dimension;
  }

  geometry(geometry: Geometry, id: string, srs = ''): string {
    const attributes = (this.#gml32 ? ` gml:id="${escapeAttribute(id)}"` : '') + srs;
    switch (geometry.type) {
      case 'Point':
        return `<gml:Point${attributes}>${this.#pos(geometry.coordinates)}</gml:Point>`;
      case 'LineString':
        return `<gml:LineString${attributes}>${this.#posList(geometry.coordinates)}</gml:LineString>`;
      case 'Polygon':
        return `<gml:Polygon${attributes}>${this.#rings(geometry.coordinates)}</gml:Polygon>`;
      case 'MultiPoint':
        return this.#aggregate(
          'MultiPoint',
          'pointMember',
          attributes,
          id,
          geometry.coordinates,
          (c, i) => this.geometry({ type: 'Point', coordinates: c }, i),
        );
      case 'MultiLineString':
        return this.#aggregate(
          'MultiCurve',
          'curveMember',
          attributes,
          id,
          geometry.coordinates,
          (c, i) => this.geometry({ type: 'LineString', coordinates: c }, i),
        );
      case 'MultiPolygon':
        return this.#aggregate(
          'MultiSurface',
          'surfaceMember',
          attributes,
          id,
          geometry.coordinates,
          (c, i) => this.geometry({ type: 'Polygon', coordinates: c }, i),
        );
      case 'GeometryCollection':
        return this.#aggregate(
          'MultiGeometry',
          'geometryMember',
          attributes,
          id,
          geometry.geometries,
          (g, i) => this.geometry(g, i),
        );
    }
  }

  #aggregate<T>(
    element: string,
    member: string,
    attributes: string,
    id: string,
    parts: readonly T[],
    write: (part: T, id: string) => string,
  ): string {
    let out = `<gml:${element}${attributes}>`;
    parts.forEach((part, i) => {
      out += `<gml:${member}>${write(part, `${id}.${i + 1}`)}</gml:${member}>`;
    });
    return `${out}</gml:${element}>`;
  }

  #rings(rings: readonly Position[][]): string {
    let out = '';
    rings.forEach((ring, i) => {
      const boundary = i === 0 ? 'exterior' : 'interior';
      out += `<gml:${boundary}><gml:LinearRing>${this.#posList(ring)}</gml:LinearRing></gml:${boundary}>`;
    });
    return out;
  }

  #pos(position: Position): string {
    return `<gml:pos${this.#dimensionAttribute()}>${this.#coordinates(position)}</gml:pos>`;
  }

  #posList(positions: readonly Position[]): string {
    let text = '';
    for (const position of positions)
      text += (text === '' ? '' : ' ') + this.#coordinates(position);
    return `<gml:posList${this.#dimensionAttribute()}>${text}</gml:posList>`;
  }

  #dimensionAttribute(): string {
    return this.#dimension === 3 ? ' srsDimension="3"' : '';
  }

  #coordinates(position: Position): string {
    const [x, y] = project(this.#crs, position);
    const axes = this.#crs.northFirst ? `${y} ${x}` : `${x} ${y}`;
    return this.#dimension === 3 ? `${axes} ${position[2] ?? 0}` : axes;
  }
}

function firstPosition(geometry: Geometry): Position | undefined {
  switch (geometry.type) {
    case 'Point':
      return geometry.coordinates;
    case 'LineString':
    case 'MultiPoint':
      return geometry.coordinates[0];
    case 'Polygon':
    case 'MultiLineString':
      return geometry.coordinates[0]?.[0];
    case 'MultiPolygon':
      return geometry.coordinates[0]?.[0]?.[0];
    case 'GeometryCollection': {
      const first = geometry.geometries[0];
      return first === undefined ? undefined : firstPosition(first);
    }
  }
}
