// Every ranking of a run leaves out the same items: each user's seen ones, training AND validation
// (Prepared.seen). On WebGPU, with a validation split: the test ranking (the evaluator's top-K),
// `gatlab recommend` exact and by KNN-MIPS (a child process), and the explainer's top list agree,
// for a user whose validation item would top a ranking that left out only the training items.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRatings } from '../src/cli/data';
import { explain } from '../src/explain/explain';
import { inferShape, parseWeights, readWeightsJson, serializeWeights } from '../src/formats/weightsFile';
import type { Pairs } from '../src/graph/pairs';
import { exactTopK } from '../src/reference/topk';
import { runFingerprint } from '../src/train/fingerprint';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import type { Snapshot } from '../src/train/types';
import { Rng } from '../src/util/rng';
import { openGpu } from './helpers/gpu';
import { ok } from './helpers/gatlab';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-seen-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// 40 users and 65 movies: E = 64 makes the item graph complete, so KNN-MIPS must find the exact list.
const USERS = 40;
const ITEMS = 65;
const K = 10;
const csv = join(DIR, 'ratings.csv');
const weights = join(DIR, 'weights.json');
const RUN = ['--data', csv, '--k', String(K), '--batch-size', 'full', '--hidden', '8', '--val', '0.25'];
const SETTINGS: RunSettings = { ...SEED_SETTINGS, k: K, batchSize: 'full', hidden: 8, val: 0.25 };

const tuples = (p: Pairs) => Array.from(p.user, (u, k) => [u, p.item[k]] as [number, number]);
const itemsOf = (p: Pairs, user: number) => new Set(Array.from(p.item).filter((_, k) => p.user[k] === user));
const rowOf = (index: Int32Array, user: number) => Array.from(index.subarray(user * K, (user + 1) * K)).filter((i) => i >= 0);

let trainer: Trainer;
let snap: Snapshot;
/** A user one of whose validation items a ranking that left out only training items would list. */
let user: number;

beforeAll(async () => {
  const rng = new Rng(11);
  const lines = ['userId,movieId,rating,timestamp'];
  for (let r = 0; r < 900; r++) {
    const u = r < USERS ? r : rng.int(USERS);
    const i = r < ITEMS ? r : rng.int(ITEMS);
    lines.push(`${u + 1},${i + 1},${1 + rng.int(5)},${r}`);
  }
  writeFileSync(csv, `${lines.join('\n')}\n`);
  // Three epochs, saved as `gatlab train --save` saves them (in-process: one child process fewer).
  const { gpu, kernels } = await openGpu();
  const trained = Trainer.create(gpu, kernels, loadRatings(csv), SETTINGS);
  await trained.train(3);
  writeFileSync(weights, serializeWeights(trained.shape, await trained.readParams(), runFingerprint(trained.data, trained.settings)));
  trained.destroy();

  // The run as `gatlab recommend` rebuilds it: the same data and flags, the saved weights.
  const text = readFileSync(weights, 'utf8');
  const initial = parseWeights(text, inferShape(readWeightsJson(text, weights), weights), weights);
  trainer = Trainer.create(gpu, kernels, loadRatings(csv), SETTINGS, initial);
  await trainer.evaluate();
  snap = await trainer.snapshot();
  const { train, val } = trainer.data;
  const trainOnly = exactTopK(snap.user, snap.item, snap.channels, K, tuples(train));
  user = Array.from({ length: USERS }, (_, u) => u).find((u) => rowOf(trainOnly.index, u).some((i) => itemsOf(val, u).has(i))) ?? -1;
}, 300_000);
afterAll(() => trainer?.destroy());

describe('the seen items: training and validation, left out of every ranking', () => {
  it('seen is the training and the validation ratings, and the test ranking leaves them all out', () => {
    const { train, val, seen } = trainer.data;
    expect(val.user.length).toBeGreaterThan(0);
    expect(tuples(seen).sort()).toEqual([...tuples(train), ...tuples(val)].sort());
    // The case the test needs: leaving out training items alone would list a validation item.
    expect(user).toBeGreaterThanOrEqual(0);
    const seenByUser = itemsOf(seen, user);
    expect(rowOf(snap.topk, user).filter((i) => seenByUser.has(i))).toEqual([]);
    expect(rowOf(snap.topk, user)).toEqual(rowOf(exactTopK(snap.user, snap.item, snap.channels, K, tuples(seen)).index, user));
  });

  it('gatlab recommend by KNN-MIPS over a complete item graph lists the test ranking’s items, and says what it left out', () => {
    const { userNames, itemNames } = trainer.data.ratings;
    const name = userNames[user];
    const text = ok('recommend', '--weights', weights, ...RUN, '--user', name, '--search', 'knn-mips', '--restarts', '1', '--steps', '2', '--expansions', '64');
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(`${name}: top ${K} of ${ITEMS} items by KNN-MIPS (R 1, T 2, E 64), leaving out the ${itemsOf(trainer.data.seen, user).size} ${name} rated in training and validation`);
    const listed = lines.slice(1, -1).map((l) => /^ {2}\d+\. (.*) \(score -?\d+\.\d{3}\)$/.exec(l)?.[1]);
    expect(listed).toEqual(rowOf(snap.topk, user).map((i) => itemNames[i]));
    expect(lines.at(-1)).toMatch(/^KNN-MIPS recall@10 against the exact top-10: 1\.000 over 40 users/);
  }, 300_000);

  it('the explainer ranks the same candidates: its top list is the test ranking’s, a validation item is no candidate', async () => {
    const valItem = [...itemsOf(trainer.data.val, user)][0];
    const ex = await explain(trainer, snap, user, valItem, { paths: 1, beam: 4, counterfactuals: 1 });
    expect(ex.top.map((t) => t.item.index)).toEqual(rowOf(snap.topk, user));
    expect(ex.rank).toBeNull();
    expect(ex.sentence).toContain('for validation (held out to choose the epoch), so it is not a candidate');
  });
});
