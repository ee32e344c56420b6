// Learning you can see, in the built app (headless Chromium, WebGPU on SwiftShader), on the toy:
// the graph coloured by α's change since epoch 0 in the layer and head that moved most, one edge's
// α per layer and head over the kept epochs, and the held-out movie's margin and rank beside
// Recall@1. Screenshots at 1440×900 and 390×844 go to test-results/.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appSession, SHOTS } from './session';

const READY_MS = 90_000;
const TEST_MS = 300_000;
const EPOCHS = 60;

const { open, pageErrors } = appSession({ readyMs: READY_MS });

describe('learning you can see (toy)', () => {
  it('colours α by its change, opens on the layer and head that moved most, and follows one edge and Tim’s margin over the epochs', async () => {
    const page = await open();
    try {
      await page.setViewportSize({ width: 1440, height: 900 });
      const viewNow = async () => ({ layer: await page.getByTestId('view-layer').inputValue(), head: await page.getByTestId('view-head').inputValue() });
      // Nothing has moved at epoch 0: the last layer's mean of the heads.
      expect(await viewNow()).toEqual({ layer: '3', head: 'mean' });
      await page.getByTestId('step-size').fill(String(EPOCHS));
      await page.getByTestId('step-n').click();
      await page.locator(`[data-testid=epoch][data-epoch="${EPOCHS}"]`).waitFor({ timeout: 180_000 });
      await page.locator('[data-testid=status][data-status=idle]').waitFor();

      // Without a pick, the view has followed the layer and head that moved most (checked below).
      const followed = await viewNow();
      // The change view: every training edge has a Δα, and the view is the layer and head whose Δα is largest on average.
      await page.getByTestId('colour-change').click();
      await page.getByTestId('change-legend').waitFor();
      const layers = await page.getByTestId('view-layer').locator('option').count();
      const heads = (await page.getByTestId('view-head').locator('option').count()) - 1;
      // The mean |Δα| over every slot of the view: the training edges in both directions (each rating is one slot each way).
      const meanChange = async () => {
        const sums: number[] = [];
        for (const direction of ['users → movies', 'movies → users']) {
          await page.getByRole('radio', { name: direction }).click();
          const cs = await page.locator('[data-testid=graph-edge][data-kind=train]').evaluateAll((es) => es.map((e) => Math.abs(Number(e.getAttribute('data-change')))));
          sums.push(cs.reduce((s, x) => s + x, 0) / cs.length);
        }
        return (sums[0] + sums[1]) / 2;
      };
      const chosen = { layer: await page.getByTestId('view-layer').inputValue(), head: await page.getByTestId('view-head').inputValue() };
      await page.screenshot({ path: join(SHOTS, 'e2e-learning-change-1440.png'), fullPage: true });
      const best = await meanChange();
      expect(best).toBeGreaterThan(0);
      // No other layer and head moved more; the followed one moved at least 90% as far (it is kept through near ties).
      let followedChange = Number.NaN;
      for (let l = 1; l <= layers; l++) {
        for (const h of ['mean', ...Array.from({ length: heads }, (_, k) => String(k))]) {
          await page.getByTestId('view-layer').selectOption(String(l));
          await page.getByTestId('view-head').selectOption(h);
          const c = await meanChange();
          expect(c, `conv${l} head ${h}`).toBeLessThanOrEqual(best + 1e-3);
          if (String(l) === followed.layer && h === followed.head) followedChange = c;
        }
      }
      expect(followedChange, `followed view conv${followed.layer} head ${followed.head}`).toBeGreaterThanOrEqual(0.9 * best - 1e-3);
      await page.getByTestId('view-layer').selectOption(chosen.layer);
      await page.getByTestId('view-head').selectOption(chosen.head);

      // One edge's α in every layer and head, over all kept epochs (every epoch on the toy).
      const steveGuardians = page.locator('[data-testid=graph-edge][data-user=Steve][data-item="Guardians of the Galaxy"] .hit');
      await steveGuardians.dispatchEvent('click');
      const strip = page.getByTestId('alpha-history');
      await strip.filter({ hasText: 'Steve' }).waitFor();
      expect(await strip.getByTestId('alpha-spark').count()).toBe(layers * heads);
      expect(Number(await strip.getAttribute('data-epochs'))).toBe(EPOCHS + 1);

      // Tim's margin for The Avengers, one point per kept epoch, and his rank, which Recall@1 follows.
      const margin = page.getByTestId('margin-chart');
      expect(Number(await margin.getAttribute('data-points'))).toBe(EPOCHS + 1);
      const standing = page.getByTestId('held-out-standing');
      const rank = Number(await standing.getAttribute('data-rank'));
      const m = Number(await standing.getAttribute('data-margin'));
      expect(rank).toBe(m > 0 ? 1 : 2);
      expect(Number(await page.getByTestId('recall').innerText())).toBe(rank === 1 ? 1 : 0);
      await page.screenshot({ path: join(SHOTS, 'e2e-learning-1440.png'), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.locator('.graph-card').screenshot({ path: join(SHOTS, 'e2e-learning-390-graph.png') });
      await page.locator('.charts').screenshot({ path: join(SHOTS, 'e2e-learning-390-charts.png') });

      // A layer and head the user picked stay while training goes on.
      await page.getByTestId('view-layer').selectOption('1');
      await page.getByTestId('view-head').selectOption('1');
      await page.getByTestId('step-size').fill('5');
      await page.getByTestId('step-n').click();
      await page.locator(`[data-testid=epoch][data-epoch="${EPOCHS + 5}"]`).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=status][data-status=idle]').waitFor();
      expect(await viewNow()).toEqual({ layer: '1', head: '1' });
    } finally {
      await page.close();
    }
  }, TEST_MS);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
