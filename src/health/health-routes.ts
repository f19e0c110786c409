/** Liveness (`/health`) and readiness (`/ready`) for orchestrators and the Docker HEALTHCHECK. */
import type { FastifyInstance } from 'fastify';
import type { WorkerPool } from '../pool/worker-pool.ts';
import type { PluginRecord } from '../plugins/plugin-record.ts';
import type { ProjectHealth } from '../project/project-status.ts';
import type { DataDirStatus } from '../storage/data-dir-check.ts';
import type { TaskManager } from '../tasks/task-manager.ts';

export interface HealthState {
  pluginsLoaded: boolean;
  /** A plugin that failed to load makes the server not ready: its routes and processes are missing. */
  plugins: () => readonly PluginRecord[];
  pool: WorkerPool;
  tasks: TaskManager;
  startedAt: Date;
  version: string;
  /** The project file's status; skipped layers are reported, not a reason to be unready. */
  project?: () => ProjectHealth;
  /** Whether the data dir takes writes and has room; anything but 'ok' makes it unready. */
  dataDir?: () => Promise<DataDirStatus>;
}

export function registerHealthRoutes(app: FastifyInstance, state: HealthState): void {
  // Probes name the pod by address (kubelet sends Host: <pod ip>:<port>); these write no URL.
  const probe = { config: { anyHost: true } };
  app.get('/health', probe, async () => ({
    status: 'ok',
    version: state.version,
    uptimeSeconds: Math.round((Date.now() - state.startedAt.getTime()) / 1000),
  }));

  app.get('/ready', probe, async (_request, reply) => {
    const plugins = state.plugins();
    const failed = plugins.filter((p) => p.status === 'failed');
    const pluginsOk = state.pluginsLoaded && failed.length === 0;
    const poolUp = !state.pool.closed;
    const dataDir = await state.dataDir?.();
    const ready = pluginsOk && poolUp && (dataDir === undefined || dataDir.status === 'ok');
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not-ready',
      checks: {
        plugins: {
          status: !state.pluginsLoaded ? 'loading' : failed.length > 0 ? 'failed' : 'loaded',
          loaded: plugins.filter((p) => p.status === 'loaded').length,
          failed: failed.length,
          ...(failed.length === 0
            ? {}
            : { failures: failed.map((p) => ({ name: p.name, error: p.error })) }),
        },
        pool: { status: poolUp ? 'up' : 'closed', ...state.pool.stats },
        tasks: state.tasks.stats,
        ...(dataDir === undefined ? {} : { dataDir }),
        ...(state.project === undefined ? {} : { project: state.project() }),
      },
    };
  });
}
