// The page's store without a browser or a worker: a fake engine link stands in for the worker
// (what the store sends is kept in `sent`, `deliver` hands it a message), updates flush at once,
// and each query the store writes to the address bar is kept in `searches`.
import { createRunStore } from '../../src/store/runStore';
import type { EngineLink } from '../../src/store/engineLink';
import type { RunArchive } from '../../src/store/savedRun';
import { SEED_SETTINGS, type RunSettings } from '../../src/train/settings';
import type { FromWorker, RunInfo, ToWorker } from '../../src/worker/protocol';

function fakeLink() {
  const sent: ToWorker[] = [];
  let deliver: (m: FromWorker) => void = () => undefined;
  const link: EngineLink = {
    send: (m) => sent.push(m),
    listen: (onMessage) => {
      deliver = onMessage;
    },
  };
  return { link, sent, deliver: (m: FromWorker) => deliver(m) };
}

/** A started store opened on the link's query `search`, keeping runs in `archive` (none if left out). */
export function startedStore(search = '', archive?: RunArchive) {
  const f = fakeLink();
  const searches: string[] = [];
  const store = createRunStore({ link: f.link, search, writeSearch: (s) => searches.push(s), schedule: (flush) => flush(), archive });
  store.getState().start();
  return { ...f, store, searches };
}

/** The toy's run as the worker describes it when ready (8 ratings, Tim → The Avengers held out), with `patch` over it. */
export function toyInfo(runId: number, settings: RunSettings = SEED_SETTINGS, patch: Partial<RunInfo> = {}): RunInfo {
  return {
    runId,
    settings,
    adapterName: 'test adapter',
    paths: 'Training steps: per op. Evaluation: per op.',
    datasetName: 'toy',
    userNames: ['Bob', 'Steve', 'Tim'],
    itemNames: ['WWII', 'The Avengers', 'Guardians'],
    numUsers: 3,
    numItems: 3,
    ratings: {
      user: Uint32Array.from([0, 0, 0, 1, 1, 1, 2, 2]),
      item: Uint32Array.from([0, 1, 2, 0, 1, 2, 2, 1]),
      rating: Float32Array.from([5, 1, 1, 1, 5, 5, 5, 5]),
      train: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 0]),
      val: new Uint8Array(8),
    },
    graph: { edgeSrc: new Uint32Array(14), edgeDst: new Uint32Array(14) },
    layers: 1,
    heads: 2,
    channels: 2,
    k: 1,
    stepsPerEpoch: 7,
    paramCount: 10,
    keepEvery: 1,
    notes: [],
    ...patch,
  };
}
