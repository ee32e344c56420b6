// The messages between the page (the store) and the engine worker. Everything here is structured-
// cloneable; typed arrays travel as transfers where they are large. The worker owns the GPU, the
// kernels and the Trainer; the page owns what is shown.
import type { RunSettings } from '../train/settings';
import type { Explanation } from '../explain/explain';
import type { HeadChoice } from '../explain/attention';
import type { EpochMetrics } from '../train/trainer';

/** Where the ratings come from. The page fetches files itself and hands the worker their text. */
export type DatasetSource =
  | { kind: 'toy'; csv?: string }
  /** A ratings file (MovieLens ratings.csv, u.data, or user,item,rating[,timestamp]) and its movies file (movies.csv or u.item) for titles and genres. */
  | { kind: 'csv'; name: string; ratings: string; movies?: string; moviesName?: string };

/** Speeds of play: epochs per second, or as fast as the GPU goes. */
export type Speed = 1 | 5 | 20 | 60 | 'max';
export const SPEEDS: readonly Speed[] = [1, 5, 20, 60, 'max'];

export type ToWorker =
  /** Builds a fresh run (a new Trainer from the seed); the first one also opens the GPU. */
  | { type: 'reset'; runId: number; settings: RunSettings; dataset: DatasetSource }
  | { type: 'play'; runId: number; speed: Speed }
  | { type: 'speed'; speed: Speed }
  | { type: 'pause' }
  /** Trains `epochs` more epochs at full speed (clipped to the run's end), then stops. */
  | { type: 'step'; runId: number; epochs: number }
  /** `brief`: at most a few counterfactual forward passes (while training runs at full speed). */
  | { type: 'explain'; requestId: number; runId: number; epoch: number; user: number; item: number; head: HeadChoice; brief?: boolean };

/** The run's fixed facts, sent once per reset. */
export interface RunInfo {
  runId: number;
  settings: RunSettings;
  adapterName: string;
  datasetName: string;
  userNames: string[];
  itemNames: string[];
  numUsers: number;
  numItems: number;
  /** Every rating (users and items as indices), with its role in this run. */
  ratings: { user: Uint32Array; item: Uint32Array; rating: Float32Array; train: Uint8Array };
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

/** What the page draws for one epoch: the engine's Snapshot, as is. */
export interface SnapshotData {
  epoch: number;
  k: number;
  channels: number;
  user: Float32Array;
  item: Float32Array;
  topk: Int32Array;
  attention: Float32Array[];
}

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
  | { type: 'ready'; info: RunInfo; metrics: EpochMetrics[]; snapshot: SnapshotData; recall: number }
  /** Metrics of newly trained epochs, the snapshots kept among them, and (when the last epoch is not kept) its snapshot as `live`. */
  | { type: 'progress'; runId: number; metrics: EpochMetrics[]; snapshots: SnapshotData[]; live?: SnapshotData; epoch: number }
  | { type: 'stopped'; runId: number; epoch: number; status: Exclude<RunStatus, 'playing' | 'stepping'>; message?: string }
  | { type: 'status'; runId: number; status: RunStatus }
  | { type: 'explanation'; requestId: number; runId: number; explanation: ExplanationData | null; error?: string }
  | { type: 'error'; runId: number; message: string; fatal: boolean };
