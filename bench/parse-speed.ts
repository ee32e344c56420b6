// How fast the one parsing path (src/graph/datasetFiles.ts, as the worker runs it) reads a
// 1M-rating file, in MB/s of the file's bytes: decoding, recognising and parsing, with the
// progress callbacks the page's bar hears. Each format the path knows is generated at the size
// of MovieLens 1M (1,000,000 ratings by 6,040 users of 3,706 movies), so no download is needed.
//
//   node --expose-gc --import ./bin/register.mjs bench/parse-speed.ts [ratings]   (default 1000000)
//
// Also prints the longest stretch between two progress reports: the worker posts each one, so
// that is how stale the page's bar can get (the page's own thread is not blocked by the parse).
import { loadRatings, recogniseFiles } from '../src/graph/datasetFiles';
import { Rng } from '../src/util/rng';

const count = Number(process.argv[2] ?? 1_000_000);
const rng = new Rng(1);
const user = Uint32Array.from({ length: count }, () => 1 + rng.int(6040));
const item = Uint32Array.from({ length: count }, () => 1 + rng.int(3706));
const stars = Uint32Array.from({ length: count }, () => 1 + rng.int(5));
const time = Float64Array.from({ length: count }, () => 956_703_932 + rng.int(90_000_000));
const lines = (header: string, row: (k: number) => string) => {
  const out = header === '' ? [] : [header];
  for (let k = 0; k < count; k++) out.push(row(k));
  return `${out.join('\n')}\n`;
};

/** Each format: a file name, the text's maker (made when measured, so that one text at a time is in memory), the column mapping it needs. */
const formats: [name: string, file: string, make: () => string, mapping?: { user: string; item: string; rating: string }][] = [
  ['MovieLens ratings.csv (header, commas)', 'ratings.csv', () => lines('userId,movieId,rating,timestamp', (k) => `${user[k]},${item[k]},${stars[k]},${time[k]}`)],
  ['MovieLens 1M ratings.dat (::)', 'ratings.dat', () => lines('', (k) => `${user[k]}::${item[k]}::${stars[k]}::${time[k]}`)],
  ['MovieLens 100K u.data (tabs)', 'u.data', () => lines('', (k) => `${user[k]}\t${item[k]}\t${stars[k]}\t${time[k]}`)],
  [
    'Book-Crossing style (quoted, ";", string ids)',
    'books.csv',
    () => lines('"User-ID";"ISBN";"Book-Rating"', (k) => `"${user[k]}";"0${item[k]}X";"${stars[k] * 2}"`),
    { user: 'User-ID', item: 'ISBN', rating: 'Book-Rating' },
  ],
];

for (const [name, fileName, make, mapping] of formats) {
  const bytes = new TextEncoder().encode(make());
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const found = recogniseFiles([{ name: fileName, bytes }], { mapping });
  if ('ask' in found) throw new Error(`${name}: asks for columns`);
  const t1 = performance.now();
  let reports = 0;
  let last = t1;
  let longest = 0;
  const { ratings } = loadRatings(found.source, () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    reports++;
  });
  const t2 = performance.now();
  if (ratings.rating.length !== count) throw new Error(`${name}: ${ratings.rating.length} ratings, expected ${count}`);
  const mb = bytes.length / 1e6;
  console.log(
    `${name}: ${mb.toFixed(1)} MB, ${count.toLocaleString('en')} ratings in ${((t2 - t0) / 1000).toFixed(2)} s ` +
      `(decode+recognise ${(t1 - t0).toFixed(0)} ms, parse ${(t2 - t1).toFixed(0)} ms) = ${(mb / ((t2 - t0) / 1000)).toFixed(1)} MB/s; ` +
      `${reports} progress reports, at most ${longest.toFixed(0)} ms apart`,
  );
}
