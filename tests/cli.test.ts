// The `gatlab` command as a user runs it: a child process on WebGPU, its exit code, what it prints,
// and a one-line message (no stack trace) for each way the input can be wrong.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatlab, inputError, ok } from './helpers/gatlab';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-cli-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('gatlab --help', () => {
  it('lists the commands', () => {
    const text = ok('--help');
    for (const c of ['gatlab train', 'gatlab recommend', 'gatlab case']) expect(text).toContain(c);
  });

  it('train --help lists the options', () => {
    const text = ok('train', '--help');
    for (const f of ['--epochs', '--lr', '--save', '--json', '--data', '--eval-every']) expect(text).toContain(f);
  });

  it('recommend --help and case --help work too', () => {
    expect(ok('recommend', '--help')).toContain('--weights');
    expect(ok('case', '--help')).toContain('IN.json OUT.json');
  });

  it('rejects an unknown command with exit code 2', () => {
    const r = gatlab('trian');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "trian"');
  });
});

describe('gatlab train --json', () => {
  let first: Record<string, unknown>[];
  beforeAll(() => {
    first = jsonLines(ok('train', '--epochs', '3', '--json'));
  });

  it('prints one line per epoch, then a final line with the recommendations', () => {
    expect(first).toHaveLength(4);
    first.slice(0, 3).forEach((m, e) => {
      expect(m.epoch).toBe(e + 1);
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.recall).toBeGreaterThanOrEqual(0);
      expect(m.recall).toBeLessThanOrEqual(1);
      // The full graph's MSE over the 7 training ratings (of 1 to 5 stars): positive, and no more than 25.
      expect(m.fullMse).toBeGreaterThan(0);
      expect(m.fullMse).toBeLessThanOrEqual(25);
      expect(typeof m.ms).toBe('number');
    });
    const last = first[3] as { final: boolean; epochs: number; fullMse: number; recommendations: { user: string; items: { item: string; score: number }[] }[] };
    expect(last.final).toBe(true);
    expect(last.epochs).toBe(3);
    expect(last.fullMse).toBe(first[2].fullMse);
    // The toy's only test user is Tim (his last rating); K = 1.
    expect(last.recommendations.map((r) => r.user)).toEqual(['Tim']);
    expect(last.recommendations[0].items).toHaveLength(1);
  });

  it('gives the same lines (but the timings) for the same seed', () => {
    const second = jsonLines(ok('train', '--epochs', '3', '--json'));
    const strip = (lines: Record<string, unknown>[]) => lines.map(({ ms: _ms, ...rest }) => rest);
    expect(strip(second)).toEqual(strip(first));
  });
});

describe('gatlab train --eval-every', () => {
  it('reports Recall@K every N epochs and after the last, null between, and trains the same', () => {
    const every = jsonLines(ok('train', '--epochs', '7', '--json'));
    const third = jsonLines(ok('train', '--epochs', '7', '--eval-every', '3', '--json'));
    expect(third.slice(0, 7).filter((m) => m.recall !== null).map((m) => m.epoch)).toEqual([3, 6, 7]);
    third.slice(0, 7).forEach((m, e) => {
      expect(m.loss).toBe(every[e].loss);
      expect(m.recall).toBe(m.recall === null ? null : every[e].recall);
      expect(m.fullMse).toBe(m.recall === null ? null : every[e].fullMse);
    });
    const strip = ({ ms: _ms, ...rest }: Record<string, unknown>) => rest;
    expect(strip(third[7])).toEqual(strip(every[7]));
  });
});

describe('gatlab train on bad input', () => {
  it.each([
    [['--lr', 'abc'], /--lr: .*must be a number.*"abc"/],
    [['--heads', '0'], /--heads: .*\[1, 16\].*got 0/],
    [['--eval-every', '0'], /--eval-every: the evaluation interval .* must be in \[1, 10000\], got 0$/],
    [['--bogus'], /unknown option --bogus/],
    [['--epochs'], /--epochs needs a value/],
    [['--data', '/nonexistent.csv'], /\/nonexistent\.csv: no such file/],
  ])('train %j exits with 2 and one line', (args, message) => {
    expect(inputError('train', ...args)).toMatch(message);
  });

  it('a malformed CSV names the file and line', () => {
    const csv = join(DIR, 'bad.csv');
    writeFileSync(csv, 'userId,movieId,rating\n1,10,4\n1,11,abc\n');
    const text = inputError('train', '--data', csv);
    expect(text).toContain(csv);
    expect(text).toMatch(/line 3/);
  });
});

describe('gatlab train --save, then gatlab recommend', () => {
  const weights = join(DIR, 'weights.json');
  let trained: { user: string; items: { item: string; index: number; score: number }[] };

  beforeAll(() => {
    const lines = jsonLines(ok('train', '--epochs', '20', '--save', weights, '--json'));
    const last = lines[lines.length - 1] as { recommendations: (typeof trained)[] };
    trained = last.recommendations.find((r) => r.user === 'Tim')!;
  });

  it('recommends to Tim what training ended with', () => {
    const out = JSON.parse(ok('recommend', '--weights', weights, '--user', 'Tim', '--json')) as {
      user: string;
      k: number;
      recommendations: { item: string; index: number; score: number }[];
    };
    expect(out.user).toBe('Tim');
    expect(out.k).toBe(1);
    expect(out.recommendations.map((r) => [r.item, r.index])).toEqual(trained.items.map((r) => [r.item, r.index]));
    out.recommendations.forEach((r, i) => expect(r.score).toBeCloseTo(trained.items[i].score, 6));
  });

  it('prints the list with scores', () => {
    const text = ok('recommend', '--weights', weights, '--user', 'Tim', '--k', '2');
    expect(text).toContain('Tim');
    expect(text).toContain(trained.items[0].item);
    expect(text).toMatch(/1\. .*\(score -?\d+\.\d{3}\)/);
  });

  it('an unknown user lists valid names', () => {
    expect(inputError('recommend', '--weights', weights, '--user', 'Alice')).toMatch(/no user "Alice".*"Bob", "Steve", "Tim"/);
  });

  it('a weights file with a wrong shape says which tensor', () => {
    const obj = JSON.parse(readFileSync(weights, 'utf8')) as Record<string, number[][]>;
    obj['lin1.user.weight'] = obj['lin1.user.weight'].slice(1);
    const bad = join(DIR, 'wrong-shape.json');
    writeFileSync(bad, JSON.stringify(obj));
    const text = inputError('recommend', '--weights', bad, '--user', 'Tim');
    expect(text).toContain(bad);
    expect(text).toMatch(/lin1\.user\.weight.*shape/);
  });

  it('weights for other data, or a conflicting --hidden, say which flag to set', () => {
    const csv = join(DIR, 'four-users.csv');
    writeFileSync(csv, 'userId,movieId,rating\n1,10,4\n2,10,3\n3,11,5\n4,12,2\n');
    expect(inputError('recommend', '--weights', weights, '--user', '1', '--data', csv)).toMatch(/3 user features.*4 users.*--data/);
    expect(inputError('recommend', '--weights', weights, '--user', 'Tim', '--hidden', '8')).toMatch(/--hidden 8 conflicts.*hidden 12/);
  });

  it('a missing --weights or --user is named', () => {
    expect(inputError('recommend', '--user', 'Tim')).toMatch(/--weights FILE is required/);
    expect(inputError('recommend', '--weights', weights)).toMatch(/--user NAME is required/);
  });
});
