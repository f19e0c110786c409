/** The `burn` process: CPU-bound work on the shared pool, for bench/tasks. */
import { definePlugin } from 'relief';
import { z } from 'zod';

const WORKER = new URL('./burn-worker.ts', import.meta.url);

export default definePlugin({
  register(relief) {
    relief.registerTaskType({
      id: 'burn',
      title: 'Burn CPU',
      version: '1.0.0',
      inputSchema: z.object({ ms: z.number().int().min(1).max(600_000) }).strict(),
      inputs: { ms: { title: 'Milliseconds of CPU work', schema: { type: 'integer' } } },
      outputs: { iterations: { title: 'Loop iterations done', schema: { type: 'integer' } } },
      resumable: false,
      run: async ({ ms }, ctx) => ({
        iterations: await ctx.runOnPool<number>(
          WORKER,
          'burn',
          { ms },
          {
            onProgress: (percent) => ctx.progress(Number(percent), 'burning'),
          },
        ),
      }),
    });
  },
});
