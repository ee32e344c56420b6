// One end-to-end test file's session with the built app: before its tests the app is built and
// served and the machine's Chromium launched (harness.ts), after them both are closed. `open`
// gives a page of the app at a query, waited on until the run is idle, with the page's uncaught
// errors gathered in `pageErrors`. Screenshots go to SHOTS (gitignored).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Page } from 'playwright-core';
import { buildAndServe, CHROMIUM_FLAGS, launchBrowser, REPO, type Browser, type Served } from './harness';

export const SHOTS = join(REPO, 'test-results');

export interface AppSession {
  /** A new page at the app's address with `query` (from '?'), once the run is idle (within readyMs). */
  open(query?: string): Promise<Page>;
  /** The uncaught errors of every page `open` gave, each after its query where it had one. */
  readonly pageErrors: string[];
  /** Set from beforeAll on. */
  readonly served: Served;
  readonly browser: Browser;
}

/**
 * Registers the file's beforeAll and afterAll. `readyMs` bounds each page's wait for an idle run;
 * `savedRuns` is launchBrowser's: 'forget' (every load a first visit) unless the file tests keeping runs.
 */
export function appSession({ readyMs, savedRuns = 'forget' }: { readyMs: number; savedRuns?: 'keep' | 'forget' }): AppSession {
  let served: Served | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    served = await buildAndServe();
    browser = await launchBrowser(CHROMIUM_FLAGS, savedRuns);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  const started = <T>(it: T | undefined, what: string): T => {
    if (it === undefined) throw new Error(`the ${what} is not up: appSession's beforeAll has not run or failed`);
    return it;
  };

  return {
    get served() {
      return started(served, 'preview server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    pageErrors,
    async open(query = '') {
      const page = await started(browser, 'browser').context.newPage();
      page.on('pageerror', (e) => pageErrors.push(query ? `${query}: ${e.message}` : e.message));
      await page.goto(`${started(served, 'preview server').url}${query}`);
      await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: readyMs });
      return page;
    },
  };
}
