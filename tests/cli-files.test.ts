// The command line on the files of the issue "Nothing lost, nothing misread": each defect it
// lists, reproduced through `gatlab` as a user runs it, and the same first predictions from the
// CLI and from the page's loader (the worker's path, trained here in-process on the same GPU).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../src/gpu/device';
import { createKernels, type Kernels } from '../src/gpu/kernels';
import { EPOCH_KEY, FINGERPRINT_KEY } from '../src/formats/weightsFile';
import { recommendationsFor } from '../src/train/recommend';
import { checkSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { loadRatings, recogniseFiles } from '../src/worker/datasetLoader';
import type { ColumnMapping } from '../src/graph/csv';
import { gatlab, inputError, ok } from './helpers/gatlab';
import { REPO_DIR } from './helpers/paths';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-cli-files-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const latin1 = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
const utf16le = (s: string) => Uint8Array.from([0xff, 0xfe, ...[...s].flatMap((c) => [c.charCodeAt(0) & 0xff, c.charCodeAt(0) >> 8])]);
const write = (name: string, bytes: Uint8Array | string) => {
  const path = join(DIR, name);
  writeFileSync(path, bytes);
  return path;
};

interface Final {
  data: { users: number; items: number; ratings: number; train: number; test: number };
  scale: { min: number; max: number; text: string };
  recommendations: { user: string; items: { item: string; index: number; score: number }[] }[];
}
const finalOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Final;

/** Ratings by 6 users of 5 items with names that differ only in accents, in whatever bytes `encode` makes. */
const ACCENTED = `user,item,rating,timestamp\n${['José', 'Josè', 'Josñ', 'Jose', 'Zoë', 'Zoe']
  .flatMap((u, k) => [`${u},Amélie,${1 + (k % 5)},${k}`, `${u},Léon,${5 - (k % 4)},${k + 10}`, `${u},Heat ${k % 3},${2 + (k % 3)},${k + 20}`])
  .join('\n')}\n`;

describe('ids in other encodings, trained from the command line', () => {
  it.each([
    ['Latin-1', latin1],
    ['UTF-16 with a byte order mark', utf16le],
  ])('%s: José, Josè, Josñ and Jose stay four users', (_, encode) => {
    const path = write(`accents-${encode.name}.csv`, encode(ACCENTED));
    const out = finalOf(ok('train', '--data', path, '--epochs', '1', '--batch-size', 'full', '--json'));
    expect(out.data.users).toBe(6);
    expect(out.data.items).toBe(5);
    expect(out.recommendations.map((r) => r.user).every((u) => ['José', 'Josè', 'Josñ', 'Jose', 'Zoë', 'Zoe'].includes(u))).toBe(true);
  });
});

describe('the CLI and the page give the same first predictions', () => {
  let gpu: Gpu;
  let kernels: Kernels;
  beforeAll(async () => {
    gpu = await createGpu();
    kernels = await createKernels(gpu.device);
  });

  const movies = '1::Heat (1995)::Action|Crime\n2::Alien (1979)::Horror\n3::Misérables, Les (1995)::Drama\n4::Ran (1985)::War\n';
  const dat = Array.from({ length: 30 }, (_, k) => `${1 + (k % 6)}::${1 + ((k * 7) % 4)}::${1 + ((k * 3) % 5)}::${1000 + k}`).join('\n');
  const books = `"User-ID";"ISBN";"Book-Rating"\n${Array.from({ length: 30 }, (_, k) => `"${100 + (k % 7)}";"03454${(k * 5) % 6}104X";"${(k * 7) % 11}"`).join('\n')}\n`;
  const cases: [string, { name: string; bytes: Uint8Array }[], string[], ColumnMapping | undefined][] = [
    ['ratings.dat with a Latin-1 movies.dat', [{ name: 'ratings.dat', bytes: new TextEncoder().encode(dat) }, { name: 'movies.dat', bytes: latin1(movies) }], [], undefined],
    ['Book-Crossing, ";"-separated with --columns', [{ name: 'BX-Book-Ratings.csv', bytes: latin1(books) }], ['--columns', 'user=User-ID,item=ISBN,rating=Book-Rating'], { user: 'User-ID', item: 'ISBN', rating: 'Book-Rating' }],
    ['UTF-16 with accented ids', [{ name: 'accents.csv', bytes: utf16le(ACCENTED) }], [], undefined],
  ];

  it.each(cases)('%s', async (name, files, flags, mapping) => {
    const dir = mkdtempSync(join(DIR, 'same-'));
    for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
    const args = ['--epochs', '2', '--batch-size', 'full', '--k', '2', '--split-mode', 'userTime'];
    const cli = finalOf(ok('train', '--data', join(dir, files[0].name), ...flags, ...args, '--json'));

    const found = recogniseFiles(files.map((f) => ({ name: f.name, bytes: Uint8Array.from(f.bytes).buffer })), mapping);
    if ('ask' in found) throw new Error(`${name}: the page asks for columns`);
    const { ratings } = loadRatings(found.source);
    const { settings } = checkSettings({ epochs: 2, batchSize: 'full', k: 2, splitMode: 'userTime' });
    const trainer = Trainer.create(gpu, kernels, ratings, settings);
    await trainer.train(2, () => undefined);
    const snapshot = await trainer.snapshot();
    const data = trainer.data;
    expect(cli.data).toMatchObject({ users: data.numUsers, items: data.numItems, ratings: ratings.rating.length, train: data.train.user.length, test: data.test.user.length });
    const first = cli.recommendations[0];
    const user = ratings.userNames.indexOf(first.user);
    const page = recommendationsFor(snapshot, ratings, user);
    trainer.destroy();
    expect(page.map((r) => r.item)).toEqual(first.items.map((r) => r.item));
    // Same data and seed, same adapter: the same bits (the CLI prints scores as JSON numbers).
    expect(page.map((r) => r.score)).toEqual(first.items.map((r) => r.score));
  }, 120_000);
});

describe('what was misread, now refused or warned about', () => {
  it('a rating of 1e39 or 1e308 is refused with file and line, exit 2', () => {
    for (const big of ['1e39', '1e308']) {
      const path = write(`big-${big}.csv`, `user,item,rating\na,x,1\nb,x,${big}\n`);
      expect(inputError('train', '--data', path)).toMatch(new RegExp(`big-${big}\\.csv, line 3: rating "${big}" is too large`));
    }
  });

  it('a one-rating file is refused with the counts, not trained on nothing', () => {
    const path = write('one.csv', 'user,item,rating\na,x,5\n');
    expect(inputError('train', '--data', path)).toMatch(/of 1 rating leaves 0 to train and 1 to test: a run needs at least two ratings/);
  });

  it('99999999999-scale ratings get a scale warning; the scale is stated', () => {
    const path = write('huge.csv', 'user,item,rating\na,x,99999999999\nb,x,1\na,y,5\nb,y,99999999999\n');
    const r = gatlab('train', '--data', path, '--epochs', '1');
    expect(r.stderr).toMatch(/warning: ratings reach 1\.00e\+11: .*rescale them/);
    expect(r.stderr).toMatch(/; ratings from 1 to 99999997952/);
  });

  it('NUL bytes are refused and never reach the terminal', () => {
    const path = write('nul.csv', 'userId,movieId,rating\n1,2\u0000\u001b[2J,3\n');
    const text = inputError('train', '--data', path);
    expect(text).toMatch(/nul\.csv: looks like binary data \(a NUL byte at byte 26\), not a CSV/);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });

  it('a PNG named .csv is refused saying so', () => {
    const path = write('photo.csv', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    expect(inputError('train', '--data', path)).toMatch(/photo\.csv: looks like a PNG image, not a CSV$/);
  });

  it('ML-1M ratings.dat is read, not taken for a header with an unknown column', () => {
    const path = write('ratings.dat', '1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n2::661::2::978298414\n');
    const out = finalOf(ok('train', '--data', path, '--epochs', '1', '--json', '--split-mode', 'userTime', '--split', '0.5'));
    expect(out.data).toMatchObject({ users: 2, items: 2, ratings: 4 });
  });

  it('gatlab case fails naming the field when an output is not finite, and writes nothing', () => {
    const spec = JSON.parse(readFileSync(join(REPO_DIR, '../shared/fixtures/pyg/tiny.in.json'), 'utf8')) as { labels: number[] };
    spec.labels = spec.labels.map(() => 1e38);
    const input = write('huge-labels.in.json', JSON.stringify(spec));
    const output = join(DIR, 'huge-labels.out.json');
    expect(inputError('case', input, output)).toMatch(/huge-labels\.in\.json: the result's loss is (Infinity|NaN) \(not a finite number\), so .*huge-labels\.out\.json was not written/);
    expect(() => readFileSync(output)).toThrow();
  });
});

describe('weights carry a fingerprint of their run', () => {
  const weights = join(DIR, 'toy-weights.json');
  // The toy's shape (3 users, 3 items, 8 ratings) with other people and films.
  const other = 'user,item,rating,timestamp\nAda,Heat,5,1\nAda,Ran,1,2\nAda,Alien,1,3\nBen,Heat,1,4\nBen,Ran,5,5\nBen,Alien,5,6\nCy,Alien,5,7\nCy,Ran,5,8\n';
  beforeAll(() => {
    ok('train', '--epochs', '3', '--save', weights);
  }, 120_000);

  it('is written into the weights file beside the parameters', () => {
    const saved = JSON.parse(readFileSync(weights, 'utf8')) as Record<string, { users: number; settings: { seed: number } }>;
    expect(saved[FINGERPRINT_KEY]).toMatchObject({ users: 3, items: 3, ratings: 8, settings: { seed: 123 } });
    // And which epoch's weights they are (no validation split: the last).
    expect(saved[EPOCH_KEY]).toEqual({ epoch: 3 });
  });

  it('recommend refuses weights of another dataset of the same size, saying what differs', () => {
    const path = write('other-toy.csv', other);
    expect(inputError('recommend', '--weights', weights, '--data', path, '--user', 'Ada')).toMatch(
      /toy-weights\.json: these weights were trained on another run; it differs in the data: as many users, items and ratings, but other ids or ratings \(set --data/,
    );
    expect(inputError('recommend', '--weights', weights, '--user', 'Tim', '--seed', '7')).toMatch(/differs in the features: drawn from seed 123 then, 7 now/);
    expect(inputError('recommend', '--weights', weights, '--user', 'Tim', '--split', '0.75')).toMatch(/differs in the split: time 0\.875 then, time 0\.75 now/);
  });

  it('train --init refuses them too; weights without a fingerprint (from PyG) are taken on trust', () => {
    const path = write('other-toy-2.csv', other);
    expect(inputError('train', '--data', path, '--init', weights)).toMatch(/toy-weights\.json: these weights were trained on another run; it differs in the data/);
    const bare = JSON.parse(readFileSync(weights, 'utf8')) as Record<string, unknown>;
    delete bare[FINGERPRINT_KEY];
    const bareWeights = write('bare-weights.json', JSON.stringify(bare));
    expect(ok('recommend', '--weights', bareWeights, '--data', path, '--user', 'Ada')).toMatch(/^Ada: top 1/);
  });
});
