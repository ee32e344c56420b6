// Real data in the built app, in headless Chromium with WebGPU (SwiftShader): MovieLens
// ml-latest-small (read from ../shared/data, never bundled) loaded through the page's file input,
// with the progress of each phase, the real-data settings, a few full-batch epochs and the
// explanation of a recommendation for a user who rated Guardians of the Galaxy; a bad file that
// leaves the run as it was; a CSV of unknown columns mapped in the dialog; files dropped on the
// page. Screenshots go to test-results/ (gitignored).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { appSession, SHOTS } from './session';
import { ML_SMALL_DIR } from '../helpers/paths';

const GUARDIANS = 'Guardians of the Galaxy (2014)';
/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 120_000;
const TEST_MS = 240_000;
/** Loading, three full-batch epochs and five explanations of 100,836 ratings on a software GPU. */
const REAL_MS = 600_000;
/** One explanation of ml-latest-small on SwiftShader (its counterfactuals are full forward passes), queued behind another. */
const EXPLAIN_MS = 240_000;

const { open, pageErrors } = appSession({ readyMs: READY_MS });

const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `e2e-real-${name}.png`), fullPage: true });
const epochOf = async (page: Page) => Number(await page.getByTestId('epoch').getAttribute('data-epoch'));
const pointsOf = async (page: Page, chart: string) => Number(await page.getByTestId(chart).getAttribute('data-points'));

/** Records, in the page, each load phase the progress bar shows and when (ms since the call). */
async function watchPhases(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { phases: [string, number][] };
    const t0 = performance.now();
    w.phases = [];
    const note = () => {
      const phase = document.querySelector('[data-testid=load-progress]')?.getAttribute('data-phase') ?? 'none';
      if (w.phases.length === 0 || w.phases[w.phases.length - 1][0] !== phase) w.phases.push([phase, Math.round(performance.now() - t0)]);
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-phase'] });
  });
}

/** The users who rated a movie, in file order, from ml-latest-small itself. */
function usersWhoRated(movieTitle: string): string[] {
  const movieId = readFileSync(`${ML_SMALL_DIR}movies.csv`, 'utf8').split('\n').find((l) => l.includes(`,${movieTitle},`))!.split(',')[0];
  return readFileSync(`${ML_SMALL_DIR}ratings.csv`, 'utf8')
    .split('\n')
    .filter((l) => l.split(',')[1] === movieId)
    .map((l) => l.split(',')[0]);
}

describe('real data in the browser', () => {
  it('loads ml-latest-small through the file input, trains full batch, explains a recommendation for a user who rated Guardians of the Galaxy, and survives a bad file', async () => {
    const page = await open();
    await watchPhases(page);
    const started = Date.now();
    await page.getByTestId('data-input').setInputFiles([`${ML_SMALL_DIR}ratings.csv`, `${ML_SMALL_DIR}movies.csv`]);
    const counts = page.getByTestId('data-counts');
    await counts.filter({ hasText: '610 users' }).waitFor({ timeout: READY_MS });
    const wall = Date.now() - started;
    // Every rating and every rated movie (the real-data settings keep all ratings).
    expect(await counts.innerText()).toMatch(/^610 users · 9,724 movies · 100,836 ratings · loaded in [\d.]+ s$/);
    expect(await page.getByTestId('data-label').innerText()).toBe('ratings.csv + movies.csv');
    // The page's own redraws before the load record "none" first.
    const recorded = await page.evaluate(() => (window as unknown as { phases: [string, number][] }).phases);
    const phases = recorded.slice(recorded.findIndex(([p]) => p !== 'none'));
    expect(phases.map(([p]) => p)).toEqual(['reading', 'parsing', 'building', 'evaluating', 'none']);
    const loadMs = Number(await page.getByTestId('load-time').getAttribute('data-ms'));
    const at = Object.fromEntries(phases);
    console.log(
      `ml-latest-small ratings.csv + movies.csv in the page: ${loadMs} ms from the pick to the first evaluation (${wall} ms as the test saw it); ` +
        `phases began at reading ${at.reading}, parsing ${at.parsing}, building ${at.building}, evaluating ${at.evaluating}, ready ${at.none} ms`,
    );

    // The seed's toy settings gave way to the real-data ones, and the page says so.
    expect(await page.getByTestId('load-notice').innerText()).toMatch(/batchSize full.*k 20/);
    expect(await page.getByTestId('setting-batchSize').inputValue()).toBe('full');
    expect(await page.getByTestId('setting-k').inputValue()).toBe('20');
    expect(new URLSearchParams(await page.evaluate(() => location.search)).get('batchSize')).toBe('full');
    expect(await page.getByTestId('recall-chart').locator('figcaption').innerText()).toContain('Recall@20');
    await shot(page, '1-loaded');

    // The pair explained first is a recommendation: the first held-out user and their top movie.
    await page.getByTestId('explain-rank').filter({ hasText: /^Ranked 1st of/ }).waitFor({ timeout: EXPLAIN_MS });
    // The neighbourhood's centre has its own edges drawn strongest, the rest faded.
    const opacities = (focus: string) => page.locator(`[data-testid=graph-edge][data-focus=${focus}] .line`).evaluateAll((es) => es.map((e) => Number(e.getAttribute('stroke-opacity'))));
    const [centre, aside] = [await opacities('centre'), await opacities('aside')];
    expect(centre.length).toBeGreaterThan(0);
    expect(aside.length).toBeGreaterThan(0);
    expect(Math.min(...centre)).toBeGreaterThan(Math.max(...aside));
    // User badges read as the ids themselves ("15", "137"), not their first digit.
    const users = await page.locator('[data-testid=graph-node][data-type=user]').evaluateAll((ns) => ns.map((n) => [n.getAttribute('data-name'), n.querySelector('.initial')?.textContent]));
    for (const [name, badge] of users) expect(badge).toBe(name!.length <= 4 ? name : `${name!.slice(0, 3)}…`);

    // Two full-batch epochs.
    await page.getByTestId('step-size').fill('2');
    await page.getByTestId('step-n').click();
    await page.locator('[data-testid=epoch][data-epoch="2"]').waitFor({ timeout: 180_000 });
    await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: 60_000 });
    expect(await pointsOf(page, 'loss-chart')).toBe(2);

    // A user who rated Guardians of the Galaxy (other than the one explained at first), and the first of their recommendations.
    const fans = usersWhoRated(GUARDIANS);
    expect(fans.length).toBe(59);
    const userBox = page.getByTestId('explain-user');
    const shownFirst = await userBox.inputValue();
    const user = fans.find((u) => u !== shownFirst)!;
    await userBox.fill(user);
    await userBox.press('Enter');
    const topList = page.getByTestId('explain-topk');
    await page.getByTestId('explain-summary').filter({ hasText: new RegExp(`\\buser ${user}\\b`) }).waitFor({ timeout: EXPLAIN_MS });
    const recommended = (await topList.locator('.topk-name').first().getAttribute('title'))!;
    expect(recommended.length).toBeGreaterThan(0);
    const itemBox = page.getByTestId('explain-item');
    await itemBox.fill(recommended);
    await itemBox.press('Enter');
    await page.locator('[data-testid=explain-topk] li.me').first().waitFor({ timeout: EXPLAIN_MS });
    await page.locator('[data-testid=explain][data-epoch="2"]').waitFor({ timeout: EXPLAIN_MS });
    await page.locator('[data-testid=explain-counterfactuals] [data-testid=counterfactual-row]').first().waitFor({ timeout: EXPLAIN_MS });
    expect(await itemBox.inputValue()).toBe(recommended);
    const score = page.getByTestId('explain-score');
    expect(Number.isFinite(Number(await score.getAttribute('data-score')))).toBe(true);
    expect(await score.innerText()).toMatch(/^-?\d+\.\d{3}$/);
    expect(await page.getByTestId('explain-rank').innerText()).toMatch(/Ranked 1st of [\d,]+ candidates/);
    expect(await page.getByTestId('explain-summary').innerText()).toContain(`user ${user}`);
    // Each connecting path runs from the user to the movie (the chips' titles hold the full names).
    const ends = await page.getByTestId('explain-path').evaluateAll((ps) =>
      ps.map((p) => {
        const chips = [...p.querySelectorAll('.node-chip')].map((c) => c.getAttribute('title') ?? '');
        return [chips[0], chips[chips.length - 1]];
      }),
    );
    expect(ends.length).toBeGreaterThan(0);
    for (const [first, last] of ends) {
      expect(first.startsWith(`user ${user}`)).toBe(true);
      expect(last.startsWith(recommended)).toBe(true);
    }
    expect(await page.getByTestId('counterfactual-table').innerText()).toMatch(/[+−]\d+\.\d{3}/);
    await shot(page, '2-explained');

    // A bad file: the error names the file, line and reason; the run, its data and charts stay.
    await page.getByTestId('data-input').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('userId,movieId,rating\n1,10,4\n1,20,five\n') });
    const error = page.getByTestId('load-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toMatch(/bad\.csv, line 3: rating "five" is not a number[\s\S]*The run and its data are unchanged/);
    expect(await page.getByTestId('data-label').innerText()).toBe('ratings.csv + movies.csv');
    expect(await counts.innerText()).toMatch(/^610 users · 9,724 movies · 100,836 ratings/);
    expect(await epochOf(page)).toBe(2);
    expect(await pointsOf(page, 'loss-chart')).toBe(2);
    expect(await page.getByTestId('explain-user').inputValue()).toBe(user);
    await shot(page, '3-bad-file');
    // ... and it trains on from there.
    await page.getByTestId('step').click();
    await page.locator('[data-testid=epoch][data-epoch="3"]').waitFor({ timeout: 120_000 });
    expect(await pointsOf(page, 'loss-chart')).toBe(3);
    await page.close();
  }, REAL_MS);

  it('maps the columns of an unknown CSV in a dialog, and loads files dropped anywhere on the page', async () => {
    const page = await open();
    const csv = 'who,what,stars,when,note\n' + Array.from({ length: 12 }, (_, k) => `p${k % 4},thing ${k % 5},${(k % 5) + 1},${100 + k},"ok, fine"`).join('\n');
    await page.getByTestId('data-input').setInputFiles({ name: 'shop.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const dialog = page.getByTestId('mapping-dialog');
    await dialog.waitFor({ timeout: 60_000 });
    expect(await dialog.locator('thead th').evaluateAll((ths) => ths.map((th) => th.firstChild?.textContent))).toEqual(['who', 'what', 'stars', 'when', 'note']);
    expect(await dialog.locator('tbody tr').count()).toBe(5);
    expect(await dialog.locator('tbody tr').first().locator('td').allInnerTexts()).toEqual(['p0', 'thing 0', '1', '100', 'ok, fine']);
    // The guess found the rating column by its name; the rest is the user's to say.
    expect(await dialog.locator('thead .mapped-as').allInnerTexts()).toEqual(['Rating']);
    expect(await page.getByTestId('mapping-rating').inputValue()).toBe('stars');
    expect(await page.getByTestId('mapping-load').isDisabled()).toBe(true);
    expect(await page.getByTestId('mapping-problem').innerText()).toMatch(/Choose the user, item columns/);
    await page.getByTestId('mapping-user').selectOption('who');
    await page.getByTestId('mapping-item').selectOption('stars');
    expect(await page.getByTestId('mapping-problem').innerText()).toMatch(/“stars” is chosen for both item and rating/);
    await page.getByTestId('mapping-item').selectOption('what');
    await page.getByTestId('mapping-time').selectOption('when');
    expect(await page.getByTestId('mapping-problem').count()).toBe(0);
    await shot(page, '4-mapping');
    await page.getByTestId('mapping-load').click();
    const counts = page.getByTestId('data-counts');
    await counts.filter({ hasText: '4 users' }).waitFor({ timeout: READY_MS });
    expect(await counts.innerText()).toMatch(/^4 users · 5 movies · 12 ratings/);
    expect(await page.getByTestId('data-label').innerText()).toBe('shop.csv');
    expect(await dialog.count()).toBe(0);

    // Files dropped on the page (here on the graph) load as if picked; the veil shows while dragging.
    const ratings = 'user,item,rating,timestamp\nAda,Heat,5,1\nAda,Ran,3,2\nBen,Heat,4,3\nBen,Alien,2,4\nCy,Ran,5,5\n';
    const drag = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
      return dt;
    }, ratings);
    const target = page.locator('.graph-card');
    await target.dispatchEvent('dragenter', { dataTransfer: drag });
    await page.getByTestId('drop-veil').waitFor();
    await shot(page, '5-drop-veil');
    await target.dispatchEvent('drop', { dataTransfer: drag });
    await counts.filter({ hasText: '3 users' }).waitFor({ timeout: READY_MS });
    expect(await counts.innerText()).toMatch(/^3 users · 3 movies · 5 ratings/);
    expect(await page.getByTestId('data-label').innerText()).toBe('dropped.csv');
    expect(await page.getByTestId('drop-veil').count()).toBe(0);
    await page.close();
  }, TEST_MS);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
