// Model selection on the page (headless Chromium, WebGPU on SwiftShader), on the toy: with a
// validation share in the link, the Recall chart draws the validation curve beside the test one
// and marks and states the epoch chosen on it; without one, neither.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appSession, SHOTS } from './session';

const EPOCHS = 20;
const { open, pageErrors } = appSession({ readyMs: 90_000 });

describe('model selection on the page', () => {
  it('draws the validation Recall@K beside the test one and names the chosen epoch', async () => {
    const page = await open(`?val=0.3&batchSize=full&lr=0.05&epochs=${EPOCHS}`);
    try {
      const chart = page.getByTestId('recall-chart');
      expect(await chart.getAttribute('data-selected')).toBe('');
      await page.getByTestId('step-size').fill(String(EPOCHS));
      await page.getByTestId('step-n').click();
      await page.locator(`[data-testid=epoch][data-epoch="${EPOCHS}"]`).waitFor({ timeout: 180_000 });
      await page.locator('[data-testid=status]:not([data-status=playing]):not([data-status=stepping])').waitFor();
      await expect.poll(() => chart.getAttribute('data-selected')).not.toBe('');
      // Two curves: test and validation.
      expect(await chart.locator('.recharts-line').count()).toBe(2);
      const chosen = Number(await chart.getAttribute('data-selected'));
      expect(chosen).toBeGreaterThanOrEqual(1);
      expect(chosen).toBeLessThanOrEqual(EPOCHS);
      await expect.poll(() => page.getByTestId('selected-epoch').textContent()).toContain(`Chosen on validation: epoch ${chosen},`);
      await page.screenshot({ path: join(SHOTS, 'e2e-validation-1440.png'), fullPage: true });
    } finally {
      await page.close();
    }

    const plain = await open(`?batchSize=full&lr=0.05&epochs=${EPOCHS}`);
    try {
      await plain.getByTestId('step-size').fill('2');
      await plain.getByTestId('step-n').click();
      await plain.locator('[data-testid=epoch][data-epoch="2"]').waitFor({ timeout: 120_000 });
      expect(await plain.getByTestId('recall-chart').locator('.recharts-line').count()).toBe(1);
      expect(await plain.getByTestId('selected-epoch').count()).toBe(0);
    } finally {
      await plain.close();
    }
    expect(pageErrors).toEqual([]);
  }, 420_000);
});
