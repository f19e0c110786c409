/**
 * What `GET /project` and the `/ready` check say about the project. File paths are reduced to
 * the project file's name and the paths as written in it, as `/plugins` leaves plugin folders
 * out: clients need not learn the server's file system.
 */
import type { ProjectMetadata } from './load-project.ts';

export interface SkippedLayer {
  name: string;
  reason: string;
}

export type ReloadOutcome =
  | {
      status: 'reloaded';
      at: Date;
      added: string[];
      removed: string[];
      changed: string[];
      skipped: SkippedLayer[];
    }
  | { status: 'failed'; at: Date; error: string };

/** A reload outcome as JSON: the time as an ISO string. */
export type ReloadOutcomeJson = WithIsoTime<ReloadOutcome>;
type WithIsoTime<T> = T extends { at: Date } ? Omit<T, 'at'> & { at: string } : never;

export interface ProjectStatus {
  /** The project file's name; null when none is configured (the embedded empty project). */
  file: string | null;
  watching: boolean;
  loadedAt: string;
  metadata: ProjectMetadata;
  layers: Array<{
    name: string;
    title: string;
    kind: 'raster' | 'vector';
    source: string;
    bbox: [number, number, number, number] | null;
  }>;
  skipped: SkippedLayer[];
  lastReload: ReloadOutcomeJson | null;
}

/** The project's line in `/ready`; skipped layers are reported but never make the server unready. */
export interface ProjectHealth {
  status: 'loaded' | 'none';
  layers: number;
  skipped: number;
  lastReload: ReloadOutcome['status'] | null;
}
