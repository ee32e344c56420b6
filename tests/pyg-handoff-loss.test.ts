// The hand-off to PyG with the objectives beside MSE: a run trained with `--loss bce` or
// `--loss bpr` exports gatlab_pyg.py, and real PyG 2.5.3 trains on with the same objective
// (F.binary_cross_entropy_with_logits; torch_geometric's BPRLoss with the run's regulariser),
// from the exported weights, whose predictions it checks first, and saves weights GAT Lab takes back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCRIPT_NAME, weightsFileName } from '../src/formats/pygScript';
import { ok } from './helpers/gatlab';
import { SHARED_DIR } from './helpers/paths';

const PYTHON = '/usr/bin/python3';
const ENV = { ...process.env, PYTHONPATH: join(SHARED_DIR, 'vendor/pyg-2.5.3'), OMP_NUM_THREADS: '1' };
const DIR = mkdtempSync(join(tmpdir(), 'gatlab-pyg-loss-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe.each([
  ['bce', ['--loss', 'bce', '--neg-ratio', '2', '--batch-size', 'full'], 'BCE'],
  ['bpr', ['--loss', 'bpr', '--bpr-reg', '0.01'], 'BPR'],
])('gatlab_pyg.py of a %s run, under real PyG', (name, flags, label) => {
  it('names the objective, checks GAT Lab’s predictions and trains on with it, and GAT Lab takes the weights back', () => {
    const dir = join(DIR, name);
    const train = [...flags, '--epochs', '20'];
    const final = JSON.parse(ok('train', ...train, '--json', '--export-pyg', dir).trim().split('\n').at(-1)!) as { loss: number };
    expect(Number.isFinite(final.loss)).toBe(true);
    const script = readFileSync(join(dir, SCRIPT_NAME), 'utf8');
    expect(script).toContain(`LOSS = "${name}"`);
    expect(script).toContain(`BPR_REG = ${name === 'bpr' ? '0.01' : '0'}`);
    const r = spawnSync(PYTHON, [SCRIPT_NAME, weightsFileName(20), '--epochs', '3', '--save', 'trained.json'], { cwd: dir, env: ENV, encoding: 'utf8', timeout: 300_000 });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(Number(/largest relative difference (\S+)\)/.exec(r.stdout)?.[1])).toBeLessThanOrEqual(1e-5);
    const losses = [1, 2, 3].map((e) => Number(new RegExp(`^epoch ${e}: ${label} (\\S+)$`, 'm').exec(r.stdout)?.[1]));
    expect(losses.every(Number.isFinite), r.stdout).toBe(true);
    // The same objective on the same weights: PyG's first epoch is near GAT Lab's last (other negatives drawn).
    expect(Math.abs(losses[0] - final.loss)).toBeLessThan(0.5 * final.loss + 0.05);
    const again = JSON.parse(ok('train', ...train.slice(0, -2), '--epochs', '1', '--json', '--init', join(dir, 'trained.json')).trim().split('\n').at(-1)!) as { epochs: number; loss: number };
    expect(again.epochs).toBe(1);
    expect(Number.isFinite(again.loss)).toBe(true);
  }, 600_000);
});
