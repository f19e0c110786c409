/**
 * The public API for plugin authors: `import { definePlugin, ServiceException } from 'relief'`.
 * Everything else under src/ is internal and may change between versions.
 */
export { definePlugin } from './plugins/plugin-api.ts';
export { moduleUrl } from './server/module-url.ts';
export type { PluginApi, ReliefPlugin } from './plugins/plugin-api.ts';
export type {
  FilterResult,
  FilterStage,
  RequestEnd,
  ResponseChunk,
  ServerFilter,
} from './filters/server-filter.ts';
export { ServiceException } from './errors/service-exception.ts';
export type { OgcExceptionCode } from './errors/ows-exception-codes.ts';
export type { RequestContext, RequestKind } from './request-loop/request-context.ts';
export type { OwsParameters } from './request-loop/ows-parameters.ts';
export type { ResponseState } from './request-loop/response-state.ts';
export { ResponseSentError } from './request-loop/response-state.ts';
export type { ProjectReady } from './project/project-manager.ts';
export type { ProjectMetadata } from './project/load-project.ts';
export type { SkippedLayer } from './project/project-status.ts';
export type {
  OperationHandler,
  OwsOperationRequest,
  OwsResult,
  OwsServiceDefinition,
} from './services/ows-service.ts';
export type { ExceptionFormat } from './errors/exception-report.ts';
export type { AbortMode, Lane, RunLane, RunOptions, WorkerPool } from './pool/worker-pool.ts';
export { submitErrorStatus, TaskFailure, TaskSubmitError } from './tasks/task-errors.ts';
export type { JobProblem, ProblemItem, TaskSubmitErrorKind } from './tasks/task-errors.ts';
export { JobStateError } from './tasks/task-manager.ts';
export type { JobEvent, TaskEvent, TaskEventType } from './tasks/task-manager.ts';
export { redactText, redactUrl } from './server/redact-secrets.ts';
export { isStorageFailure } from './storage/storage-failure.ts';
export { DirtyBytes, OverlappedFlush, writeSyncBytes } from './storage/write-sync.ts';
export type {
  JobRecord,
  JobStatus,
  ExecuteOptions,
  ParameterDescription,
  PrepareContext,
  TaskRunContext,
  TaskTypeDefinition,
} from './tasks/task-types.ts';
export type { WorkerFunction, WorkerTools } from './pool/pool-job.ts';
export type { LayerDefinition, LayerSource, PublishedLayer } from './layers/layer-registry.ts';
export type { StatusInfo } from './api/processes/status-info.ts';
export type { AccessControlFilter } from './access/access-control.ts';
export type {
  CacheFilter,
  CachedEntry,
  CachedKind,
  CacheInvalidation,
} from './access/cache-filter.ts';
/**
 * The zod the server checks plugin settings with (`configSchema`), so a plugin needs no zod of
 * its own, and never a second copy whose schemas this one would not recognise.
 */
export { z } from 'zod';
