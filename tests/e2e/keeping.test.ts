// Keeping the run in the built app, in headless Chromium with WebGPU (SwiftShader): a run saved in
// the browser's IndexedDB survives a reload with the same epoch, charts, attention, score and
// top-K, and goes on bit for bit (its weights file after three more epochs is the uninterrupted
// run's); weights exported and imported into a fresh run give the same predictions; a bad weights
// file is refused with the run kept; embeddings and the PyG script download; a link with other
// settings wins over the saved run, which is offered instead, and earlier runs stay listed with
// their sizes. A run is kept while it plays: a reload loses at most the epochs since the last
// keep, says how many, and restores the time-travel slider; a reset, then a reload, gives the new
// run. Screenshots go to test-results/.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { appSession, SHOTS } from './session';

/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 90_000;
const TEST_MS = 420_000;

const { open, pageErrors } = appSession({ readyMs: READY_MS, savedRuns: 'keep' });

const idle = (page: Page) => page.locator('[data-testid=status][data-status=idle]').waitFor({ timeout: READY_MS });
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `e2e-keeping-${name}.png`), fullPage: true });

async function step(page: Page, epochs: number, to: number): Promise<void> {
  await page.getByTestId('step-size').fill(String(epochs));
  await page.getByTestId('step-n').click();
  await page.locator(`[data-testid=epoch][data-epoch="${to}"]`).waitFor();
  await idle(page);
}

/** What the page shows of a run at an epoch: its charts, the graph's attention, the explained score and the top-K. */
async function view(page: Page, epoch: number) {
  // The same attention on every side (unpicked, the view follows the layer and head that moved most since the first kept epoch).
  await page.getByTestId('view-layer').selectOption('3');
  await page.getByTestId('view-head').selectOption('mean');
  await page.locator(`[data-testid=explain][data-epoch="${epoch}"]`).waitFor({ timeout: 60_000 });
  await page.locator(`[data-testid=graph][data-epoch="${epoch}"]`).waitFor();
  const attr = (l: Locator, name: string) => l.getAttribute(name);
  return {
    epoch: Number(await attr(page.getByTestId('epoch'), 'data-epoch')),
    lossPoints: Number(await attr(page.getByTestId('loss-chart'), 'data-points')),
    lossLast: await attr(page.getByTestId('loss-chart'), 'data-last'),
    recallPoints: Number(await attr(page.getByTestId('recall-chart'), 'data-points')),
    recallLast: await attr(page.getByTestId('recall-chart'), 'data-last'),
    alphas: await page.getByTestId('graph-edge').evaluateAll((es) => es.map((e) => e.getAttribute('data-alpha'))),
    score: await attr(page.getByTestId('explain-score'), 'data-score'),
    topk: await page.getByTestId('explain-topk').innerText(),
  };
}

/** Clicks an export button and gives the downloaded file's name and text. */
async function download(page: Page, what: 'weights' | 'embeddings' | 'script') {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`export-${what}`).click()]);
  return { name: file.suggestedFilename(), text: readFileSync((await file.path())!, 'utf8') };
}

const notice = (page: Page) => page.getByTestId('keep-notice');

describe('keeping the run in the browser', () => {
  it('survives a reload, goes on bit for bit, and hands its weights to a fresh run with the same predictions', async () => {
    const page = await open();
    await step(page, 5, 5);
    // A pause saves the run by itself; Save says so.
    await page.locator('[data-testid=saved-status][data-epoch="5"]').waitFor();
    await page.getByTestId('save-run').click();
    await expect.poll(() => notice(page).innerText()).toMatch(/^Saved epoch 5 in this browser: a reload restores it\./);
    const before = await view(page, 5);
    expect(before.lossPoints).toBe(5);
    const weights5 = await download(page, 'weights');
    expect(weights5.name).toBe('gatlab-weights-epoch5.json');

    await page.reload();
    await idle(page);
    const after = await view(page, 5);
    expect(after).toEqual(before);
    expect(await notice(page).getAttribute('data-tone')).toBe('info');
    expect(await notice(page).innerText()).toMatch(/^Restored Toy: the seed’s case study, epoch 5 of 1,500, saved .*: its weights, Adam’s state and metric history\. Training goes on from there exactly as it would have\./);
    expect(await page.locator('[data-testid=saved-runs] option').count()).toBe(1);
    await shot(page, '1-restored');
    expect((await download(page, 'weights')).text).toBe(weights5.text);

    // Three more epochs after the reload, then the same eight epochs without one: the same weights, to the bit.
    await step(page, 3, 8);
    const continued = await download(page, 'weights');
    await page.getByTestId('reset').click();
    await page.locator('[data-testid=epoch][data-epoch="0"]').waitFor();
    await idle(page);
    await step(page, 8, 8);
    const uninterrupted = await download(page, 'weights');
    expect(uninterrupted.name).toBe('gatlab-weights-epoch8.json');
    expect(continued.text).toBe(uninterrupted.text);

    // Epoch 5's weights imported into a fresh run: epoch 0 of a run that predicts as epoch 5 did.
    await page.getByTestId('reset').click();
    await page.locator('[data-testid=epoch][data-epoch="0"]').waitFor();
    await idle(page);
    const file = join(SHOTS, 'keeping-weights-epoch5.json');
    writeFileSync(file, weights5.text);
    await page.getByTestId('import-file').setInputFiles(file);
    await expect.poll(() => notice(page).innerText(), { timeout: READY_MS }).toMatch(/^Imported the weights of keeping-weights-epoch5\.json: the run starts from them at epoch 0/);
    await idle(page);
    const imported = await view(page, 0);
    expect([imported.alphas, imported.score, imported.topk]).toEqual([before.alphas, before.score, before.topk]);
    expect(imported.lossPoints).toBe(0);
    // A new run, not saved yet.
    expect(await page.getByTestId('saved-status').getAttribute('data-epoch')).toBe('');
    await shot(page, '2-imported');

    // A file that is not weights is refused, saying where; the run stays as it was.
    const bad = join(SHOTS, 'keeping-bad.json');
    writeFileSync(bad, '{"conv1.user__rates__item.att_src": [[[0.1, 0.2]]],\n "lin1": nope}\n');
    await page.getByTestId('import-file').setInputFiles(bad);
    await expect.poll(() => notice(page).getAttribute('data-tone')).toBe('danger');
    expect(await notice(page).innerText()).toMatch(/^The weights could not be imported: keeping-bad\.json: invalid JSON at line 2, column 10 \(character 61\): unexpected "nope}\\n"\. The run is as it was\./);
    expect(await view(page, 0)).toEqual(imported);
    await shot(page, '3-refused');

    // The embeddings of the shown epoch, and the PyG script, which Python compiles.
    const embeddings = await download(page, 'embeddings');
    expect(embeddings.name).toBe('gatlab-embeddings-epoch0.csv');
    const lines = embeddings.text.trim().split('\n');
    expect(lines[0]).toBe(`type,id,name,${Array.from({ length: 12 }, (_, c) => `e${c}`).join(',')}`);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'user,0,Bob',
      'user,1,Steve',
      'user,2,Tim',
      'item,0,Greatest Events of WWII in Colour',
      'item,1,The Avengers',
      'item,2,Guardians of the Galaxy',
    ]);
    const script = await download(page, 'script');
    expect(script.name).toBe('gatlab_pyg.py');
    expect(script.text).toContain('python gatlab_pyg.py gatlab-weights-epoch0.json');
    // Python compiles it when there is a Python to do so (its content is tested in tests/pyg-script.test.ts).
    if (spawnSync('python3', ['--version']).status === 0) {
      const py = join(SHOTS, 'keeping-gatlab_pyg.py');
      writeFileSync(py, script.text);
      execFileSync('python3', ['-m', 'py_compile', py]);
    }
    await page.close();
    expect(pageErrors).toEqual([]);
  }, TEST_MS);

  it('lets a link with other settings win over the saved run, offers to restore it, and lists the earlier runs with their sizes', async () => {
    const page = await open('?seed=7');
    expect(await page.getByTestId('setting-seed').inputValue()).toBe('7');
    expect(await page.locator('[data-testid=epoch]').getAttribute('data-epoch')).toBe('0');
    // The kept run is the last reset's (epoch 0): a new run replaces the one before.
    const offer = page.getByTestId('saved-offer');
    await offer.waitFor();
    expect(await offer.innerText()).toMatch(/This browser keeps a saved run \(Toy: the seed’s case study, epoch 0 of 1,500, saved .*\)\. The link asks for other settings, so this is a fresh run\./);
    await shot(page, '4-offer');
    await page.getByTestId('restore-offer').click();
    await expect.poll(() => notice(page).innerText(), { timeout: READY_MS }).toMatch(/^Restored Toy: the seed’s case study, epoch 0 of 1,500, saved /);
    await idle(page);
    expect(await page.getByTestId('setting-seed').inputValue()).toBe('123');

    // The runs before it stay listed, with what each takes; one trained to epoch 8 comes back.
    const options = await page.locator('[data-testid=saved-runs] option').evaluateAll((os) => os.map((o) => ({ value: (o as HTMLOptionElement).value, text: o.textContent ?? '' })));
    expect(options.length).toBeGreaterThanOrEqual(3);
    for (const o of options) expect(o.text).toMatch(/, saved .* · \d+(\.\d+)? (bytes|KiB|MiB)$/);
    const eight = options.find((o) => o.text.includes('epoch 8 of 1,500'));
    expect(eight).toBeDefined();
    await page.getByTestId('saved-runs').selectOption(eight!.value);
    await page.getByTestId('restore-run').click();
    await page.locator('[data-testid=epoch][data-epoch="8"]').waitFor({ timeout: READY_MS });
    await idle(page);
    expect(await page.getByTestId('setting-seed').inputValue()).toBe('123');
    expect(new URL(page.url()).search).toBe('');
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(8);
    // Restored from the list, it is the kept run (listed first): a reload brings it back.
    await expect.poll(() => page.locator('[data-testid=saved-runs] option').first().innerText()).toContain('epoch 8 of 1,500');
    await page.reload();
    await idle(page);
    expect(await page.getByTestId('epoch').getAttribute('data-epoch')).toBe('8');
    await page.close();
    expect(pageErrors).toEqual([]);
  }, TEST_MS);

  it('keeps a playing run: a reload loses at most the epochs since the last keep, says so, and restores time travel', async () => {
    const page = await open();
    await page.getByTestId('reset').click();
    await page.locator('[data-testid=saved-status][data-epoch="0"]').waitFor({ timeout: READY_MS });
    await page.getByTestId('play').click();
    // The first keep while playing (after KEEP_EVERY_MS and KEEP_EVERY_EPOCHS), then a little more play.
    const saved = page.locator('[data-testid=saved-status]:not([data-epoch="0"])');
    await saved.waitFor({ timeout: READY_MS });
    const keptEpoch = Number(await saved.getAttribute('data-epoch'));
    expect(keptEpoch).toBeGreaterThanOrEqual(20);
    await expect.poll(async () => Number(await page.getByTestId('epoch').getAttribute('data-epoch')), { timeout: READY_MS }).toBeGreaterThan(keptEpoch + 5);
    const reachedBefore = Number(await page.getByTestId('epoch').getAttribute('data-epoch'));
    expect(await page.getByTestId('status').getAttribute('data-status')).toBe('playing');

    await page.reload();
    await idle(page);
    const restored = Number(await page.getByTestId('epoch').getAttribute('data-epoch'));
    expect(restored).toBeGreaterThanOrEqual(keptEpoch);
    // The page kept what it had on closing: the epoch it reached, so the notice says how many
    // epochs after the last keep were lost (none when a keep landed at the very end).
    const text = await notice(page).innerText();
    const said = text.match(/It had reached epoch ([\d,]+): the ([\d,]+) epochs? after the last keep (?:was|were) lost\./);
    if (said) {
      const [reached, lost] = [said[1], said[2]].map((x) => Number(x.replace(/,/g, '')));
      expect(reached).toBeGreaterThanOrEqual(reachedBefore);
      expect(lost).toBe(reached - restored);
    } else {
      expect(text).toMatch(/exactly as it would have\.\s*Dismiss$/);
      expect(restored).toBeGreaterThanOrEqual(reachedBefore);
    }
    expect(Number(await page.getByTestId('loss-chart').getAttribute('data-points'))).toBe(restored);

    // Time travel: every epoch up to the restored one is on the slider (the toy keeps all), and an early one shows.
    const slider = page.getByTestId('time-slider');
    expect(Number(await slider.getAttribute('max'))).toBe(restored);
    await slider.fill('10');
    await page.locator('[data-testid=shown-epoch]', { hasText: 'epoch 10' }).waitFor();
    await page.locator('[data-testid=graph][data-epoch="10"]').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid=explain][data-epoch="10"]').waitFor({ timeout: 60_000 });
    await shot(page, '5-restored-while-playing');

    // Reset, then reload: the new run comes back, and the one before is an earlier run.
    await page.getByTestId('reset').click();
    await page.locator('[data-testid=saved-status][data-epoch="0"]').waitFor({ timeout: READY_MS });
    await page.reload();
    await idle(page);
    expect(await page.getByTestId('epoch').getAttribute('data-epoch')).toBe('0');
    expect(await notice(page).innerText()).toMatch(/^Restored Toy: the seed’s case study, epoch 0 of 1,500, saved /);
    const listed = await page.locator('[data-testid=saved-runs] option').allInnerTexts();
    expect(listed.some((t) => t.includes(`epoch ${restored.toLocaleString('en-US')} of 1,500`))).toBe(true);
    await page.close();
    expect(pageErrors).toEqual([]);
  }, TEST_MS);
});
