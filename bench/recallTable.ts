// The recall bench's arithmetic and printing: top-K columns, Recall@K over all, warm and cold
// test users, mean ± standard deviation over seeds, and the table.
import type { PairArrays } from '../src/graph/pairs';
import { recallAtK } from '../src/reference/topk';
import type { TopK } from '../src/search/topk';

export const fmt = (x: number | null, d = 4) => (x === null || Number.isNaN(x) ? '—' : x.toFixed(d));

/** The first k columns of a top-K list (a top-20 gives the top-10). */
export function firstColumns(t: TopK, k: number): TopK {
  return { k, numUsers: t.numUsers, index: Int32Array.from({ length: t.numUsers * k }, (_, j) => t.index[Math.floor(j / k) * t.k + (j % k)]) };
}

export async function timed<T>(f: () => Promise<T>, repeats = 3): Promise<{ value: T; ms: number }> {
  let value = await f(); // warm-up: pipelines, caches
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    value = await f();
    ms.push(performance.now() - t0);
  }
  return { value, ms: [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] };
}

/** Recall@10 and @20 of one top-20, over every test user and over the warm and cold ones apart. */
export interface Recalls {
  r10: number;
  r20: number;
  warm20: number;
  cold20: number;
}

/** The test pairs, and which of them belong to users with no training rating (cold). */
export function testSides(train: PairArrays, test: PairArrays): { all: [number, number][]; warm: [number, number][]; cold: [number, number][]; coldUsers: number; testUsers: number } {
  const trained = new Set(Array.from(train.user));
  const all = Array.from(test.user, (u, k) => [u, test.item[k]] as [number, number]);
  const cold = all.filter(([u]) => !trained.has(u));
  const testUsers = new Set(Array.from(test.user));
  return { all, warm: all.filter(([u]) => trained.has(u)), cold, coldUsers: new Set(cold.map(([u]) => u)).size, testUsers: testUsers.size };
}

export function recalls(top20: TopK, sides: ReturnType<typeof testSides>): Recalls {
  const at = (pairs: [number, number][]) => (pairs.length > 0 ? recallAtK(top20, pairs) : Number.NaN);
  return { r10: recallAtK(firstColumns(top20, 10), sides.all), r20: at(sides.all), warm20: at(sides.warm), cold20: at(sides.cold) };
}

/** Sample mean and standard deviation (n − 1; 0 for one value). */
export function meanSd(xs: number[]): { mean: number; sd: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean, sd };
}

export const cell = (xs: number[]) => {
  const { mean, sd } = meanSd(xs);
  return Number.isNaN(mean) ? '—' : `${fmt(mean)} ± ${fmt(sd)}`;
};

/** A Markdown table: a header row and rows of cells. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `| ${cells.map((x, c) => x.padEnd(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
