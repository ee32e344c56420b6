// `gatlab train`: a full run on WebGPU in Node, with progress or one JSON line per epoch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGpu } from '../gpu/device';
import { createKernels } from '../gpu/kernels';
import { ratingScale } from '../graph/ratingScale';
import { inferShape, parseWeights, readWeightsJson, serializeWeights, weightsFingerprint } from '../formats/weightsFile';
import { pygHandoff } from '../train/exporter';
import { checkFingerprint, runFingerprint } from '../train/fingerprint';
import { recommendationsFor } from '../train/recommend';
import { Trainer } from '../train/trainer';
import type { EpochMetrics } from '../train/types';
import { InputError } from '../util/errors';
import { parseFlags, usage, type FlagSpec } from './args';
import { DATA_FLAGS, loadRatings, readingFromFlags, readText, RUN_DATA_FLAGS } from './data';
import { RUN_FLAGS, settingsFromFlags } from './runFlags';

const FLAGS: Record<string, FlagSpec> = {
  ...RUN_FLAGS,
  ...DATA_FLAGS,
  init: { value: true, help: 'start from these weights (a PyG-named JSON file) instead of the seed\'s init' },
  save: { value: true, help: 'write the final weights here (PyG-named JSON, loads with load_state_dict)' },
  'export-pyg': { value: true, help: 'write the final epoch\'s hand-off to PyG into this folder: weights, embeddings CSV and gatlab_pyg.py' },
  json: { value: false, help: 'print one JSON object per epoch, then a final one with the recommendations' },
  help: { value: false, help: 'show this help' },
};

export async function trainCommand(argv: string[], adapterWhy: string): Promise<void> {
  const { flags } = parseFlags(argv, FLAGS, 'train');
  if (flags.help) {
    process.stdout.write(usage('train', '[options]', FLAGS));
    return;
  }
  const settings = settingsFromFlags(flags);
  const data = typeof flags.data === 'string' ? flags.data : 'toy';
  const dataName = data === 'toy' ? 'the seed\'s toy data' : data;
  const loaded = loadRatings(data, readingFromFlags(flags));
  const exportDir = typeof flags['export-pyg'] === 'string' ? flags['export-pyg'] : null;
  // Made before training, so that a folder that cannot be made fails now and not after the run.
  if (exportDir !== null) {
    try {
      mkdirSync(exportDir, { recursive: true });
    } catch (e) {
      throw new InputError(`--export-pyg ${exportDir}: cannot make this folder (${(e as Error).message})`);
    }
  }
  const gpu = await createGpu();
  const kernels = await createKernels(gpu.device);
  let initial: Float32Array | undefined;
  let initFingerprint: unknown;
  if (typeof flags.init === 'string') {
    const text = readText(flags.init);
    const named = readWeightsJson(text, flags.init);
    const shape = inferShape(named, flags.init);
    initFingerprint = weightsFingerprint(named);
    if (shape.hidden !== settings.hidden || shape.heads !== settings.heads || shape.layers !== settings.layers) {
      throw new InputError(
        `${flags.init}: weights of ${shape.layers} layers, hidden ${shape.hidden}, ${shape.heads} heads; the run has ${settings.layers}, ${settings.hidden}, ${settings.heads} (set --layers/--hidden/--heads to match)`,
      );
    }
    initial = parseWeights(text, shape, flags.init);
  }
  const trainer = Trainer.create(gpu, kernels, loaded, settings, initial);
  const fingerprint = runFingerprint(trainer.data, settings);
  if (typeof flags.init === 'string') checkFingerprint(initFingerprint, fingerprint, flags.init, RUN_DATA_FLAGS);
  // The run's ratings: those kept by --min-rating, users and items numbered again.
  const ratings = trainer.data.ratings;
  const json = flags.json === true;
  const log = (s: string) => process.stderr.write(s);
  const scale = ratingScale(loaded);
  if (scale.warning) log(`warning: ${scale.warning}\n`);
  if (!json) {
    log(`GAT Lab: ${dataName}: ${trainer.data.numUsers} users, ${trainer.data.numItems} items, ${ratings.user.length} ratings${ratings === loaded ? '' : ` at or above ${settings.minRating} of ${loaded.user.length}`} (${trainer.data.train.user.length} train, ${trainer.data.val.user.length > 0 ? `${trainer.data.val.user.length} validation, ` : ''}${trainer.data.test.user.length} test); ${scale.text}\n`);
    log(`on ${gpu.adapterName} (${adapterWhy}); ${settings.epochs} epochs of ${trainer.stepsPerEpoch} step(s)\n`);
  }
  const total = settings.epochs;
  const onChunk = (ms: EpochMetrics[]) => {
    for (const m of ms) {
      const val = m.valRecall === undefined ? {} : { val_recall: m.valRecall };
      if (json) process.stdout.write(`${JSON.stringify({ epoch: m.epoch, loss: m.loss, fullMse: m.fullMse, recall: m.recall, ...val, ms: round(m.ms) })}\n`);
    }
    const m = ms[ms.length - 1];
    // With --eval-every the chunk's last epoch may have no Recall@K: show the chunk's latest one.
    const r = [...ms].reverse().find((x) => x.recall !== null);
    const at = r && r !== m ? ` (epoch ${r.epoch})` : '';
    const recall = r && r.recall !== null ? `${r.recall.toFixed(3)}${at}` : '—';
    const fullMse = r && r.fullMse !== null ? `${r.fullMse.toFixed(4)}${at}` : '—';
    const val = r?.valRecall != null ? `  validation ${r.valRecall.toFixed(3)}` : '';
    if (!json) log(`\repoch ${String(m.epoch).padStart(String(total).length)}/${total}  mini-batch loss ${m.loss.toFixed(4)}  full-graph MSE ${fullMse}  recall@${settings.k} ${recall}${val}  ${m.ms.toFixed(2)} ms/epoch`);
  };
  await trainer.train(total, onChunk);
  if (!json) log('\n');
  // With a validation split, what follows (recommendations, --save, --export-pyg) uses the epoch it chose.
  const selected = await trainer.restoreSelected();
  const stopped = trainer.selection?.stopped ?? null;
  if (selected && !json) {
    const early = stopped === null ? '' : `; stopped early at epoch ${stopped} (patience ${settings.patience})`;
    log(`selected epoch ${selected.epoch} by validation Recall@${settings.k} ${selected.valRecall.toFixed(4)}; its test Recall@${settings.k} ${selected.testRecall.toFixed(4)}${early}\n`);
  }
  const ranking = await trainer.snapshot();
  const testUsers = [...new Set(trainer.data.test.user)].sort((a, b) => a - b);
  const recommendations = testUsers.map((u) => ({ user: ratings.userNames[u], items: recommendationsFor(ranking, ratings, u) }));
  const last = trainer.history[trainer.history.length - 1];
  const { numUsers: users, numItems: items, train, test, features } = trainer.data;
  const counts = { users, items, ratings: ratings.user.length, loaded: loaded.user.length, train: train.user.length, test: test.user.length, ...(selected ? { val: trainer.data.val.user.length } : {}), userFeatures: features.userDim, itemFeatures: features.itemDim };
  if (json) {
    const selection = selected ? { selected: { epoch: selected.epoch, val_recall: selected.valRecall, test_recall: selected.testRecall }, stopped_early: stopped } : {};
    process.stdout.write(`${JSON.stringify({ final: true, adapter: gpu.adapterName, epochs: trainer.epoch, loss: last.loss, fullMse: last.fullMse, recall: last.recall, k: ranking.k, ...selection, data: counts, scale: { min: scale.min, max: scale.max, text: scale.text }, recommendations })}\n`);
  } else {
    for (const r of recommendations.slice(0, 20)) {
      process.stdout.write(`${r.user}: ${r.items.map((i) => `${i.item} (${i.score.toFixed(3)})`).join(', ')}\n`);
    }
    if (recommendations.length > 20) process.stdout.write(`… and ${recommendations.length - 20} more test users (--json lists all)\n`);
  }
  if (typeof flags.save === 'string') {
    const epoch = selected ? { epoch: selected.epoch, val_recall: selected.valRecall, test_recall: selected.testRecall } : { epoch: trainer.epoch };
    writeFileSync(flags.save, serializeWeights(trainer.shape, await trainer.readParams(), fingerprint, epoch));
    if (!json) log(`weights saved to ${flags.save}\n`);
  }
  if (exportDir !== null) {
    for (const f of await pygHandoff(trainer, dataName)) writeFileSync(join(exportDir, f.fileName), f.text);
    if (!json) log(`PyG hand-off of epoch ${trainer.epoch} written to ${exportDir}\n`);
  }
  trainer.destroy();
}

const round = (x: number) => Math.round(x * 1000) / 1000;
