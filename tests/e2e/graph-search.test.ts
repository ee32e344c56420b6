// The graph view at scale, in the built app in headless Chromium with WebGPU (SwiftShader): a
// generated dataset of 450 users and 220 movies loaded through the page's file input is drawn as
// the neighbourhood of one user or movie, found with the search box by id or title (keyboard and
// pointer), with the card saying what is drawn and the explanation following. The toy is drawn
// whole, without a search box. Screenshots go to test-results/ (gitignored).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Rng } from '../../src/util/rng';
import { appSession, SHOTS } from './session';

/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 120_000;
const TEST_MS = 400_000;

const USERS = 450;
const MOVIES = 220;
/** Rates exactly 30 movies. */
const USER_42 = 42;
const TITLES: Record<number, string> = { 1: 'Amélie (2001)', 2: 'Matrix, The (1999)', 3: 'Toy Story (1995)' };

/** ratings.csv and movies.csv: each user rates 15 to 24 movies (user 42: 30), one user in three rates Amélie. */
function dataset(): { ratings: string; movies: string } {
  const rng = new Rng(2024);
  const rows = ['userId,movieId,rating,timestamp'];
  let time = 1_000_000;
  for (let u = 1; u <= USERS; u++) {
    const count = u === USER_42 ? 30 : 15 + (u % 10);
    const seen = new Set<number>(u % 3 === 0 ? [1] : []);
    while (seen.size < count) seen.add(1 + rng.int(MOVIES));
    for (const m of seen) rows.push(`${u},${m},${1 + rng.int(5)}.0,${time++}`);
  }
  const movies = ['movieId,title,genres'];
  for (let m = 1; m <= MOVIES; m++) {
    const title = TITLES[m] ?? `Film number ${m} (${1950 + (m % 70)})`;
    movies.push(`${m},${title.includes(',') ? `"${title}"` : title},Drama`);
  }
  return { ratings: `${rows.join('\n')}\n`, movies: `${movies.join('\n')}\n` };
}

const { open, pageErrors } = appSession({ readyMs: READY_MS });

/** The graph card alone (with any open suggestions), and the whole page. */
async function shot(page: Page, name: string): Promise<void> {
  await page.locator('.graph-card').screenshot({ path: join(SHOTS, `e2e-graph-${name}.png`) });
  await page.screenshot({ path: join(SHOTS, `e2e-graph-${name}-page.png`), fullPage: true });
}
const caption = (page: Page) => page.getByTestId('graph-caption').innerText();

async function drawnCounts(page: Page): Promise<{ nodes: number; edges: number }> {
  return { nodes: await page.getByTestId('graph-node').count(), edges: await page.getByTestId('graph-edge').count() };
}

describe('the graph view at scale', () => {
  it('draws the toy whole, then a 670-node dataset as a searchable neighbourhood that the explanation follows', async () => {
    const page = await open();
    // The toy: every node, no search box, no caption.
    expect(await drawnCounts(page)).toEqual({ nodes: 6, edges: 8 });
    expect(await page.getByTestId('graph-search').count()).toBe(0);

    const { ratings, movies } = dataset();
    await page.getByTestId('data-input').setInputFiles([
      { name: 'ratings.csv', mimeType: 'text/csv', buffer: Buffer.from(ratings) },
      { name: 'movies.csv', mimeType: 'text/csv', buffer: Buffer.from(movies) },
    ]);
    await page.getByTestId('data-counts').filter({ hasText: `${USERS} users · ${MOVIES} movies` }).waitFor({ timeout: READY_MS });
    await page.getByTestId('graph-caption').waitFor({ timeout: READY_MS });
    await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
    const first = await drawnCounts(page);
    expect(first.nodes).toBeGreaterThan(2);
    expect(first.nodes).toBeLessThanOrEqual(40);
    expect(first.edges).toBeLessThanOrEqual(160);
    expect(await caption(page)).toMatch(/by conv3 attention \(mean of the heads, users → movies\)/);

    // A user by id, with the keyboard: the exact id first; the arrows move the choice; Enter picks.
    const search = page.getByTestId('graph-search');
    await search.fill(String(USER_42));
    const options = page.locator('[data-testid=graph-search-suggestions] [data-testid=node-suggestion]');
    await options.first().waitFor();
    expect(await options.count()).toBeLessThanOrEqual(10);
    expect(await options.first().getAttribute('data-type')).toBe('user');
    expect(await options.first().locator('.name').innerText()).toBe(`user ${USER_42}`);
    expect(await options.first().getAttribute('aria-selected')).toBe('true');
    await search.press('ArrowDown');
    expect(await options.nth(1).getAttribute('aria-selected')).toBe('true');
    expect(await options.first().getAttribute('aria-selected')).toBe('false');
    await search.press('ArrowUp');
    expect(await options.first().getAttribute('aria-selected')).toBe('true');
    await shot(page, '1-suggestions');
    await search.press('Enter');
    expect(await options.count()).toBe(0);
    await page.getByTestId('graph-caption').filter({ hasText: `user ${USER_42}’s 30 ratings` }).waitFor();
    expect(await caption(page)).toMatch(new RegExp(`^The 12 strongest of user ${USER_42}’s 30 ratings by conv3 attention \\(mean of the heads, users → movies\\), with each movie’s strongest other ratings\\.`));
    const focused = page.locator(`[data-testid=graph-node][data-type=user][data-name="${USER_42}"]`);
    expect(await focused.getAttribute('class')).toContain('selected');
    // Its 12 strongest ratings are drawn (and the explained movie's, when it rated it).
    const own = await page.locator(`[data-testid=graph-edge][data-user="${USER_42}"]`).count();
    expect(own).toBeGreaterThanOrEqual(12);
    expect(own).toBeLessThanOrEqual(13);
    const after = await drawnCounts(page);
    expect(after.nodes).toBeLessThanOrEqual(40);
    expect(after.edges).toBeLessThanOrEqual(160);
    // The explanation follows: its user box (a search box with 450 users) and its summary.
    expect(await page.getByTestId('explain-user').inputValue()).toBe(String(USER_42));
    await page.getByTestId('explain-summary').filter({ hasText: `user ${USER_42}` }).waitFor({ timeout: READY_MS });
    await shot(page, '2-user');

    // A movie by part of its title, without its accent, picked with the pointer.
    await search.fill('AMELIE');
    await options.first().waitFor();
    expect(await options.first().locator('.name').innerText()).toBe('Amélie (2001)');
    await options.first().click();
    await page.getByTestId('graph-caption').filter({ hasText: 'Amélie (2001)’s' }).waitFor();
    expect(await caption(page)).toMatch(/^The 12 strongest of Amélie \(2001\)’s \d+ ratings by conv3 attention \(mean of the heads, users → movies\), with each user’s strongest other ratings\./);
    expect(await page.getByTestId('explain-item').locator('option:checked').innerText()).toBe('Amélie (2001)');
    // The explained user stays drawn beside the movie's strongest raters.
    expect(await focused.count()).toBe(1);
    expect(await page.locator('[data-testid=graph-node][data-type=item][data-name="Amélie (2001)"]').getAttribute('class')).toContain('selected');

    // A title filed under its noun, typed with the article first.
    await search.fill('the matrix');
    await options.first().waitFor();
    expect(await options.first().locator('.name').innerText()).toBe('Matrix, The (1999)');
    // Nothing found says so; Escape closes the list and leaves the view as it was.
    await search.fill('zzz');
    expect(await page.getByTestId('node-search-none').innerText()).toBe('No user or movie matches “zzz”.');
    await search.press('Escape');
    expect(await page.getByTestId('node-search-none').count()).toBe(0);
    expect(await search.inputValue()).toBe('');
    expect(await caption(page)).toContain('Amélie (2001)’s');

    // The caption follows the attention controls.
    await page.getByTestId('view-layer').selectOption('1');
    await page.getByRole('radio', { name: 'movies → users' }).click();
    expect(await caption(page)).toMatch(/by conv1 attention \(mean of the heads, movies → users\)/);

    // Clicking a drawn user moves the focus (and the explained user) there.
    const other = page.locator(`[data-testid=graph-node][data-type=user]:not([data-name="${USER_42}"])`).first();
    const name = (await other.getAttribute('data-name'))!;
    await other.locator('.shape').click();
    await page.getByTestId('graph-caption').filter({ hasText: `user ${name}’s` }).waitFor();
    expect(await page.getByTestId('explain-user').inputValue()).toBe(name);
    await page.getByTestId('explain-summary').filter({ hasText: `user ${name}` }).waitFor({ timeout: READY_MS });
    await shot(page, '3-clicked');

    // The explain panel's user box searches too, and the graph follows it.
    const userBox = page.getByTestId('explain-user');
    await userBox.fill(String(USER_42));
    await userBox.press('Enter');
    await page.getByTestId('graph-caption').filter({ hasText: `user ${USER_42}’s 30 ratings` }).waitFor();
    expect(pageErrors).toEqual([]);
  }, TEST_MS);
});
