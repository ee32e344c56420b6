// The Search card in the built app (headless Chromium, WebGPU on SwiftShader): R, T, E checked as
// typed, a comparison of KNN-MIPS with the exact top-K run in the engine worker on the current
// epoch, and its report on the page.
import { describe, expect, it } from 'vitest';
import { appSession } from './session';

/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 90_000;
const TEST_MS = 240_000;

const { open, pageErrors } = appSession({ readyMs: READY_MS });

describe('the Search card', () => {
  it(
    'clamps an E the kernels cannot hold, compares KNN-MIPS with the exact top-1 on the toy, and follows the run’s epoch',
    async () => {
      const page = await open();
      const card = page.getByTestId('search');
      expect(await card.textContent()).toContain('Exact top-1 against KNN-MIPS');

      const e = page.getByTestId('search-expansions');
      await e.fill('100');
      await e.press('Enter');
      await expect.poll(() => e.inputValue()).toBe('64');
      expect(await card.getByRole('alert').textContent()).toContain('must be in [1, 64], got 100; using 64');
      await page.getByTestId('search-restarts').fill('2');
      await page.getByTestId('search-steps').fill('3');

      // The toy's 3 movies: every walk sees both other movies, so KNN-MIPS finds each exact top-1.
      await page.getByTestId('search-run').click();
      const result = page.getByTestId('search-result');
      await result.waitFor({ timeout: READY_MS });
      expect(await result.getAttribute('data-recall')).toBe('1');
      expect(await result.getAttribute('data-epoch')).toBe('0');
      const text = (await result.textContent()) ?? '';
      expect(text).toContain('recall@1 of KNN-MIPS against the exact top-1, mean over 3 users');
      expect(text).toMatch(/Exact \d[\d.,]* ms · KNN-MIPS \d[\d.,]* ms \(\d+\.\d× (faster|slower)\) · item graph built in \d[\d.,]* ms/);
      expect(text).toMatch(/Epoch 0 · R 2 · T 3 · E 64 · 3 movies/);

      // Three epochs on, the same E: the comparison is of epoch 3, with a new graph for its embeddings.
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.locator('[data-testid=epoch][data-epoch="3"]').waitFor({ timeout: READY_MS });
      await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
      await page.getByTestId('search-run').click();
      await page.locator('[data-testid=search-result][data-epoch="3"]').waitFor({ timeout: READY_MS });
      expect(await result.textContent()).toMatch(/item graph built in/);
      // Again at once: the graph of epoch 3 and E 64 is reused.
      await page.getByTestId('search-run').click();
      await page.getByText('item graph of this epoch and E reused').waitFor({ timeout: READY_MS });
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});
