// Weights a user imports into the page's run: read from a PyG-named JSON file and checked against
// the run's model and, when the file carries one, the fingerprint of the run it was trained on,
// with messages that say which setting to change when they belong to another.
import type { ModelShape } from '../model/params';
import { inferShape, parseWeights, readWeightsJson, weightsFingerprint } from '../formats/weightsFile';
import { checkFingerprint, type RunFingerprint } from '../train/fingerprint';
import { InputError } from '../util/errors';

/** How the settings panel names what fixes each dimension. */
const SOURCE: Record<keyof ModelShape, string> = {
  layers: 'LAYERS',
  hidden: 'LATENT_DIM',
  heads: 'HEADS',
  userDim: 'the users of the data (one input per user)',
  itemDim: 'the item features (LATENT_DIM with the seed’s random features, one per genre with genres, one per item with one-hot)',
};

const WHAT: Record<keyof ModelShape, string> = {
  layers: 'layers',
  hidden: 'hidden channels',
  heads: 'heads',
  userDim: 'user inputs',
  itemDim: 'item inputs',
};

/** What decides a run's data, as the page names it, for "set … as in training". */
const DATA_SETTINGS = 'the data, SEED, SPLIT, MIN_RATING, the split mode, the features and message passing';

/**
 * The flat weights of `text` for a model of `shape` trained on the run of `fingerprint`; an
 * InputError naming the file and what differs otherwise.
 */
export function weightsForRun(text: string, fileName: string, shape: ModelShape, fingerprint: RunFingerprint): Float32Array {
  const named = readWeightsJson(text, fileName);
  const theirs = inferShape(named, fileName);
  const differs = (Object.keys(SOURCE) as (keyof ModelShape)[]).filter((k) => theirs[k] !== shape[k]);
  if (differs.length > 0) {
    const list = (s: ModelShape) => differs.map((k) => `${s[k]} ${WHAT[k]}`).join(', ');
    throw new InputError(
      `${fileName} is a model with ${list(theirs)}, this run's has ${list(shape)}: set ${differs.map((k) => SOURCE[k]).join(' and ')} as the weights were trained, then import them again`,
    );
  }
  checkFingerprint(weightsFingerprint(named), fingerprint, fileName, DATA_SETTINGS);
  return parseWeights(text, shape, fileName);
}
