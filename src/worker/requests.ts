// The page's one-off questions about the current run, answered between chunks like every GPU job:
// a checkpoint to save, a file to export, KNN-MIPS beside the exact top-K, the explanation of a
// pair. Each answer is the message the page gets back; a question about a run that has changed
// since, or one that fails, is answered with the reason.
import { exportScript, exportWeights } from '../train/exporter';
import type { Trainer } from '../train/trainer';
import type { EpochArchive } from './epochArchive';
import { explainPair } from './explainer';
import type { FromWorker, ToWorker } from './protocol';
import type { Searcher } from './searcher';

export type Request = Extract<ToWorker, { type: 'checkpoint' | 'export' | 'search' | 'explain' }>;

/** The current run, as the answers need it. */
export interface CurrentRun {
  trainer: Trainer;
  archive: EpochArchive;
  searcher: Searcher;
  /** The run's data, as the page names it. */
  datasetName: string;
}

/** The reply to `msg`; `run` is null when the run it asks about is no longer the current one. */
export async function answer(msg: Request, run: CurrentRun | null): Promise<FromWorker> {
  const { requestId, runId } = msg;
  const failed = (error: string): FromWorker => {
    switch (msg.type) {
      case 'checkpoint':
        return { type: 'checkpoint', requestId, runId, checkpoint: null, error };
      case 'export':
        return { type: 'exported', requestId, runId, what: msg.what, fileName: '', text: null, error };
      case 'search':
        return { type: 'searched', requestId, runId, report: null, error };
      case 'explain':
        return { type: 'explanation', requestId, runId, explanation: null, error };
    }
  };
  if (!run) return failed('the run has changed');
  // An explanation needs a snapshot of its epoch, or of a kept one before it.
  if (msg.type === 'explain' && !run.archive.snapshotAt(msg.epoch)) return failed(`no snapshot of epoch ${msg.epoch}`);
  try {
    return await answered(msg, run);
  } catch (e) {
    return failed((e as Error).message);
  }
}

async function answered(msg: Request, run: CurrentRun): Promise<FromWorker> {
  const { requestId, runId } = msg;
  const { trainer, archive } = run;
  switch (msg.type) {
    case 'checkpoint':
      return { type: 'checkpoint', requestId, runId, checkpoint: await trainer.checkpoint() };
    case 'export': {
      // The weights (PyG-named JSON), or the PyG script of the current epoch.
      const file = msg.what === 'weights' ? await exportWeights(trainer) : await exportScript(trainer, run.datasetName);
      return { type: 'exported', requestId, runId, what: msg.what, fileName: file.fileName, text: file.text };
    }
    case 'search': {
      // A kept epoch's snapshot is at hand; otherwise the evaluation gives the current embeddings.
      let snapshot = archive.snapshots.get(trainer.epoch);
      if (!snapshot) {
        await trainer.evaluate();
        snapshot = await trainer.snapshot();
      }
      return { type: 'searched', requestId, runId, report: await run.searcher.run(trainer, snapshot, msg.settings) };
    }
    case 'explain': {
      const snapshot = archive.snapshotAt(msg.epoch)!;
      await archive.pending;
      // Counterfactuals need the weights of the explained epoch: load them for the forward passes.
      // The model holds the current epoch's weights; an earlier epoch's come from those kept.
      const current = trainer.epoch;
      const at = archive.weightsEpochFor(snapshot.epoch, current);
      const swap = at !== null && at !== current;
      const saved = swap ? await trainer.readParams() : null;
      if (swap) trainer.model.writeParams(archive.weights.get(at)!);
      try {
        const explanation = await explainPair(trainer, snapshot, msg.user, msg.item, msg.head, swap ? at! : current, msg.brief);
        return { type: 'explanation', requestId, runId, explanation };
      } finally {
        if (saved) trainer.model.writeParams(saved);
      }
    }
  }
}
