/**
 * `GET /jobs/{jobId}/events`: Server-Sent Events with the job's status document at every state
 * change and progress update (already coalesced by the task manager), ending after the final
 * state. It is an ordinary streamed response, so filters see each event as a chunk.
 *
 * When the server shuts down, the stream sends a last `shutdown` event (the job as this server
 * last saw it, and a `retry` delay) and ends, so that it does not hold the shutdown and the
 * client's EventSource reconnects, to another instance or to this one once it is back.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { TaskManager } from '../../tasks/task-manager.ts';
import { FINAL_STATUSES, type JobRecord } from '../../tasks/task-types.ts';
import { statusInfo } from './status-info.ts';

const HEARTBEAT_MS = 15_000;
/**
 * The reconnection delay a client is given on shutdown: about the time a load balancer needs to
 * stop sending to this instance; EventSource keeps retrying while a single instance restarts.
 */
export const SHUTDOWN_RETRY_MS = 2000;

/** `stopping` aborts when the server begins to shut down. */
export function jobEventStream(
  manager: TaskManager,
  job: JobRecord,
  base: string,
  stopping: AbortSignal,
): Readable {
  const stream = new PassThrough();
  let sequence = 0;
  const send = (event: string, record: JobRecord, retry = '') => {
    stream.write(
      `id: ${++sequence}\nevent: ${event}\n${retry}data: ${JSON.stringify(statusInfo(record, base))}\n\n`,
    );
  };
  send('status', job);
  if (FINAL_STATUSES.has(job.status)) {
    stream.end();
    return stream;
  }
  // Comments keep proxies from closing a connection that is quiet while a job waits in the queue.
  const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const unsubscribe = manager.subscribe(job.id, (event) => {
    send(event.type, event.job);
    if (FINAL_STATUSES.has(event.job.status)) {
      stop();
      stream.end();
    }
  });
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
    stopping.removeEventListener('abort', shutDown);
  };
  const shutDown = () => {
    stop();
    send('shutdown', manager.get(job.id) ?? job, `retry: ${SHUTDOWN_RETRY_MS}\n`);
    stream.end();
  };
  stream.on('close', stop);
  if (stopping.aborted) shutDown();
  else stopping.addEventListener('abort', shutDown, { once: true });
  return stream;
}
