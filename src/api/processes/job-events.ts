/**
 * `GET /jobs/{jobId}/events` (and `GET /jobs/events` for all jobs, below): Server-Sent Events with the job's status document at every state
 * change and progress update (already coalesced by the task manager), ending after the final
 * state. It is an ordinary streamed response, so filters see each event as a chunk.
 *
 * When the server shuts down, the stream sends a last `shutdown` event (the job as this server
 * last saw it, and a `retry` delay) and ends, so that it does not hold the shutdown and the
 * client's EventSource reconnects, to another instance or to this one once it is back.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { TaskEvent, TaskManager } from '../../tasks/task-manager.ts';
import { FINAL_STATUSES, type JobRecord } from '../../tasks/task-types.ts';
import { statusInfo } from './status-info.ts';

const HEARTBEAT_MS = 15_000;
/**
 * The reconnection delay a client is given on shutdown: about the time a load balancer needs to
 * stop sending to this instance; EventSource keeps retrying while a single instance restarts.
 */
export const SHUTDOWN_RETRY_MS = 2000;

/**
 * An open event stream: numbered events, a heartbeat, and on shutdown a last `shutdown` event
 * (`lastWords()`'s data, with a retry delay) before it ends. `watch` starts the stream's
 * subscription and returns its unsubscribe; `send` may be called from it at any time.
 */
function openEventStream(
  stopping: AbortSignal,
  lastWords: () => unknown,
  watch: (send: (event: string, data: unknown) => void, end: () => void) => () => void,
  greeting?: string,
): Readable {
  const stream = new PassThrough();
  // A stream that may stay quiet for long says something at once, so the client sees it open.
  if (greeting !== undefined) stream.write(`: ${greeting}\n\n`);
  let sequence = 0;
  const send = (event: string, data: unknown, retry = '') => {
    stream.write(`id: ${++sequence}\nevent: ${event}\n${retry}data: ${JSON.stringify(data)}\n\n`);
  };
  // Comments keep proxies from closing a connection that is quiet while a job waits in the queue.
  const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let unsubscribe = (): void => undefined;
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
    stopping.removeEventListener('abort', shutDown);
  };
  const end = () => {
    stop();
    stream.end();
  };
  const shutDown = () => {
    stop();
    send('shutdown', lastWords(), `retry: ${SHUTDOWN_RETRY_MS}\n`);
    stream.end();
  };
  unsubscribe = watch(send, end);
  if (stream.writableEnded) unsubscribe();
  stream.on('close', stop);
  if (stopping.aborted) shutDown();
  else stopping.addEventListener('abort', shutDown, { once: true });
  return stream;
}

/** `stopping` aborts when the server begins to shut down. */
export function jobEventStream(
  manager: TaskManager,
  job: JobRecord,
  base: string,
  stopping: AbortSignal,
): Readable {
  const document = (record: JobRecord) => statusInfo(record, base);
  if (FINAL_STATUSES.has(job.status)) {
    const stream = new PassThrough();
    stream.end(`id: 1\nevent: status\ndata: ${JSON.stringify(document(job))}\n\n`);
    return stream;
  }
  return openEventStream(
    stopping,
    () => document(manager.get(job.id) ?? job),
    (send, end) => {
      send('status', document(job));
      return manager.subscribe(job.id, (event) => {
        send(event.type, document(event.job));
        if (FINAL_STATUSES.has(event.job.status)) end();
      });
    },
  );
}

/** Filters of `GET /jobs/events`; an absent one lets everything through. */
export interface AllJobsFilter {
  processId?: ReadonlySet<string>;
  group?: ReadonlySet<string>;
  type?: ReadonlySet<string>;
}

/**
 * `GET /jobs/events`: every job's events (TaskEvent) as they happen, as Server-Sent Events named
 * after the event (`job.started`, `group.finished`, …) with the job's status document (or the
 * group and its counts) as data. It runs until the client leaves or the server shuts down.
 */
export function allJobsEventStream(
  manager: TaskManager,
  filter: AllJobsFilter,
  base: string,
  stopping: AbortSignal,
): Readable {
  const wanted = (event: TaskEvent): boolean => {
    if (filter.type !== undefined && !filter.type.has(event.type)) return false;
    const group = event.type === 'group.finished' ? event.group : event.job.group;
    if (filter.group !== undefined && (group === null || !filter.group.has(group))) return false;
    if (event.type === 'group.finished') return filter.processId === undefined;
    return filter.processId === undefined || filter.processId.has(event.job.processId);
  };
  return openEventStream(
    stopping,
    () => ({}),
    (send) =>
      manager.onEvent((event) => {
        if (!wanted(event)) return;
        if (event.type === 'group.finished') {
          send(event.type, { group: event.group, counts: event.counts });
        } else {
          send(event.type, statusInfo(event.job, base));
        }
      }),
    'watching all jobs',
  );
}
