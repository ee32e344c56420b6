// Keeping a run and handing it on, the store's side: saving it in the browser (on Save, when it is
// ready, every few seconds while it trains, whenever it pauses or ends, and with what is in hand
// when the page is hidden or closed), restoring it when the page opens, exporting its weights (PyG-named
// JSON), embeddings (CSV) and a PyG script, importing weights into a new run, and telling the user
// when the engine rebuilt the run on a new GPU device. Storage failures become notices: the run
// itself never depends on storage.
import { embeddingsFile, MIME, type ExportedFile, type ExportKind } from './exportedFile';
import type { Checkpoint } from '../train/types';
import type { RunSettings, SettingIssue } from '../train/settings';
import type { DatasetSource, FromWorker, RunInfo, RunStatus, SnapshotData, ToWorker } from '../worker/protocol';
import type { ProgressState } from './progress';
import { describeSaved, newRunId, openingChoice, runBytes, SAVED_RUN_VERSION, storageFailure, summaryOf, type KeptRecord, type RunArchive, type SavedRun, type SavedRunSummary } from './savedRun';

/**
 * While a run trains it is kept at most this often and at most every KEEP_EVERY_EPOCHS epochs,
 * whichever comes later: each keep is one checkpoint readback between chunks (a few
 * milliseconds), so training loses well under 5 % to it, and a reload loses at most this much.
 */
export const KEEP_EVERY_MS = 5000;
export const KEEP_EVERY_EPOCHS = 20;

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

export interface KeepingActions {
  saveRun(): void;
  restoreRun(id: string): void;
  /** The file's text; rejects with an Error that says why there is none. */
  exportFile(what: ExportKind): Promise<ExportedFile>;
  importWeights(fileName: string, text: string): void;
  dismissKeepNotice(): void;
  dismissSavedOffer(): void;
  /** The page is being hidden or closed: keeps the run with the checkpoint in hand (no GPU work), and the epoch it reached. */
  keepNow(): void;
}

/** The store's run, as far as keeping it goes: what is saved with it, and the names an export writes. */
export interface KeptRun extends Pick<ProgressState, 'epoch' | 'snapshots'>, Pick<KeepingState, 'lastSaved'> {
  runId: number;
  status: RunStatus;
  info: Pick<RunInfo, 'userNames' | 'itemNames'> | null;
  settings: RunSettings;
  dataset: DatasetSource;
  datasetLabel: string;
  /** Recall@K before any training. */
  recall0: number | null;
}

/** What keeping changes in the store besides its own state: a restored run's settings and data, a recovered run's snapshot. */
interface KeepingPatch extends KeepingState, Omit<KeptRun, 'runId' | 'info' | 'epoch'>, Pick<ProgressState, 'kept'> {
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
  /** Starts a run with the store's settings and dataset, resumed from `resume` (with its kept epochs' snapshots) when given; its id. */
  newRun(resume?: Checkpoint, snapshots?: SnapshotData[]): number;
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
  /** A run is ready: a restored one gets its first Recall@K, its kept epochs and a notice back; a new one (not an import) is kept, in place of the one before. */
  ready(runId: number): void;
  /** The run trained up to `epoch`: kept when the last keep is both KEEP_EVERY_MS and KEEP_EVERY_EPOCHS ago. */
  progressed(runId: number, epoch: number): void;
  /** A run paused or ended: saved. */
  stopped(status: RunStatus): void;
  /** An error about a restore or an import: a notice instead of the run's error; false for others. */
  refused(runId: number, message: string): boolean;
}

/** A checkpoint asked for, to save: by the user (a notice says so) or by itself; what it is saved with. */
interface SaveRequest {
  user: boolean;
  runId: number;
  run: Omit<SavedRun, 'checkpoint' | 'savedAt' | 'reached' | 'bytes'>;
}

/** The last checkpoint kept of the current run: what the page keeps again when it closes mid-play. */
interface InHand {
  runId: number;
  run: SaveRequest['run'];
  checkpoint: Checkpoint;
}

export function createKeeping(ctx: KeepingContext): Keeping {
  const { get, set, send, archive } = ctx;
  let requestSeq = 0;
  /** Save id of each run (a restored run saves over its own record). */
  const ids = new Map<number, string>();
  /** Checkpoints asked for, by request: what they will be saved with. */
  const saves = new Map<number, SaveRequest>();
  const exports = new Map<number, { resolve: (f: ExportedFile) => void; reject: (e: Error) => void }>();
  /** Runs being restored, by run id; `chosen`: by the user, from the list (it becomes the kept run). */
  const restoring = new Map<number, KeptRecord & { chosen: boolean }>();
  let importing: { runId: number; fileName: string } | null = null;
  /** The last import's run: not kept until it pauses, as before. */
  let imported = -1;
  /** Epochs whose snapshots are stored, by save id: a keep writes only the others. */
  const written = new Map<string, Set<number>>();
  let inHand: InHand | null = null;
  /** When and at which epoch the current run was last kept (or asked to be), for the throttle. */
  let lastKeep = { runId: -1, epoch: 0, at: 0 };
  /** A keep failed and said so: the next failures stay quiet until one succeeds. */
  let failing = false;

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
    lastKeep = { runId: s.runId, epoch: s.epoch, at: Date.now() };
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

  /**
   * Writes the run with `checkpoint` and the snapshots of its kept epochs not stored yet;
   * `reached`: the epoch the page is at (past the checkpoint's when it closes mid-play).
   */
  const write = async (kept: InHand, reached: number) => {
    const { checkpoint } = kept;
    const current = get().runId === kept.runId;
    const all = current ? [...get().snapshots.values()].filter((s) => s.epoch <= checkpoint.epoch) : [];
    const stored = written.get(kept.run.id) ?? new Set<number>();
    const fresh = all.filter((s) => !stored.has(s.epoch));
    const run: SavedRun = { ...kept.run, savedAt: Date.now(), checkpoint, reached: Math.max(reached, checkpoint.epoch), bytes: runBytes(checkpoint, kept.run.dataset, all) };
    await archive!.put(run, fresh);
    for (const s of fresh) stored.add(s.epoch);
    written.set(kept.run.id, stored);
    return run;
  };

  /** A keep that failed: said once (until one succeeds), with what a reload would bring back, so that nothing is lost unawares. */
  const keepFailed = (user: boolean, runId: number, e: unknown) => {
    if (failing && !user) return;
    failing = true;
    const last = get().lastSaved;
    const back = last && last.runId === runId ? `epoch ${last.epoch.toLocaleString('en-US')}, the last one kept` : 'the run kept before this one';
    note('warn', `The run could not be saved in this browser: ${storageFailure(e)}. It goes on as before, but a reload would bring back ${back}.`);
  };

  const saved = async (request: SaveRequest, checkpoint: Checkpoint) => {
    const kept: InHand = { runId: request.runId, run: request.run, checkpoint };
    let run: SavedRun;
    try {
      run = await write(kept, checkpoint.epoch);
      await refreshList();
    } catch (e) {
      keepFailed(request.user, request.runId, e);
      return;
    }
    failing = false;
    if (get().runId !== request.runId) return;
    inHand = kept;
    set({ lastSaved: { runId: request.runId, epoch: checkpoint.epoch, at: run.savedAt } });
    if (request.user) note('info', `Saved epoch ${checkpoint.epoch.toLocaleString('en-US')} in this browser: a reload restores it.`);
  };

  /** Restores a saved run in place of the current one; `unread` runs when it cannot even be read. */
  const restore = async (id: string, chosen: boolean, unread: () => void) => {
    let record: KeptRecord | null;
    try {
      record = archive ? await archive.get(id) : null;
    } catch (e) {
      note('danger', `The saved run could not be read: ${storageFailure(e)}.`);
      unread();
      return;
    }
    if (!record) {
      note('danger', 'The saved run is no longer in this browser’s storage.');
      unread();
      return;
    }
    const { run, snapshots } = record;
    set({ settings: run.settings, issues: [], dataset: run.dataset, datasetLabel: run.label, savedOffer: null, lastSaved: null });
    ctx.writeUrl();
    const runId = ctx.newRun(run.checkpoint, snapshots);
    ids.set(runId, run.id);
    written.set(run.id, new Set([...(written.get(run.id) ?? []), ...snapshots.map((s) => s.epoch)]));
    restoring.set(runId, { ...record, chosen });
  };

  return {
    initial: { savedRuns: [], lastSaved: null, keepNotice: null, savedOffer: null, importing: null },

    actions: {
      saveRun: () => save(true),
      restoreRun(id) {
        void restore(id, true, () => undefined);
      },
      exportFile(what) {
        const s = get();
        if (!s.info) return Promise.reject(new Error('there is no run yet'));
        if (what === 'embeddings') {
          const snap = ctx.shown();
          if (!snap) return Promise.reject(new Error('there are no embeddings yet'));
          return Promise.resolve(embeddingsFile(snap, s.info));
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
      keepNow() {
        const s = get();
        const kept = inHand;
        if (!archive || !kept || kept.runId !== s.runId) return;
        // The checkpoint in hand, with the epoch reached: a reload says how many epochs were lost.
        if (s.epoch > kept.checkpoint.epoch) write(kept, s.epoch).catch((e: unknown) => keepFailed(false, kept.runId, e));
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
        await restore(latest!.id, false, fresh);
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
      imported = runId;
      note('info', `Imported the weights of ${importing.fileName}: the run starts from them at epoch 0, with Adam’s moments at zero. The graph and the explanations show the imported model.`);
      importing = null;
      set({ importing: null });
      return true;
    },

    ready(runId) {
      const record = restoring.get(runId);
      if (!record) {
        // A new run (reset, new data or settings) is kept at once: a reload brings it back, not the run before.
        if (runId === get().runId && runId !== imported) save(false);
        return;
      }
      restoring.delete(runId);
      const { run, snapshots } = record;
      const { version, id, label, settings, dataset, recall0, checkpoint } = run;
      inHand = { runId, run: { version, id, label, settings, dataset, recall0 }, checkpoint };
      lastKeep = { runId, epoch: checkpoint.epoch, at: Date.now() };
      // Time travel: the kept epochs' snapshots, with the checkpoint's own from the engine.
      const all = new Map(snapshots.map((s) => [s.epoch, s]));
      for (const [epoch, snap] of get().snapshots) all.set(epoch, snap);
      set({ recall0, snapshots: all, kept: [...all.keys()].sort((a, b) => a - b), lastSaved: { runId, epoch: checkpoint.epoch, at: run.savedAt } });
      const lost = (run.reached ?? checkpoint.epoch) - checkpoint.epoch;
      const lostText = lost > 0 ? ` It had reached epoch ${run.reached!.toLocaleString('en-US')}: the ${lost === 1 ? 'epoch' : `${lost.toLocaleString('en-US')} epochs`} after the last keep ${lost === 1 ? 'was' : 'were'} lost.` : '';
      // A run restored from the list replaces the kept one: a reload brings it back.
      if (record.chosen) write(inHand, checkpoint.epoch).then(refreshList, (e: unknown) => keepFailed(false, runId, e));
      note('info', `Restored ${describeSaved(summaryOf(run))}: its weights, Adam’s state and metric history. Training goes on from there exactly as it would have.${lostText}`);
    },

    progressed(runId, epoch) {
      if (!archive || runId !== get().runId || [...saves.values()].some((r) => r.runId === runId)) return;
      if (lastKeep.runId !== runId) {
        lastKeep = { runId, epoch, at: Date.now() };
        return;
      }
      if (Date.now() - lastKeep.at < KEEP_EVERY_MS || epoch - lastKeep.epoch < KEEP_EVERY_EPOCHS) return;
      save(false);
      // The engine's epoch: the page's may lag behind it by a frame.
      lastKeep = { runId, epoch, at: lastKeep.at };
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
      const run = restoring.get(runId)?.run;
      if (!run) return false;
      restoring.delete(runId);
      note('danger', `The saved run (${describeSaved(summaryOf(run))}) could not be restored: ${message}. A fresh run of its data and settings starts instead.`);
      ctx.newRun();
      return true;
    },
  };
}

