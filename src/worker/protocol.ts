// The messages between the page (the store) and the engine worker. Everything here is structured-
// cloneable and is copied, typed arrays included: the worker keeps the snapshots it posts (it
// explains and exports them later), so it cannot hand their buffers over as transfers. The worker
// owns the GPU, the kernels and the Trainer; the page owns what is shown.
import type { RunSettings } from '../train/settings';
import type { Explanation } from '../explain/explain';
import type { HeadChoice } from '../explain/attention';
import type { Checkpoint, EpochMetrics, Snapshot } from '../train/types';
import type { ColumnMapping } from '../graph/csv';
import type { SearchSettings } from '../search/settings';

import type { DatasetSource, MappingRequest } from '../graph/datasetFiles';

/** Where the ratings come from, and a CSV whose columns the page must ask about: the engine's types. */
export type { DatasetSource, MappingRequest };

/** A file the user picked or dropped, as bytes: the worker decodes it (or unpacks it, for a ZIP). */
export interface DataFile {
  name: string;
  bytes: ArrayBuffer;
}

/** The steps of loading files, in order: the page reads them, the worker parses, builds the run and evaluates it once. */
export type LoadPhase = 'reading' | 'parsing' | 'building' | 'evaluating';
export const LOAD_PHASES: readonly LoadPhase[] = ['reading', 'parsing', 'building', 'evaluating'];

/** Speeds of play: epochs per second, or as fast as the GPU goes. */
export type Speed = 1 | 5 | 20 | 60 | 'max';
export const SPEEDS: readonly Speed[] = [1, 5, 20, 60, 'max'];

export type ToWorker =
  /**
   * Builds a fresh run (a new Trainer from the seed); the first one also opens the GPU. With
   * `resume` (a saved run's checkpoint) the run goes on from there as if it had never stopped;
   * `snapshots`: its earlier kept epochs, for time travel and explanations.
   */
  | { type: 'reset'; runId: number; settings: RunSettings; dataset: DatasetSource; resume?: Checkpoint; snapshots?: Snapshot[] }
  /**
   * Builds a run from files. The current run goes on until the new one is ready, and stays when
   * the files cannot be used. `mapping`: the columns of a generic CSV, or 'ask' to show them first.
   */
  | { type: 'load'; runId: number; settings: RunSettings; files: DataFile[]; mapping?: ColumnMapping | 'ask' }
  | { type: 'play'; runId: number; speed: Speed }
  | { type: 'speed'; speed: Speed }
  | { type: 'pause' }
  /** Trains `epochs` more epochs at full speed (clipped to the run's end), then stops. */
  | { type: 'step'; runId: number; epochs: number }
  /** `brief`: at most a few counterfactual forward passes (while training runs at full speed). */
  | { type: 'explain'; requestId: number; runId: number; epoch: number; user: number; item: number; head: HeadChoice; brief?: boolean }
  /** The run as it stands (between chunks), to save it. */
  | { type: 'checkpoint'; requestId: number; runId: number }
  /** The current weights as PyG-named JSON, or the PyG script of the current epoch. */
  | { type: 'export'; requestId: number; runId: number; what: 'weights' | 'script' }
  /**
   * A run of the same data and settings starting from a weights file (PyG-named JSON), as `runId`.
   * The run `fromRunId` goes on until the new one is ready, and stays when the file does not fit.
   */
  | { type: 'importWeights'; runId: number; fromRunId: number; fileName: string; text: string }
  /** KNN-MIPS beside the exact top-K on the current epoch's embeddings (queued between chunks). */
  | { type: 'search'; requestId: number; runId: number; settings: SearchSettings };

/** The run's fixed facts, sent once per reset. */
export interface RunInfo {
  runId: number;
  settings: RunSettings;
  adapterName: string;
  /** How its steps and evaluations run on that adapter: fused or per op, from the times measured (src/train/fuseDecision.ts). */
  paths: string;
  datasetName: string;
  userNames: string[];
  itemNames: string[];
  numUsers: number;
  numItems: number;
  /** Every rating (users and items as indices), with its role in this run. */
  ratings: { user: Uint32Array; item: Uint32Array; rating: Float32Array; train: Uint8Array; val: Uint8Array };
  /** The evaluation graph's CSR slots (node space: users, then items), which attention is laid out by. */
  graph: { edgeSrc: Uint32Array; edgeDst: Uint32Array };
  layers: number;
  heads: number;
  channels: number;
  /** K as the run uses it (at most the catalogue size). */
  k: number;
  stepsPerEpoch: number;
  paramCount: number;
  /** Snapshots are kept for epochs where this holds (every epoch for small runs). */
  keepEvery: number;
  /** A note about values the run had to adjust (K beyond the catalogue, ...), or null. */
  notes: string[];
}

/** KNN-MIPS against the exact top-K for every user at one epoch: src/search/compare.ts's figures. */
export interface SearchReport {
  epoch: number;
  settings: SearchSettings;
  k: number;
  numUsers: number;
  numItems: number;
  /** Mean over users of the share of their exact top-K that KNN-MIPS lists. */
  recall: number;
  knnMs: number;
  exactMs: number;
  /** The item graph's build; 0 when the graph of this epoch and E was built for an earlier search. */
  buildMs: number;
}

/** What the page draws for one epoch: the engine's Snapshot, as is. */
export type SnapshotData = Snapshot;

export type RunStatus = 'idle' | 'playing' | 'stepping' | 'done' | 'diverged';

/** An explanation as the engine's explain() gives it, and the epoch whose weights its counterfactual forward passes used. */
export interface ExplanationData extends Explanation {
  /** Equals `epoch` when that epoch's weights were kept; else the nearest earlier epoch whose were. */
  weightsEpoch: number;
  /** True when only the few strongest nearby ratings were taken out (training was running at full speed). */
  brief: boolean;
}

export type FromWorker =
  | { type: 'noWebGPU'; message: string }
  /** `dataset`: for a run built from files, what they held (decoded), for the runs that follow. */
  | { type: 'ready'; info: RunInfo; metrics: EpochMetrics[]; snapshot: SnapshotData; recall: number; dataset?: DatasetSource }
  /** How far a load has come: `fraction` of the phase, and the ratings parsed so far. */
  | { type: 'loading'; runId: number; phase: LoadPhase; fraction: number; rows: number }
  /** A load that waits for the user to say which columns hold what. */
  | { type: 'needsMapping'; runId: number; request: MappingRequest }
  /** Metrics of newly trained epochs, the snapshots kept among them, and (when the last epoch is not kept) its snapshot as `live`. */
  | { type: 'progress'; runId: number; metrics: EpochMetrics[]; snapshots: SnapshotData[]; live?: SnapshotData; epoch: number }
  | { type: 'stopped'; runId: number; epoch: number; status: Exclude<RunStatus, 'playing' | 'stepping'>; message?: string }
  | { type: 'status'; runId: number; status: RunStatus }
  | { type: 'explanation'; requestId: number; runId: number; explanation: ExplanationData | null; error?: string }
  | { type: 'error'; runId: number; message: string; fatal: boolean }
  | { type: 'checkpoint'; requestId: number; runId: number; checkpoint: Checkpoint | null; error?: string }
  | { type: 'exported'; requestId: number; runId: number; what: 'weights' | 'script'; fileName: string; text: string | null; error?: string }
  | { type: 'searched'; requestId: number; runId: number; report: SearchReport | null; error?: string }
  /** The GPU device was lost and the run rebuilt on a new one at `epoch`, its last kept epoch; `message` says so. */
  | { type: 'recovered'; runId: number; epoch: number; snapshot: SnapshotData; message: string };
