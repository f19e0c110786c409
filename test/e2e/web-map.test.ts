/**
 * The web map at `/` in real Chromium against a real server process whose elevation source is
 * a fake upstream on 127.0.0.1: services and layers listed, an uploaded polygon followed to
 * 100 % with its terrain on the map, a drawn polygon's job cancelled while it runs, the
 * server's message for rejected input, reopening a job, a lost event stream that comes back,
 * keyboard use and a narrow screen — and no console errors anywhere.
 */
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage } from './browser.ts';
import { startE2eServer, type E2eServer } from './e2e-server.ts';
import { finalState, mapQuiet, openMap, polygon, shownJobId, upload } from './pages.ts';

const BUNDLE = fileURLToPath(new URL('../../public/app/main.js', import.meta.url));

let server: E2eServer;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let page: Page;
let errors: string[];
/** Console errors a test provokes on purpose (the browser logging a refused request). */
let expected: RegExp[] = [];

beforeAll(async () => {
  try {
    await access(BUNDLE);
  } catch {
    throw new Error('public/app/main.js is missing: run `npm run test:e2e`, which builds it first');
  }
  const launched = await launchChromium();
  browser = launched.browser;
  closeBrowser = launched.close;
  server = await startE2eServer();
});

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
});

async function newPage(viewport?: { width: number; height: number }): Promise<Page> {
  ({ page, errors } = await openPage(browser, viewport));
  expected = [];
  return page;
}

afterEach(async () => {
  server.upstream.delayMs = 0;
  const unexpected = errors.filter((error) => !expected.some((pattern) => pattern.test(error)));
  await page?.close();
  expect(unexpected).toEqual([]);
});

/** Pixel statistics of a PNG: the mean over channels of each channel's standard deviation. */
async function spread(png: Buffer): Promise<number> {
  const { channels } = await sharp(png).removeAlpha().stats();
  return channels.reduce((sum, channel) => sum + channel.stdev, 0) / channels.length;
}

/** Mean absolute difference per channel between two PNGs of the same size. */
async function difference(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer()));
  let total = 0;
  for (let i = 0; i < x!.length; i++) total += Math.abs(x![i]! - y![i]!);
  return total / x!.length;
}

/** A screenshot of the middle of the map, where the job's area lies. */
async function mapCentre(page: Page): Promise<Buffer> {
  const box = await page.locator('#map').boundingBox();
  if (box === null) throw new Error('the map is not visible');
  return page.screenshot({
    clip: {
      x: box.x + box.width * 0.3,
      y: box.y + box.height * 0.3,
      width: box.width * 0.4,
      height: box.height * 0.4,
    },
  });
}

describe('the web map', () => {
  it("serves the page's bundle but not its source maps (RELIEF_SERVE_SOURCE_MAPS is off)", async () => {
    await openMap(await newPage(), server.base); // and the page works without them
    const bundle = await fetch(`${server.base}/app/main.js`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toMatch(/sourceMappingURL=main\.js\.map/);
    expect((await fetch(`${server.base}/app/main.js.map`)).status).toBe(404);
  });

  it('lists the services with their capabilities URLs and the layers in a picker', async () => {
    await newPage();
    await openMap(page, server.base);
    const services = page.locator('#service-list li');
    await expect.poll(() => services.count()).toBeGreaterThanOrEqual(4);
    for (const name of ['WMS', 'WCS', 'WFS', 'HELLO']) {
      const link = page.locator('#service-list li', { hasText: name }).getByRole('link');
      expect(await link.getAttribute('href')).toContain(`SERVICE=${name}&REQUEST=GetCapabilities`);
    }
    const base = page.getByLabel('Elevation (SRTM tile cache)');
    const lakes = page.getByRole('checkbox', { name: /Lakes/ });
    expect(await base.isChecked()).toBe(true);
    expect(await lakes.isChecked()).toBe(true);
    // The picker switches layers; the map shows something (the lake) and then less.
    const withLakes = await mapCentre(page);
    await lakes.uncheck();
    await mapQuiet(page);
    expect(await difference(withLakes, await mapCentre(page))).toBeGreaterThan(1);
    await lakes.check();
    expect(
      await page.getByText('No elevation jobs yet.').or(page.locator('#jobs-list li')).count(),
    ).toBeGreaterThan(0);
  });

  it('draws a polygon with mouse clicks, and cancels its job while it runs', async () => {
    await newPage();
    await openMap(page, server.base);
    // A known view (the lake, in cell N46E007, which no other test fetches).
    await page.getByRole('button', { name: 'Zoom to Lakes' }).click();
    await mapQuiet(page);
    // Slow enough that the job is still fetching when it is cancelled.
    server.upstream.delayMs = 8000;
    await page.getByRole('button', { name: 'Draw polygon' }).click();
    await expect.poll(() => page.locator('#draw-area').getAttribute('aria-pressed')).toBe('true');
    const box = (await page.locator('#map').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const corners: Array<[number, number]> = [
      [cx - 90, cy - 70],
      [cx + 100, cy - 60],
      [cx + 80, cy + 80],
      [cx - 70, cy + 60],
    ];
    for (const [x, y] of corners) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(120);
    }
    await page.mouse.click(corners[0]![0], corners[0]![1]); // back on the first corner: done
    await page.locator('#area-info', { hasText: 'drawn polygon' }).waitFor();
    expect(await page.locator('#draw-area').getAttribute('aria-pressed')).toBe('false');

    await page.getByRole('button', { name: 'Start elevation job' }).click();
    await page.locator('#job[data-state="running"]').waitFor();
    const jobId = await shownJobId(page);
    await page.getByRole('button', { name: 'Cancel job' }).click();
    expect(await finalState(page)).toBe('dismissed');
    await expect.poll(() => page.locator('#job-state').textContent()).toBe('dismissed');
    expect(await page.locator('#cancel-job').isVisible()).toBe(false);
    const status = (await (await fetch(`${server.base}/jobs/${jobId}`)).json()) as {
      status: string;
    };
    expect(status.status).toBe('dismissed');
    // The recent jobs list shows it as dismissed.
    const item = page.locator(`#jobs-list button[data-job="${jobId}"]`);
    await item.waitFor();
    await expect.poll(() => item.locator('.badge').textContent()).toBe('dismissed');
  });

  it('uploads a polygon, follows its job to 100 % and shows its terrain, statistics and downloads', async () => {
    await newPage();
    await openMap(page, server.base);
    const area = polygon([
      [8.1, 45.3],
      [9.5, 45.3],
      [9.5, 45.95],
      [8.1, 45.95],
      [8.1, 45.3],
    ]);
    await upload(page, 'area.geojson', { type: 'Feature', properties: {}, geometry: area });
    await mapQuiet(page);
    const before = await mapCentre(page);

    await page.getByRole('button', { name: 'Start elevation job' }).click();
    expect(await finalState(page)).toBe('successful');
    const jobId = await shownJobId(page);
    expect(
      await page.locator('#job-progress').evaluate((el) => (el as { value: number }).value),
    ).toBe(100);
    expect(await page.locator('#job-progress-text').textContent()).toBe('100 %');

    // The job's layers are on the map and drawn: the area is no longer empty.
    await page.locator(`#map[data-job="${jobId}"]`).waitFor();
    await page.locator('.stats').waitFor();
    await mapQuiet(page);
    const after = await mapCentre(page);
    expect(await spread(before)).toBeLessThan(12);
    expect(await spread(after)).toBeGreaterThan(12);
    expect(await difference(before, after)).toBeGreaterThan(10);

    // Statistics, tiles and downloads.
    const stats = await page.locator('.stats').textContent();
    expect(stats).toMatch(/Minimum[\d.,\s\u202f]+m/);
    expect(stats).toMatch(/Samples[\d,]+/);
    expect(await page.locator('.tiles-summary').textContent()).toContain('2 tiles (2 downloaded');
    const links = {
      mosaic: page.getByRole('link', { name: 'GeoTIFF mosaic' }),
      preview: page.getByRole('link', { name: 'Preview PNG' }),
      results: page.getByRole('link', { name: 'Results (JSON)' }),
    };
    const types = { mosaic: 'image/tiff', preview: 'image/png', results: 'application/json' };
    for (const [key, link] of Object.entries(links)) {
      const href = await link.getAttribute('href');
      const response = await page.request.get(new URL(href!, `${server.base}/`).href);
      expect(response.status(), href ?? key).toBe(200);
      expect(response.headers()['content-type']).toContain(types[key as keyof typeof types]);
    }
    const tiles = page.locator('.tiles li a');
    expect(await tiles.allTextContents()).toEqual(['N45E008', 'N45E009']);
    const tile = await page.request.get(
      new URL((await tiles.first().getAttribute('href'))!, `${server.base}/`).href,
    );
    expect(tile.status()).toBe(200);
    expect((await tile.body()).length).toBe(1201 * 1201 * 2);

    // The job's layers can be switched off.
    await page.getByLabel('Terrain (colour relief)').uncheck();
    await page.getByLabel('Area outline').uncheck();
    await mapQuiet(page);
    expect(await difference(after, await mapCentre(page))).toBeGreaterThan(5);
  });

  it("shows the server's message for rejected input, and a message for a file that is not JSON", async () => {
    await newPage();
    // The browser logs the refused requests itself; the page logs nothing.
    expected = [/status of 400/];
    await openMap(page, server.base);
    const alert = page.locator('#job-alert');

    await upload(page, 'point.geojson', { type: 'Point', coordinates: [7.5, 46.5] });
    await page.getByRole('button', { name: 'Start elevation job' }).click();
    await expect
      .poll(() => alert.textContent())
      .toBe(
        'The server refused the area: the area is a Point; only Polygon and MultiPolygon areas are supported',
      );
    expect(await page.locator('#job').isVisible()).toBe(false);

    await upload(page, 'open-ring.geojson', {
      type: 'Polygon',
      coordinates: [
        [
          [7, 46],
          [8, 46],
          [8, 47],
          [7, 46.5],
        ],
      ],
    });
    expect(await alert.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Start elevation job' }).click();
    await expect.poll(() => alert.textContent()).toContain('ring 0 is not closed');

    await page.locator('#upload-area').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('not { json'),
    });
    await expect
      .poll(() => alert.textContent())
      .toBe('notes.txt is not a GeoJSON file: it is not valid JSON.');
    expect(await page.getByRole('button', { name: 'Start elevation job' }).isDisabled()).toBe(true);
  });

  it('lists recent jobs with their states and reopens one', async () => {
    // A job of its own, so this test does not depend on the others.
    const response = await fetch(`${server.base}/elevation`, {
      method: 'POST',
      headers: { 'content-type': 'application/geo+json' },
      body: JSON.stringify(
        polygon([
          [10.2, 45.2],
          [10.6, 45.2],
          [10.6, 45.6],
          [10.2, 45.2],
        ]),
      ),
    });
    expect(response.status).toBe(201);
    const { jobID } = (await response.json()) as { jobID: string };
    const done = (await (await fetch(`${server.base}/jobs/${jobID}?wait=30`)).json()) as {
      status: string;
    };
    expect(done.status).toBe('successful');

    await newPage();
    await openMap(page, server.base);
    const item = page.locator(`#jobs-list button[data-job="${jobID}"]`);
    await item.waitFor();
    expect(await item.locator('.badge').textContent()).toBe('successful');
    expect(await page.locator('#jobs-list li').count()).toBeLessThanOrEqual(20);
    // Keyboard: focus the job's button and press Enter.
    await item.focus();
    await page.keyboard.press('Enter');
    expect(await finalState(page)).toBe('successful');
    expect(await shownJobId(page)).toBe(jobID);
    expect(await item.getAttribute('aria-current')).toBe('true');
    await page.locator(`#map[data-job="${jobID}"]`).waitFor();
    expect(await page.locator('.tiles li').allTextContents()).toEqual([
      'N45E010 downloaded, 2.8 MiB',
    ]);
  });

  it('says when the event stream is lost, and follows the job again once it is back', async () => {
    await newPage();
    expected = [/status of 503/];
    await openMap(page, server.base);
    // The job cannot end before the test has seen the warning.
    server.upstream.delayMs = 6000;
    // Every connection to a job's event stream fails (as behind a proxy while the server
    // restarts) until the route is removed; the page polls the job meanwhile.
    const events = /\/jobs\/[^/]+\/events$/;
    let refused = 0;
    await page.route(events, (route) => {
      refused++;
      return route.fulfill({ status: 503, contentType: 'text/plain', body: 'restarting' });
    });
    await upload(
      page,
      'lost.geojson',
      polygon([
        [11.2, 45.2],
        [11.8, 45.2],
        [11.8, 45.8],
        [11.2, 45.2],
      ]),
    );
    await page.getByRole('button', { name: 'Start elevation job' }).click();
    const warning = page.locator('#job-connection');
    await expect.poll(() => warning.textContent()).toBe('Connection lost, reconnecting…');
    expect(await warning.isVisible()).toBe(true);
    // The page keeps trying (it polls the job, then opens the stream again), warning all along.
    await expect.poll(() => refused, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    expect(await warning.isVisible()).toBe(true);
    await page.unroute(events);
    expect(await finalState(page, 40_000)).toBe('successful');
    expect(await warning.isVisible()).toBe(false);
    expect(await page.locator('#job-progress-text').textContent()).toBe('100 %');
  });

  it('works with the keyboard and on a narrow screen', async () => {
    await newPage({ width: 390, height: 844 });
    await openMap(page, server.base);
    // Nothing wider than the screen.
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(scrollWidth).toBeLessThanOrEqual(390);
    const map = (await page.locator('#map').boundingBox())!;
    expect(map.width).toBeGreaterThan(300);
    expect(map.height).toBeGreaterThan(250);

    // Tab reaches the controls in order, and the focused one has a visible outline.
    const reached: string[] = [];
    for (let i = 0; i < 15 && !reached.includes('upload-area'); i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate<string>('document.activeElement?.id ?? ""'));
    }
    expect(reached).toContain('draw-area');
    expect(reached).toContain('upload-area');
    await page.locator('#draw-area').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Shift+Tab');
    const outline = await page.evaluate<string>(
      'getComputedStyle(document.activeElement).outlineStyle',
    );
    expect(outline).toBe('solid');
    // Space toggles drawing on the focused button; Escape leaves it.
    await page.keyboard.press('Space');
    expect(await page.locator('#draw-area').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Escape');
    expect(await page.locator('#draw-area').getAttribute('aria-pressed')).toBe('false');
    // Every control has a name.
    for (const control of await page.locator('button, input').all()) {
      const name = await control.evaluate(
        (el) => (el as unknown as { labels?: { length: number } }).labels?.length ?? 0,
      );
      const text = (await control.getAttribute('aria-label')) ?? (await control.textContent());
      expect(name > 0 || (text ?? '').trim() !== '').toBe(true);
    }
  });
});
