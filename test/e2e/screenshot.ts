/**
 * `npm run screenshot`: docs/screenshot.png, the page after a finished elevation job, taken in
 * Debian's Chromium against the same server and fake upstream as the browser tests.
 */
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { launchChromium, openPage } from './browser.ts';
import { startE2eServer } from './e2e-server.ts';
import { finalState, mapQuiet, openMap, polygon, upload } from './pages.ts';

const OUTPUT = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));

const server = await startE2eServer();
const { browser, close } = await launchChromium();
try {
  const { page, errors } = await openPage(browser, { width: 1280, height: 800 });
  await openMap(page, server.base);
  await upload(
    page,
    'bernese-oberland.geojson',
    polygon([
      [7.35, 46.42],
      [7.78, 46.36],
      [8.22, 46.47],
      [8.3, 46.78],
      [7.98, 46.93],
      [7.52, 46.88],
      [7.3, 46.66],
      [7.35, 46.42],
    ]),
  );
  await page.getByRole('button', { name: 'Start elevation job' }).click();
  if ((await finalState(page)) !== 'successful') throw new Error('the job did not succeed');
  await page.locator('.stats').waitFor();
  await mapQuiet(page);
  await page.locator('#submit-job').blur();
  // A palette PNG: half the bytes, no visible difference.
  const png = await page.screenshot();
  await sharp(png).png({ palette: true, quality: 95, effort: 10 }).toFile(OUTPUT);
  if (errors.length > 0) throw new Error(`console errors:\n${errors.join('\n')}`);
  process.stdout.write(`${OUTPUT}\n`);
} finally {
  await close();
  await server.stop();
}
