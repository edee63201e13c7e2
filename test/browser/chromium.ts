// Debian's Chromium (installed by scripts/setup), driven by playwright-core: the browser test of the HTML
// report and bench/html-render.ts open pages through this. Every request a page makes is recorded, so a
// test can show that a report fetches nothing.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** CHROMIUM, or where Debian's package puts it. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`no Chromium at ${path}: run scripts/setup (it installs Debian's chromium), or set CHROMIUM`);
  return path;
}

export async function launch(): Promise<Browser> {
  // --no-sandbox: the tests run as root in CI and here, where Chromium's sandbox refuses to start.
  return await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
}

export interface OpenedPage {
  page: Page;
  /** Every URL the page asked for, the file itself included. */
  requests: string[];
  /** Uncaught errors and console errors. */
  errors: string[];
}

/** Opens a report file and waits until its script has drawn the first view. */
export async function openReport(browser: Browser, file: string, viewport = { width: 1400, height: 900 }): Promise<OpenedPage> {
  // Clipboard permissions, so a test can read back what a copy button copied.
  const context = await browser.newContext({ viewport, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  page.on('close', () => void context.close());
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => void requests.push(request.url()));
  page.on('pageerror', (error) => void errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-ready=true]');
  return { page, requests, errors };
}
