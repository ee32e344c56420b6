// `gatlab train --val/--patience` as a user runs it: the validation curve per epoch, the epoch it
// chose with its test Recall@K, the saved weights those of that epoch, and early stopping.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EPOCH_KEY, FINGERPRINT_KEY } from '../src/formats/weightsFile';
import { gatlab, inputError, ok } from './helpers/gatlab';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-val-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

interface Line {
  epoch: number;
  recall: number;
  val_recall: number;
  final?: boolean;
  epochs: number;
  selected?: { epoch: number; val_recall: number; test_recall: number };
  stopped_early?: number | null;
  data: { train: number; val: number; test: number };
}
const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

/** The weights of a saved file, without its fingerprint (which names the run's settings) or its epoch. */
function weights(file: string): Record<string, unknown> {
  const { [FINGERPRINT_KEY]: _, [EPOCH_KEY]: __, ...rest } = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return rest;
}

// The toy data, seven training ratings: the newest three of them validate.
const RUN = ['train', '--val', '0.3', '--batch-size', 'full', '--lr', '0.05', '--json'];

describe('gatlab train --val', () => {
  it('prints the validation Recall@K per epoch and the chosen epoch with its test Recall@K; --save writes that epoch’s weights', () => {
    const saved = join(DIR, 'selected.json');
    const lines = jsonLines(ok(...RUN, '--epochs', '30', '--save', saved));
    const epochs = lines.slice(0, -1);
    const last = lines.at(-1)!;
    expect(epochs).toHaveLength(30);
    expect(last.final).toBe(true);
    expect(last.data).toMatchObject({ train: 4, val: 3, test: 1 });
    for (const m of epochs) expect(m.val_recall).toBeGreaterThanOrEqual(0);
    // The first epoch with the highest validation recall; its test recall is reported, not chosen on.
    const best = epochs.reduce((a, m) => (m.val_recall > a.val_recall ? m : a));
    expect(last.selected).toEqual({ epoch: best.epoch, val_recall: best.val_recall, test_recall: best.recall });
    expect(last.stopped_early).toBeNull();
    // The file says which epoch it holds, and the recalls it was chosen by.
    expect(JSON.parse(readFileSync(saved, 'utf8'))[EPOCH_KEY]).toEqual(last.selected);

    const rerun = join(DIR, 'rerun.json');
    ok(...RUN, '--epochs', String(best.epoch), '--save', rerun);
    expect(weights(saved)).toEqual(weights(rerun));
  });

  it('stops early with --patience, and says where in words without --json', () => {
    const lines = jsonLines(ok(...RUN, '--epochs', '200', '--patience', '3'));
    const last = lines.at(-1)!;
    const stop = last.stopped_early!;
    expect(stop).toBeGreaterThan(0);
    expect(lines).toHaveLength(stop + 1);
    expect(last.epochs).toBe(stop);
    expect(stop - last.selected!.epoch).toBe(3);
    const r = gatlab('train', '--val', '0.3', '--batch-size', 'full', '--lr', '0.05', '--epochs', '200', '--patience', '3');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('(4 train, 3 validation, 1 test)');
    expect(r.stderr).toContain(`selected epoch ${last.selected!.epoch} by validation Recall@1 ${last.selected!.val_recall.toFixed(4)}`);
    expect(r.stderr).toContain(`stopped early at epoch ${stop} (patience 3)`);
  });

  it('refuses a validation fraction out of range, naming the flag', () => {
    expect(inputError('train', '--val', '1')).toMatch(/validation fraction/);
    expect(inputError('train', '--patience', '-1')).toMatch(/patience/);
  });
});
