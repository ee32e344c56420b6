// The hand-off to PyG with one-hot items (--features onehot): gatlab_pyg.py makes the items'
// input with torch.eye, as it does one-hot users', and real PyG 2.5.3's dense product over it
// gives GAT Lab's predictions (the script's check), trains on and saves weights GAT Lab takes back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCRIPT_NAME, weightsFileName } from '../src/formats/pygScript';
import { inferShape, readWeightsJson } from '../src/formats/weightsFile';
import { ok } from './helpers/gatlab';
import { randomRatings } from './helpers/randomRatings';
import { SHARED_DIR } from './helpers/paths';

const PYTHON = '/usr/bin/python3';
const ENV = { ...process.env, PYTHONPATH: join(SHARED_DIR, 'vendor/pyg-2.5.3'), OMP_NUM_THREADS: '1' };
const DIR = mkdtempSync(join(tmpdir(), 'gatlab-pyg-itemoh-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** 30 users, 45 items, 300 ratings as a CSV. */
function ratingsCsv(): string {
  const r = randomRatings(11, 30, 45, 300);
  return ['user,item,rating,timestamp', ...Array.from(r.user, (u, k) => `${r.userNames[u]},${r.itemNames[r.item[k]]},${r.rating[k]},${k}`)].join('\n');
}

describe.each([
  ['the toy', [] as string[], 3],
  ['a 45-item CSV, full batch', ['--batch-size', 'full', '--split', '0.8', '--k', '5'], 45],
])('gatlab_pyg.py of a one-hot-item run on %s, under real PyG', (name, flags, items) => {
  it('makes the items with torch.eye, gives GAT Lab’s predictions, trains on, and GAT Lab takes the weights back', () => {
    const dir = join(DIR, name.replace(/\W+/g, '-'));
    const data = items === 3 ? [] : ['--data', join(DIR, 'ratings.csv')];
    if (data.length > 0) writeFileSync(data[1], ratingsCsv());
    const train = [...data, ...flags, '--features', 'onehot'];
    const final = JSON.parse(ok('train', ...train, '--epochs', '20', '--json', '--export-pyg', dir).trim().split('\n').at(-1)!) as { loss: number };
    expect(Number.isFinite(final.loss)).toBe(true);
    expect(inferShape(readWeightsJson(readFileSync(join(dir, weightsFileName(20)), 'utf8'), 'exported'), 'exported').itemDim).toBe(items);
    const script = readFileSync(join(dir, SCRIPT_NAME), 'utf8');
    expect(script).toContain(`'item_dim': ${items},\n    'x_item': None,`);
    const r = spawnSync(PYTHON, [SCRIPT_NAME, weightsFileName(20), '--epochs', '2', '--save', 'trained.json'], { cwd: dir, env: ENV, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(Number(/largest relative difference (\S+)\)/.exec(r.stdout)?.[1]), r.stdout).toBeLessThanOrEqual(1e-5);
    const losses = [1, 2].map((e) => Number(new RegExp(`^epoch ${e}: MSE (\\S+)$`, 'm').exec(r.stdout)?.[1]));
    expect(losses.every(Number.isFinite), r.stdout).toBe(true);
    const again = JSON.parse(ok('train', ...train, '--epochs', '1', '--json', '--init', join(dir, 'trained.json')).trim().split('\n').at(-1)!) as { epochs: number; loss: number };
    expect(again.epochs).toBe(1);
    expect(Number.isFinite(again.loss)).toBe(true);
  }, 600_000);
});
