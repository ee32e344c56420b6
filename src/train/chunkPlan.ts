// A chunk's upload, planned on the CPU: every optimizer step's packed graph (or only its step
// fields) with Adam's step number in its header, laid end to end in one array, so that the chunk
// is one writeBuffer. Two layouts: per op (each step's graph is copied into the workspace before
// its passes) and fused (the steps read their graphs from the upload, following a schedule).
import { countsOf, packGraph, setStepFields, STEP_FIELDS, type GraphCounts } from '../gpu/graphBuffer';
import { HEADER_WORDS } from '../gpu/layout';
import type { GraphArrays } from '../graph/types';
import { adamFactors, type Capacity } from '../model/gpuModel';

/** One planned optimizer step of a chunk. */
export interface PlannedStep {
  counts: GraphCounts;
  /** Word offset of its data in the chunk's upload. */
  at: number;
  /** Per-op path: only the header's step fields are uploaded, the graph is already in the workspace. */
  fieldsOnly: boolean;
}

export interface ChunkPlan {
  data: Uint32Array<ArrayBuffer>;
  steps: PlannedStep[];
  /** Fused path: per epoch, the word offset of its Which record (for the workspace's control). */
  controls: number[] | null;
}

/** Where the chunk's steps stand in the run: its learning rate and the optimizer steps done before it. */
export interface StepNumbers {
  lr: number;
  /** Adam's t before the chunk: the chunk's first step is t + 1. */
  before: number;
}

/**
 * Sets step t's fields in a packed header: its loss slot, and Adam's bias-corrected factors for
 * step t at learning rate `lr` (t = 0: a pass that runs no update).
 */
export function stepFields(header: Uint32Array, at: number, slot: number, lr: number, t: number): void {
  const { stepSize, bias2Sqrt } = t > 0 ? adamFactors(lr, t) : { stepSize: 0, bias2Sqrt: 1 };
  setStepFields(header, at, slot, stepSize, bias2Sqrt);
}

/**
 * Per-op path: each step's packed graph with its step fields, or, when the step's graph is the
 * one already in the workspace (`resident` before the chunk: full batch without negatives), the
 * step fields alone.
 */
export function pack(batches: GraphArrays[][], numbers: StepNumbers, resident: GraphArrays | null): ChunkPlan {
  const pieces: Uint32Array[] = [];
  const steps: PlannedStep[] = [];
  let at = 0;
  for (const graph of batches.flat()) {
    const fieldsOnly = graph === resident;
    const data = fieldsOnly ? new Uint32Array(HEADER_WORDS) : packGraph(graph);
    stepFields(data, 0, steps.length, numbers.lr, numbers.before + steps.length + 1);
    const piece = fieldsOnly ? data.subarray(STEP_FIELDS.lossSlot, STEP_FIELDS.lossSlot + 3) : data;
    pieces.push(piece);
    steps.push({ counts: countsOf(graph), at, fieldsOnly });
    at += piece.length;
    resident = graph;
  }
  return { data: concat(pieces, at), steps, controls: null };
}

/**
 * Fused path: per epoch a Which record and a schedule (step count, then each step's graph
 * offset), then every step's packed graph with its own header.
 */
export function packFused(batches: GraphArrays[][], numbers: StepNumbers): ChunkPlan {
  const epochs = batches.length;
  const scheduleWords = batches.reduce((a, b) => a + 1 + b.length, 0);
  let at = 4 * epochs + scheduleWords;
  const head = new Uint32Array(at);
  const pieces: Uint32Array[] = [head];
  const steps: PlannedStep[] = [];
  const controls: number[] = [];
  let schedule = 4 * epochs;
  batches.forEach((graphs, e) => {
    controls.push(4 * e);
    head.set([0, 0, schedule, e], 4 * e);
    head[schedule] = graphs.length;
    graphs.forEach((graph, b) => {
      const data = packGraph(graph);
      stepFields(data, 0, steps.length, numbers.lr, numbers.before + steps.length + 1);
      head[schedule + 1 + b] = at;
      pieces.push(data);
      steps.push({ counts: countsOf(graph), at, fieldsOnly: false });
      at += data.length;
    });
    schedule += 1 + graphs.length;
  });
  return { data: concat(pieces, at), steps, controls };
}

/** What a workspace needs to hold every graph of a chunk, one after another, and all their losses. */
export function chunkCapacity(graphs: GraphArrays[]): Capacity & { users: number; items: number } {
  const need = { nodes: 0, users: 0, items: 0, edges: 0, labels: 0, words: 0, lossSlots: graphs.length };
  for (const g of graphs) {
    const c = countsOf(g);
    need.nodes = Math.max(need.nodes, c.nodes);
    need.users = Math.max(need.users, c.users);
    need.items = Math.max(need.items, c.nodes - c.users);
    need.edges = Math.max(need.edges, c.edges);
    need.labels = Math.max(need.labels, c.labels);
    need.words = Math.max(need.words, c.words);
  }
  return need;
}

function concat(pieces: Uint32Array[], words: number): Uint32Array<ArrayBuffer> {
  const data = new Uint32Array(words);
  let o = 0;
  for (const p of pieces) {
    data.set(p, o);
    o += p.length;
  }
  return data;
}

/**
 * A capacity for `need`, never below `cap`, with headroom (×1.25) so that the next chunk's
 * slightly larger batches fit too.
 */
export function grownCapacity(cap: Capacity | undefined, need: ReturnType<typeof chunkCapacity>): Capacity {
  const grow = (k: 'nodes' | 'users' | 'items' | 'edges' | 'labels' | 'words') => [k, Math.max(cap?.[k] ?? 0, Math.ceil(need[k] * 1.25))];
  const grown = Object.fromEntries((['nodes', 'users', 'items', 'edges', 'labels', 'words'] as const).map(grow)) as Omit<typeof need, 'lossSlots'>;
  return { ...grown, lossSlots: Math.max(cap?.lossSlots ?? 0, need.lossSlots) };
}
