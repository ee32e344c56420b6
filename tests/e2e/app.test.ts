// The built app in headless Chromium with WebGPU (SwiftShader), checked against the page itself:
// the toy graph, stepping and the charts, a run to the end with its explanation, settings from
// the link, odd settings, a diverging run, and the adapter the page trains on. Screenshots go to
// test-results/ (gitignored).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CHROMIUM_FLAGS, launchBrowser } from './harness';
import { appSession, SHOTS } from './session';

/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 90_000;
/** Per test, and for the full seed run: the machine's load from other work decides most of it. */
const TEST_MS = 240_000;
const PLAY_MS = 420_000;

const session = appSession({ readyMs: READY_MS });
const { open, pageErrors } = session;

const epochOf = async (page: Page) => Number(await page.getByTestId('epoch').getAttribute('data-epoch'));
const pointsOf = async (page: Page, chart: string) => Number(await page.getByTestId(chart).getAttribute('data-points'));
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `e2e-${name}.png`), fullPage: true });

describe('GAT Lab in the browser', () => {
  it('opens with the toy: 3 users, 3 movies, 8 ratings (Tim → The Avengers held out), the seed settings and the adapter it trains on', async () => {
    const page = await open();
    expect(await page.locator('[data-testid=graph-node][data-type=user]').count()).toBe(3);
    expect(await page.locator('[data-testid=graph-node][data-type=item]').count()).toBe(3);
    expect(await page.getByTestId('graph-edge').count()).toBe(8);
    expect(await page.locator('[data-testid=graph-edge][data-kind=train]').count()).toBe(7);
    const test = page.locator('[data-testid=graph-edge][data-kind=test]');
    expect(await test.getAttribute('data-user')).toBe('Tim');
    expect(await test.getAttribute('data-item')).toBe('The Avengers');
    const names = await page.getByTestId('graph-node').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-name')));
    expect(names).toEqual(['Bob', 'Steve', 'Tim', 'Greatest Events of WWII in Colour', 'The Avengers', 'Guardians of the Galaxy']);
    // Training edges carry attention from the first snapshot on.
    const alphas = await page.locator('[data-testid=graph-edge][data-kind=train]').evaluateAll((es) => es.map((e) => Number(e.getAttribute('data-alpha'))));
    for (const a of alphas) expect(a).toBeGreaterThan(0);

    const values = Object.fromEntries(
      await Promise.all(
        ['seed', 'split', 'splitMode', 'minRating', 'features', 'batchSize', 'neighbors', 'negRatio', 'epochs', 'lr', 'hidden', 'heads', 'layers', 'k', 'messagePassing'].map(
          async (k) => [k, await page.getByTestId(`setting-${k}`).inputValue()] as const,
        ),
      ),
    );
    expect(values).toEqual({ seed: '123', split: '0.875', splitMode: 'time', minRating: 'none', features: 'seed', batchSize: '1', neighbors: '1', negRatio: '0', epochs: '1500', lr: '0.01', hidden: '12', heads: '2', layers: '3', k: '1', messagePassing: 'train' });
    expect(await epochOf(page)).toBe(0);

    // The adapter named on the page is the one this browser's WebGPU gives.
    const named = await page.locator('[data-testid=adapter] .adapter-name').innerText();
    const info = await page.evaluate(async () => {
      const a = await navigator.gpu.requestAdapter();
      return a ? { vendor: a.info.vendor, architecture: a.info.architecture } : null;
    });
    expect(info).not.toBeNull();
    expect(named).toContain(info!.architecture || info!.vendor);
    console.log(`adapter on the page: ${named}`);
    // Its tooltip says how steps and evaluations run there (fused or per op) and the times measured on it that decided.
    const tip = (await page.getByTestId('adapter').getAttribute('title')) ?? '';
    expect(tip).toContain(named);
    expect(tip).toMatch(/Training steps: (fused, workgroup of \d+|per op) \(8 steps of up to \d+ nodes, \d+ edges: per op \d+\.\d\d ms, fused ×\d+ \d+\.\d\d ms/);
    expect(tip).toMatch(/Evaluation: (fused, workgroup of \d+|per op) \(4 evaluations of up to 6 nodes, 14 edges: per op \d+\.\d\d ms, fused ×\d+ \d+\.\d\d ms/);
    console.log(`its tooltip: ${tip}`);
    await shot(page, '1-initial');
    await page.close();
  }, TEST_MS);

  it('steps one epoch at a time (button, → key, N at once) and each adds a point to both charts; space plays and pauses', async () => {
    const page = await open('?epochs=40');
    expect(await pointsOf(page, 'loss-chart')).toBe(0);
    expect(await pointsOf(page, 'recall-chart')).toBe(1);

    await page.getByTestId('step').click();
    await page.locator('[data-testid=epoch][data-epoch="1"]').waitFor();
    await page.locator('[data-testid=status][data-status=idle]').waitFor();
    expect(await pointsOf(page, 'loss-chart')).toBe(1);
    expect(await pointsOf(page, 'recall-chart')).toBe(2);
    expect(await page.getByTestId('graph').getAttribute('data-epoch')).toBe('1');

    await page.keyboard.press('ArrowRight');
    await page.locator('[data-testid=epoch][data-epoch="2"]').waitFor();
    await page.locator('[data-testid=status][data-status=idle]').waitFor();
    expect(await pointsOf(page, 'loss-chart')).toBe(2);
    expect(await pointsOf(page, 'recall-chart')).toBe(3);

    await page.getByTestId('step-size').fill('5');
    await page.getByTestId('step-n').click();
    await page.locator('[data-testid=epoch][data-epoch="7"]').waitFor();
    await page.locator('[data-testid=status][data-status=idle]').waitFor();
    expect(await pointsOf(page, 'loss-chart')).toBe(7);
    expect(await pointsOf(page, 'recall-chart')).toBe(8);

    // Time travel: back to epoch 1; the graph and the explanation follow.
    const slider = page.getByTestId('time-slider');
    await slider.evaluate((el: HTMLInputElement) => {
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
      set.call(el, '1');
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.locator('[data-testid=graph][data-epoch="1"]').waitFor();
    await page.locator('[data-testid=explain][data-epoch="1"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('shown-epoch').innerText()).toBe('epoch 1');
    await shot(page, '2-time-travel');
    await page.getByTestId('go-live').click();
    await page.locator('[data-testid=graph][data-epoch="7"]').waitFor();

    // Space toggles play.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Space');
    await page.locator('[data-testid=status][data-status=playing]').waitFor();
    await page.keyboard.press('Space');
    await page.locator('[data-testid=status]:is([data-status=idle], [data-status=done])').waitFor();
    const paused = await epochOf(page);
    expect(paused).toBeGreaterThanOrEqual(7);
    expect(await pointsOf(page, 'loss-chart')).toBe(paused);
    await page.close();
  }, TEST_MS);

  it('plays the seed run to the end: Recall@1 is 1, and the explain panel for Tim and The Avengers shows a score, a path through Guardians of the Galaxy and a counterfactual table', async () => {
    const page = await open();
    await page.getByTestId('speed-max').click();
    await page.getByTestId('play').click();
    await page.locator('[data-testid=status][data-status=done]').waitFor({ timeout: 300_000 });
    expect(await epochOf(page)).toBe(1500);
    expect(await page.getByTestId('recall').innerText()).toBe('1.00');
    expect(Number(await page.getByTestId('recall-chart').getAttribute('data-last'))).toBe(1);
    expect(await pointsOf(page, 'loss-chart')).toBe(1500);

    const explain = page.getByTestId('explain');
    await page.locator('[data-testid=explain][data-epoch="1500"]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('explain-user').inputValue()).toBe(String(2));
    expect(await page.getByTestId('explain-item').locator('option:checked').innerText()).toBe('The Avengers');
    const score = Number(await page.getByTestId('explain-score').getAttribute('data-score'));
    expect(Number.isFinite(score)).toBe(true);
    expect(await page.getByTestId('explain-score').innerText()).toMatch(/^-?\d+\.\d{3}$/);
    expect(await page.getByTestId('explain-rank').innerText()).toContain('1st');
    const paths = await explain.getByTestId('explain-path').allInnerTexts();
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.some((p) => p.includes('Guardians of the Galaxy') && p.includes('Tim') && p.includes('The Avengers'))).toBe(true);
    const rows = page.getByTestId('counterfactual-row');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.getByTestId('counterfactual-table').innerText()).toMatch(/[+−]\d+\.\d{3}/);
    expect(await page.getByTestId('explain-summary').innerText()).toMatch(/Tim/);
    await shot(page, '3-trained');

    // Hovering an edge shows its exact α per head.
    // (A quarter of the way along the edge, clear of the edges that cross it in the middle.)
    const at = await page.locator('[data-testid=graph-edge][data-user=Steve][data-item="Guardians of the Galaxy"] .hit').evaluate((el: SVGPathElement) => {
      const p = el.getPointAtLength(el.getTotalLength() * 0.25);
      const m = el.getScreenCTM()!;
      return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
    });
    await page.mouse.move(at.x, at.y);
    const tip = page.getByTestId('tooltip');
    await tip.waitFor();
    const tipText = await tip.innerText();
    expect(tipText, tipText).toMatch(/Steve rated Guardians of the Galaxy[\s\S]*head 1[\s\S]*head 2[\s\S]*mean/);
    await page.locator('.graph-card').screenshot({ path: join(SHOTS, 'e2e-4-tooltip.png') });

    // One model, one graph: the panel's score of every training rating is the full graph's
    // prediction, and the full-graph MSE stated beside the mini-batch loss is their mean squared error.
    const fullMse = Number(await page.getByTestId('full-mse').getAttribute('data-value'));
    expect(fullMse).toBeGreaterThan(0);
    expect(await page.getByTestId('explain-graph').innerText()).toContain('full graph');
    const users = ['Bob', 'Steve', 'Tim'];
    const training: [number, number, number][] = [[0, 0, 5], [0, 1, 1], [0, 2, 1], [1, 0, 1], [1, 1, 5], [1, 2, 5], [2, 2, 5]];
    let squared = 0;
    for (const [u, i, rating] of training) {
      await page.getByTestId('explain-user').selectOption(String(u));
      await page.getByTestId('explain-item').selectOption(String(i));
      await page.locator(`[data-testid=explain][data-pair="${u}:${i}"][data-epoch="1500"]`).waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('explain-rank').innerText()).toContain(`A training rating of ${users[u]} (${rating}★)`);
      const score = Number(await page.getByTestId('explain-score').getAttribute('data-score'));
      squared += (score - rating) ** 2;
    }
    expect(Math.abs(squared / training.length - fullMse)).toBeLessThanOrEqual(1e-5 * Math.max(1, fullMse));
    await page.locator('.transport').screenshot({ path: join(SHOTS, 'e2e-5-full-graph-mse.png') });
    await page.locator('.charts').screenshot({ path: join(SHOTS, 'e2e-5-loss-chart.png') });
    await page.close();
  }, PLAY_MS);

  it('restores every setting from a shared link, and writes panel changes back to it', async () => {
    const query = '?seed=7&split=0.75&batchSize=full&neighbors=-1&negRatio=1&epochs=30&lr=0.005&hidden=8&heads=3&layers=2&k=2&messagePassing=all';
    const page = await open(query);
    const read = async (k: string) => page.getByTestId(`setting-${k}`).inputValue();
    expect(await read('seed')).toBe('7');
    expect(await read('split')).toBe('0.75');
    expect(await read('batchSize')).toBe('full');
    expect(await read('neighbors')).toBe('-1');
    expect(await read('negRatio')).toBe('1');
    expect(await read('epochs')).toBe('30');
    expect(await read('lr')).toBe('0.005');
    expect(await read('hidden')).toBe('8');
    expect(await read('heads')).toBe('3');
    expect(await read('layers')).toBe('2');
    expect(await read('k')).toBe('2');
    expect(await read('messagePassing')).toBe('all');
    // ... and the run really uses them.
    expect(await page.getByTestId('view-layer').locator('option').count()).toBe(2);
    expect(await page.getByTestId('view-head').locator('option').count()).toBe(4);
    expect(await page.getByTestId('epoch').innerText()).toContain('/ 30');
    // With message passing over all ratings the test edge carries attention too.
    const held = page.locator('[data-testid=graph-edge][data-kind=test][data-user=Tim][data-item="The Avengers"]');
    expect(Number(await held.getAttribute('data-alpha'))).toBeGreaterThan(0);
    expect(await page.getByTestId('recall-chart').locator('figcaption').innerText()).toContain('Recall@2');
    expect(new URLSearchParams(await page.evaluate(() => location.search)).get('heads')).toBe('3');

    // A change in the panel starts a fresh run and goes into the link.
    await page.getByTestId('step').click();
    await page.locator('[data-testid=epoch][data-epoch="1"]').waitFor();
    await page.getByTestId('setting-lr').fill('0.02');
    await page.getByTestId('setting-lr').press('Enter');
    await page.locator('[data-testid=status][data-status=idle]').waitFor();
    await page.locator('[data-testid=epoch][data-epoch="0"]').waitFor();
    const search = new URLSearchParams(await page.evaluate(() => location.search));
    expect(search.get('lr')).toBe('0.02');
    expect(search.get('seed')).toBe('7');
    await shot(page, '5-from-link');
    await page.close();

    // Opening that link again reproduces it.
    const again = await open(`?${search.toString()}`);
    expect(await again.getByTestId('setting-lr').inputValue()).toBe('0.02');
    expect(await again.getByTestId('setting-heads').inputValue()).toBe('3');
    await again.close();

    // The data settings act too: only ratings of 4 and up, split at random.
    const filtered = await open('?minRating=4&splitMode=random');
    expect(await filtered.getByTestId('setting-minRating').inputValue()).toBe('4');
    expect(await filtered.getByTestId('setting-splitMode').inputValue()).toBe('random');
    expect(await filtered.getByTestId('graph-edge').count()).toBe(5);
    expect(await filtered.locator('[data-testid=graph-edge][data-kind=test]').count()).toBe(1);
    await filtered.close();
  }, TEST_MS);

  it('clamps odd settings with a clear message and never breaks the page', async () => {
    const page = await open('?lr=0&heads=0&k=50');
    const issues = page.getByTestId('settings-issues');
    await issues.waitFor();
    const text = await issues.innerText();
    expect(text).toMatch(/learning rate must be in \[0\.000001, 1\], got 0; using 0\.000001/);
    expect(text).toMatch(/number of heads must be in \[1, 16\], got 0; using 1/);
    expect(await page.getByTestId('setting-lr').inputValue()).toBe('0.000001');
    expect(await page.getByTestId('setting-heads').inputValue()).toBe('1');
    expect(await page.getByTestId('run-notes').innerText()).toMatch(/K is 50 but the catalogue has 3 movies/);
    await page.getByTestId('step').click();
    await page.locator('[data-testid=epoch][data-epoch="1"]').waitFor();
    await shot(page, '6-odd-settings');

    // LR 1e9 typed into the panel: refused and said so next to the field, and the run goes on
    // (a link is clamped, a typed value is not: tests/e2e/settings-panel.test.ts).
    await page.getByTestId('setting-lr').fill('1e9');
    await page.getByTestId('setting-lr').press('Enter');
    expect(await page.getByTestId('setting-lr-problem').innerText()).toMatch(/must be in \[0\.000001, 1\], got 1000000000\.$/);
    expect(await page.getByTestId('setting-lr').inputValue()).toBe('1e9');
    expect(await epochOf(page)).toBe(1);
    await page.close();

    // Settings the data cannot meet: a plain message, and the page recovers when they change.
    const genres = await session.browser.context.newPage();
    await genres.goto(`${session.served.url}?features=genres`);
    await genres.getByTestId('run-error').waitFor({ timeout: READY_MS });
    expect(await genres.getByTestId('run-error').innerText()).toMatch(/genres/);
    await genres.getByTestId('setting-features').selectOption('seed');
    await genres.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
    expect(await genres.getByTestId('run-error').count()).toBe(0);
    expect(await genres.getByTestId('graph-edge').count()).toBe(8);
    await genres.close();

    // A malformed link: bad values and unknown keys are reported, the rest of the page works.
    const broken = await open('?epochs=abc&heads=2.5&neighbors=0,x&%E0%A4%A=1&bogus=1&messagePassing=sometimes');
    const said = await broken.getByTestId('settings-issues').innerText();
    expect(said).toMatch(/number of epochs must be a number, got "abc"; using 1500/);
    expect(said).toMatch(/heads must be a whole number; 2.5 rounds to 3/);
    expect(said).toMatch(/neighbours per hop/i);
    expect(said).toMatch(/unknown setting "bogus"/);
    expect(said).toMatch(/message passing must be "train" or "all"/i);
    expect(await broken.locator('[data-testid=graph-node]').count()).toBe(6);
    await broken.getByTestId('step').click();
    await broken.locator('[data-testid=epoch][data-epoch="1"]').waitFor();
    await broken.close();
  }, TEST_MS);

  it('pauses a run whose loss turns NaN and says so, keeping the last good epoch', async () => {
    const page = await open('?epochs=20');
    // Ratings whose squares overflow float32: the first epoch's loss is infinite.
    const csv = 'user,item,rating,timestamp\nAda,Heat,1e20,1\nAda,Alien,4,2\nBen,Heat,3,3\nBen,Alien,5,4\nBen,Ran,2,5\nAda,Ran,4,6\n';
    await page.locator('[data-testid=data] input[type=file]').setInputFiles({ name: 'huge.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.locator('[data-testid=data-counts]').filter({ hasText: '2 users' }).waitFor({ timeout: READY_MS });
    await page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
    await page.getByTestId('play').click();
    await page.locator('[data-testid=status][data-status=diverged]').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('diverged').innerText()).toMatch(/diverged at epoch 1.*Paused at epoch 0, the last good one/s);
    expect(await epochOf(page)).toBe(0);
    expect(await pointsOf(page, 'loss-chart')).toBe(0);
    expect(await page.getByTestId('play').isDisabled()).toBe(true);
    expect(await page.locator('[data-testid=graph-node]').count()).toBe(5);
    await shot(page, '7-diverged');
    // Reset starts over, and the toy comes back with one click.
    await page.getByRole('button', { name: 'Toy', exact: true }).click();
    await page.locator('[data-testid=data-counts]').filter({ hasText: '3 users' }).waitFor({ timeout: READY_MS });
    await page.getByTestId('step').click();
    await page.locator('[data-testid=epoch][data-epoch="1"]').waitFor();
    await page.close();
  }, TEST_MS);

  it('says plainly when the browser offers no WebGPU, instead of a blank page', async () => {
    // The one test that leaves a flag out on purpose: without --enable-unsafe-webgpu this Chromium
    // offers no adapter on a software-only machine.
    const plain = await launchBrowser(CHROMIUM_FLAGS.filter((f) => f !== '--enable-unsafe-webgpu'));
    try {
      const page = await plain.context.newPage();
      await page.goto(session.served.url);
      const note = page.getByTestId('no-webgpu');
      await note.waitFor({ timeout: READY_MS });
      const text = await note.innerText();
      expect(text).toMatch(/WebGPU/);
      expect(text).toMatch(/Chrome or Edge 113\+/);
      expect(text).toMatch(/--enable-unsafe-webgpu/);
      await page.screenshot({ path: join(SHOTS, 'e2e-8-no-webgpu.png') });
    } finally {
      await plain.close();
    }
  }, TEST_MS);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
