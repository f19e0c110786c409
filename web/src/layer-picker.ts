/**
 * The server's layers, read from WMS GetCapabilities (project layers and plugin layers alike),
 * as a list of checkboxes that switch the map's WMS layers. The `elevation` layer (the tile
 * cache's hillshade) is the base and is drawn first. Layers of single jobs are left to the job
 * panel.
 */
import WMSCapabilities from 'ol/format/WMSCapabilities.js';
import { api, type Bbox } from './api.ts';
import { byId, h } from './dom.ts';
import type { MapView } from './map-view.ts';

export const BASE_LAYER = 'elevation';
const JOB_LAYER = /^elevation-job-/;

export interface ServerLayer {
  name: string;
  title: string;
  abstract: string | undefined;
  bbox: Bbox | undefined;
}

export interface Capabilities {
  title: string | undefined;
  layers: ServerLayer[];
}

export function parseCapabilities(xml: string): Capabilities {
  const document = new WMSCapabilities().read(xml) as {
    Service?: { Title?: string };
    Capability?: { Layer?: { Layer?: unknown[] } };
  } | null;
  const entries = (document?.Capability?.Layer?.Layer ?? []) as Array<{
    Name?: string;
    Title?: string;
    Abstract?: string;
    EX_GeographicBoundingBox?: number[];
  }>;
  const layers: ServerLayer[] = [];
  for (const entry of entries) {
    if (entry.Name === undefined || JOB_LAYER.test(entry.Name)) continue;
    const box = entry.EX_GeographicBoundingBox;
    layers.push({
      name: entry.Name,
      title: entry.Title ?? entry.Name,
      abstract: entry.Abstract,
      bbox: box?.length === 4 && box.every(Number.isFinite) ? (box as Bbox) : undefined,
    });
  }
  // The base first, so it is drawn under the others.
  layers.sort((a, b) => Number(b.name === BASE_LAYER) - Number(a.name === BASE_LAYER));
  return { title: document?.Service?.Title, layers };
}

/** Loads the layers, adds them to the map and lists them; the layers, for the initial view. */
export async function loadLayerPicker(map: MapView): Promise<Capabilities> {
  const list = byId<HTMLUListElement>('layer-list');
  const status = byId('layers-status');
  let capabilities: Capabilities;
  try {
    capabilities = parseCapabilities(await api.wmsCapabilities());
  } catch (error) {
    status.textContent = `The layers could not be loaded: ${(error as Error).message}`;
    return { title: undefined, layers: [] };
  }
  status.textContent = capabilities.layers.length === 0 ? 'The server publishes no layers.' : '';
  list.replaceChildren(
    ...capabilities.layers.map((layer, index) => {
      map.addWmsLayer(layer.name, { zIndex: index });
      return layerItem(layer, map);
    }),
  );
  return capabilities;
}

function layerItem(layer: ServerLayer, map: MapView): HTMLLIElement {
  const id = `layer-${layer.name}`;
  const checkbox = h('input', { type: 'checkbox', id, checked: true, 'data-layer': layer.name });
  checkbox.addEventListener('change', () => map.setVisible(layer.name, checkbox.checked));
  const label = h(
    'label',
    { for: id, title: layer.abstract },
    layer.title,
    layer.name === BASE_LAYER ? h('span', { class: 'tag' }, 'base') : null,
    h('small', {}, layer.name),
  );
  const item = h('li', { class: 'check' }, checkbox, label);
  const bbox = layer.bbox;
  if (bbox !== undefined && bbox[2] - bbox[0] < 359) {
    const zoom = h(
      'button',
      { type: 'button', class: 'icon', 'aria-label': `Zoom to ${layer.title}`, title: 'Zoom to' },
      '⤢',
    );
    zoom.addEventListener('click', () => map.fitBbox(bbox));
    item.append(zoom);
  }
  return item;
}
