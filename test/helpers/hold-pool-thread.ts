/**
 * Holds one pool thread (an interactive job of test/fixtures/workers/gate-worker.ts) until the
 * test opens the gate: work submitted meanwhile to a one-thread lane has to queue.
 */
import type { WorkerPool } from '../../src/pool/worker-pool.ts';

const GATE_WORKER = new URL('../fixtures/workers/gate-worker.ts', import.meta.url);

export interface HeldThread {
  /** Opens the gate and waits for the holding job to end. */
  release(): Promise<void>;
}

/** Resolves once the thread is held. */
export async function holdPoolThread(pool: WorkerPool): Promise<HeldThread> {
  const gate = new SharedArrayBuffer(4);
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const holder = pool.run(
    GATE_WORKER,
    'holdUntilOpened',
    { gate },
    { onProgress: () => holding() },
  );
  await held;
  return {
    async release() {
      Atomics.store(new Int32Array(gate), 0, 1);
      Atomics.notify(new Int32Array(gate), 0);
      await holder;
    },
  };
}
