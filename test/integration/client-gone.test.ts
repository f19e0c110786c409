/**
 * A client that goes away (issue 9, item 2): ctx.signal aborts when the connection closes before
 * the answer, never after a normal answer (keep-alive included), and a GetMap whose client left
 * while its pool work was queued never runs that work. Proved by pool counters and events, not
 * by timing.
 */
import { once } from 'node:events';
import { Agent, get, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { FeatureCollection } from 'geojson';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdPoolThread } from '../helpers/hold-pool-thread.ts';
import { startTestServer, type TestServer } from '../../src/testing/test-server.ts';

const places: FeatureCollection = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', geometry: { type: 'Point', coordinates: [7, 46] }, properties: {} },
  ],
};

let server: TestServer;
let port: number;
const completedSignals: AbortSignal[] = [];
const serverSockets: Socket[] = [];
let waiting: { entered: () => void; signal?: AbortSignal; answered?: boolean } | undefined;

beforeAll(async () => {
  server = await startTestServer({
    setup: ({ app, contextOf }) => {
      app.get('/rest/quick', async (request, reply) => {
        completedSignals.push(contextOf(request, reply).signal);
        serverSockets.push(request.raw.socket);
        return { ok: true };
      });
      app.get('/rest/slow', async (request, reply) => {
        const signal = contextOf(request, reply).signal;
        const state = waiting!;
        state.signal = signal;
        state.entered();
        await once(signal, 'abort');
        state.answered = true;
        return { late: true };
      });
    },
  });
  server.layers.publish(
    { name: 'places', title: 'Places', kind: 'vector', source: { kind: 'features', data: places } },
    'test',
  );
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  port = (server.app.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await server.close();
});

function fetchJson(
  path: string,
  agent: Agent,
): Promise<{ response: IncomingMessage; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ response, body }));
    }).on('error', reject);
  });
}

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Sends a GET and gives up on it at once when asked: the client going away. */
function abandonable(path: string): { request: ClientRequest; closed: Promise<void> } {
  const request = get({ host: '127.0.0.1', port, path, agent: false });
  request.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => request.on('close', () => resolve()));
  return { request, closed };
}

describe('ctx.signal', () => {
  it('does not fire for answered requests, on a keep-alive connection and after it closes', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await fetchJson('/rest/quick', agent);
    const second = await fetchJson('/rest/quick', agent);
    expect([first.body, second.body]).toEqual(['{"ok":true}', '{"ok":true}']);
    expect(serverSockets).toHaveLength(2);
    // Both requests came over one connection.
    expect(serverSockets[0]).toBe(serverSockets[1]);
    const socket = serverSockets[0]!;
    const socketClosed = once(socket, 'close');
    agent.destroy();
    await socketClosed;
    expect(completedSignals.map((signal) => signal.aborted)).toEqual([false, false]);
  });

  it('fires when the client goes away before the answer', async () => {
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    waiting = { entered };
    const { request, closed } = abandonable('/rest/slow');
    await inHandler;
    expect(waiting.signal?.aborted).toBe(false);
    request.destroy();
    await closed;
    await until(() => waiting?.answered === true);
    expect(waiting.signal?.reason).toMatchObject({
      name: 'AbortError',
      message: 'The client closed the connection before the response was sent',
    });
  });
});

describe('a GetMap whose client goes away', () => {
  it('never runs its pool work once dropped from the queue', async () => {
    // The test server has one pool thread: hold it, so the map's rendering has to queue.
    const thread = await holdPoolThread(server.pool);
    const query = new URLSearchParams({
      SERVICE: 'WMS',
      VERSION: '1.3.0',
      REQUEST: 'GetMap',
      LAYERS: 'places',
      STYLES: '',
      CRS: 'EPSG:4326',
      BBOX: '45,6,47,8',
      WIDTH: '16',
      HEIGHT: '16',
      FORMAT: 'image/png',
    });
    const { request, closed } = abandonable(`/ows?${query}`);
    await until(() => server.pool.stats.lanes.interactive.queued === 1);

    request.destroy();
    await closed;
    await until(() => server.pool.stats.lanes.interactive.queued === 0);
    const before = server.pool.stats.completed;
    await thread.release();
    await server.pool.check();
    // The holder and the check, nothing else: the map was never drawn.
    expect(server.pool.stats.completed).toBe(before + 2);
    expect(server.pool.stats.lanes.interactive).toEqual({ queued: 0, running: 0 });
    // Nobody's fault: logged at info, not as a failed request.
    await until(() => server.logs.some((line) => line.msg.includes('client went away')));
    expect(server.logs.filter((line) => line.level >= 50)).toEqual([]);
  });
});
