/**
 * GetFeature responses in GeoJSON (RFC 7946): a FeatureCollection with the WFS counts as
 * foreign members (numberMatched, numberReturned, timeStamp) and OGC API style paging links.
 * Coordinates are longitude, latitude whatever the SRSNAME spelling; with EPSG:3857 they are
 * projected and a legacy `crs` member names the CRS, as GDAL and QGIS read it.
 */
import type { Geometry, Position } from 'geojson';
import type { StoredFeature } from '../../vector/vector-store.ts';
import type { CollectionInfo, FeatureCollectionWriter } from './feature-collection-writer.ts';
import { project, WEB_MERCATOR_URN, type Crs } from './wfs-crs.ts';
import type { QueryPart } from './wfs-query.ts';

export class GeoJsonCollectionWriter implements FeatureCollectionWriter {
  readonly #contentType: string;
  #crs: Crs | undefined;
  #first = true;

  constructor(contentType: string) {
    this.#contentType = contentType;
  }

  open(info: CollectionInfo): string {
    const { query } = info;
    this.#crs = query.crs.epsg === 4326 ? undefined : query.crs;
    const links = [];
    if (info.next !== undefined) {
      links.push({ href: info.next, rel: 'next', type: this.#contentType, title: 'next page' });
    }
    if (info.previous !== undefined) {
      links.push({
        href: info.previous,
        rel: 'previous',
        type: this.#contentType,
        title: 'previous page',
      });
    }
    const only = query.parts.length === 1 ? query.parts[0]?.dataset.layer : undefined;
    const head = {
      type: 'FeatureCollection',
      ...(only === undefined ? {} : { name: only }),
      ...(this.#crs === undefined
        ? {}
        : { crs: { type: 'name', properties: { name: WEB_MERCATOR_URN } } }),
      numberMatched: query.numberMatched,
      numberReturned: query.numberReturned,
      timeStamp: info.timeStamp,
      ...(links.length === 0 ? {} : { links }),
    };
    const text = JSON.stringify(head);
    return `${text.slice(0, -1)},"features":[\n`;
  }

  feature(part: QueryPart, stored: StoredFeature): string {
    const { feature } = stored;
    let properties = feature.properties;
    if (!part.allProperties) {
      properties = {};
      for (const property of part.properties) {
        const value = feature.properties?.[property.key];
        if (value !== undefined) properties[property.key] = value;
      }
    }
    const geometry = !part.geometry || feature.geometry == null ? null : feature.geometry;
    const text = JSON.stringify({
      type: 'Feature',
      id: stored.id,
      geometry:
        geometry === null || this.#crs === undefined ? geometry : projected(geometry, this.#crs),
      properties: properties ?? {},
    });
    const separator = this.#first ? '' : ',\n';
    this.#first = false;
    return separator + text;
  }

  close(): string {
    return '\n]}\n';
  }
}

/** A transient projected copy; the stored geometry is never changed. */
function projected(geometry: Geometry, crs: Crs): Geometry {
  const point = (p: Position): Position => [...project(crs, p), ...p.slice(2)];
  switch (geometry.type) {
    case 'Point':
      return { type: 'Point', coordinates: point(geometry.coordinates) };
    case 'LineString':
    case 'MultiPoint':
      return { type: geometry.type, coordinates: geometry.coordinates.map(point) };
    case 'Polygon':
    case 'MultiLineString':
      return { type: geometry.type, coordinates: geometry.coordinates.map((l) => l.map(point)) };
    case 'MultiPolygon':
      return {
        type: 'MultiPolygon',
        coordinates: geometry.coordinates.map((p) => p.map((l) => l.map(point))),
      };
    case 'GeometryCollection':
      return {
        type: 'GeometryCollection',
        geometries: geometry.geometries.map((g) => projected(g, crs)),
      };
  }
}
