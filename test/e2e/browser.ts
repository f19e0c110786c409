/**
 * Debian's Chromium driven by playwright-core (no browser download): headless, without the
 * background networking that this machine's closed network would refuse. Every page records
 * its console errors and uncaught exceptions, so tests can insist on none.
 */
import { access } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env['RELIEF_CHROMIUM'] ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(
      `${CHROMIUM} is missing: the browser tests need Debian's chromium (apt-get install chromium)`,
    );
  }
  // Playwright gives each launch a new, empty profile of its own.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  return { browser, close: () => browser.close() };
}

/** A page whose console errors and uncaught exceptions are collected in `errors`. */
export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 860 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.setDefaultTimeout(20_000);
  return { page, errors };
}
