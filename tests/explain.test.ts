// The explainer on the seed's toy data, trained for real on WebGPU.
//
// SEED_SETTINGS but full-batch and 300 epochs: each epoch is one Adam step on all seven training
// ratings, so the loss is ~0 by epoch 200 and The Avengers ends first for Tim (checked below),
// in seconds on SwiftShader instead of the seed's 1500 epochs of seven one-rating steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attentionEdges } from '../src/explain/attention';
import { graphWithout } from '../src/explain/counterfactuals';
import { explain, type Explanation } from '../src/explain/explain';
import { dot, row } from '../src/explain/scoreSplit';
import { formatScore, formatShare, side } from '../src/explain/sentence';
import { toyRatings } from '../src/graph/toy';
import { SEED_SETTINGS } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import type { Snapshot } from '../src/train/types';
import { openGpu } from './helpers/gpu';

const TIM = 2;
const AVENGERS = 1;
const GUARDIANS = 2;
const TIM_GUARDIANS = 6; // index of the rating in the toy's (training) message-passing edges

let trainer: Trainer;
let snapshot: Snapshot;
let ex: Explanation;

beforeAll(async () => {
  const { gpu, kernels } = await openGpu();
  trainer = Trainer.create(gpu, kernels, toyRatings(), { ...SEED_SETTINGS, batchSize: 'full', epochs: 300 });
  await trainer.train(300);
  snapshot = await trainer.snapshot();
  ex = await explain(trainer, snapshot, TIM, AVENGERS, { paths: 50 });
});

afterAll(() => trainer?.destroy());

describe('explain (toy: Tim and The Avengers)', () => {
  it('ranks The Avengers first among Tim\'s candidates, as the evaluation does', () => {
    expect(snapshot.topk[TIM * snapshot.k]).toBe(AVENGERS);
    expect(ex).toMatchObject({ rank: 1, candidates: 2, trainingItem: false, rating: 5 });
    expect(ex.user.name).toBe('Tim');
    expect(ex.item.name).toBe('The Avengers');
    expect(ex.top.map((t) => t.item.name)).toEqual(['The Avengers']);
    expect(ex.top[0].score).toBe(ex.score);
  });

  it('splits the score exactly over embedding dimensions', () => {
    const C = snapshot.channels;
    expect(ex.split).toHaveLength(C);
    expect(ex.split.reduce((s, t) => s + t.term, 0)).toBe(ex.score);
    expect(ex.score).toBe(dot(row(snapshot.user, TIM, C), row(snapshot.item, AVENGERS, C)));
  });

  it('says a training item is not a candidate', async () => {
    const g = await explain(trainer, snapshot, TIM, GUARDIANS, { counterfactuals: 1 });
    expect(g).toMatchObject({ rank: null, trainingItem: true, rating: 5 });
    expect(g.sentence).toContain('who rated it 5 in training, so it is not a candidate');
  });

  it('finds the paths through Guardians of the Galaxy, Tim\'s one rating', () => {
    const viaGuardians = (nodes: { name: string }[]) => nodes[1].name === 'Guardians of the Galaxy';
    expect(ex.pathsToUser.length).toBeGreaterThan(0);
    expect(ex.pathsToUser.every((p) => viaGuardians(p.nodes) && p.hops.map((h) => h.layer).join() === '3,2,1')).toBe(true);
    // Every depth-3 walk fits the beam in the toy, so the weights, like the α into a node, sum to 1.
    for (const paths of [ex.pathsToUser, ex.pathsToItem]) expect(paths.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1, 5);
    expect(ex.connecting.length).toBeGreaterThan(0);
    for (const p of ex.connecting) {
      expect(viaGuardians(p.nodes)).toBe(true);
      expect(p.nodes[0].name).toBe('Tim');
      expect(p.nodes[p.nodes.length - 1].name).toBe('The Avengers');
      expect(p.weight).toBeCloseTo(p.hops.reduce((w, h) => w * h.alpha, 1), 12);
    }
    const names = ex.connecting.map((p) => p.nodes.map((n) => n.name).join(' > '));
    expect(names).toContain('Tim > Guardians of the Galaxy > Steve > The Avengers');
  });

  it('reads α as the mean over heads, or one head', async () => {
    const H = trainer.shape.heads;
    const hop = ex.connecting[0].hops[1];
    const a = snapshot.attention[hop.layer - 1];
    expect(hop.alpha).toBeCloseTo((a[hop.slot * H] + a[hop.slot * H + 1]) / 2, 7);
    const one = await explain(trainer, snapshot, TIM, AVENGERS, { head: 1, counterfactuals: 1 });
    for (const h of one.connecting[0].hops) expect(h.alpha).toBe(snapshot.attention[h.layer - 1][h.slot * H + 1]);
  });

  it('reproduces the score with nothing removed, and moves it when Tim\'s rating of Guardians goes', async () => {
    const cf = ex.counterfactuals;
    expect(cf.baseline).toBe(ex.score);
    expect(cf.nearby).toBe(7);
    expect(cf.tried).toHaveLength(7);
    const deltas = cf.tried.map((c) => Math.abs(c.delta));
    expect(deltas).toEqual([...deltas].sort((a, b) => b - a));
    const tg = cf.tried.find((c) => c.rating === TIM_GUARDIANS)!;
    expect(tg).toMatchObject({ user: TIM, item: GUARDIANS, userName: 'Tim', itemName: 'Guardians of the Galaxy', value: 5, distance: 0 });
    expect(Math.abs(tg.delta)).toBeGreaterThan(0.1);
    // The same forward pass, done here by hand.
    const { numUsers, numItems, mpEdges } = trainer.data;
    const emb = await trainer.embeddingsFor(graphWithout(numUsers, numItems, mpEdges, TIM_GUARDIANS));
    const C = snapshot.channels;
    expect(dot(row(emb.user, TIM, C), row(emb.item, AVENGERS, C))).toBe(tg.score);
  });

  it('measures each connecting path by taking all its ratings out, and gives its share of the listed weight', async () => {
    const { numUsers, numItems, mpEdges } = trainer.data;
    const total = ex.connecting.reduce((s, p) => s + p.weight, 0);
    expect(ex.connecting.reduce((s, p) => s + p.share, 0)).toBeCloseTo(1, 12);
    const C = snapshot.channels;
    const viaSteve = ex.connecting.find((p) => p.nodes.map((n) => n.name).join(' > ') === 'Tim > Guardians of the Galaxy > Steve > The Avengers')!;
    expect(viaSteve.share).toBe(viaSteve.weight / total);
    // Its ratings in the toy's message-passing edges: Tim–Guardians, Steve–Guardians, Steve–Avengers.
    const pairs = [...mpEdges.user].map((u, k) => `${u}-${mpEdges.item[k]}`);
    const ratings = ['2-2', '1-2', '1-1'].map((key) => pairs.indexOf(key));
    expect(ratings.every((k) => k >= 0)).toBe(true);
    const emb = await trainer.embeddingsFor(graphWithout(numUsers, numItems, mpEdges, ...ratings));
    expect(viaSteve.score).toBe(dot(row(emb.user, TIM, C), row(emb.item, AVENGERS, C)));
    expect(viaSteve.delta).toBe(viaSteve.score - ex.counterfactuals.baseline);
  });

  it('sums it up in words from those numbers, the strongest reason for the score first', () => {
    const text = ex.sentence;
    expect(text).toContain(`The model scores The Avengers ${formatScore(ex.score)} for Tim, 1st of 2 candidates (the held-out rating is 5).`);
    const up = ex.counterfactuals.tried.filter((c) => side(c) === 'for')[0];
    expect(up).toBeDefined();
    expect(text).toContain(`What raises it most is ${up.userName}'s rating of ${up.itemName}: without it the score falls by ${formatScore(-up.delta)} to ${formatScore(up.score)}.`);
    const path = ex.connecting.find((p) => side(p) === 'for');
    if (path) expect(text).toContain(`The strongest attention path that raises it (${formatShare(path.share)} of the listed paths' attention) runs through ${path.nodes.slice(1, -1).map((n) => n.name).join(' and ')}: `);
    const down = ex.counterfactuals.tried.find((c) => side(c) === 'against');
    if (down) expect(text.indexOf('What raises it most')).toBeLessThan(text.indexOf('What lowers it most'));
  });

  it('lists one layer\'s attention by edge for the graph view', () => {
    const H = trainer.shape.heads;
    const intoUsers = attentionEdges(trainer, snapshot, 3, 'mean', 'rev_rates');
    expect(intoUsers).toHaveLength(7);
    for (const name of ['Bob', 'Steve', 'Tim']) {
      const edges = intoUsers.filter((e) => e.dstName === name);
      expect(edges.reduce((s, e) => s + e.alpha, 0)).toBeCloseTo(1, 5);
    }
    expect(intoUsers.find((e) => e.dstName === 'Tim')).toMatchObject({ srcName: 'Guardians of the Galaxy', type: 'rev_rates' });
    const head0 = attentionEdges(trainer, snapshot, 1, 0);
    expect(head0).toHaveLength(14);
    expect(head0.every((e) => e.heads.length === H && e.alpha === e.heads[0])).toBe(true);
    expect(() => attentionEdges(trainer, snapshot, 0, 'mean')).toThrow(RangeError);
  });

  it('rejects nodes out of range', async () => {
    await expect(explain(trainer, snapshot, 3, 0)).rejects.toThrow(RangeError);
    await expect(explain(trainer, snapshot, 0, -1)).rejects.toThrow(RangeError);
  });
});
