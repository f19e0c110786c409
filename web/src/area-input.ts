/**
 * Where the area of an elevation job comes from: a polygon drawn on the map, or a GeoJSON file
 * the user uploads. The file is read in the browser and shown on the map, but sent as it is:
 * the server alone decides what is a valid area, and its message is what the user reads.
 */
import { byId } from './dom.ts';
import type { GeoJsonObject, MapView } from './map-view.ts';

/** Larger files are refused before reading (the server's default limit is 5 MiB). */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export interface Area {
  geojson: GeoJsonObject;
  /** Where it came from, for people: "drawn polygon", "alps.geojson". */
  label: string;
}

export interface AreaInputOptions {
  map: MapView;
  /** The area changed (null: cleared). */
  onChange(area: Area | null): void;
  /** A message for the user about the file. */
  onError(message: string): void;
}

/** Reads a file as JSON; the error says what is wrong in words. */
export async function readGeoJsonFile(file: File): Promise<GeoJsonObject> {
  if (file.size > MAX_FILE_BYTES) {
    throw new Error(`${file.name} is too large (${Math.round(file.size / 1048576)} MiB).`);
  }
  const text = await file.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${file.name} is not a GeoJSON file: it is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file.name} is not a GeoJSON file: it holds no GeoJSON object.`);
  }
  return value as GeoJsonObject;
}

export class AreaInput {
  readonly #options: AreaInputOptions;
  readonly #drawButton = byId<HTMLButtonElement>('draw-area');
  readonly #clearButton = byId<HTMLButtonElement>('clear-area');
  readonly #fileInput = byId<HTMLInputElement>('upload-area');
  readonly #info = byId('area-info');
  #area: Area | null = null;

  constructor(options: AreaInputOptions) {
    this.#options = options;
    this.#drawButton.addEventListener('click', () => this.#toggleDrawing());
    this.#clearButton.addEventListener('click', () => this.clear());
    this.#fileInput.addEventListener('change', () => void this.#upload());
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && options.map.drawing) this.#stopDrawing();
    });
    this.#render();
  }

  get area(): Area | null {
    return this.#area;
  }

  clear(): void {
    this.#options.map.clearArea();
    this.#fileInput.value = '';
    this.#set(null);
  }

  #toggleDrawing(): void {
    if (this.#options.map.drawing) {
      this.#stopDrawing();
      return;
    }
    this.#fileInput.value = '';
    this.#set(null);
    this.#options.map.startDrawing((feature) => {
      this.#set({ geojson: feature, label: 'drawn polygon' });
      this.#drawButton.setAttribute('aria-pressed', 'false');
    });
    this.#drawButton.setAttribute('aria-pressed', 'true');
    this.#render();
  }

  #stopDrawing(): void {
    this.#options.map.stopDrawing();
    this.#drawButton.setAttribute('aria-pressed', 'false');
    this.#render();
  }

  async #upload(): Promise<void> {
    const file = this.#fileInput.files?.[0];
    if (file === undefined) return;
    this.#drawButton.setAttribute('aria-pressed', 'false');
    let geojson: GeoJsonObject;
    try {
      geojson = await readGeoJsonFile(file);
    } catch (error) {
      this.#options.map.clearArea();
      this.#set(null);
      this.#options.onError((error as Error).message);
      return;
    }
    // What the map cannot draw (a Point, a broken ring) is still sent: the server explains.
    this.#options.map.showArea(geojson);
    this.#set({ geojson, label: file.name });
  }

  #set(area: Area | null): void {
    this.#area = area;
    this.#render();
    this.#options.onChange(area);
  }

  #render(): void {
    const drawing = this.#options.map.drawing;
    this.#drawButton.textContent = drawing ? 'Stop drawing' : 'Draw polygon';
    this.#clearButton.disabled = this.#area === null && !drawing;
    if (drawing) {
      this.#info.textContent =
        'Click on the map to add corners; click the first corner (or double-click) to finish. Esc stops.';
    } else if (this.#area === null) {
      this.#info.textContent = 'No area yet: draw a polygon or upload a GeoJSON file.';
    } else {
      this.#info.textContent = `Area: ${this.#area.label}`;
    }
  }
}
