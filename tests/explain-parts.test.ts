// The explainer's small pure pieces: score split, ranking, attention per slot, nearby ratings,
// the graph without a rating, names.
import { describe, expect, it } from 'vitest';
import { edgeAttention, slotAlpha } from '../src/explain/attention';
import { graphWithout, nearbyRatings, ratingsBetween } from '../src/explain/counterfactuals';
import { itemLabel, namedNode, userLabel } from '../src/explain/names';
import { candidateRank, topCandidates, userScores } from '../src/explain/ranking';
import { scoreSplit } from '../src/explain/scoreSplit';
import { fullGraph } from '../src/graph/build';
import { toyRatings } from '../src/graph/toy';
import type { GraphArrays, Ratings } from '../src/graph/types';
import type { LayeredAttention } from '../src/explain/paths';

const NO_LABELS = { user: new Uint32Array(0), item: new Uint32Array(0), value: new Float32Array(0) };

describe('scoreSplit', () => {
  it('splits the inner product into per-dimension terms that sum to it', () => {
    const s = scoreSplit(Float32Array.of(1, -2, 0.5), Float32Array.of(3, 1, 4));
    expect(s.terms).toEqual([
      { dim: 0, user: 1, item: 3, term: 3 },
      { dim: 1, user: -2, item: 1, term: -2 },
      { dim: 2, user: 0.5, item: 4, term: 2 },
    ]);
    expect(s.score).toBe(3);
    expect(() => scoreSplit([1], [1, 2])).toThrow(RangeError);
  });
});

describe('ranking', () => {
  // One user, four items of scores 2, 5, 5, 1 (two channels).
  const user = Float32Array.of(1, 1);
  const item = Float32Array.of(1, 1, 2, 3, 4, 1, 0, 1);
  const scores = userScores(user, item, 2, 0);

  it('ranks among the candidates, ties to the lower item index, training items excluded', () => {
    expect([...scores]).toEqual([2, 5, 5, 1]);
    expect(candidateRank(scores, new Set(), 2)).toEqual({ rank: 2, candidates: 4 });
    expect(candidateRank(scores, new Set([1]), 2)).toEqual({ rank: 1, candidates: 3 });
    expect(candidateRank(scores, new Set([1]), 1)).toEqual({ rank: null, candidates: 3 });
    expect(topCandidates(scores, new Set([1]), 2)).toEqual([
      { item: 2, score: 5 },
      { item: 0, score: 2 },
    ]);
  });
});

describe('attention per slot', () => {
  // Ratings u0–i0, u1–i0; two heads.
  const graph = fullGraph(2, 1, { user: Uint32Array.of(0, 1), item: Uint32Array.of(0, 0) }, NO_LABELS);
  const alpha = Float32Array.from({ length: graph.edgeSrc.length * 2 }, (_, k) => (k + 1) / 16);

  it('takes one head or the mean', () => {
    expect([...slotAlpha(alpha, 2, 1)]).toEqual([2, 4, 6, 8].map((x) => x / 16));
    expect([...slotAlpha(alpha, 2, 'mean')]).toEqual([1.5, 3.5, 5.5, 7.5].map((x) => x / 16));
    expect(() => slotAlpha(alpha, 2, 2)).toThrow(RangeError);
  });

  it('lists named edges of one type', () => {
    const names = ['Ann', 'Ben', 'Up'];
    const rates = edgeAttention(graph, alpha, 2, 'mean', 'rates', (n) => names[n]);
    expect(rates.map((e) => `${e.srcName}>${e.dstName}`)).toEqual(['Ann>Up', 'Ben>Up']);
    expect(rates.every((e) => e.type === 'rates' && e.alpha === (e.heads[0] + e.heads[1]) / 2)).toBe(true);
    expect(edgeAttention(graph, alpha, 2, 0, 'both', (n) => names[n])).toHaveLength(4);
  });
});

describe('counterfactual graphs', () => {
  const toy = toyRatings();
  const mp = { user: toy.user.subarray(0, 7), item: toy.item.subarray(0, 7) };
  const graph = fullGraph(3, 3, mp, NO_LABELS);

  /** Two layers of α = 1 / in-degree, as if every logit were equal. */
  function uniform(g: GraphArrays): LayeredAttention {
    const a = Float64Array.from(g.edgeDst, (d) => 1 / (g.dstPtr[d + 1] - g.dstPtr[d]));
    return { dstPtr: g.dstPtr, edgeSrc: g.edgeSrc, alpha: [a, a] };
  }

  it('takes a rating out in both directions', () => {
    const g = graphWithout(3, 3, mp, 6); // Tim–Guardians
    expect(g.edgeSrc.length).toBe(graph.edgeSrc.length - 2);
    const pairs = [...g.edgeSrc].map((s, e) => `${s}>${g.edgeDst[e]}`);
    expect(pairs).not.toContain('2>5');
    expect(pairs).not.toContain('5>2');
    expect(g.dstPtr[3] - g.dstPtr[2]).toBe(0);
  });

  it('takes several ratings out at once, and finds a rating by its two nodes either way round', () => {
    const between = ratingsBetween(mp, 3, 3);
    // Node ids: users 0..2, items 3..5. Tim (2) – Guardians (5), Steve (1) – Guardians, Steve – Avengers (4).
    const path = [between(2, 5), between(5, 1), between(1, 4)].flat();
    expect(path).toEqual([6, 5, 4]);
    expect(between(0, 5)).toEqual([2]);
    expect(between(2, 3)).toEqual([]);
    const g = graphWithout(3, 3, mp, ...path);
    expect(g.edgeSrc.length).toBe(graph.edgeSrc.length - 6);
    const pairs = new Set([...g.edgeSrc].map((s, e) => `${s}>${g.edgeDst[e]}`));
    for (const gone of ['2>5', '5>2', '1>5', '5>1', '1>4', '4>1']) expect(pairs.has(gone)).toBe(false);
    expect(pairs.has('0>5')).toBe(true);
  });

  it('finds the ratings touching the pair or their neighbours, by attention flow', () => {
    // Bob rated only WWII, which Steve rated too; Guardians has no rating. Into Bob: WWII (α 1);
    // into WWII: Bob and Steve (½ each). Bob–WWII carries 1 + 1·½, Steve–WWII 1·½.
    const m = { user: Uint32Array.of(0, 1, 1, 2), item: Uint32Array.of(0, 0, 1, 1) };
    const near = nearbyRatings(m, uniform(fullGraph(3, 3, m, NO_LABELS)), 3, 3, 0, 2);
    expect(near.map((r) => [r.rating, r.distance, r.flow])).toEqual([
      [0, 0, 1.5],
      [1, 1, 0.5],
    ]);
    // In the toy everything is near Tim and The Avengers.
    const all = nearbyRatings(mp, uniform(graph), 3, 3, 2, 1);
    expect(all).toHaveLength(7);
    expect(all.filter((r) => r.distance === 0).map((r) => r.rating).sort()).toEqual([1, 4, 6]);
    // Tim's one rating carries all the attention into Tim (1) and a third of what reaches Guardians.
    expect(all[0]).toMatchObject({ rating: 6, flow: 1 + 1 / 3 });
  });
});

describe('names', () => {
  it('prefixes bare ids and keeps names', () => {
    const r = { userNames: ['414', 'Tim'], itemNames: ['Heat (1995)', '31'] } as Ratings;
    expect([userLabel(r, 0), userLabel(r, 1), itemLabel(r, 0), itemLabel(r, 1)]).toEqual(['user 414', 'Tim', 'Heat (1995)', 'movie 31']);
    expect(namedNode(r, 3)).toEqual({ node: 3, type: 'item', index: 1, name: 'movie 31' });
  });
});
