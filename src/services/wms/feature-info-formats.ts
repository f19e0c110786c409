/**
 * GetFeatureInfo answers in each INFO_FORMAT: text/plain (QGIS Server's layout),
 * application/json (a GeoJSON FeatureCollection; each feature names its layer in a `layer`
 * member), text/html (a table per layer) and GML (application/vnd.ogc.gml or text/xml: a WFS
 * 1.0 FeatureCollection with one gml:featureMember per feature, as QGIS Server writes it).
 */
import { xmlDocument, xmlString } from '../../xml/xml-document.ts';
import { GML_NS } from '../ogc-namespaces.ts';
import { xmlName } from '../../vector/feature-schema.ts';
import { escapeText } from '../../xml/xml-escape.ts';
import type { WmsInfoFormat } from './wms-versions.ts';

const WFS_1_0_NS = 'http://www.opengis.net/wfs';
/** The namespace of Relief's feature types, as WFS publishes them. */
const FEATURE_NS = 'urn:x-relief:features';

export type LayerInfo =
  | {
      kind: 'raster';
      layer: string;
      /** Metres at the pixel; null where the layer has no data. */
      value: number | null;
      lon: number;
      lat: number;
    }
  | {
      kind: 'vector';
      layer: string;
      features: Array<{ id: string; properties: Record<string, unknown> }>;
    };

export function formatFeatureInfo(format: WmsInfoFormat, layers: readonly LayerInfo[]): string {
  switch (format) {
    case 'text/plain':
      return plain(layers);
    case 'application/json':
      return JSON.stringify(geojson(layers));
    case 'text/html':
      return html(layers);
    case 'application/vnd.ogc.gml':
    case 'text/xml':
      return gml(layers);
  }
}

function rasterRows(info: Extract<LayerInfo, { kind: 'raster' }>): Array<[string, string]> {
  return [
    ['value', info.value === null ? 'no data' : String(info.value)],
    ['longitude', String(round(info.lon))],
    ['latitude', String(round(info.lat))],
  ];
}

function valueText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function plain(layers: readonly LayerInfo[]): string {
  let out = 'GetFeatureInfo results\n';
  for (const info of layers) {
    out += `\nLayer '${info.layer}'\n`;
    if (info.kind === 'raster') {
      for (const [name, value] of rasterRows(info)) out += `${name} = ${value}\n`;
      continue;
    }
    if (info.features.length === 0) out += 'no features\n';
    for (const feature of info.features) {
      out += `Feature ${feature.id}\n`;
      for (const [name, value] of Object.entries(feature.properties)) {
        out += `${name} = '${valueText(value)}'\n`;
      }
    }
  }
  return out;
}

interface InfoFeature {
  type: 'Feature';
  id: string;
  layer: string;
  geometry: { type: 'Point'; coordinates: [number, number] } | null;
  properties: Record<string, unknown>;
}

function geojson(layers: readonly LayerInfo[]) {
  const features = layers.flatMap((info): InfoFeature[] =>
    info.kind === 'raster'
      ? [
          {
            type: 'Feature',
            id: info.layer,
            layer: info.layer,
            geometry: { type: 'Point', coordinates: [round(info.lon), round(info.lat)] },
            properties: { value: info.value },
          },
        ]
      : info.features.map((feature) => ({
          type: 'Feature',
          id: feature.id,
          layer: info.layer,
          geometry: null,
          properties: feature.properties,
        })),
  );
  return { type: 'FeatureCollection', features };
}

function html(layers: readonly LayerInfo[]): string {
  const table = (rows: Array<[string, string]>) =>
    `<table>${rows.map(([n, v]) => `<tr><th>${escapeText(n)}</th><td>${escapeText(v)}</td></tr>`).join('')}</table>`;
  let body = '';
  for (const info of layers) {
    body += `<h2>${escapeText(info.layer)}</h2>`;
    if (info.kind === 'raster') {
      body += table(rasterRows(info));
      continue;
    }
    if (info.features.length === 0) body += '<p>no features</p>';
    for (const feature of info.features) {
      body += `<h3>${escapeText(feature.id)}</h3>`;
      body += table(Object.entries(feature.properties).map(([n, v]) => [n, valueText(v)]));
    }
  }
  return (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>GetFeatureInfo</title></head>' +
    `<body>${body}</body></html>\n`
  );
}

function gml(layers: readonly LayerInfo[]): string {
  const collection = xmlDocument().ele(WFS_1_0_NS, 'wfs:FeatureCollection', {
    'xmlns:gml': GML_NS,
    'xmlns:relief': FEATURE_NS,
  });
  const member = (layer: string, fid: string, properties: Iterable<[string, string]>) => {
    const feature = collection
      .ele(GML_NS, 'gml:featureMember')
      .ele(FEATURE_NS, `relief:${layer}`, { fid });
    for (const [name, value] of properties) {
      feature.ele(FEATURE_NS, `relief:${xmlName(name)}`).txt(value);
    }
  };
  for (const info of layers) {
    if (info.kind === 'raster') member(info.layer, info.layer, rasterRows(info));
    else {
      for (const feature of info.features) {
        const entries = Object.entries(feature.properties);
        member(
          info.layer,
          feature.id,
          entries.map(([name, value]): [string, string] => [name, valueText(value)]),
        );
      }
    }
  }
  return xmlString(collection);
}

/** Nine decimals: well below a millimetre, and no float noise. */
function round(degrees: number): number {
  return Math.round(degrees * 1e9) / 1e9;
}
