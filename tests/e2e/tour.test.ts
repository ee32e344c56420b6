// The guided first run, in the built app (headless Chromium, WebGPU on SwiftShader): shown on a
// first visit to the toy, skipped and remembered across reloads, and walked through: the graph,
// one epoch stepped, the forward pass animated layer by layer from that epoch's α, and why Tim gets
// The Avengers. The animation's frames are saved as screenshots in test-results/.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { appSession, SHOTS } from './session';

const READY_MS = 90_000;
const TEST_MS = 240_000;

const session = appSession({ readyMs: READY_MS });
const { open, pageErrors } = session;

const tourStep = async (page: Page) => Number(await page.getByTestId('tour').getAttribute('data-step'));

describe('the guided first run', () => {
  it('shows on a first visit, and once skipped stays away after a reload', async () => {
    const page = await open();
    try {
      await page.evaluate(() => localStorage.removeItem('gat-lab-tour'));
      await page.reload();
      await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
      await page.getByTestId('tour').waitFor();
      expect(await tourStep(page)).toBe(1);
      await page.getByTestId('tour-skip').click();
      expect(await page.getByTestId('tour').count()).toBe(0);
      expect(await page.evaluate(() => localStorage.getItem('gat-lab-tour'))).toBe('skipped');
      await page.reload();
      await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
      expect(await page.getByTestId('tour').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, TEST_MS);

  it('walks through the graph, one epoch, one animated forward pass with the epoch’s α, and the why', async () => {
    const page = await open();
    try {
      await page.evaluate(() => localStorage.removeItem('gat-lab-tour'));
      await page.setViewportSize({ width: 1440, height: 900 });
      await page.reload();
      await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
      const tour = page.getByTestId('tour');
      await tour.waitFor();
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-1-graph.png') });

      await page.getByTestId('tour-next').click();
      expect(await tourStep(page)).toBe(2);
      await page.getByTestId('tour-step-epoch').click();
      await page.locator('[data-testid=epoch][data-epoch="1"]').waitFor({ timeout: READY_MS });
      await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
      await tour.filter({ hasText: 'Done: epoch 1' }).waitFor();
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-2-step.png') });

      await page.getByTestId('tour-next').click();
      const mp = page.getByTestId('message-passing');
      await mp.waitFor();
      // Mid-play: a frame as it comes.
      await page.waitForTimeout(1500);
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-3a-playing.png') });
      // Later in a layer's step the messages have arrived and each node shows their sum: paused the
      // moment the caption says so (in the page, before another frame), for a screenshot of it.
      await page.evaluate(
        () =>
          new Promise<void>((resolve) => {
            const caption = document.querySelector('[data-testid=mp-caption]')!;
            const pauseOnSum = () => {
              if (!caption.textContent?.includes('Each node sums what arrives (Σ)')) return false;
              (document.querySelector('[data-testid=mp-play]') as HTMLButtonElement).click();
              resolve();
              return true;
            };
            if (pauseOnSum()) return;
            const watch = new MutationObserver(() => {
              if (pauseOnSum()) watch.disconnect();
            });
            watch.observe(caption, { childList: true, subtree: true, characterData: true });
          }),
      );
      await page.getByTestId('mp-play').filter({ hasText: 'Play' }).waitFor();
      expect(await page.locator('.mp-badge').evaluateAll((ts) => ts.map((t) => t.textContent))).toContain('Σ');
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-3b-summed.png') });
      const layers = 3;
      for (let l = 1; l <= layers; l++) {
        await page.getByTestId(`mp-step-${l}`).click();
        expect(await mp.getAttribute('data-layer')).toBe(String(l));
        await tour.screenshot({ path: join(SHOTS, `e2e-tour-3-conv${l}.png`) });
      }
      // Layer 3's messages carry the α the graph draws for conv3 (mean of the heads, users → movies), at epoch 1
      // (picked: unpicked, the graph shows the layer and head that moved most).
      await page.getByTestId('view-layer').selectOption('3');
      await page.getByTestId('view-head').selectOption('mean');
      const drawn = await page.locator('[data-testid=graph-edge][data-kind=train]').evaluateAll((es) => es.map((e) => Number(e.getAttribute('data-alpha'))));
      const animated = await page.getByTestId('mp-edge').evaluateAll((es) => es.map((e) => Number(e.getAttribute('data-alpha-to-item'))));
      expect(animated.length).toBe(drawn.length);
      const [a, d] = [[...animated].sort(), [...drawn].sort()];
      for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(d[k], 2);
      await page.getByTestId(`mp-step-${layers + 1}`).click();
      expect(await mp.getAttribute('data-layer')).toBe('score');
      const score = Number(await page.getByTestId('explain-score').getAttribute('data-score'));
      expect(await page.getByTestId('mp-caption').innerText()).toContain(score.toFixed(3));
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-3-score.png') });

      await page.getByTestId('tour-next').click();
      const why = page.getByTestId('tour-why');
      expect(await why.innerText()).toContain(await page.getByTestId('explain-summary').innerText());
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-4-why.png') });
      await page.setViewportSize({ width: 390, height: 844 });
      await tour.screenshot({ path: join(SHOTS, 'e2e-tour-4-why-390.png') });
      await page.getByTestId('tour-done').click();
      expect(await page.evaluate(() => localStorage.getItem('gat-lab-tour'))).toBe('finished');
      expect(await page.getByTestId('tour').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, TEST_MS);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
