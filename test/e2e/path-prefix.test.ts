/**
 * The web page behind a reverse proxy that serves Relief under a path prefix
 * (`https://example.org/relief/` → the server's `/`): every URL the page requests is relative
 * to it, so all of them go through the prefix: the bundle, capabilities, map images, the job's
 * event stream and its downloads. The proxy answers 404 to anything outside the prefix and
 * records it, so one root-relative URL left in the page fails the test.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from './browser.ts';
import { startE2eServer, type E2eServer } from './e2e-server.ts';
import { finalState, mapQuiet, openMap, polygon, shownJobId, upload } from './pages.ts';

const PREFIX = '/relief';
let server: E2eServer;
let proxy: Server;
let proxied: string;
const outside: string[] = [];
let browser: Browser;
let closeBrowser: () => Promise<void>;

beforeAll(async () => {
  proxy = createServer((req, res) => {
    const url = req.url ?? '/';
    if (!url.startsWith(`${PREFIX}/`)) {
      outside.push(url);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('outside the prefix');
      return;
    }
    const target = new URL(server.base);
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: url.slice(PREFIX.length),
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res); // streams: the job's event stream goes through as it comes
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}${PREFIX}`;
  // The links the server writes (capabilities, job documents) carry the prefix too.
  server = await startE2eServer({ RELIEF_PUBLIC_URL: proxied });
  ({ browser, close: closeBrowser } = await launchChromium());
});

afterAll(async () => {
  await closeBrowser?.();
  proxy?.closeAllConnections();
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
});

describe('the web page under a path prefix', () => {
  it('loads, runs a job and links its downloads, every request inside the prefix', async () => {
    const { page, errors } = await openPage(browser);
    await openMap(page, proxied);
    await upload(
      page,
      'area.geojson',
      polygon([
        [8.1, 45.3],
        [8.6, 45.3],
        [8.6, 45.6],
        [8.1, 45.6],
        [8.1, 45.3],
      ]),
    );
    await page.getByRole('button', { name: 'Start elevation job' }).click();
    expect(await finalState(page)).toBe('successful');
    const jobId = await shownJobId(page);
    await page.locator(`#map[data-job="${jobId}"]`).waitFor();
    await mapQuiet(page);

    for (const name of ['GeoTIFF mosaic', 'Preview PNG', 'Results (JSON)']) {
      const href = await page.getByRole('link', { name }).getAttribute('href');
      const url = new URL(href!, `${proxied}/`);
      expect(url.pathname.startsWith(`${PREFIX}/`), `${name}: ${url.href}`).toBe(true);
      expect((await page.request.get(url.href)).status(), name).toBe(200);
    }
    const tile = await page.locator('.tiles li a').first().getAttribute('href');
    expect((await page.request.get(new URL(tile!, `${proxied}/`).href)).status()).toBe(200);
    const services = await page.locator('#service-list a').first().getAttribute('href');
    expect(services).toMatch(new RegExp(`^${proxied}/ows\\?`));

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
