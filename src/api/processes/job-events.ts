/**
 * `GET /jobs/{jobId}/events`: Server-Sent Events with the job's status document at every state
 * change and progress update (already coalesced by the task manager), ending after the final
 * state. It is an ordinary streamed response, so filters see each event as a chunk.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { TaskManager } from '../../tasks/task-manager.ts';
import { FINAL_STATUSES, type JobRecord } from '../../tasks/task-types.ts';
import { statusInfo } from './status-info.ts';

const HEARTBEAT_MS = 15_000;

export function jobEventStream(manager: TaskManager, job: JobRecord, base: string): Readable {
  const stream = new PassThrough();
  let sequence = 0;
  const send = (event: string, record: JobRecord) => {
    stream.write(
      `id: ${++sequence}\nevent: ${event}\ndata: ${JSON.stringify(statusInfo(record, base))}\n\n`,
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
  };
  stream.on('close', stop);
  return stream;
}
