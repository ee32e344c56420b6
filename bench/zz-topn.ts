import { readFileSync } from 'node:fs';
import { parseMovies, parseRatingsCsv } from '../src/graph/csv';
import { prepare } from '../src/train/prepare';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Rng } from '../src/util/rng';
import { ratedLists, excludeLists } from '../src/search/inputs';
import { recallAtK } from '../src/reference/topk';
const D = '/work/shared/data/ml-latest-small/';
const loaded = parseRatingsCsv(readFileSync(D + 'ratings.csv', 'utf8'), 'ratings.csv', parseMovies(readFileSync(D + 'movies.csv', 'utf8'), 'movies.csv'));
const p = prepare(loaded, { ...SEED_SETTINGS, minRating: 4, split: 0.8, splitMode: 'userTime', features: 'genres' } as RunSettings, new Rng(1));
const U = p.numUsers, I = p.numItems;
const { byUser, byItem } = ratedLists(U, I, p.train);
const norm = Float64Array.from({ length: I }, (_, i) => Math.sqrt(byItem.ptr[i + 1] - byItem.ptr[i]));
const test = Array.from(p.test.user, (u, k) => [u, p.test.item[k]] as [number, number]);
const ex = excludeLists(U, I, p.train);
for (const N of [10, 20, 50, 100, 200, 500, 100000]) {
  // each item's top-N neighbours by cosine (itself excluded)
  const nb: Map<number, number>[] = [];
  for (let i = 0; i < I; i++) {
    const co = new Float64Array(I);
    for (let q = byItem.ptr[i]; q < byItem.ptr[i + 1]; q++) { const v = byItem.items[q]; for (let r = byUser.ptr[v]; r < byUser.ptr[v + 1]; r++) co[byUser.items[r]]++; }
    const cand: [number, number][] = [];
    for (let j = 0; j < I; j++) if (j !== i && co[j] > 0) cand.push([j, co[j] / (norm[i] * norm[j])]);
    cand.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    nb.push(new Map(cand.slice(0, N)));
  }
  const index = new Int32Array(U * 20).fill(-1);
  for (let u = 0; u < U; u++) {
    const mine = new Set(byUser.items.subarray(byUser.ptr[u], byUser.ptr[u + 1]));
    const skip = new Set(ex.items.subarray(ex.ptr[u], ex.ptr[u + 1]));
    const s: [number, number][] = [];
    for (let i = 0; i < I; i++) { if (skip.has(i)) continue; let x = 0; for (const [j, w] of nb[i]) if (mine.has(j)) x += w; s.push([i, x]); }
    s.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    index.set(s.slice(0, 20).map((t) => t[0]), u * 20);
  }
  const t20 = { k: 20, numUsers: U, index };
  const t10 = { k: 10, numUsers: U, index: Int32Array.from({ length: U * 10 }, (_, j) => index[Math.floor(j / 10) * 20 + (j % 10)]) };
  console.log(`N=${N}: R@10 ${recallAtK(t10, test).toFixed(4)} R@20 ${recallAtK(t20, test).toFixed(4)}`);
}
