// `gatlab recommend --weights FILE --user NAME`: a user's top-K from saved weights. A weights file
// holds only parameters, so the dataset, split and seed features are rebuilt from the same run
// flags `gatlab train` was given; the evaluation (forward pass and exact top-K) runs on the GPU.
// With `--search knn-mips` the list comes from the seed's greedy graph search instead, measured
// against the exact one over every user.
import { createGpu } from '../gpu/device';
import { createKernels } from '../gpu/kernels';
import { inferShape, parseWeights, readWeightsJson, weightsFingerprint } from '../formats/weightsFile';
import { checkFingerprint, runFingerprint } from '../train/fingerprint';
import { prepare } from '../train/prepare';
import { recommendationsFor } from '../train/recommend';
import { Trainer } from '../train/trainer';
import type { Snapshot } from '../train/types';
import type { PairList } from '../graph/pairs';
import { buildItemGraph, compareSearch, type SearchComparison } from '../search/compare';
import { checkSearchSettings, SEARCH_DEFAULTS, type SearchSettings } from '../search/settings';
import { InputError } from '../util/errors';
import { Rng } from '../util/rng';
import { parseFlags, usage, type Flags, type FlagSpec } from './args';
import { DATA_FLAGS, loadRatings, readingFromFlags, readText, RUN_DATA_FLAGS } from './data';
import { RUN_FLAGS, settingsFromFlags } from './runFlags';

const FLAGS: Record<string, FlagSpec> = {
  weights: { value: true, help: 'the weights file (PyG-named JSON, as gatlab train --save writes)' },
  user: { value: true, help: 'the user, by name (toy: Bob, Steve, Tim; a CSV: its userId)' },
  search: { value: true, help: 'exact (default: every item scored) or knn-mips (greedy walks over an item k-nearest-neighbour graph, the seed\'s Learning Stage 5)' },
  restarts: { value: true, help: `knn-mips: random restarts R per user (default ${SEARCH_DEFAULTS.restarts})` },
  steps: { value: true, help: `knn-mips: greedy steps T per restart (default ${SEARCH_DEFAULTS.steps})` },
  expansions: { value: true, help: `knn-mips: expansions E, the neighbours per item in the graph (default ${SEARCH_DEFAULTS.expansions})` },
  ...RUN_FLAGS,
  ...DATA_FLAGS,
  json: { value: false, help: 'print one JSON object' },
  help: { value: false, help: 'show this help' },
};

const SYNOPSIS = `--weights FILE --user NAME [--k N] [--search knn-mips [--restarts R --steps T --expansions E]] [run options]

The weights file has no features or graph: the data, split and the seed's features are rebuilt
from --data, --seed, --split and --message-passing, so give the ones the weights were trained
with. Layers, hidden size and heads come from the weights file.

--search knn-mips recommends from KNN-MIPS and prints its recall against the exact top-K over
every user, with the time of both searches and of building the item graph.`;

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
  const named = readWeightsJson(text, weightsPath);
  const shape = inferShape(named, weightsPath);

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
  const search = searchFromFlags(flags);

  const data = typeof flags.data === 'string' ? flags.data : 'toy';
  const dataName = data === 'toy' ? 'the toy data' : data;
  // The run's data as training saw it (filtered, split, with its features), to check the weights against.
  const loaded = loadRatings(data, readingFromFlags(flags));
  const prepared = prepare(loaded, settings, new Rng(settings.seed));
  const { ratings, features } = prepared;
  if (shape.userDim !== features.userDim) {
    throw new InputError(
      settings.userFeatures === 'onehot'
        ? `${weightsPath}: lin1.user.weight reads ${shape.userDim} user features (one per user of the training data, if they were one-hot), but ${dataName} has ${features.userDim} users with these settings: set --data (and --min-rating, --user-features) as in training`
        : `${weightsPath}: lin1.user.weight reads ${shape.userDim} user features, but ${dataName} gives ${features.userDim} with --user-features ${settings.userFeatures}: set --user-features as in training`,
    );
  }
  if (shape.itemDim !== features.itemDim) {
    throw new InputError(
      settings.features === 'onehot'
        ? `${weightsPath}: lin1.item.weight reads ${shape.itemDim} item features (one per item of the training data, if they were one-hot), but ${dataName} has ${features.itemDim} items with these settings: set --data (and --min-rating, --features) as in training`
        : `${weightsPath}: lin1.item.weight reads ${shape.itemDim} item features, but ${dataName} gives ${features.itemDim} with --features ${settings.features}: set --features as in training`,
    );
  }
  // Counts that differ are said above in terms of the tensors; the rest (other ids, split, seed) here.
  checkFingerprint(weightsFingerprint(named), runFingerprint(prepared, settings), weightsPath, RUN_DATA_FLAGS);

  const user = findUser(ratings.userNames, flags.user, dataName);
  const initial = parseWeights(text, shape, weightsPath);
  const gpu = await createGpu();
  const kernels = await createKernels(gpu.device);
  const trainer = Trainer.create(gpu, kernels, loaded, settings, initial);
  await trainer.evaluate();
  const exact = await trainer.snapshot();
  const knn = search ? await knnMipsRun(gpu.device, exact, trainer.data.seen, search, settings.seed, user) : null;
  const ranking = knn ? { ...exact, topk: knn.comparison.knn } : exact;
  const items = recommendationsFor(ranking, ratings, user);
  const name = ratings.userNames[user];
  if (flags.json === true) {
    process.stdout.write(`${JSON.stringify({ user: name, k: ranking.k, adapter: gpu.adapterName, recommendations: items, ...(knn && { search: knnReport(knn) }) })}\n`);
  } else {
    const { seen, val } = trainer.data;
    const rated = new Set(seen.item.filter((_, k) => seen.user[k] === user)).size;
    const side = val.user.length > 0 ? 'training and validation' : 'training';
    const by = search ? ` by KNN-MIPS (R ${search.restarts}, T ${search.steps}, E ${search.expansions})` : '';
    process.stdout.write(`${name}: top ${ranking.k} of ${trainer.data.numItems} items${by}, leaving out the ${rated} ${name} rated in ${side}\n`);
    if (items.length === 0) process.stdout.write(`  (none: every item is rated in ${side})\n`);
    items.forEach((r, i) => process.stdout.write(`  ${i + 1}. ${r.item} (score ${r.score.toFixed(3)})\n`));
    if (knn) process.stdout.write(`${knnLine(knn, name)}\n`);
  }
  trainer.destroy();
}

/** --search and its knobs: null for the exact search; a knob without knn-mips is a mistake. */
function searchFromFlags(flags: Flags): SearchSettings | null {
  const method = flags.search ?? 'exact';
  if (method !== 'exact' && method !== 'knn-mips') throw new InputError(`--search must be exact or knn-mips, got ${JSON.stringify(method)}`);
  const knobs = ['restarts', 'steps', 'expansions'] as const;
  if (method === 'exact') {
    const stray = knobs.find((f) => flags[f] !== undefined);
    if (stray) throw new InputError(`--${stray} sets KNN-MIPS: add --search knn-mips (the exact search has no ${stray})`);
    return null;
  }
  const { settings, issues } = checkSearchSettings({ restarts: flags.restarts, steps: flags.steps, expansions: flags.expansions });
  if (issues.length > 0) throw new InputError(issues.map((i) => `--${i.key}: ${i.message.replace(/; using .*$/, '')}`).join('\n'));
  return settings;
}

interface KnnRun {
  settings: SearchSettings;
  comparison: SearchComparison;
  buildMs: number;
  numItems: number;
  /** How many of the user's exact top-K items KNN-MIPS found, of how many. */
  user: { found: number; of: number };
}

/** KNN-MIPS and the exact search for every user on the evaluation's embeddings. */
async function knnMipsRun(device: GPUDevice, s: Snapshot, exclude: PairList, settings: SearchSettings, seed: number, user: number): Promise<KnnRun> {
  const { graph, buildMs } = await buildItemGraph(device, s.item, s.channels, settings.expansions);
  try {
    const comparison = await compareSearch(graph, s.user, { k: s.k, settings, exclude, seed });
    const row = (list: Int32Array) => Array.from(list.subarray(user * s.k, (user + 1) * s.k)).filter((i) => i >= 0);
    const found = new Set(row(comparison.knn));
    const want = row(comparison.exact);
    return { settings, comparison, buildMs, numItems: graph.numItems, user: { found: want.filter((i) => found.has(i)).length, of: want.length } };
  } finally {
    graph.destroy();
  }
}

function knnReport(r: KnnRun) {
  const c = r.comparison;
  return { method: 'knn-mips', ...r.settings, users: c.numUsers, recall: c.recall, userFound: r.user.found, userExact: r.user.of, knnMs: c.knnMs, exactMs: c.exactMs, buildMs: r.buildMs };
}

function knnLine(r: KnnRun, name: string): string {
  const c = r.comparison;
  const ratio = c.exactMs / c.knnMs;
  const speed = ratio >= 1 ? `${ratio.toFixed(2)}× faster than exact` : `${(1 / ratio).toFixed(2)}× slower than exact`;
  return (
    `KNN-MIPS recall@${c.k} against the exact top-${c.k}: ${c.recall.toFixed(3)} over ${c.numUsers} users (${name}: ${r.user.found} of ${r.user.of}); ` +
    `search ${c.knnMs.toFixed(1)} ms, exact ${c.exactMs.toFixed(1)} ms (${speed}); item graph (${r.numItems} items × E ${r.settings.expansions}) built in ${r.buildMs.toFixed(1)} ms`
  );
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
