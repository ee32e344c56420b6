// Model selection on the page (headless Chromium, WebGPU on SwiftShader), on the toy: with a
// validation share in the link, the Recall chart draws the validation curve beside the test one
// and marks and states the epoch chosen on it; the graph draws validation ratings dotted in their
// own colour, apart from the dashed test rating, and the legend names both; without one, none of it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EDGE_DASH, TEST_EDGE_COLOR, VAL_EDGE_COLOR } from '../../src/ui/format';
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

      // Train, validation and test ratings told apart: the graph's edges and the legend.
      const line = (kind: string) => page.locator(`[data-testid=graph-edge][data-kind=${kind}] path.line`).first();
      expect(await page.locator('[data-testid=graph-edge][data-kind=val]').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid=graph-edge][data-kind=test]').count()).toBe(1);
      expect(await line('val').getAttribute('stroke')).toBe(VAL_EDGE_COLOR);
      expect(await line('val').getAttribute('stroke-dasharray')).toBe(EDGE_DASH.val);
      expect(await line('test').getAttribute('stroke')).toBe(TEST_EDGE_COLOR);
      expect(await line('test').getAttribute('stroke-dasharray')).toBe(EDGE_DASH.test);
      expect(await line('train').getAttribute('stroke-dasharray')).toBeNull();
      expect(EDGE_DASH.val).not.toBe(EDGE_DASH.test);
      expect(await page.getByTestId('legend-val').textContent()).toBe('held-out validation rating (chooses the epoch)');
      expect(await page.getByTestId('legend-val').locator('line').getAttribute('stroke')).toBe(VAL_EDGE_COLOR);
      expect(await page.getByTestId('legend-test').textContent()).toBe('held-out test rating');
      // The tooltip names a validation rating as such (hovered a quarter of the way along, clear of the crossings).
      const at = await page.locator('[data-testid=graph-edge][data-kind=val] path.hit').first().evaluate((el: SVGPathElement) => {
        const p = el.getPointAtLength(el.getTotalLength() * 0.25);
        const m = el.getScreenCTM()!;
        return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
      });
      await page.mouse.move(at.x, at.y);
      await expect.poll(() => page.getByTestId('tooltip').innerText()).toContain('held-out validation rating (chooses the epoch)');
      await page.locator('.graph-card').screenshot({ path: join(SHOTS, 'e2e-validation-graph.png') });
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
      expect(await plain.getByTestId('legend-val').count()).toBe(0);
      expect(await plain.getByTestId('legend-test').count()).toBe(1);
      expect(await plain.locator('[data-testid=graph-edge][data-kind=val]').count()).toBe(0);
    } finally {
      await plain.close();
    }
    expect(pageErrors).toEqual([]);
  }, 420_000);
});
