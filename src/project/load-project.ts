/**
 * Loads a project file into what the server publishes: the service metadata and, per layer,
 * either a definition ready for the LayerRegistry (source paths resolved against the project
 * file's folder, WGS84 extent computed from the data) or the reason it was skipped. A broken
 * layer never stops the project; a broken project file does (ConfigError).
 */
import { dirname, resolve } from 'node:path';
import type { LayerDefinition, LayerSource } from '../layers/layer-registry.ts';
import { SERVICE_METADATA, type ServiceMetadata } from '../services/service-metadata.ts';
import { geojsonExtent } from './geojson-extent.ts';
import { geotiffExtent } from './geotiff-extent.ts';
import { hgtFolderExtent } from './hgt-folder-extent.ts';
import { LayerProblem, type Bbox } from './layer-problem.ts';
import type {
  ProjectContact,
  ProjectDocument,
  ProjectLayerEntry,
  VectorStyle,
} from './project-schema.ts';
import { readProjectFile } from './read-project-file.ts';

/** ServiceMetadata plus what capabilities documents may add later. */
export interface ProjectMetadata extends ServiceMetadata {
  readonly keywords: readonly string[];
  readonly contact?: ProjectContact;
}

export interface ProjectLayerDefinition extends LayerDefinition {
  /** A vector layer's paint from the project; LayerDefinition's `style` is a style name. */
  vectorStyle?: VectorStyle;
}

export type ProjectLayer =
  | { name: string; status: 'loaded'; definition: ProjectLayerDefinition }
  | { name: string; status: 'skipped'; reason: string };

export interface LoadedProject {
  /** Absolute path of the project file; undefined for the embedded empty project. */
  file: string | undefined;
  metadata: ProjectMetadata;
  /** In the order of the file. */
  layers: ProjectLayer[];
  loadedAt: Date;
}

/** No project file: the server's own metadata and no layers (plugins publish their own). */
export function emptyProject(): LoadedProject {
  return {
    file: undefined,
    metadata: metadataOf({ layers: [] }),
    layers: [],
    loadedAt: new Date(),
  };
}

/** `path` as configured (relative to the working directory); shown as given in errors. */
export async function loadProject(path: string): Promise<LoadedProject> {
  const file = resolve(path);
  const document = await readProjectFile(path, file);
  const folder = dirname(file);
  const layers = await Promise.all(document.layers.map((entry) => loadLayer(entry, folder)));
  return { file, metadata: metadataOf(document), layers, loadedAt: new Date() };
}

export function metadataOf(document: ProjectDocument): ProjectMetadata {
  return {
    title: document.title ?? SERVICE_METADATA.title,
    abstract: document.abstract ?? SERVICE_METADATA.abstract,
    providerName:
      document.providerName ?? document.contact?.organization ?? SERVICE_METADATA.providerName,
    fees: document.fees ?? SERVICE_METADATA.fees,
    accessConstraints: document.accessConstraints ?? SERVICE_METADATA.accessConstraints,
    keywords: document.keywords ?? [],
    ...(document.contact === undefined ? {} : { contact: document.contact }),
  };
}

async function loadLayer(entry: ProjectLayerEntry, folder: string): Promise<ProjectLayer> {
  const path = resolve(folder, entry.source.path);
  let extent: Bbox | undefined;
  try {
    extent = await extentOf(entry.source.type, path);
  } catch (error) {
    const reason = error instanceof LayerProblem ? error.message : `failed: ${String(error)}`;
    return {
      name: entry.name,
      status: 'skipped',
      reason: `${entry.source.type} ${entry.source.path}: ${reason}`,
    };
  }
  const source: LayerSource = { kind: entry.source.type, path };
  const definition: ProjectLayerDefinition = {
    name: entry.name,
    title: entry.title,
    kind: entry.kind,
    source,
  };
  if (entry.abstract !== undefined) definition.abstract = entry.abstract;
  if (entry.keywords !== undefined) definition.keywords = entry.keywords;
  const bbox = entry.bbox ?? extent;
  if (bbox !== undefined) definition.bbox = bbox;
  if (typeof entry.style === 'string') definition.style = entry.style;
  else if (entry.style !== undefined) definition.vectorStyle = entry.style;
  return { name: entry.name, status: 'loaded', definition };
}

async function extentOf(
  type: ProjectLayerEntry['source']['type'],
  path: string,
): Promise<Bbox | undefined> {
  switch (type) {
    case 'hgt-folder':
      return (await hgtFolderExtent(path)).bbox;
    case 'geotiff':
      return geotiffExtent(path);
    case 'geojson':
      return (await geojsonExtent(path)).bbox;
  }
}
