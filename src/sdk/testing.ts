/**
 * `relief/testing`: what a plugin's tests need, from inside this repository or outside it. Start
 * a real server with chosen plugin folders (the real loader, a temporary data dir, captured
 * logs), serve generated terrain tiles from a fake skadi upstream on 127.0.0.1 with injectable
 * faults, and generate HGT tiles whose every sample is known.
 */
export { startTestServer } from '../testing/test-server.ts';
export type { LogLine, TestServer, TestServerOptions } from '../testing/test-server.ts';
export { FakeTileUpstream } from '../testing/fake-tile-upstream.ts';
export type {
  Fault,
  FakeTileUpstreamOptions,
  UpstreamRequest,
} from '../testing/fake-tile-upstream.ts';
export {
  defaultHeightAt,
  generateHgt,
  gzipHgt,
  hgtSample,
  hgtSize,
  sampleLatLon,
} from '../testing/hgt-fixtures.ts';
export { startTestPool, startTestTasks } from '../testing/test-tasks.ts';
export type { TestTasks, TestTasksOptions } from '../testing/test-tasks.ts';
export { seededRandom } from '../testing/seeded-random.ts';
