// Recall@10 and Recall@20 of each model configuration against two baselines, the most popular
// items and item-kNN (cosine over the users' co-ratings, on the GPU), as mean ± sd over seeds, on
// each user's oldest 80% (per-user time split) and on the global time split beside it (its cold
// test users, with no training rating, counted apart), on whatever WebGPU adapter Node finds.
//
//   node --import ./bin/register.mjs bench/recall.ts [--seeds 3] [--data path/u.data] [--epochs 200] ...
//
// Data: ml-latest-small by default; `--data` takes any ratings file `gatlab train --data` takes
// (MovieLens 100K's u.data with u.item beside it, ratings.csv, a ZIP). The settings' flags
// (`gatlab train`'s) apply to every configuration; K is the bench's (20). `--configs a,b` runs
// some of CONFIGS, `--splits userTime` one split; MovieLens 100K's demographics are
// `--user-features demographics`. On a software adapter (SwiftShader) the run is
// cut to SOFTWARE_EPOCHS unless --epochs says otherwise, and the output says so. `--knn on` adds
// KNN-MIPS (slow) over the first run's embeddings.
import { installNodeWebGPU } from '../src/gpu/node';
import { takeAdapterFlag } from '../src/gpu/adapterChoice';
import { createGpu } from '../src/gpu/device';
import { createKernels } from '../src/gpu/kernels';
import { parseFlags } from '../src/cli/args';
import { loadRatings } from '../src/cli/data';
import { SETTING_FLAGS, settingsAsFlags, settingsFromFlags } from '../src/cli/runFlags';
import { itemKnnTopK } from '../src/search/itemKnn';
import type { TopK } from '../src/search/topk';
import { popularityTopK } from '../src/train/popularity';
import { SEED_SETTINGS, SETTINGS, type RunSettings } from '../src/train/settings';
import { Trainer } from '../src/train/trainer';
import { ML_SMALL_DIR } from '../tests/helpers/paths';
import { knnMipsPart } from './recallKnnMips';
import { cell, fmt, meanSd, recalls, table, testSides, type Recalls } from './recallTable';

/**
 * What every configuration starts from: ratings ≥ 4, 80% train by time, of which the newest 10%
 * validate (the epoch reported is the one validation chose), genre features, full batch.
 */
const BASE: Partial<RunSettings> = {
  minRating: 4,
  split: 0.8,
  val: 0.1,
  features: 'genres',
  batchSize: 'full',
  negRatio: 4,
  epochs: 200,
  lr: 0.02,
  hidden: 16,
  heads: 2,
  layers: 3,
  // Validation's best epoch moves by tens of epochs between seeds; every 50 missed it by up to 49.
  evalEvery: 10,
};

/**
 * The configurations compared, each a name and what it changes over BASE: one line per objective,
 * then issue 10's recipe, explored in PyG on the CPU: BPR peaks on validation at epoch 130–230
 * and hidden 32 or 64 learns faster than 16 (64 with lr 0.01 still rose at epoch 200 in PyG); its epochs are its own, which a software adapter's cut
 * leaves alone. BCE takes one negative per positive, as Wallett & Jafari do: with BASE's four, the
 * final block's ReLU outputs die within ten epochs (every score 0, the ranking in index order, the
 * same Recall@20 on every seed, in PyG too). A name's commas are followed by a space, --configs'
 * separators not.
 */
const CONFIGS: { name: string; settings: Partial<RunSettings> }[] = [
  { name: 'mse', settings: {} },
  { name: 'mse, genres+year', settings: { features: 'genresYear' } },
  { name: 'bce', settings: { loss: 'bce', negRatio: 1 } },
  { name: 'bce, genres+year', settings: { loss: 'bce', negRatio: 1, features: 'genresYear' } },
  { name: 'bpr', settings: { loss: 'bpr' } },
  { name: 'bpr, genres+year', settings: { loss: 'bpr', features: 'genresYear' } },
  { name: 'bpr, hidden 32, 160 epochs', settings: { loss: 'bpr', hidden: 32, epochs: 160 } },
  { name: 'bpr, hidden 64, lr 0.01, 200 epochs', settings: { loss: 'bpr', hidden: 64, lr: 0.01, epochs: 200 } },
];

const SPLITS = { userTime: "each user's oldest 80% train", time: 'global time split, oldest 80% train' } as const;
type SplitName = keyof typeof SPLITS;
/** Epochs on a software adapter when --epochs is not given: minutes, not hours. */
const SOFTWARE_EPOCHS = 20;
const K = 20;

const benchFlags = Object.fromEntries(Object.entries(SETTING_FLAGS).filter(([flag]) => flag !== SETTINGS.k.flag));
const { choice, rest: args } = takeAdapterFlag(process.argv.slice(2), 'recall bench');
const { flags } = parseFlags(
  args,
  {
    ...benchFlags,
    data: { value: true, help: 'a ratings file as gatlab train --data takes it (default ml-latest-small ratings.csv)' },
    seeds: { value: true, help: 'seeds per configuration, from --seed up (default 3)' },
    configs: { value: true, help: `configurations to run, comma-separated (no space after the comma), of ${CONFIGS.map((c) => c.name).join('; ')} (default all)` },
    splits: { value: true, help: 'splits, comma-separated, of userTime, time (default both)' },
    knn: { value: true, help: 'on adds KNN-MIPS over the first run\'s embeddings (slow)' },
  },
  'recall bench',
);
const seeds = Number(flags.seeds ?? 3);
if (!Number.isInteger(seeds) || seeds < 1) throw new Error(`--seeds: a positive integer, got ${flags.seeds}`);
const wanted = flags.configs === undefined ? CONFIGS : String(flags.configs).split(/,(?! )/).map((n) => CONFIGS.find((c) => c.name === n) ?? fail(`--configs: no configuration ${n}`));
const splits = (flags.splits === undefined ? Object.keys(SPLITS) : String(flags.splits).split(',')).map((s) => (s in SPLITS ? (s as SplitName) : fail(`--splits: ${s} is not userTime or time`)));
const dataPath = String(flags.data ?? `${ML_SMALL_DIR}ratings.csv`);

function fail(message: string): never {
  throw new Error(message);
}

const adapterWhy = (await installNodeWebGPU(choice))?.why;
const gpu = await createGpu();
const kernels = await createKernels(gpu.device);
const software = /swiftshader|fallback/i.test(gpu.adapterName);
const cutEpochs = software && flags[SETTINGS.epochs.flag] === undefined;
const loaded = loadRatings(dataPath);

console.log(`GAT Lab Recall@K, ${gpu.adapterName} (${adapterWhy})`);
console.log(`data: ${dataPath}: ${loaded.rating.length} ratings, ${loaded.userNames.length} users, ${loaded.itemNames.length} items`);
if (cutEpochs) {
  const own = wanted.filter((c) => c.settings.epochs !== undefined).map((c) => c.name);
  const kept = own.length > 0 ? `, except ${own.join('; ')} (its own epochs)` : '';
  console.log(`software adapter: ${SOFTWARE_EPOCHS} epochs instead of ${BASE.epochs} (--epochs to choose)${kept}; the models' figures are those of short runs`);
}

/** A configuration's settings for one split and seed: BASE, the configuration, then the flags. */
function settingsFor(config: Partial<RunSettings>, split: SplitName, seed: number): RunSettings {
  const base = { ...SEED_SETTINGS, ...BASE, ...(cutEpochs ? { epochs: SOFTWARE_EPOCHS } : {}), ...config, splitMode: split };
  return { ...settingsFromFlags(flags, base), seed, k: K };
}

/** The model's top-20 at the epoch validation chose (at the last one without a validation split). */
async function modelTop(trainer: Trainer): Promise<TopK> {
  await trainer.restoreSelected();
  const snap = await trainer.snapshot();
  return { k: snap.k, numUsers: trainer.data.numUsers, index: snap.topk };
}

const firstSeed = settingsFromFlags(flags, { ...SEED_SETTINGS, ...BASE }).seed;
const results = new Map<string, Recalls[]>();
const push = (key: string, r: Recalls) => results.set(key, [...(results.get(key) ?? []), r]);
const sideCounts = new Map<SplitName, string>();
let knnDone = flags.knn !== 'on';

for (const split of splits) {
  for (let s = 0; s < seeds; s++) {
    const seed = firstSeed + s;
    for (const [c, config] of wanted.entries()) {
      const settings = settingsFor(config.settings, split, seed);
      const t0 = performance.now();
      const trainer = Trainer.create(gpu, kernels, loaded, settings);
      const { data } = trainer;
      // The baselines learn from the whole training side, validation included (they choose no
      // epoch), and like the model's test ranking never list a rating of that side.
      const side = data.seen;
      const sides = testSides(side, data.test);
      if (c === 0) {
        // The baselines see the same split as the models (a time split is the same for every seed).
        sideCounts.set(split, `${data.numUsers} users, ${data.numItems} items, ${data.train.user.length} train, ${data.val.user.length} validation and ${data.test.user.length} test ratings; ${sides.testUsers} test users, ${sides.coldUsers} of them cold`);
        push(`${split}/most popular`, recalls(popularityTopK(data.numUsers, data.numItems, side, K), sides));
        const tk = performance.now();
        const knn = await itemKnnTopK(gpu.device, data.numUsers, data.numItems, side, { k: K });
        if (s === 0) console.error(`  item-kNN on the GPU (${split}): ${fmt(performance.now() - tk, 0)} ms`);
        push(`${split}/item-kNN`, recalls(knn.topk, sides));
      }
      await trainer.train(settings.epochs);
      const r = recalls(await modelTop(trainer), sides);
      push(`${split}/${config.name}`, r);
      console.error(`  ${split}, ${config.name}, seed ${seed}: Recall@20 ${fmt(r.r20)} after ${settings.epochs} epochs, ${fmt((performance.now() - t0) / 1000, 1)} s; reproduce: ${settingsAsFlags(settings, ['k'])}`);
      if (!knnDone && split === 'userTime') {
        await knnMipsPart(gpu.device, trainer, seed);
        knnDone = true;
      }
      trainer.destroy();
    }
  }
}

const shown = settingsFor({}, splits[0], firstSeed);
console.log(`models (each row changes what its name says): ${shown.layers} GAT blocks, hidden ${shown.hidden}, ${shown.heads} heads, batch ${shown.batchSize}, negatives ${shown.negRatio} per rating, lr ${shown.lr}, ${shown.epochs} epochs, ${shown.features} features, ratings ≥ ${shown.minRating}, train fraction ${shown.split}, validation share ${shown.val} of it; Recall@K at ${shown.val > 0 ? 'the epoch chosen on validation' : 'the last epoch'}; seeds ${firstSeed}..${firstSeed + seeds - 1}`);
for (const split of splits) console.log(`${split} (${SPLITS[split]}): ${sideCounts.get(split)}`);
const methods = ['most popular', 'item-kNN', ...wanted.map((c) => c.name)];
const header = ['', ...splits.flatMap((sp) => [`${sp} R@10`, `${sp} R@20`, ...(sp === 'time' ? ['time R@20 warm', 'time R@20 cold'] : [])])];
const rows = methods.map((m) => [
  m,
  ...splits.flatMap((sp) => {
    const rs = results.get(`${sp}/${m}`) ?? [];
    const cells = [cell(rs.map((r) => r.r10)), cell(rs.map((r) => r.r20))];
    return sp === 'time' ? [...cells, cell(rs.map((r) => r.warm20)), cell(rs.map((r) => r.cold20))] : cells;
  }),
]);
console.log(`\nRecall@K, mean ± sd over ${seeds} seed${seeds === 1 ? '' : 's'}\n${table(header, rows)}`);

// The verdict at Recall@20 on the first split: the best configuration against each baseline.
const mean20 = (key: string) => meanSd((results.get(key) ?? []).map((r) => r.r20)).mean;
const sp = splits[0];
const best = wanted.reduce((b, c) => (mean20(`${sp}/${c.name}`) > mean20(`${sp}/${b.name}`) ? c : b), wanted[0]);
const b20 = mean20(`${sp}/${best.name}`);
const pop20 = mean20(`${sp}/most popular`);
const knn20 = mean20(`${sp}/item-kNN`);
console.log(`\nbest on ${sp}: ${best.name}, Recall@20 ${fmt(b20)}: ${fmt((100 * (b20 - pop20)) / pop20, 1)}% over the most popular (${fmt(pop20)}; the goal is ≥ 30%), ${b20 > knn20 ? 'beats' : 'does NOT beat'} item-kNN (${fmt(knn20)})`);
console.log(`reproduce: node --import ./bin/register.mjs bench/recall.ts ${process.argv.slice(2).map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`);
process.exit(0);
