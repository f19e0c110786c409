/** What `run.ts` and its server children (`server.ts`) share. */

/** Every benchmark server listens here, and the load generator only talks to it. */
export const HOST = '127.0.0.1';

/** Messages a server child sends to its parent over IPC. */
export type ServerMessage =
  | {
      type: 'listening';
      scenario: string;
      port: number;
      pid: number;
      /** Filters in the chain (relief only). */
      filters: number | null;
      /** Plugins found on the plugin path (relief only; must be 0). */
      plugins: number | null;
    }
  | { type: 'failed'; scenario: string; message: string };

/** The message the parent sends to stop a child cleanly (so `--cpu-prof` can write). */
export const STOP_MESSAGE = { type: 'stop' } as const;
