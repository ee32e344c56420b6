// What a run hands on to PyTorch Geometric at its current epoch: the weights (PyG-named JSON), the
// embeddings (CSV) and the script that rebuilds the run in PyG. The page's export and
// `gatlab train --export-pyg` both make their files here, so they are the same files.
import { embeddingsCsv, embeddingsFileName } from '../model/embeddingsCsv';
import { predictionChecks, pygScript, SCRIPT_NAME, weightsFileName, type PygRun, type RatedPairs } from '../model/pygScript';
import { serializeWeights } from '../model/weightsFile';
import type { Snapshot, Trainer } from './trainer';

export interface HandoffFile {
  fileName: string;
  text: string;
}

/** Every rating of the run (users and items as indices) and whether it trains. */
export function ratedPairs(trainer: Trainer): RatedPairs {
  const { ratings, split } = trainer.data;
  const train = new Uint8Array(ratings.user.length);
  for (const r of split.train) train[r] = 1;
  return { user: ratings.user, item: ratings.item, rating: ratings.rating, train };
}

/** The script's view of the run; its check pairs are scored with the current weights. */
export async function pygRun(trainer: Trainer, datasetName: string): Promise<PygRun> {
  return (await current(trainer, datasetName)).run;
}

/** The three files of the hand-off, all of the current epoch: weights, embeddings, script. */
export async function pygHandoff(trainer: Trainer, datasetName: string): Promise<HandoffFile[]> {
  const weights = serializeWeights(trainer.shape, await trainer.readParams());
  const { run, snap } = await current(trainer, datasetName);
  const { userNames, itemNames } = run;
  return [
    { fileName: weightsFileName(run.epoch), text: weights },
    { fileName: embeddingsFileName(run.epoch), text: embeddingsCsv({ channels: snap.channels, userNames, itemNames, user: snap.user, item: snap.item }) },
    { fileName: SCRIPT_NAME, text: pygScript(run) },
  ];
}

async function current(trainer: Trainer, datasetName: string): Promise<{ run: PygRun; snap: Snapshot }> {
  // Evaluating now makes the snapshot's embeddings those of the current weights.
  await trainer.evaluate();
  const snap = await trainer.snapshot();
  const ratings = ratedPairs(trainer);
  const { data } = trainer;
  const run: PygRun = {
    settings: trainer.settings,
    shape: trainer.shape,
    datasetName,
    epoch: trainer.epoch,
    userNames: data.ratings.userNames,
    itemNames: data.ratings.itemNames,
    features: data.features,
    ratings,
    checks: predictionChecks(ratings, snap.user, snap.item, snap.channels),
  };
  return { run, snap };
}
