/** Worker-side answer to WorkerPool.check(). */
export function ping(): string {
  return 'pong';
}
