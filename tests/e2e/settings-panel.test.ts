// The settings panel in the built app (headless Chromium, WebGPU on SwiftShader): every setting
// with its plain label, the seed's name and a hint, at desktop and phone widths, and a typed value
// its rule refuses: marked and explained beside its field, and nothing changes (the run goes on,
// the link stays) until the value is good. Screenshots go to test-results/.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { SETTING_KEYS, SETTINGS } from '../../src/train/settings';
import { appSession, SHOTS } from './session';

/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 90_000;
const TEST_MS = 240_000;

const { open, pageErrors } = appSession({ readyMs: READY_MS });

const epochOf = async (page: Page) => Number(await page.getByTestId('epoch').getAttribute('data-epoch'));
const search = (page: Page) => page.evaluate(() => location.search);

describe('the settings panel', () => {
  it('labels every setting in plain words, with the seed’s name and a hint, at 1440 and at 390 px', async () => {
    const page = await open();
    for (const [width, height] of [[1440, 900], [390, 844]]) {
      await page.setViewportSize({ width, height });
      const panel = page.getByTestId('settings');
      for (const key of SETTING_KEYS) {
        const row = SETTINGS[key];
        const field = page.locator('label.field', { has: page.getByTestId(`setting-${key}`) });
        expect(await field.locator('.field-label').innerText(), key).toBe(row.label);
        expect(await field.locator('.field-hint').innerText(), key).toBe(row.hint);
        if (row.seedName) expect(await field.locator('.field-seed-name').innerText(), key).toBe(row.seedName);
        // Nothing runs out of the panel at this width.
        const box = (await field.boundingBox())!;
        const outer = (await panel.boundingBox())!;
        expect(box.x + box.width, key).toBeLessThanOrEqual(outer.x + outer.width + 0.5);
      }
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(SHOTS, `e2e-settings-${width}.png`) });
      await panel.screenshot({ path: join(SHOTS, `e2e-settings-panel-${width}.png`) });
    }
    await page.close();
  }, TEST_MS);

  it('marks a learning rate of "abc", says why beside the field, and neither restarts the run nor changes the link', async () => {
    const page = await open('?epochs=40');
    await page.getByTestId('step').click();
    await page.locator('[data-testid=epoch][data-epoch="1"]').waitFor();
    await page.locator('[data-testid=status][data-status=idle]').waitFor();
    const before = await search(page);
    const lr = page.getByTestId('setting-lr');

    await lr.fill('abc');
    await lr.press('Enter');
    const problem = page.getByTestId('setting-lr-problem');
    await problem.waitFor();
    expect(await problem.innerText()).toBe('Not applied: the learning rate must be a number, got "abc".');
    expect(await lr.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('label.field.has-issue').count()).toBe(1);
    await page.locator('label.field.has-issue').screenshot({ path: join(SHOTS, 'e2e-settings-refused-lr.png') });
    // Leaving the field does not apply it either; the entry stays, for the user to fix.
    await lr.blur();
    await page.waitForTimeout(500);
    expect(await lr.inputValue()).toBe('abc');
    expect(await epochOf(page)).toBe(1);
    expect(await search(page)).toBe(before);
    expect(await page.getByTestId('settings-issues').count()).toBe(0);

    // Out of range is refused the same way, with the rule's range.
    await lr.fill('1e9');
    await lr.press('Enter');
    expect(await problem.innerText()).toBe('Not applied: the learning rate must be in [0.000001, 1], got 1000000000.');
    await page.waitForTimeout(500);
    expect(await epochOf(page)).toBe(1);
    expect(await search(page)).toBe(before);

    // A good value clears the mark as it is typed, and applies on Enter: a fresh run, in the link.
    await lr.fill('0.02');
    expect(await problem.count()).toBe(0);
    expect(await lr.getAttribute('aria-invalid')).toBe('false');
    await lr.press('Enter');
    await page.locator('[data-testid=epoch][data-epoch="0"]').waitFor();
    await page.locator('[data-testid=status][data-status=idle]').waitFor();
    expect(new URLSearchParams(await search(page)).get('lr')).toBe('0.02');
    expect(pageErrors).toEqual([]);
    await page.close();
  }, TEST_MS);
});
