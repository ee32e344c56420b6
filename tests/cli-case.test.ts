// `gatlab case` against real PyG 2.5.3: every case in ../shared/fixtures/pyg (cases added there
// later run the same way) goes through the real command, as a child process on WebGPU, and its
// output is held to the README's float32 tolerances. A synthetic case adds the `eval` block the
// shared cases lack, checked against the float64 reference's exact top-K and Recall@K.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adamState, adamStep } from '../src/reference/adam';
import { type NamedParams, referenceForward, referenceGradients } from '../src/reference/model';
import { exactTopK, recallAtK } from '../src/reference/topk';
import type { CaseResult } from '../src/train/caseRunner';
import {
  FIXTURE_DIR,
  type FixtureInput,
  caseNames,
  caseShape,
  caseTensors,
  gradTolerances,
  loadCase,
  maxAbs,
  maxAbsDiff,
  referenceInputOf,
  valueTolerance,
} from './helpers/fixtures';
import { REPO_DIR } from './helpers/paths';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-case-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** README: values to 1e-5 of the largest; the Adam loss history to 1e-4 (a float32 PyTorch run's worst). */
const REL = 1e-5;
const TRAIN_REL = 1e-4;
/** README: trained att_dst and lin_dst.weight follow round-off, not the math; not compared. */
const ROUND_OFF_DRIVEN = /\.(att_dst|lin_dst\.weight)$/;

function gatlab(args: string[]) {
  return spawnSync(process.execPath, [join(REPO_DIR, 'bin/gatlab.mjs'), ...args], {
    cwd: REPO_DIR,
    env: { ...process.env },
    encoding: 'utf8',
    timeout: 300_000,
  });
}

/** Runs `gatlab case IN OUT` and returns OUT. */
function runCase(inPath: string, name: string): CaseResult {
  const outPath = join(DIR, `${name}.out.json`);
  const r = gatlab(['case', inPath, outPath]);
  if (r.status !== 0) throw new Error(`gatlab case ${inPath} exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(readFileSync(outPath, 'utf8'));
}

function writeCase(name: string, input: object): string {
  const path = join(DIR, `${name}.in.json`);
  writeFileSync(path, JSON.stringify(input));
  return path;
}

/** Worst error / tolerance per case and quantity, printed at the end. */
const worst: Record<string, Record<string, number>> = {};
function record(name: string, quantity: string, err: number, tol: number): void {
  const q = (worst[name] ??= {});
  q[quantity] = Math.max(q[quantity] ?? 0, tol > 0 ? err / tol : err === 0 ? 0 : Infinity);
}
afterAll(() => {
  const lines = Object.entries(worst).map(([n, q]) => `  ${n}: ${Object.entries(q).map(([k, v]) => `${k} ${v.toPrecision(2)}`).join(', ')}`);
  if (lines.length > 0) console.info(`gatlab case, worst error / tolerance:\n${lines.join('\n')}`);
});

describe.each(caseNames())('gatlab case on PyG fixture %s', (name) => {
  const { input, expected } = loadCase(name);
  const shape = caseShape(input);
  let out: CaseResult;

  beforeAll(() => {
    out = runCase(fileURLToPath(new URL(`${name}.in.json`, FIXTURE_DIR)), name);
  });

  it('matches the embeddings, predictions and loss', () => {
    for (const t of ['user', 'item'] as const) {
      const want = expected.embeddings[t].flat();
      const got = out.embeddings[t].flat();
      const tol = valueTolerance(want, REL);
      record(name, `embeddings.${t}`, maxAbsDiff(got, want), tol);
      expect(maxAbsDiff(got, want), `embeddings.${t}`).toBeLessThanOrEqual(tol);
    }
    const tolP = valueTolerance(expected.predictions, REL);
    record(name, 'predictions', maxAbsDiff(out.predictions, expected.predictions), tolP);
    expect(maxAbsDiff(out.predictions, expected.predictions)).toBeLessThanOrEqual(tolP);
    record(name, 'loss', Math.abs(out.loss - expected.loss), REL * Math.abs(expected.loss));
    expect(Math.abs(out.loss - expected.loss)).toBeLessThanOrEqual(REL * Math.abs(expected.loss));
  });

  it('matches every gradient, by PyG name and shape', () => {
    const want = caseTensors(input, expected.grads);
    // Parsing by the case's shape checks every name and nested shape of the output.
    const got = caseTensors(input, out.grads as Record<string, number[]>);
    expect(Object.keys(out.grads)).toEqual(expected.param_keys);
    const tol = gradTolerances(want, REL);
    for (const key of Object.keys(want)) {
      const err = maxAbsDiff(got[key], want[key]);
      record(name, 'grads', err, tol[key]);
      expect(err, key).toBeLessThanOrEqual(tol[key]);
    }
  });

  // Skipped for cases without `train` / `eval` blocks: there is nothing of that kind to compare.
  it.runIf(input.train)('follows PyG through the Adam steps (loss history, final loss)', () => {
    const want = expected.train!;
    const got = out.train!;
    expect(got.loss_history).toHaveLength(input.train!.steps);
    const tol = valueTolerance(want.loss_history, TRAIN_REL);
    record(name, 'train.loss_history', maxAbsDiff(got.loss_history, want.loss_history), tol);
    record(name, 'train.final_loss', Math.abs(got.final_loss - want.final_loss), TRAIN_REL * Math.abs(want.final_loss));
    expect(maxAbsDiff(got.loss_history, want.loss_history)).toBeLessThanOrEqual(tol);
    expect(Math.abs(got.final_loss - want.final_loss)).toBeLessThanOrEqual(TRAIN_REL * Math.abs(want.final_loss));
  });

  it.runIf(input.train)('ends at PyG\'s trained parameters (but att_dst, lin_dst.weight) and embeddings', () => {
    const wantParams = caseTensors(input, expected.train!.final_params);
    const gotParams = caseTensors(input, out.train!.final_params as Record<string, number[]>);
    const keys = Object.keys(wantParams).filter((k) => !ROUND_OFF_DRIVEN.test(k));
    const failed: string[] = [];
    for (const k of keys) {
      const err = maxAbsDiff(gotParams[k], wantParams[k]);
      const tol = TRAIN_REL * Math.max(1, maxAbs(wantParams[k]));
      record(name, 'train.final_params', err, tol);
      if (err > tol) failed.push(`${k}: ${err.toExponential(2)} > ${tol.toExponential(2)}`);
    }
    // Final embeddings are compared only when the expected file has them.
    const wantEmb = (expected.train as { final_embeddings?: { user: number[][]; item: number[][] } }).final_embeddings;
    if (wantEmb) {
      for (const t of ['user', 'item'] as const) {
        const want = wantEmb[t].flat();
        const err = maxAbsDiff(out.train!.final_embeddings[t].flat(), want);
        const tol = valueTolerance(want, TRAIN_REL);
        record(name, `train.final_embeddings.${t}`, err, tol);
        if (err > tol) failed.push(`final_embeddings.${t}: ${err.toExponential(2)} > ${tol.toExponential(2)}`);
      }
    }
    expect(failed).toEqual([]);
  });

  it.runIf(expected.eval)('ranks the same top-k and Recall@k', () => {
    expect(out.eval!.topk_index).toEqual(expected.eval!.topk_index);
    expect(out.eval!.recall).toBeCloseTo(expected.eval!.recall, 6);
  });

  it('names the shape it ran', () => {
    expect(shape.layers).toBeGreaterThan(0);
    expect(out.embeddings.user).toHaveLength(input.graph.num_users);
    expect(out.embeddings.item).toHaveLength(input.graph.num_items);
    expect(out.embeddings.user[0]).toHaveLength(shape.hidden);
  });
});

describe('gatlab case with an eval block', () => {
  const { input: tiny } = loadCase('tiny');
  // k = 2 over 5 items. User 0 keeps items 3 and 4 only; user 1 keeps one item (a -1 pad); user 2
  // loses two; user 3 keeps all. Exclusions may repeat; targets may repeat (PyG counts each).
  const evalBlock: NonNullable<FixtureInput['eval']> = {
    k: 2,
    exclude_edges: [[0, 0], [0, 1], [0, 2], [1, 0], [1, 0], [1, 1], [1, 2], [1, 4], [2, 2], [2, 4]],
    target_edges: [[0, 0], [0, 3], [2, 3], [3, 4], [3, 4]],
  };
  const shape = caseShape(tiny);

  function referenceEval(input: FixtureInput, params: NamedParams) {
    const { embeddings } = referenceForward(shape, params, referenceInputOf(input));
    const pairs = (p: [number, number][]) => p.map(([u, i]) => [u, i] as const);
    const topk = exactTopK(embeddings.user, embeddings.item, shape.hidden, evalBlock.k, pairs(evalBlock.exclude_edges));
    const rows = Array.from({ length: input.graph.num_users }, (_, u) => Array.from(topk.index.subarray(u * evalBlock.k, (u + 1) * evalBlock.k)));
    return { rows, recall: recallAtK(topk, pairs(evalBlock.target_edges)) };
  }

  it('gives the float64 reference\'s exact top-k (with -1 pads) and Recall@k', () => {
    const input = { ...tiny, name: 'tiny_eval', eval: evalBlock };
    const out = runCase(writeCase('tiny_eval', input), 'tiny_eval');
    const want = referenceEval(input, caseTensors(input, input.params));
    expect(want.rows[1]).toContain(-1);
    expect(out.eval!.topk_index).toEqual(want.rows);
    expect(out.eval!.recall).toBeCloseTo(want.recall, 6);
    record('tiny_eval', 'eval.recall', Math.abs(out.eval!.recall - want.recall), 1e-6);
  });

  it('ranks with the final embeddings when the case also trains', () => {
    const train = { steps: 10, lr: 0.05 };
    const input = { ...tiny, name: 'tiny_train_eval', train, eval: evalBlock };
    const out = runCase(writeCase('tiny_train_eval', input), 'tiny_train_eval');
    // The float64 reference trained the same way.
    const p: NamedParams = caseTensors(input, input.params);
    const state = Object.fromEntries(Object.entries(p).map(([k, v]) => [k, adamState(v.length)]));
    const graph = referenceInputOf(input);
    for (let s = 0; s < train.steps; s++) {
      const { grads } = referenceGradients(shape, p, graph);
      for (const k of Object.keys(p)) adamStep(p[k], grads[k], state[k], { lr: train.lr });
    }
    const trained = referenceEval(input, p);
    const untrained = referenceEval(input, caseTensors(input, input.params));
    expect(trained.rows, 'training changes the ranking, so the test can tell').not.toEqual(untrained.rows);
    expect(out.eval!.topk_index).toEqual(trained.rows);
    expect(out.eval!.recall).toBeCloseTo(trained.recall, 6);
    // And it is the top-k of the final embeddings the command wrote.
    const fin = out.train!.final_embeddings;
    const own = exactTopK(fin.user.flat(), fin.item.flat(), shape.hidden, evalBlock.k, evalBlock.exclude_edges.map(([u, i]) => [u, i] as const));
    expect(out.eval!.topk_index.flat()).toEqual(Array.from(own.index));
  });
});

describe('gatlab case on a bad case file', () => {
  const { input: tiny } = loadCase('tiny');
  const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
    ['a missing field', (c) => delete c.labels, /missing field "labels"/],
    [
      'features of the wrong width',
      (c) => ((c.graph as FixtureInput['graph']).x_user = (c.graph as FixtureInput['graph']).x_user.map((r) => [...r, 0])),
      /graph\.x_user\[0\].* 4 features.*reads 3/,
    ],
    ['an unknown parameter', (c) => ((c.params as Record<string, unknown>)['conv1.user__rates__item.att_extra'] = [[[0]]]), /unknown parameter "conv1\.user__rates__item\.att_extra"/],
    ['k above 100', (c) => (c.eval = { k: 101, exclude_edges: [], target_edges: [] }), /eval\.k.*101.*at most 100/],
  ];
  it.each(cases)('reports %s in one line that names the file', (what, spoil, message) => {
    const c = structuredClone(tiny) as unknown as Record<string, unknown>;
    spoil(c);
    const path = writeCase(`bad_${what.replace(/\W+/g, '_')}`, c);
    const r = gatlab(['case', path, join(DIR, 'bad.out.json')]);
    expect(r.status, r.stderr).toBe(2);
    const text = r.stderr.trim();
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toContain(path);
    expect(text).toMatch(message);
    expect(text).not.toMatch(/\n\s+at /);
  });
});
