// Keeping a run and handing it on, the store's side: saving it in the browser (on Save, and
// whenever it pauses or ends), restoring it when the page opens, exporting its weights (PyG-named
// JSON), embeddings (CSV) and a PyG script, importing weights into a new run, and telling the user
// when the engine rebuilt the run on a new GPU device. Storage failures become notices: the run
// itself never depends on storage.
import { embeddingsCsv, embeddingsFileName } from '../formats/embeddingsCsv';
import type { Checkpoint } from '../train/types';
import type { RunSettings, SettingIssue } from '../train/settings';
import type { DatasetSource, FromWorker, RunInfo, RunStatus, SnapshotData, ToWorker } from '../worker/protocol';
import { describeSaved, newRunId, openingChoice, SAVED_RUN_VERSION, storageFailure, type RunArchive, type SavedRun, type SavedRunSummary } from './savedRun';

export interface KeepNotice {
  tone: 'info' | 'warn' | 'danger';
  text: string;
}

export interface KeepingState {
  /** Runs kept in this browser, newest first. */
  savedRuns: SavedRunSummary[];
  /** The last save, and of which run (a new run has not been saved yet). */
  lastSaved: { runId: number; epoch: number; at: number } | null;
  keepNotice: KeepNotice | null;
  /** The saved run that a link with other settings passed over, offered to restore. */
  savedOffer: SavedRunSummary | null;
  /** The weights file being imported, until its run is ready or refused. */
  importing: string | null;
}

export type ExportKind = 'weights' | 'embeddings' | 'script';

export interface ExportedFile {
  fileName: string;
  text: string;
  /** The download's media type. */
  mime: string;
}

export interface KeepingActions {
  saveRun(): void;
  restoreRun(id: string): void;
  /** The file's text; rejects with an Error that says why there is none. */
  exportFile(what: ExportKind): Promise<ExportedFile>;
  importWeights(fileName: string, text: string): void;
  dismissKeepNotice(): void;
  dismissSavedOffer(): void;
}

/** The store's run, as far as keeping it goes: what is saved with it, and the names an export writes. */
export interface KeptRun {
  runId: number;
  info: Pick<RunInfo, 'userNames' | 'itemNames'> | null;
  settings: RunSettings;
  dataset: DatasetSource;
  datasetLabel: string;
  /** Recall@K before any training. */
  recall0: number | null;
}

/** What keeping changes in the store besides its own state: a restored run's settings and data, a recovered run's snapshot. */
interface KeepingPatch extends KeepingState, Omit<KeptRun, 'runId' | 'info'> {
  issues: SettingIssue[];
  live: SnapshotData | null;
  status: RunStatus;
}

/** What the keeping needs of the store. */
export interface KeepingContext {
  get(): KeptRun;
  set(patch: Partial<KeepingPatch>): void;
  send(message: ToWorker): void;
  archive: RunArchive | null;
  /** The page's query string at start. */
  search: string;
  /** A run id no run has had. */
  nextRunId(): number;
  /** Starts a run with the store's settings and dataset, resumed from `resume` when given; its id. */
  newRun(resume?: Checkpoint): number;
  /** Makes `runId` the store's run, empty until its 'ready' (an import's new run). */
  adoptRun(runId: number): void;
  /** Forgets the epochs after `epoch` (a rewound run). */
  rewindTo(epoch: number): void;
  /** The snapshot the page shows (time travel), or null. */
  shown(): SnapshotData | null;
  writeUrl(): void;
}

export interface Keeping {
  initial: KeepingState;
  actions: KeepingActions;
  /** At start: restores the latest saved run, or calls `fresh` (and offers the saved run when the link passed it over). */
  open(fresh: () => void): Promise<void>;
  /** Handles the engine's replies about keeping; false for any other message. */
  receive(msg: FromWorker): boolean;
  /** True when `runId` is an import's new run, which the store takes as its own. */
  claims(runId: number): boolean;
  /** A run is ready: a restored one gets its first Recall@K back and a notice. */
  ready(runId: number): void;
  /** A run paused or ended: saved. */
  stopped(status: RunStatus): void;
  /** An error about a restore or an import: a notice instead of the run's error; false for others. */
  refused(runId: number, message: string): boolean;
}

const MIME = { weights: 'application/json', embeddings: 'text/csv', script: 'text/x-python' } as const;

/** A checkpoint asked for, to save: by the user (a notice says so) or on a pause; what it is saved with. */
interface SaveRequest {
  user: boolean;
  runId: number;
  run: Omit<SavedRun, 'checkpoint' | 'savedAt'>;
}

export function createKeeping(ctx: KeepingContext): Keeping {
  const { get, set, send, archive } = ctx;
  let requestSeq = 0;
  /** Save id of each run (a restored run saves over its own record). */
  const ids = new Map<number, string>();
  /** Checkpoints asked for, by request: what they will be saved with. */
  const saves = new Map<number, SaveRequest>();
  const exports = new Map<number, { resolve: (f: ExportedFile) => void; reject: (e: Error) => void }>();
  /** Runs being restored, by run id. */
  const restoring = new Map<number, SavedRun>();
  let importing: { runId: number; fileName: string } | null = null;

  const note = (tone: KeepNotice['tone'], text: string) => set({ keepNotice: { tone, text } });
  const idOf = (runId: number) => {
    let id = ids.get(runId);
    if (!id) ids.set(runId, (id = newRunId()));
    return id;
  };

  const refreshList = async () => {
    if (archive) set({ savedRuns: await archive.list() });
  };

  const save = (user: boolean) => {
    const s = get();
    if (!s.info) return;
    if (!archive) {
      if (user) note('warn', 'This browser gives the page no storage, so the run cannot be kept here. Export the weights to keep them.');
      return;
    }
    const requestId = ++requestSeq;
    saves.set(requestId, {
      user,
      runId: s.runId,
      run: { version: SAVED_RUN_VERSION, id: idOf(s.runId), label: s.datasetLabel, settings: s.settings, dataset: s.dataset, recall0: s.recall0 },
    });
    send({ type: 'checkpoint', requestId, runId: s.runId });
  };

  const saved = async (request: SaveRequest, checkpoint: Checkpoint) => {
    const run: SavedRun = { ...request.run, savedAt: Date.now(), checkpoint };
    try {
      await archive!.put(run);
      await refreshList();
    } catch (e) {
      note('warn', `The run could not be saved in this browser: ${storageFailure(e)}. It goes on as before.`);
      return;
    }
    if (get().runId !== request.runId) return;
    set({ lastSaved: { runId: request.runId, epoch: checkpoint.epoch, at: run.savedAt } });
    if (request.user) note('info', `Saved epoch ${checkpoint.epoch.toLocaleString('en-US')} in this browser: a reload restores it.`);
  };

  /** Restores a saved run in place of the current one; `unread` runs when it cannot even be read. */
  const restore = async (id: string, unread: () => void) => {
    let run: SavedRun | null;
    try {
      run = archive ? await archive.get(id) : null;
    } catch (e) {
      note('danger', `The saved run could not be read: ${storageFailure(e)}.`);
      unread();
      return;
    }
    if (!run) {
      note('danger', 'The saved run is no longer in this browser’s storage.');
      unread();
      return;
    }
    set({ settings: run.settings, issues: [], dataset: run.dataset, datasetLabel: run.label, savedOffer: null, lastSaved: null });
    ctx.writeUrl();
    const runId = ctx.newRun(run.checkpoint);
    ids.set(runId, run.id);
    restoring.set(runId, run);
  };

  return {
    initial: { savedRuns: [], lastSaved: null, keepNotice: null, savedOffer: null, importing: null },

    actions: {
      saveRun: () => save(true),
      restoreRun(id) {
        void restore(id, () => undefined);
      },
      exportFile(what) {
        const s = get();
        if (!s.info) return Promise.reject(new Error('there is no run yet'));
        if (what === 'embeddings') {
          const snap = ctx.shown();
          if (!snap) return Promise.reject(new Error('there are no embeddings yet'));
          const text = embeddingsCsv({ channels: snap.channels, userNames: s.info.userNames, itemNames: s.info.itemNames, user: snap.user, item: snap.item });
          return Promise.resolve({ fileName: embeddingsFileName(snap.epoch), text, mime: MIME.embeddings });
        }
        const requestId = ++requestSeq;
        send({ type: 'export', requestId, runId: s.runId, what });
        return new Promise((resolve, reject) => exports.set(requestId, { resolve, reject }));
      },
      importWeights(fileName, text) {
        const s = get();
        if (!s.info) return;
        const runId = ctx.nextRunId();
        importing = { runId, fileName };
        set({ importing: fileName, keepNotice: null });
        send({ type: 'importWeights', runId, fromRunId: s.runId, fileName, text });
      },
      dismissKeepNotice() {
        set({ keepNotice: null });
      },
      dismissSavedOffer() {
        set({ savedOffer: null });
      },
    },

    async open(fresh) {
      if (!archive) {
        fresh();
        return;
      }
      let latest: SavedRunSummary | null = null;
      try {
        const list = await archive.list();
        set({ savedRuns: list });
        latest = list[0] ?? null;
      } catch (e) {
        note('warn', `Saved runs could not be read (${storageFailure(e)}); this run will not be kept across reloads.`);
      }
      const choice = openingChoice(ctx.search, get().settings, latest);
      if (choice === 'restore') {
        await restore(latest!.id, fresh);
        return;
      }
      if (choice === 'offer') set({ savedOffer: latest });
      fresh();
    },

    receive(msg) {
      switch (msg.type) {
        case 'checkpoint': {
          const request = saves.get(msg.requestId);
          saves.delete(msg.requestId);
          if (!request) return true;
          if (msg.checkpoint) void saved(request, msg.checkpoint);
          else if (request.user) note('warn', `The run could not be saved: ${msg.error ?? 'the engine gave no checkpoint'}.`);
          return true;
        }
        case 'exported': {
          const waiting = exports.get(msg.requestId);
          exports.delete(msg.requestId);
          if (!waiting) return true;
          if (msg.text !== null) waiting.resolve({ fileName: msg.fileName, text: msg.text, mime: MIME[msg.what] });
          else waiting.reject(new Error(msg.error ?? 'the engine gave no file'));
          return true;
        }
        case 'recovered': {
          if (msg.runId !== get().runId) return true;
          ctx.rewindTo(msg.epoch);
          set({ live: msg.snapshot, status: 'idle' });
          note('warn', msg.message);
          return true;
        }
        default:
          return false;
      }
    },

    claims(runId) {
      if (importing?.runId !== runId) return false;
      ctx.adoptRun(runId);
      note('info', `Imported the weights of ${importing.fileName}: the run starts from them at epoch 0, with Adam’s moments at zero. The graph and the explanations show the imported model.`);
      importing = null;
      set({ importing: null });
      return true;
    },

    ready(runId) {
      const run = restoring.get(runId);
      if (!run) return;
      restoring.delete(runId);
      set({ recall0: run.recall0, lastSaved: { runId, epoch: run.checkpoint.epoch, at: run.savedAt } });
      note('info', `Restored ${describeSaved({ ...run, epoch: run.checkpoint.epoch })}: its weights, Adam’s state and metric history. Training goes on from there exactly as it would have.`);
    },

    stopped(status) {
      if (status === 'idle' || status === 'done') save(false);
    },

    refused(runId, message) {
      if (importing?.runId === runId) {
        importing = null;
        set({ importing: null });
        note('danger', `The weights could not be imported: ${message}. The run is as it was.`);
        return true;
      }
      const run = restoring.get(runId);
      if (!run) return false;
      restoring.delete(runId);
      note('danger', `The saved run (${describeSaved({ ...run, epoch: run.checkpoint.epoch })}) could not be restored: ${message}. A fresh run of its data and settings starts instead.`);
      ctx.newRun();
      return true;
    },
  };
}
