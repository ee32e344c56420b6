// `gatlab recommend --weights FILE --user NAME`: a user's top-K from saved weights. A weights file
// holds only parameters, so the dataset, split and seed features are rebuilt from the same run
// flags `gatlab train` was given; the evaluation (forward pass and exact top-K) runs on the GPU.
import { createGpu } from '../gpu/device';
import { createKernels } from '../gpu/kernels';
import { inferShape, parseWeights, readWeightsJson } from '../model/weightsFile';
import { prepare } from '../train/prepare';
import { recommendationsFor } from '../train/recommend';
import { Trainer } from '../train/trainer';
import { InputError } from '../util/errors';
import { Rng } from '../util/rng';
import { parseFlags, usage, type FlagSpec } from './args';
import { loadRatings, readText } from './data';
import { RUN_FLAGS, settingsFromFlags } from './runFlags';

const FLAGS: Record<string, FlagSpec> = {
  weights: { value: true, help: 'the weights file (PyG-named JSON, as gatlab train --save writes)' },
  user: { value: true, help: 'the user, by name (toy: Bob, Steve, Tim; a CSV: its userId)' },
  ...RUN_FLAGS,
  json: { value: false, help: 'print one JSON object' },
  help: { value: false, help: 'show this help' },
};

const SYNOPSIS = `--weights FILE --user NAME [--k N] [run options]

The weights file has no features or graph: the data, split and the seed's features are rebuilt
from --data, --seed, --split and --message-passing, so give the ones the weights were trained
with. Layers, hidden size and heads come from the weights file.`;

export async function recommendCommand(argv: string[]): Promise<void> {
  const { flags, rest } = parseFlags(argv, FLAGS, 'recommend');
  if (flags.help) {
    process.stdout.write(usage('recommend', SYNOPSIS, FLAGS));
    return;
  }
  if (rest.length > 0) throw new InputError(`unexpected argument "${rest[0]}" (see gatlab recommend --help)`);
  if (typeof flags.weights !== 'string') throw new InputError('--weights FILE is required (the file gatlab train --save wrote)');
  if (typeof flags.user !== 'string') throw new InputError('--user NAME is required');
  const weightsPath = flags.weights;
  const text = readText(weightsPath);
  const shape = inferShape(readWeightsJson(text, weightsPath), weightsPath);

  // The shape is the file's; a flag that says otherwise is a mistake, not a choice.
  for (const [flag, value] of [
    ['layers', shape.layers],
    ['hidden', shape.hidden],
    ['heads', shape.heads],
  ] as const) {
    const given = flags[flag];
    if (typeof given === 'string' && Number(given) !== value) {
      throw new InputError(`--${flag} ${given} conflicts with ${weightsPath}, whose model has ${flag} ${value} (leave --${flag} out)`);
    }
  }
  const settings = { ...settingsFromFlags(flags), layers: shape.layers, hidden: shape.hidden, heads: shape.heads };

  const data = typeof flags.data === 'string' ? flags.data : 'toy';
  const dataName = data === 'toy' ? 'the toy data' : data;
  // The run's data as training saw it (filtered, split, with its features), to check the weights against.
  const loaded = loadRatings(data);
  const prepared = prepare(loaded, settings, new Rng(settings.seed));
  const { ratings, features } = prepared;
  if (shape.userDim !== features.userDim) {
    throw new InputError(
      `${weightsPath}: lin1.user.weight reads ${shape.userDim} user features (one per user of the training data), but ${dataName} has ${features.userDim} users with these settings: set --data (and --min-rating) as in training`,
    );
  }
  if (shape.itemDim !== features.itemDim) {
    throw new InputError(
      `${weightsPath}: lin1.item.weight reads ${shape.itemDim} item features, but ${dataName} gives ${features.itemDim} with --features ${settings.features}: set --features as in training`,
    );
  }

  const user = findUser(ratings.userNames, flags.user, dataName);
  const initial = parseWeights(text, shape, weightsPath);
  const gpu = await createGpu();
  const kernels = await createKernels(gpu.device);
  const trainer = Trainer.create(gpu, kernels, loaded, settings, initial);
  await trainer.evaluate();
  const ranking = await trainer.snapshot();
  const items = recommendationsFor(ranking, ratings, user);
  const name = ratings.userNames[user];
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ user: name, k: ranking.k, adapter: gpu.adapterName, recommendations: items })}\n`);
  } else {
    const rated = new Set(trainer.data.train.item.filter((_, k) => trainer.data.train.user[k] === user)).size;
    process.stdout.write(`${name}: top ${ranking.k} of ${trainer.data.numItems} items, leaving out the ${rated} ${name} rated in training\n`);
    if (items.length === 0) process.stdout.write('  (none: every item is rated in training)\n');
    items.forEach((r, i) => process.stdout.write(`  ${i + 1}. ${r.item} (score ${r.score.toFixed(3)})\n`));
  }
  trainer.destroy();
}

/** The user's index by name; a unique case-insensitive match also counts. */
function findUser(names: string[], wanted: string, dataName: string): number {
  const exact = names.indexOf(wanted);
  if (exact >= 0) return exact;
  const lower = wanted.toLowerCase();
  const loose = names.flatMap((n, i) => (n.toLowerCase() === lower ? [i] : []));
  if (loose.length === 1) return loose[0];
  const shown = names.slice(0, 5).map((n) => JSON.stringify(n)).join(', ');
  const more = names.length > 5 ? ` and ${names.length - 5} more` : '';
  throw new InputError(`--user: no user ${JSON.stringify(wanted)} in ${dataName}; its users are ${shown}${more}`);
}
