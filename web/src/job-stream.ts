/**
 * Follows one job live through its server-sent events (`GET /jobs/{id}/events`): every status
 * and progress update until the final state. When the connection drops, the browser's
 * EventSource retries by itself; when it gives up (the server answered with an error, e.g. while
 * restarting), this polls `GET /jobs/{id}` with a growing delay and opens the stream again once
 * the server answers, so a job is followed to its end whatever happens to the connection. The
 * connection counts as back when the stream is open again (or the job has ended).
 */
import { ApiError, FINAL_STATES, api, type JobStatus } from './api.ts';

export interface JobStreamHandlers {
  /** Every status document, in order; the last one has a final state. */
  onStatus(status: JobStatus): void;
  /** false when the connection is lost, true when it is back. */
  onConnection(connected: boolean): void;
  /** The job no longer exists on the server (404 while reconnecting). */
  onGone(message: string): void;
}

const EVENT_TYPES = ['status', 'progress'] as const;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 8000;

/** Starts following a job; the returned function stops. */
export function followJob(jobId: string, handlers: JobStreamHandlers): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let connected = true;
  let retryMs = FIRST_RETRY_MS;

  const setConnected = (value: boolean) => {
    if (value === connected) return;
    connected = value;
    handlers.onConnection(value);
  };

  const stop = () => {
    stopped = true;
    source?.close();
    source = undefined;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  /** A status from the stream (the connection works) or from a poll (it may not, yet). */
  const deliver = (status: JobStatus, fromStream: boolean) => {
    if (stopped) return;
    const final = FINAL_STATES.has(status.status);
    // Nothing more to follow after the final state: the connection no longer matters.
    if (fromStream || final) setConnected(true);
    if (fromStream) retryMs = FIRST_RETRY_MS;
    // The server ends the stream after the final state: close first, so the end is no error.
    if (final) stop();
    handlers.onStatus(status);
  };

  const open = () => {
    const events = new EventSource(api.eventsUrl(jobId));
    source = events;
    events.addEventListener('open', () => {
      if (source === events) setConnected(true);
    });
    for (const type of EVENT_TYPES) {
      events.addEventListener(type, (event) => {
        if (source !== events) return;
        let status: JobStatus;
        try {
          status = JSON.parse((event as MessageEvent<string>).data) as JobStatus;
        } catch {
          return;
        }
        deliver(status, true);
      });
    }
    events.addEventListener('error', () => {
      if (stopped || source !== events) return;
      setConnected(false);
      // CONNECTING: the browser reconnects by itself. CLOSED: it gave up; poll until it is back.
      if (events.readyState === EventSource.CLOSED) {
        events.close();
        source = undefined;
        schedulePoll();
      }
    });
  };

  const schedulePoll = () => {
    if (stopped) return;
    timer = setTimeout(() => void poll(), retryMs);
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  };

  const poll = async () => {
    timer = undefined;
    if (stopped) return;
    let status: JobStatus;
    try {
      status = await api.job(jobId);
    } catch (error) {
      if (stopped) return;
      if (error instanceof ApiError && error.status === 404) {
        stop();
        setConnected(true);
        handlers.onGone(error.message);
        return;
      }
      schedulePoll();
      return;
    }
    deliver(status, false);
    if (!stopped) open();
  };

  open();
  return stop;
}
