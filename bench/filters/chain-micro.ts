/**
 * In-process micro-benchmark of the filter chain alone, without HTTP:
 *
 *   node --import tsx bench/filters/chain-micro.ts [--filters 10] [--iterations 2000000]
 *
 * Times what one buffered request costs in `runStage` with N no-op filters: requestReady,
 * responseComplete and sendResponse (with a chunk object, as the request loop allocates one).
 * The HTTP benchmark (run.ts) cannot resolve costs this small on a noisy machine; this can.
 */
import { parseArgs } from 'node:util';
import { FilterChain, runStage } from '../../src/filters/filter-chain.ts';
import type { ResponseChunk } from '../../src/filters/server-filter.ts';
import type { RequestContext } from '../../src/request-loop/request-context.ts';

const { values } = parseArgs({
  options: {
    filters: { type: 'string', default: '10' },
    iterations: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '5' },
  },
});
const filters = Math.max(1, Math.min(999, Number(values.filters) || 10));
const iterations = Math.max(1000, Math.min(100_000_000, Number(values.iterations) || 2_000_000));
const rounds = Math.max(1, Math.min(50, Number(values.rounds) || 5));

const chain = new FilterChain();
for (let i = 0; i < filters; i++) {
  chain.register(
    {
      requestReady() {
        return undefined;
      },
      sendResponse() {
        return undefined;
      },
      responseComplete() {
        return undefined;
      },
    },
    i,
    'bench',
  );
}
const { requestReady, responseComplete, sendResponse } = chain;
if (requestReady === null || responseComplete === null || sendResponse === null) {
  throw new Error('every hook should have filters');
}
// The no-op hooks never read the context.
const ctx = {} as RequestContext;

const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    runStage(requestReady, 'requestReady', ctx);
    runStage(responseComplete, 'responseComplete', ctx);
    const chunk: ResponseChunk = { data: 'body', index: 0 };
    runStage(sendResponse, 'sendResponse', ctx, chunk);
  }
  const ns = Number(process.hrtime.bigint() - start) / iterations;
  results.push(ns);
  console.log(`round ${round + 1}/${rounds}: ${ns.toFixed(1)} ns per request`);
}
const sorted = [...results].sort((a, b) => a - b);
const median = sorted[sorted.length >> 1] ?? Number.NaN;
console.log(
  `median: ${median.toFixed(1)} ns per request for ${filters} filters x 3 hooks ` +
    `(${(median / (filters * 3)).toFixed(1)} ns per hook call), node ${process.version}`,
);
