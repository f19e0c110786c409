/** Liveness (`/health`) and readiness (`/ready`) for orchestrators and the Docker HEALTHCHECK. */
import type { FastifyInstance } from 'fastify';
import type { WorkerPool } from '../pool/worker-pool.ts';
import type { PluginRecord } from '../plugins/plugin-record.ts';
import type { ProjectHealth } from '../project/project-status.ts';
import type { TaskManager } from '../tasks/task-manager.ts';

export interface HealthState {
  pluginsLoaded: boolean;
  plugins: () => readonly PluginRecord[];
  pool: WorkerPool;
  tasks: TaskManager;
  startedAt: Date;
  version: string;
  /** The project file's status; skipped layers are reported, not a reason to be unready. */
  project?: () => ProjectHealth;
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
    const poolUp = !state.pool.closed;
    const ready = state.pluginsLoaded && poolUp;
    reply.code(ready ? 200 : 503);
    return {
      status: ready ? 'ready' : 'not-ready',
      checks: {
        plugins: {
          status: state.pluginsLoaded ? 'loaded' : 'loading',
          loaded: plugins.filter((p) => p.status === 'loaded').length,
          failed: plugins.filter((p) => p.status === 'failed').length,
        },
        pool: { status: poolUp ? 'up' : 'closed', ...state.pool.stats },
        tasks: state.tasks.stats,
        ...(state.project === undefined ? {} : { project: state.project() }),
      },
    };
  });
}
