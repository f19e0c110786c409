/**
 * The project while the server runs: publishes its layers into the LayerRegistry (owner
 * `project`), gives the map services their metadata, reloads when asked or when the file changes
 * (publishing only what changed), and reports its status. A reload that fails keeps the project
 * that was running.
 */
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import type { LayerDefinition, LayerRegistry } from '../layers/layer-registry.ts';
import { watchFile, type FileWatcher } from './file-watcher.ts';
import {
  emptyProject,
  loadProject,
  type LoadedProject,
  type ProjectLayer,
  type ProjectLayerDefinition,
  type ProjectMetadata,
} from './load-project.ts';
import type {
  ProjectHealth,
  ProjectStatus,
  ReloadOutcome,
  SkippedLayer,
} from './project-status.ts';

export const PROJECT_OWNER = 'project';

/**
 * What a plugin's `onProjectReady` listener receives: the project as it is now served, once when
 * the plugin has registered and again after every successful reload.
 */
export interface ProjectReady {
  /** False for the project running when the plugin registered; true after a reload. */
  readonly reload: boolean;
  /** Absolute path of the project file; undefined for the embedded empty project. */
  readonly file: string | undefined;
  readonly metadata: ProjectMetadata;
  /** The layers the project publishes, in the order of the file (skipped ones left out). */
  readonly layers: readonly LayerDefinition[];
  /** Layers of the file that are not served, with the reason. */
  readonly skipped: readonly SkippedLayer[];
  /** The layer names a reload added, removed and changed; undefined when `reload` is false. */
  readonly changes:
    | {
        readonly added: readonly string[];
        readonly removed: readonly string[];
        readonly changed: readonly string[];
      }
    | undefined;
  readonly loadedAt: Date;
}

export type ProjectReadyListener = (project: ProjectReady) => void;

export interface ProjectManagerOptions {
  /** The project file as configured; undefined for the embedded empty project. */
  path: string | undefined;
  layers: LayerRegistry;
  log: FastifyBaseLogger;
  /** Quiet time after the last change event before reloading; editors write in bursts. */
  debounceMs?: number;
}

export class ProjectManager {
  readonly #path: string | undefined;
  readonly #layers: LayerRegistry;
  readonly #log: FastifyBaseLogger;
  readonly #debounceMs: number;
  readonly #events = new EventEmitter();
  /** What this manager has in the registry, to publish only what a reload changes. */
  readonly #published = new Map<string, ProjectLayerDefinition>();
  #current: LoadedProject;
  #lastReload: ReloadOutcome | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #watcher: FileWatcher | undefined;
  #closed = false;
  /** onProjectReady listeners of plugins, by owner, in registration (load) order. */
  readonly #readyListeners: Array<{ owner: string; listener: ProjectReadyListener }> = [];

  private constructor(options: ProjectManagerOptions, project: LoadedProject) {
    this.#path = options.path;
    this.#layers = options.layers;
    this.#log = options.log;
    this.#debounceMs = options.debounceMs ?? 200;
    this.#current = project;
  }

  /** Loads and publishes the project; a broken project file throws its ConfigError. */
  static async open(options: ProjectManagerOptions): Promise<ProjectManager> {
    const project = options.path === undefined ? emptyProject() : await loadProject(options.path);
    const manager = new ProjectManager(options, project);
    manager.#apply(project);
    manager.#report('project loaded');
    return manager;
  }

  get current(): LoadedProject {
    return this.#current;
  }

  metadata(): ProjectMetadata {
    return this.#current.metadata;
  }

  /** Reads the file again and publishes the difference; reloads run one at a time. */
  reload(): Promise<ReloadOutcome> {
    const run = this.#queue.then(() => this.#reload());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Calls `listener` after every reload, from the watcher or `reload()`. */
  onReload(listener: (outcome: ReloadOutcome) => void): () => void {
    this.#events.on('reload', listener);
    return () => this.#events.off('reload', listener);
  }

  /**
   * Calls `listener` after every successful reload, with the project then served; `owner` names
   * it for removeReadyListeners. The listener should not throw (a throw is logged).
   */
  onReady(owner: string, listener: ProjectReadyListener): void {
    this.#readyListeners.push({ owner, listener });
  }

  /** Drops every listener `owner` added (a plugin whose loading failed). */
  removeReadyListeners(owner: string): void {
    for (let i = this.#readyListeners.length - 1; i >= 0; i--) {
      if (this.#readyListeners[i]?.owner === owner) this.#readyListeners.splice(i, 1);
    }
  }

  /** The project now served, as onReady listeners get it (a deep copy: theirs to keep). */
  ready(changes?: { added: string[]; removed: string[]; changed: string[] }): ProjectReady {
    const { file, metadata, layers, loadedAt } = this.#current;
    return structuredClone({
      reload: changes !== undefined,
      file,
      metadata,
      layers: layers.flatMap((layer) => (layer.status === 'loaded' ? [layer.definition] : [])),
      skipped: skippedOf(layers),
      changes,
      loadedAt,
    });
  }

  /** Resolves with the next reload's outcome (tests: start waiting, then edit the file). */
  nextReload(): Promise<ReloadOutcome> {
    return new Promise((resolve) => this.#events.once('reload', resolve));
  }

  /** Reloads when the file changes (no-op without a project file). */
  watch(): void {
    const file = this.#current.file;
    if (file === undefined || this.#watcher !== undefined || this.#closed) return;
    try {
      this.#watcher = watchFile(
        file,
        this.#debounceMs,
        () => void this.reload(),
        (error) => this.#log.warn({ err: error, file }, 'watching the project file failed'),
      );
    } catch (error) {
      this.#log.warn({ err: error, file }, 'cannot watch the project file; reloads need a restart');
    }
  }

  get watching(): boolean {
    return this.#watcher !== undefined;
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  status(): ProjectStatus {
    const { file, metadata, layers, loadedAt } = this.#current;
    return {
      file: file === undefined ? null : basename(file),
      watching: this.watching,
      loadedAt: loadedAt.toISOString(),
      metadata,
      layers: layers.flatMap((layer) =>
        layer.status === 'loaded'
          ? [
              {
                name: layer.name,
                title: layer.definition.title,
                kind: layer.definition.kind,
                source: layer.definition.source.kind,
                bbox: layer.definition.bbox ?? null,
              },
            ]
          : [],
      ),
      skipped: skippedOf(layers),
      lastReload: this.#lastReload === undefined ? null : outcomeJson(this.#lastReload),
    };
  }

  health(): ProjectHealth {
    const { file, layers } = this.#current;
    return {
      status: file === undefined ? 'none' : 'loaded',
      layers: layers.filter((layer) => layer.status === 'loaded').length,
      skipped: layers.filter((layer) => layer.status === 'skipped').length,
      lastReload: this.#lastReload?.status ?? null,
    };
  }

  async #reload(): Promise<ReloadOutcome> {
    let outcome: ReloadOutcome;
    try {
      const next = this.#path === undefined ? emptyProject() : await loadProject(this.#path);
      const changes = this.#apply(next);
      const skipped = skippedOf(this.#current.layers);
      outcome = { status: 'reloaded', at: new Date(), ...changes, skipped };
      this.#report('project reloaded', changes);
      this.#announce(changes);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      outcome = { status: 'failed', at: new Date(), error: message };
      this.#log.error({ file: this.#current.file }, `${message}; keeping the previous project`);
    }
    this.#lastReload = outcome;
    this.#events.emit('reload', outcome);
    return outcome;
  }

  #announce(changes: { added: string[]; removed: string[]; changed: string[] }): void {
    for (const { owner, listener } of [...this.#readyListeners]) {
      try {
        listener(this.ready(changes));
      } catch (error) {
        this.#log.error({ plugin: owner, err: error }, 'project ready listener failed');
      }
    }
  }

  /** Makes the registry match `next`; a name another owner holds turns that layer into skipped. */
  #apply(next: LoadedProject): { added: string[]; removed: string[]; changed: string[] } {
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    const wanted = new Set(next.layers.filter((l) => l.status === 'loaded').map((l) => l.name));
    for (const name of [...this.#published.keys()]) {
      if (wanted.has(name)) continue;
      this.#layers.unpublish(name, PROJECT_OWNER);
      this.#published.delete(name);
      removed.push(name);
    }
    const layers = next.layers.map((layer): ProjectLayer => {
      if (layer.status !== 'loaded') return layer;
      const before = this.#published.get(layer.name);
      const live = this.#layers.get(layer.name)?.owner === PROJECT_OWNER;
      if (live && isDeepStrictEqual(before, layer.definition)) return layer;
      try {
        this.#layers.publish(layer.definition, PROJECT_OWNER);
      } catch (error) {
        this.#published.delete(layer.name);
        return { name: layer.name, status: 'skipped', reason: (error as Error).message };
      }
      (before === undefined || !live ? added : changed).push(layer.name);
      this.#published.set(layer.name, layer.definition);
      return layer;
    });
    this.#current = { ...next, layers };
    return { added, removed, changed };
  }

  #report(message: string, changes?: object): void {
    const { file, layers } = this.#current;
    for (const { name, reason } of skippedOf(layers)) {
      this.#log.warn({ file, layer: name, reason }, `project layer ${name} skipped: ${reason}`);
    }
    this.#log.info(
      {
        file: file ?? null,
        layers: layers.filter((l) => l.status === 'loaded').map((l) => l.name),
        skipped: skippedOf(layers).length,
        ...changes,
      },
      message,
    );
  }
}

function skippedOf(layers: readonly ProjectLayer[]): SkippedLayer[] {
  return layers.flatMap((layer) =>
    layer.status === 'skipped' ? [{ name: layer.name, reason: layer.reason }] : [],
  );
}

function outcomeJson(outcome: ReloadOutcome): ProjectStatus['lastReload'] {
  return { ...outcome, at: outcome.at.toISOString() };
}
