/**
 * A skadi tile source on 127.0.0.1 for the elevation benchmarks: answers every
 * `/{dir}/{name}.hgt.gz` with the same gzip bytes (a 404 for anything else) and counts what it
 * served. Two kinds of slow: `burst` waits `delayMs`, then sends the body with no bandwidth limit
 * (loopback); `paced` sends the headers at once and the body in 64 KiB pieces spread evenly over
 * `delayMs` (a link of gzip bytes ÷ delay, about 110 Mbit/s for an SRTM1 tile over 1 s).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TileUpstream {
  /** The RELIEF_ELEVATION_SOURCE template. */
  template: string;
  gzip: Buffer;
  gzipBytes: number;
  /** Tile requests received since the last reset. */
  requested: number;
  /** Tile responses sent completely since the last reset, and when the last one finished. */
  served: number;
  lastFinished: number;
  reset(): void;
  close(): Promise<void>;
}

const PIECE = 64 * 1024;
const TILE_PATH = /^\/([NS]\d{2})\/([NS]\d{2}[EW]\d{3})\.hgt\.gz$/;

export async function startTileUpstream(
  gzip: Buffer,
  options: { delayMs?: number; pacing?: 'burst' | 'paced' } = {},
): Promise<TileUpstream> {
  const delayMs = options.delayMs ?? 0;
  const paced = options.pacing === 'paced' && delayMs > 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { requested: 0, served: 0, lastFinished: 0 };
  const server: Server = createServer((req, res) => {
    const match = TILE_PATH.exec(req.url ?? '');
    if (req.method !== 'GET' || match === null || !match[2]!.startsWith(match[1]!)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not a tile path');
      return;
    }
    state.requested++;
    const finished = () => {
      state.served++;
      state.lastFinished = performance.now();
    };
    const sendPaced = () => {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(gzip.length),
      });
      const pieces = Math.ceil(gzip.length / PIECE);
      let next = 0;
      const started = performance.now();
      const step = () => {
        timers.delete(timer);
        if (res.destroyed) return;
        // Every piece due by now, so timer lateness does not slow the link down.
        const due = Math.min(
          pieces,
          Math.floor(((performance.now() - started) / delayMs) * pieces) + 1,
        );
        for (; next < due; next++) res.write(gzip.subarray(next * PIECE, (next + 1) * PIECE));
        if (next >= pieces) {
          res.end(finished);
          return;
        }
        timer = setTimeout(step, delayMs / pieces);
        timers.add(timer);
      };
      let timer = setTimeout(step, 0);
      timers.add(timer);
    };
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(gzip.length),
      });
      // No bandwidth limit: the kernel's loopback flow control paces the body.
      res.end(gzip, finished);
    };
    if (paced) return sendPaced();
    if (delayMs === 0) return send();
    const timer = setTimeout(() => {
      timers.delete(timer);
      send();
    }, delayMs);
    timers.add(timer);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    template: `http://127.0.0.1:${port}/{dir}/{name}.hgt.gz`,
    gzip,
    gzipBytes: gzip.length,
    get requested() {
      return state.requested;
    },
    get served() {
      return state.served;
    },
    get lastFinished() {
      return state.lastFinished;
    },
    reset() {
      state.requested = 0;
      state.served = 0;
      state.lastFinished = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
