// A run handed on as files: its weights (PyG-named JSON) and a PyG script that rebuilds the model
// with them and checks its predictions. Plain text from a Trainer, with no page around it: the
// engine worker sends it to the page, and the command line can write it to disk.
import { predictionChecks, pygScript, SCRIPT_NAME, weightsFileName, type RatedPairs } from '../formats/pygScript';
import { serializeWeights } from '../formats/weightsFile';
import type { Trainer } from './trainer';

export interface ExportedText {
  fileName: string;
  text: string;
}

/** The current weights, by PyG name. */
export async function exportWeights(trainer: Trainer): Promise<ExportedText> {
  return { fileName: weightsFileName(trainer.epoch), text: serializeWeights(trainer.shape, await trainer.readParams()) };
}

/** The PyG script of the current epoch; `datasetName` names the data it was trained on. */
export async function exportScript(trainer: Trainer, datasetName: string): Promise<ExportedText> {
  // The check pairs' scores come from the current weights' embeddings.
  await trainer.evaluate();
  const snap = await trainer.snapshot();
  const ratings = ratedPairs(trainer);
  const { data } = trainer;
  const text = pygScript({
    settings: trainer.settings,
    shape: trainer.shape,
    datasetName,
    epoch: trainer.epoch,
    userNames: data.ratings.userNames,
    itemNames: data.ratings.itemNames,
    features: data.features,
    ratings,
    checks: predictionChecks(ratings, snap.user, snap.item, snap.channels),
  });
  return { fileName: SCRIPT_NAME, text };
}

/** Every rating of the run (users and items as indices) and whether it trains. */
export function ratedPairs(trainer: Trainer): RatedPairs {
  const { ratings, split } = trainer.data;
  const train = new Uint8Array(ratings.user.length);
  for (const r of split.train) train[r] = 1;
  return { user: ratings.user, item: ratings.item, rating: ratings.rating, train };
}
