// Runs kept in the browser, so that a reload (or another day) finds them again: the settings, the
// dataset's files as text, a checkpoint (weights, Adam's moments, the generator, the metric
// history and, with a validation split, the chosen epoch and its weights), all a run needs to go on bit for bit, and the snapshots of its kept epochs (time
// travel), stored apart so that each keep writes only the new ones. IndexedDB holds them; what it
// gives back is checked before use, since storage outlives the code that wrote it.
import { checkSettings, settingsToQuery, type RunSettings } from '../train/settings';
import type { Checkpoint, EpochMetrics } from '../train/types';
import { Rng } from '../util/rng';
import type { DatasetSource, SnapshotData } from '../worker/protocol';

export const SAVED_RUN_VERSION = 1;
/** Runs kept at most: the current one and three earlier ones; saving one more forgets the oldest. */
export const MAX_SAVED_RUNS = 4;

export interface SavedRun {
  version: typeof SAVED_RUN_VERSION;
  /** One per run: a run saves over its own earlier saves, never over another run's. */
  id: string;
  /** When it was saved (ms since 1970). */
  savedAt: number;
  /** The dataset as the page names it. */
  label: string;
  settings: RunSettings;
  dataset: DatasetSource;
  /** Recall@K before any training (the charts start from it). */
  recall0: number | null;
  checkpoint: Checkpoint;
  /** The epoch the page had reached when it was last kept (past the checkpoint's when it closed mid-play); older records lack it. */
  reached?: number;
  /** What the run takes in storage, snapshots included, in bytes (about); older records lack it. */
  bytes?: number;
}

/** A saved run as read back: the record, and the snapshots of its kept epochs up to its checkpoint's, ascending. */
export interface KeptRecord {
  run: SavedRun;
  snapshots: SnapshotData[];
}

/** What a list of saved runs shows, without their weights and files. */
export interface SavedRunSummary {
  id: string;
  savedAt: number;
  label: string;
  settings: RunSettings;
  epoch: number;
  /** What it takes in storage, in bytes (0 when not known). */
  bytes: number;
}

export function summaryOf(run: SavedRun): SavedRunSummary {
  return { id: run.id, savedAt: run.savedAt, label: run.label, settings: run.settings, epoch: run.checkpoint.epoch, bytes: run.bytes ?? 0 };
}

/** What a record takes in storage, about: its weights, moments, history, dataset text and snapshots. */
export function runBytes(checkpoint: Checkpoint, dataset: DatasetSource, snapshots: Iterable<SnapshotData>): number {
  let bytes = checkpoint.params.byteLength + checkpoint.moments.byteLength + (checkpoint.selection?.kept.byteLength ?? 0) + 32 * checkpoint.history.length;
  if (dataset.kind === 'csv') bytes += 2 * (dataset.ratings.length + (dataset.movies?.length ?? 0) + (dataset.features ?? []).reduce((n, f) => n + f.text.length, 0));
  else bytes += 2 * (dataset.csv?.length ?? 0);
  for (const s of snapshots) bytes += s.user.byteLength + s.item.byteLength + s.topk.byteLength + s.attention.reduce((n, a) => n + a.byteLength, 0);
  return bytes;
}

/** "toy data, epoch 40 of 1500, saved 5 May, 14:02" */
export function describeSaved(s: SavedRunSummary): string {
  const when = new Date(s.savedAt).toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  return `${s.label}, epoch ${s.epoch.toLocaleString('en-US')} of ${s.settings.epochs.toLocaleString('en-US')}, saved ${when}`;
}

/** A fresh id for a run that has not been saved yet. */
export function newRunId(now = Date.now()): string {
  return `run-${now.toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
}

/**
 * What the page opens with. The latest saved run, unless the link names settings other than
 * its own: the link wins, and the saved run is offered instead. A link without settings (or with
 * the saved run's, as the page writes it after a restore) restores.
 */
export function openingChoice(search: string, linkSettings: RunSettings, latest: SavedRunSummary | null): 'restore' | 'fresh' | 'offer' {
  if (!latest) return 'fresh';
  if (!linkNamesSettings(search)) return 'restore';
  return settingsToQuery(linkSettings) === settingsToQuery(latest.settings) ? 'restore' : 'offer';
}

/** Whether a query string sets any run setting (the explained pair is not one). */
function linkNamesSettings(search: string): boolean {
  try {
    return [...new URLSearchParams(search).keys()].some((k) => k !== 'user' && k !== 'item');
  } catch {
    return false;
  }
}

/**
 * A record read back from storage, checked field by field. Throws an Error that says what is
 * wrong; the page shows it and starts afresh.
 */
export function checkSavedRun(value: unknown): SavedRun {
  const fail = (what: string): never => {
    throw new Error(`the saved run is damaged or from another version of GAT Lab: ${what}`);
  };
  if (!isObject(value)) return fail('it is not a record');
  if (value.version !== SAVED_RUN_VERSION) return fail(`it has version ${JSON.stringify(value.version)}, this page reads version ${SAVED_RUN_VERSION}`);
  if (typeof value.id !== 'string' || typeof value.label !== 'string' || !Number.isFinite(value.savedAt)) return fail('its id, label or date is missing');
  if (!isObject(value.settings)) return fail('its settings are missing');
  const { settings, issues } = checkSettings(value.settings as Partial<Record<keyof RunSettings, unknown>>);
  if (issues.length > 0) return fail(`its settings are not valid (${issues.map((i) => i.message).join('; ')})`);
  const dataset = value.dataset;
  if (!isObject(dataset) || !(dataset.kind === 'toy' || (dataset.kind === 'csv' && typeof dataset.name === 'string' && typeof dataset.ratings === 'string'))) {
    return fail('its dataset is missing');
  }
  if (value.recall0 !== null && typeof value.recall0 !== 'number') return fail('its first Recall@K is not a number');
  if (value.reached !== undefined && !Number.isInteger(value.reached)) return fail('the epoch it had reached is not a whole number');
  const c = value.checkpoint;
  if (!isObject(c)) return fail('its checkpoint is missing');
  if (!Number.isInteger(c.epoch) || (c.epoch as number) < 0 || !Number.isInteger(c.step) || (c.step as number) < 0) return fail('its epoch or step count is not a whole number');
  if (!(c.params instanceof Float32Array) || !(c.moments instanceof Float32Array)) return fail('its weights are missing');
  if (c.moments.length !== 2 * c.params.length) return fail(`it holds ${c.moments.length} Adam moments for ${c.params.length} weights (expected twice as many)`);
  try {
    Rng.fromState(c.rng as Checkpoint['rng']);
  } catch (e) {
    return fail(`its random generator: ${(e as Error).message}`);
  }
  const history = c.history;
  if (!Array.isArray(history) || history.length !== c.epoch || !history.every((m, k) => isMetrics(m, k + 1))) {
    return fail(`its metric history does not hold epochs 1 to ${c.epoch as number}`);
  }
  if (c.selection !== undefined) {
    const problem = selectionProblem(c.selection, c.params.length, c.epoch as number);
    if (problem) return fail(`its epoch chosen on validation: ${problem}`);
  }
  // Runs kept before the full graph's MSE was measured have none: their epochs read as not evaluated for it.
  const checkpoint = { ...(c as unknown as Checkpoint), history: history.map((m: EpochMetrics) => ({ ...m, fullMse: m.fullMse ?? null })) };
  return { ...(value as unknown as SavedRun), settings, checkpoint };
}

/** What is wrong with a checkpoint's selection (SelectionState) for `size` weights after `epoch` epochs; null when nothing is. */
function selectionProblem(s: unknown, size: number, epoch: number): string | null {
  if (!isObject(s) || !isObject(s.best)) return 'it is not a record';
  const { best, stopped, kept } = s;
  if (!Number.isInteger(best.epoch) || (best.epoch as number) < 1 || (best.epoch as number) > epoch) return `its epoch ${JSON.stringify(best.epoch)} is not one of 1 to ${epoch}`;
  if (typeof best.valRecall !== 'number' || typeof best.testRecall !== 'number') return 'its validation or test Recall@K is not a number';
  if (stopped !== null && !(Number.isInteger(stopped) && (stopped as number) <= epoch)) return `the epoch it stopped at (${JSON.stringify(stopped)}) is not one the run reached`;
  if (!(kept instanceof Float32Array) || kept.length !== size) return `its weights are not ${size} numbers`;
  return null;
}

/** A snapshot read back from storage, checked as far as the slider and the charts rely on it. */
function checkSnapshot(value: unknown): SnapshotData {
  const ok =
    isObject(value) &&
    Number.isInteger(value.epoch) &&
    value.user instanceof Float32Array &&
    value.item instanceof Float32Array &&
    value.topk instanceof Int32Array &&
    Array.isArray(value.attention) &&
    value.attention.every((a) => a instanceof Float32Array);
  if (!ok) throw new Error('the saved run is damaged or from another version of GAT Lab: a kept epoch’s snapshot is not one');
  return value as unknown as SnapshotData;
}

function isMetrics(m: unknown, epoch: number): m is EpochMetrics {
  return isObject(m) && m.epoch === epoch && typeof m.loss === 'number' && (m.recall === null || typeof m.recall === 'number') && (m.fullMse == null || typeof m.fullMse === 'number') && typeof m.ms === 'number';
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where saved runs live. The page's is IndexedDB (browserArchive); anything with these methods will do. */
export interface RunArchive {
  /** Summaries, newest first. */
  list(): Promise<SavedRunSummary[]>;
  /** The run, checked (checkSavedRun), with its snapshots up to its checkpoint's epoch; null when there is none under that id. */
  get(id: string): Promise<KeptRecord | null>;
  /**
   * Saves (over the run's earlier save) with `snapshots`, the ones not stored yet, and forgets the
   * oldest beyond MAX_SAVED_RUNS. The save is all or nothing: when it fails, the earlier one stays as it was.
   */
  put(run: SavedRun, snapshots: SnapshotData[]): Promise<void>;
}

/** A storage failure, in words a user can act on (quota, private browsing, blocked storage). */
export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

const DB_NAME = 'gat-lab';
const DB_VERSION = 2;
/** The full records, and their summaries apart so that listing reads no weights or files. */
const RUNS = 'runs';
const SUMMARIES = 'summaries';
/** Kept epochs' snapshots, as { id, epoch, snapshot } under [id, epoch]. */
const SNAPSHOTS = 'snapshots';
const ofRun = (id: string) => IDBKeyRange.bound([id, -Infinity], [id, Infinity]);

export function browserArchive(factory: IDBFactory | undefined = globalThis.indexedDB): RunArchive {
  let opened: Promise<IDBDatabase> | null = null;
  const db = () => (opened ??= openDb(factory).catch((e) => {
    opened = null;
    throw e;
  }));
  return {
    async list() {
      const tx = (await db()).transaction(SUMMARIES, 'readonly');
      const all = await request<SavedRunSummary[]>(tx.objectStore(SUMMARIES).getAll());
      return all.sort((a, b) => b.savedAt - a.savedAt);
    },
    async get(id) {
      const tx = (await db()).transaction([RUNS, SNAPSHOTS], 'readonly');
      const [value, kept] = await Promise.all([request<unknown>(tx.objectStore(RUNS).get(id)), request<{ snapshot: unknown }[]>(tx.objectStore(SNAPSHOTS).getAll(ofRun(id)))]);
      if (value === undefined) return null;
      const run = checkSavedRun(value);
      const snapshots = kept.map((k) => checkSnapshot(k.snapshot)).filter((s) => s.epoch <= run.checkpoint.epoch);
      return { run, snapshots };
    },
    async put(run, snapshots) {
      const stores = [RUNS, SUMMARIES, SNAPSHOTS];
      // Every write is asked for at once and committed without waiting on the page: a page that
      // closes right after (pagehide) still gets its run kept.
      const tx = (await db()).transaction(stores, 'readwrite');
      tx.objectStore(RUNS).put(run);
      tx.objectStore(SUMMARIES).put(summaryOf(run));
      for (const snapshot of snapshots) tx.objectStore(SNAPSHOTS).put({ id: run.id, epoch: snapshot.epoch, snapshot });
      tx.commit?.();
      await done(tx);
      // Then the oldest beyond MAX_SAVED_RUNS go (a page closed before this forgets them next time).
      const prune = (await db()).transaction(stores, 'readwrite');
      const all = await request<SavedRunSummary[]>(prune.objectStore(SUMMARIES).getAll());
      for (const old of all.sort((a, b) => b.savedAt - a.savedAt).slice(MAX_SAVED_RUNS)) {
        prune.objectStore(RUNS).delete(old.id);
        prune.objectStore(SUMMARIES).delete(old.id);
        prune.objectStore(SNAPSHOTS).delete(ofRun(old.id));
      }
      await done(prune);
    },
  };
}

function openDb(factory: IDBFactory | undefined): Promise<IDBDatabase> {
  if (!factory) return Promise.reject(new StorageError('this browser gives the page no storage (IndexedDB is missing)'));
  return new Promise((resolve, reject) => {
    let req: IDBOpenDBRequest;
    try {
      req = factory.open(DB_NAME, DB_VERSION);
    } catch (e) {
      reject(storageError(e));
      return;
    }
    req.onupgradeneeded = () => {
      const stores = req.result.objectStoreNames;
      for (const name of [RUNS, SUMMARIES]) if (!stores.contains(name)) req.result.createObjectStore(name, { keyPath: 'id' });
      if (!stores.contains(SNAPSHOTS)) req.result.createObjectStore(SNAPSHOTS, { keyPath: ['id', 'epoch'] });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(storageError(req.error));
    req.onblocked = () => reject(new StorageError('the saved runs are held by another tab of GAT Lab with an older version; close it and reload'));
  });
}

function request<T>(req: IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result as T);
    req.onerror = () => reject(storageError(req.error));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(storageError(tx.error));
    tx.onabort = () => reject(storageError(tx.error));
  });
}

/** Why storage failed, in words a user can act on (quota, private browsing, blocked storage); other errors as they are. */
export function storageFailure(e: unknown): string {
  if (e instanceof StorageError) return e.message;
  const name = (e as { name?: unknown } | null)?.name;
  const detail = (e as { message?: unknown } | null)?.message;
  const said = typeof detail === 'string' && detail ? detail : String(name ?? e);
  if (name === 'QuotaExceededError') return `the browser’s storage for this page is full (${said}); export the weights to keep them`;
  if (name === 'SecurityError' || name === 'InvalidStateError') return `the browser does not let this page store data (private browsing or blocked storage: ${said})`;
  if (typeof DOMException !== 'undefined' && e instanceof DOMException) return `the browser’s storage failed (${e.name}: ${said})`;
  return said;
}

function storageError(e: unknown): StorageError {
  return e instanceof StorageError ? e : new StorageError(storageFailure(e));
}
