// A new run as the page first sees it: its description (names, ratings, graph, shape, how often
// its epochs are kept, notes on odd settings), and its first look at the data: Recall@K, the
// snapshot and the weights of its first epoch.
import { EVALS_TIMED } from '../train/evalFusion';
import { ratedPairs } from '../train/exporter';
import { describeFusion, type FuseDecision } from '../train/fuseDecision';
import type { Trainer } from '../train/trainer';
import type { Snapshot } from '../train/types';
import { keepStride } from './keep';
import type { RunInfo } from './protocol';

/** The run as the page is told of it when it is ready. */
export function describeRun(trainer: Trainer, runId: number, datasetName: string, adapterName: string): RunInfo {
  const { data, shape, settings, evaluator } = trainer;
  const g = evaluator.graph;
  const k = evaluator.k;
  const notes: string[] = [];
  if (settings.k > data.numItems) notes.push(`K is ${settings.k} but the catalogue has ${data.numItems} movies; the run ranks with K = ${k}.`);
  if (data.test.user.length === 0) notes.push(`With SPLIT ${settings.split} no rating is left for testing, so Recall@${k} has nothing to find.`);
  const stride = keepStride(
    { numUsers: data.numUsers, numItems: data.numItems, channels: shape.hidden, k, layers: shape.layers, edges: g.edgeSrc.length, heads: shape.heads },
    settings.epochs,
  );
  return {
    runId,
    settings,
    adapterName,
    paths: describePaths(trainer),
    datasetName,
    userNames: data.ratings.userNames,
    itemNames: data.ratings.itemNames,
    numUsers: data.numUsers,
    numItems: data.numItems,
    ratings: ratedPairs(trainer),
    graph: { edgeSrc: g.edgeSrc, edgeDst: g.edgeDst },
    layers: shape.layers,
    heads: shape.heads,
    channels: shape.hidden,
    k,
    stepsPerEpoch: trainer.stepsPerEpoch,
    paramCount: trainer.model.size,
    keepEvery: stride,
    notes,
  };
}

/** The trainer's fuse decisions in words (each "not measured" until its first train() or decidePaths()). */
function describePaths(trainer: Trainer): string {
  const said = (d: FuseDecision | null, timed?: string) => (d ? describeFusion(d, timed) : `not measured (fuse: ${trainer.fuse})`);
  return `Training steps: ${said(trainer.fusion)}. Evaluation: ${said(trainer.evalFusion, EVALS_TIMED)}.`;
}

/** A new trainer's first look at the data: Recall@K, the snapshot and the weights of epoch 0. */
export interface FirstLook {
  recall: number;
  snapshot: Snapshot;
  weights: Float32Array;
}

export async function firstLook(trainer: Trainer): Promise<FirstLook> {
  await trainer.decidePaths();
  const recall = await trainer.evaluate();
  const snapshot = await trainer.snapshot();
  return { recall, snapshot, weights: await trainer.readParams() };
}
