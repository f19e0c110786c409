/**
 * What the browser tests and the screenshot do on the page: open it, give it an area, wait for
 * a job to end and for the map to be quiet.
 */
import type { Page } from 'playwright-core';

export type Ring = Array<[number, number]>;

export function polygon(ring: Ring): Record<string, unknown> {
  return { type: 'Polygon', coordinates: [ring] };
}

/** Opens the page and waits for its layers (the picker lists the base layer). */
export async function openMap(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.locator('body[data-ready]').waitFor();
  await page.locator('#layer-list input[data-layer="elevation"]').waitFor();
  await mapQuiet(page);
}

/** Waits until the map has no WMS image loading, then lets a frame render. */
export async function mapQuiet(page: Page): Promise<void> {
  await page.locator('#map[data-pending="0"]').waitFor();
  await page.waitForTimeout(300);
  await page.locator('#map[data-pending="0"]').waitFor();
}

/** Uploads a GeoJSON file through the file input. */
export async function upload(page: Page, name: string, content: unknown): Promise<void> {
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  await page.locator('#upload-area').setInputFiles({
    name,
    mimeType: 'application/geo+json',
    buffer: Buffer.from(text),
  });
  await page.locator('#area-info', { hasText: name }).waitFor();
}

/** The id of the job on show. */
export async function shownJobId(page: Page): Promise<string> {
  const title = await page.locator('#job-title').getAttribute('title');
  if (title === null) throw new Error('no job is shown');
  return title;
}

/** Waits for the job panel to show a final state and returns it. */
export async function finalState(page: Page, timeout = 30_000): Promise<string> {
  const panel = page.locator('#job[data-finished]');
  await panel.waitFor({ timeout });
  return (await panel.getAttribute('data-state')) ?? '';
}
