/** `GET /project`: the project file in use, its metadata, the layers published and skipped. */
import type { FastifyInstance } from 'fastify';
import type { ProjectManager } from './project-manager.ts';

export function registerProjectRoutes(app: FastifyInstance, project: ProjectManager): void {
  app.get('/project', async () => project.status());
}
