/**
 * The OpenLayers map: one WMS image layer per server layer (so each can be switched on and off),
 * the layers of the job on show, and a vector layer with the area the user drew or uploaded.
 * Everything comes from this server: there is no external base map.
 *
 * The map element carries `data-pending` (WMS images still loading) and `data-job` (the job
 * whose layers are on the map), so tests and screenshots can wait for a quiet map.
 */
import OlMap from 'ol/Map.js';
import View from 'ol/View.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import { defaults as defaultControls } from 'ol/control/defaults.js';
import { createEmpty, extend, getArea, isEmpty, type Extent } from 'ol/extent.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import Draw from 'ol/interaction/Draw.js';
import ImageLayer from 'ol/layer/Image.js';
import VectorLayer from 'ol/layer/Vector.js';
import { transformExtent } from 'ol/proj.js';
import ImageWMS from 'ol/source/ImageWMS.js';
import VectorSource from 'ol/source/Vector.js';
import Fill from 'ol/style/Fill.js';
import Stroke from 'ol/style/Stroke.js';
import Style from 'ol/style/Style.js';
import type { Bbox } from './api.ts';

/** A GeoJSON object as parsed from JSON; the server checks it. */
export type GeoJsonObject = Record<string, unknown>;

const MAP_PROJECTION = 'EPSG:3857';
const WORLD: Bbox = [-180, -85, 180, 85];
const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: MAP_PROJECTION });

export interface WmsLayerOptions {
  visible?: boolean;
  opacity?: number;
  style?: string;
  zIndex?: number;
}

export class MapView {
  readonly map: OlMap;
  readonly #element: HTMLElement;
  readonly #wms = new Map<string, ImageLayer<ImageWMS>>();
  readonly #area = new VectorSource();
  readonly #onLayerError: (name: string) => void;
  #draw: Draw | undefined;
  #jobLayers: string[] = [];
  #pending = 0;
  #refreshes = 0;

  constructor(element: HTMLElement, onLayerError: (name: string) => void) {
    this.#element = element;
    this.#onLayerError = onLayerError;
    this.map = new OlMap({
      target: element,
      controls: defaultControls({ attribution: false }).extend([new ScaleLine()]),
      layers: [
        new VectorLayer({
          source: this.#area,
          zIndex: 100,
          style: new Style({
            stroke: new Stroke({ color: '#c2410c', width: 2.5, lineDash: [8, 5] }),
            fill: new Fill({ color: 'rgba(234, 88, 12, 0.06)' }),
          }),
        }),
      ],
      view: new View({ projection: MAP_PROJECTION, center: [0, 0], zoom: 2 }),
    });
    this.#setPending(0);
  }

  /** Adds a server layer drawn by WMS GetMap; later layers draw above earlier ones. */
  addWmsLayer(name: string, options: WmsLayerOptions = {}): void {
    if (this.#wms.has(name)) return;
    const source = new ImageWMS({
      url: 'ows', // relative to the page, as every URL the page requests
      params: { LAYERS: name, STYLES: options.style ?? '', FORMAT: 'image/png', TRANSPARENT: true },
      ratio: 1.2,
    });
    source.on('imageloadstart', () => this.#setPending(this.#pending + 1));
    source.on('imageloadend', () => this.#setPending(this.#pending - 1));
    source.on('imageloaderror', () => {
      this.#setPending(this.#pending - 1);
      this.#onLayerError(name);
    });
    const layer = new ImageLayer({
      source,
      visible: options.visible ?? true,
      opacity: options.opacity ?? 1,
      zIndex: options.zIndex ?? this.#wms.size,
    });
    this.#wms.set(name, layer);
    this.map.addLayer(layer);
  }

  removeWmsLayer(name: string): void {
    const layer = this.#wms.get(name);
    if (layer === undefined) return;
    this.map.removeLayer(layer);
    this.#wms.delete(name);
  }

  setVisible(name: string, visible: boolean): void {
    this.#wms.get(name)?.setVisible(visible);
  }

  /** Draws a layer anew (its data changed on the server, e.g. the tile cache grew). */
  refresh(name: string): void {
    this.#wms.get(name)?.getSource()?.updateParams({ REFRESH: ++this.#refreshes });
  }

  /** Shows a job's layers (terrain in colour relief over the base hillshade, and its area). */
  showJob(jobId: string, layers: readonly string[]): void {
    this.clearJob();
    const dem = layers.find((name) => name.endsWith('-dem'));
    const footprint = layers.find((name) => name.endsWith('-footprint'));
    if (footprint !== undefined) this.addWmsLayer(footprint, { zIndex: 50, opacity: 0.3 });
    if (dem !== undefined) {
      this.addWmsLayer(dem, { zIndex: 51, opacity: 0.7, style: 'color-relief' });
    }
    this.#jobLayers = [footprint, dem].filter((name) => name !== undefined);
    this.#element.dataset['job'] = jobId;
  }

  clearJob(): void {
    for (const name of this.#jobLayers) this.removeWmsLayer(name);
    this.#jobLayers = [];
    delete this.#element.dataset['job'];
  }

  /** Lets the user draw one polygon; `onDrawn` gets it as a GeoJSON Feature in EPSG:4326. */
  startDrawing(onDrawn: (feature: GeoJsonObject) => void): void {
    this.stopDrawing();
    this.#area.clear();
    const draw = new Draw({ source: this.#area, type: 'Polygon' });
    draw.on('drawend', (event) => {
      const feature = geojson.writeFeatureObject(event.feature) as unknown as GeoJsonObject;
      // The feature is added to the source after this event: remove the interaction after that.
      this.#draw = undefined;
      this.#element.classList.remove('drawing');
      setTimeout(() => this.map.removeInteraction(draw), 0);
      onDrawn(feature);
    });
    this.#draw = draw;
    this.map.addInteraction(draw);
    this.#element.classList.add('drawing');
  }

  stopDrawing(): void {
    if (this.#draw === undefined) return;
    this.#draw.abortDrawing();
    this.map.removeInteraction(this.#draw);
    this.#draw = undefined;
    this.#element.classList.remove('drawing');
  }

  get drawing(): boolean {
    return this.#draw !== undefined;
  }

  /** Shows a GeoJSON area and zooms to it; the number of features that could be read. */
  showArea(object: unknown): number {
    this.stopDrawing();
    this.#area.clear();
    let features;
    try {
      features = geojson.readFeatures(object);
    } catch {
      return 0;
    }
    this.#area.addFeatures(features);
    const extent = this.#area.getExtent();
    if (extent !== null && !isEmpty(extent)) this.#fit(extent);
    return features.length;
  }

  clearArea(): void {
    this.stopDrawing();
    this.#area.clear();
  }

  /** Zooms to a lon/lat box. */
  fitBbox(bbox: Bbox, maxZoom = 12): void {
    const [west, south, east, north] = bbox;
    const clamped: Bbox = [
      Math.max(west, WORLD[0]),
      Math.max(south, WORLD[1]),
      Math.min(east, WORLD[2]),
      Math.min(north, WORLD[3]),
    ];
    this.#fit(transformExtent(clamped, 'EPSG:4326', MAP_PROJECTION), maxZoom);
  }

  /** Zooms to the union of the boxes that are not the whole world; the world if none is. */
  fitLayers(boxes: readonly Bbox[]): void {
    const union = createEmpty();
    for (const box of boxes) {
      if (box[2] - box[0] >= 359 && box[3] - box[1] >= 170) continue;
      extend(union, box);
    }
    if (isEmpty(union) || getArea(union) === 0) {
      this.fitBbox(WORLD, 3);
      return;
    }
    this.fitBbox(union as Bbox, 10);
  }

  #fit(extent: Extent, maxZoom = 12): void {
    this.map.getView().fit(extent, { padding: [40, 40, 40, 40], maxZoom, duration: 0 });
  }

  #setPending(count: number): void {
    this.#pending = Math.max(0, count);
    this.#element.dataset['pending'] = String(this.#pending);
  }
}
