// A run handed on as files, at its current epoch: its weights (PyG-named JSON), its embeddings
// (CSV) and a PyG script that rebuilds the model with them and checks its predictions. Plain text
// from a Trainer, with no page around it: the engine worker sends it to the page, and
// `gatlab train --export-pyg` writes it to disk, so both hand on the same files.
import { embeddingsCsv, embeddingsFileName } from '../formats/embeddingsCsv';
import { predictionChecks, pygScript, SCRIPT_NAME, weightsFileName, type PygRun, type RatedPairs } from '../formats/pygScript';
import { serializeWeights } from '../formats/weightsFile';
import { runFingerprint } from './fingerprint';
import type { Trainer } from './trainer';
import type { Snapshot } from './types';

export interface ExportedText {
  fileName: string;
  text: string;
}

/** The current weights, by PyG name, with the fingerprint of the run they belong to. */
export async function exportWeights(trainer: Trainer): Promise<ExportedText> {
  const text = serializeWeights(trainer.shape, await trainer.readParams(), runFingerprint(trainer.data, trainer.settings), { epoch: trainer.epoch });
  return { fileName: weightsFileName(trainer.epoch), text };
}

/** The PyG script of the current epoch; `datasetName` names the data it was trained on. */
export async function exportScript(trainer: Trainer, datasetName: string): Promise<ExportedText> {
  const { run } = await current(trainer, datasetName);
  return { fileName: SCRIPT_NAME, text: pygScript(run) };
}

/** The three files of the hand-off, all of the current epoch: weights, embeddings, script. */
export async function pygHandoff(trainer: Trainer, datasetName: string): Promise<ExportedText[]> {
  const weights = await exportWeights(trainer);
  const { run, snap } = await current(trainer, datasetName);
  const { userNames, itemNames } = run;
  return [
    weights,
    { fileName: embeddingsFileName(run.epoch), text: embeddingsCsv({ channels: snap.channels, userNames, itemNames, user: snap.user, item: snap.item }) },
    { fileName: SCRIPT_NAME, text: pygScript(run) },
  ];
}

/** Every rating of the run (users and items as indices) and whether it trains or validates. */
export function ratedPairs(trainer: Trainer): RatedPairs {
  const { ratings, split } = trainer.data;
  const flags = (rows: ArrayLike<number> = []) => {
    const out = new Uint8Array(ratings.user.length);
    for (let k = 0; k < rows.length; k++) out[rows[k]] = 1;
    return out;
  };
  return { user: ratings.user, item: ratings.item, rating: ratings.rating, train: flags(split.train), val: flags(split.val) };
}

/** The script's view of the run, its check pairs scored with the current weights, and the snapshot they came from. */
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
