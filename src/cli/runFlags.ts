// The flags that set a run (the same settings as the page's URL), shared by train and recommend.
import { checkSettings, SEED_SETTINGS, type RunSettings } from '../train/settings';
import { InputError } from '../util/errors';
import type { FlagSpec, Flags } from './args';

export const RUN_FLAGS: Record<string, FlagSpec> = {
  data: { value: true, help: 'toy (default), or a ratings file: a MovieLens ZIP, ratings.csv, ratings.dat, u.data, or any CSV (movies.csv, movies.dat or u.item beside it gives titles and genres; see --columns, --sep)' },
  seed: { value: true, help: `random seed (default ${SEED_SETTINGS.seed})` },
  split: { value: true, help: 'train fraction (default 0.875)' },
  'split-mode': { value: true, help: 'time (default: the oldest ratings train), userTime (each user\'s oldest ratings train) or random (a random draw from --seed)' },
  'min-rating': { value: true, help: 'keep only ratings at or above this (implicit feedback; default: keep all)' },
  features: { value: true, help: 'item features: seed (default: random normal, LATENT_DIM wide) or genres (multi-hot; needs movies.csv or u.item)' },
  'batch-size': { value: true, help: `supervision edges per step, or "full" (default ${SEED_SETTINGS.batchSize})` },
  neighbors: { value: true, help: `neighbours sampled per hop, e.g. 10,5; -1 = all (default ${SEED_SETTINGS.neighbors.join(',')})` },
  'neg-ratio': { value: true, help: `random negatives (label 0) per positive (default ${SEED_SETTINGS.negRatio})` },
  epochs: { value: true, help: `epochs (default ${SEED_SETTINGS.epochs})` },
  lr: { value: true, help: `Adam learning rate (default ${SEED_SETTINGS.lr})` },
  hidden: { value: true, help: `hidden size = LATENT_DIM (default ${SEED_SETTINGS.hidden})` },
  heads: { value: true, help: `attention heads (default ${SEED_SETTINGS.heads})` },
  layers: { value: true, help: `GAT blocks (default ${SEED_SETTINGS.layers})` },
  k: { value: true, help: `K of Recall@K and of recommendations (default ${SEED_SETTINGS.k})` },
  'eval-every': { value: true, help: `Recall@K every this many epochs, and after the last (default ${SEED_SETTINGS.evalEvery}: every epoch)` },
  'message-passing': { value: true, help: 'train (default: training edges only) or all (the seed run\'s)' },
};

/** Each run flag and the setting it sets (bench/recall.ts reads the same flags). */
export const FLAG_TO_KEY: Record<string, keyof RunSettings> = {
  seed: 'seed',
  split: 'split',
  'split-mode': 'splitMode',
  'min-rating': 'minRating',
  features: 'features',
  'batch-size': 'batchSize',
  neighbors: 'neighbors',
  'neg-ratio': 'negRatio',
  epochs: 'epochs',
  lr: 'lr',
  hidden: 'hidden',
  heads: 'heads',
  layers: 'layers',
  k: 'k',
  'eval-every': 'evalEvery',
  'message-passing': 'messagePassing',
};

/** Settings from flags; on the command line an odd value is an error, not a clamp. */
export function settingsFromFlags(flags: Flags): RunSettings {
  const input: Partial<Record<keyof RunSettings, unknown>> = {};
  for (const [flag, key] of Object.entries(FLAG_TO_KEY)) if (flags[flag] !== undefined) input[key] = flags[flag];
  const { settings, issues } = checkSettings(input);
  if (issues.length > 0) {
    const flagOf = (key: keyof RunSettings) => Object.entries(FLAG_TO_KEY).find(([, k]) => k === key)?.[0];
    throw new InputError(issues.map((i) => `--${flagOf(i.key)}: ${i.message.replace(/; using .*$/, '')}`).join('\n'));
  }
  return settings;
}
