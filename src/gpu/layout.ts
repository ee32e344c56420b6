// The numbers and record layouts that the WGSL kernels share with the TypeScript that feeds them,
// written down once. src/gpu/preamble.ts turns them into WGSL constants and structs at the head of
// every program (src/gpu/shaders.ts), so a shader names them (HDR_LOSS_SLOT, MAX_K, struct Layer)
// and never repeats a value; the TypeScript packs buffers from the same lists. docs/ENGINE.md
// describes each layout. Plain data: the page's main thread may import it.

/** Layers the model uniform has room for. */
export const MAX_LAYERS = 8;
/** Longest top-K list one invocation keeps (shaders/topk.wgsl): the evaluation's and KNN-MIPS's K. */
export const MAX_K = 100;
/** Most item segments the evaluation's top-K merges per user (shaders/eval.wgsl). */
export const MAX_SEGMENTS = 64;
/** Outputs per invocation of the dense ops (a vec4 of neighbouring outputs, shaders/prelude.wgsl). */
export const TILE = 4;
/** Invocations of a dense op over n outputs. */
export const tiles = (n: number) => Math.ceil(n / TILE);

/**
 * The training objectives, by their code in the model uniform's `lossKind` (in WGSL, LOSS_ and the
 * name in capitals: LOSS_BPR). docs/ENGINE.md says how each reads the labels.
 */
export const LOSS_KINDS = ['mse', 'bce', 'bpr'] as const;
export type LossKind = (typeof LOSS_KINDS)[number];
/** A run's objective: its kind and, for BPR, the regulariser's λ (0: none). */
export interface Objective {
  kind: LossKind;
  bprReg: number;
}
/** The seed's objective. */
export const MSE: Objective = { kind: 'mse', bprReg: 0 };

// The packed graph (src/gpu/graphBuffer.ts): a header of HEADER_WORDS u32 words, then the arrays.
/** Header words 0..3: counts. */
export const GRAPH_COUNTS = ['nodes', 'users', 'edges', 'labels'] as const;
/** The next header words: each array's offset from the graph's start; the arrays follow in this order. */
export const GRAPH_ARRAYS = [
  'dstPtr', 'edgeSrc', 'edgeDst', 'srcPtr', 'srcEdge', 'nodeGlobal', 'labelUser', 'labelItem', 'labelValue', 'labPtr', 'labEdge',
] as const;
/** The last header words: one optimizer step's fields (a float's bits for the f32 ones). */
const STEP_WORDS = ['lossSlot', 'adamStepSize', 'adamBias2Sqrt'] as const;
/** The header's length: the fields above and two spare words. */
export const HEADER_WORDS = 20;

/** The header's fields in word order. */
export const HEADER_FIELDS = [...GRAPH_COUNTS, ...GRAPH_ARRAYS, ...STEP_WORDS] as const;
type HeaderField = (typeof HEADER_FIELDS)[number];

/** Word index of each header field; in WGSL, HDR_ and the name in capitals (HDR_LOSS_SLOT). */
export const HEADER = Object.fromEntries(HEADER_FIELDS.map((name, i) => [name, i])) as Record<HeaderField, number>;
if (HEADER_FIELDS.length > HEADER_WORDS) throw new Error('src/gpu/layout.ts: the header fields outgrow HEADER_WORDS');

// The evaluation's data (src/train/evaluator.ts, shaders/eval.wgsl): a header, then the arrays.
/** Header words 0..4: counts. */
export const EVAL_COUNTS = ['users', 'items', 'k', 'segments', 'segmentLength'] as const;
/** The next header words: each array's offset in the buffer; the arrays follow in this order. */
export const EVAL_ARRAYS = ['excludePtr', 'excludeItem', 'targetPtr', 'targetItem'] as const;
export const EVAL_FIELDS = [...EVAL_COUNTS, ...EVAL_ARRAYS] as const;
export const EVAL_HEADER_WORDS = EVAL_FIELDS.length;
/** Word index of each field; in WGSL, EV_ and the name in capitals (EV_EXCLUDE_PTR). */
export const EVAL_HEADER = Object.fromEntries(EVAL_FIELDS.map((name, i) => [name, i])) as Record<(typeof EVAL_FIELDS)[number], number>;

/**
 * Writes `arrays` one after another from word `at` of `out`, in the order of `names`, and each
 * one's start at its header word; returns the word after the last.
 */
export function packArrays<N extends string>(out: Uint32Array, header: Record<N, number>, names: readonly N[], arrays: Record<N, ArrayLike<number>>, at: number): number {
  for (const name of names) {
    out[header[name]] = at;
    out.set(arrays[name], at);
    at += arrays[name].length;
  }
  return at;
}

/** A uniform record's fields in order, each one 4-byte word. */
export type Fields = Readonly<Record<string, 'u32' | 'f32'>>;

/**
 * One GAT block (shaders/prelude.wgsl): shape, where its input and parameters are, and the arena
 * offsets of its arrays (src/model/arena.ts).
 */
export const LAYER_FIELDS = {
  heads: 'u32', channels: 'u32', rows: 'u32', indirect: 'u32',
  xStride: 'u32', fUser: 'u32', fItem: 'u32', blockUser: 'u32',
  blockItem: 'u32', x: 'u32', y: 'u32', scores: 'u32',
  alpha: 'u32', out: 'u32', gPre: 'u32', gPrev: 'u32',
  // Layer 1's input (src/model/inputs.ts InputLayout): bit t of oneHot set when node type t is
  // one-hot (no rows in `features`); item i's dataset id is datasetUsers + i; where each type's rows start.
  oneHot: 'u32', datasetUsers: 'u32', xUser: 'u32', xItem: 'u32',
} as const satisfies Fields;

/** The model uniform: MAX_LAYERS Layer records, then these words. */
export const MODEL_FIELDS = {
  numLayers: 'u32', paramCount: 'u32', dY: 'u32', ds: 'u32',
  dScores: 'u32', pred: 'u32', loss: 'u32', recall: 'u32',
  beta1: 'f32', beta2: 'f32', eps: 'f32', partial: 'u32',
  // Scratch of the two-stage sums: per (node, head) sums, per (piece, head) partials of segments
  // that cross a piece's ends, partial losses, partial parameter gradients.
  segSum: 'u32', segPart: 'u32', lossPart: 'u32', gradPart: 'u32',
  // The objective (LOSS_KINDS), BPR's regulariser λ, and the arena offset of dLoss/dpred per label
  // (the loss writes it, the decoder's backward reads it); the last word only keeps the record whole.
  lossKind: 'u32', bprReg: 'f32', dPred: 'u32', pad: 'u32',
} as const satisfies Fields;

/** Per bind group: the layer of a per-op dispatch, where the graph starts, where the fused step schedule starts, an evaluation's metric slot. */
export const WHICH_FIELDS = { layer: 'u32', gbase: 'u32', schedule: 'u32', slot: 'u32' } as const satisfies Fields;

/**
 * Model selection's state on the GPU (shaders/keep.wgsl, src/train/selection.ts): the best
 * validation Recall@K so far and its epoch, the epoch the run stopped at (0 while it goes on),
 * and the patience (0: never stop).
 */
export const KEEP_FIELDS = { best: 'f32', bestEpoch: 'u32', stopped: 'u32', patience: 'u32' } as const satisfies Fields;

/** KNN-MIPS's uniform (shaders/knn_mips.wgsl). */
export const KNN_PARAMS_FIELDS = {
  numItems: 'u32', dim: 'u32', neighbors: 'u32', k: 'u32',
  numUsers: 'u32', restarts: 'u32', steps: 'u32', pad: 'u32',
} as const satisfies Fields;

/** Item-kNN's uniform (shaders/item_knn.wgsl): the counts (pairs: distinct training pairs) and the block of users. */
export const ITEM_KNN_PARAMS_FIELDS = {
  numUsers: 'u32', numItems: 'u32', pairs: 'u32', k: 'u32',
  blockStart: 'u32', blockUsers: 'u32', pad0: 'u32', pad1: 'u32',
} as const satisfies Fields;

export const LAYER_WORDS = Object.keys(LAYER_FIELDS).length;
export const WHICH_WORDS = Object.keys(WHICH_FIELDS).length;
export const MODEL_WORDS = MAX_LAYERS * LAYER_WORDS + Object.keys(MODEL_FIELDS).length;

// A uniform array's element stride is a multiple of 16 bytes, and a uniform buffer's size too: the
// records stay whole vec4s, so that packing word after word matches WGSL's layout.
for (const [name, fields] of [['Layer', LAYER_FIELDS], ['Model', MODEL_FIELDS], ['Which', WHICH_FIELDS], ['Keep', KEEP_FIELDS], ['KnnParams', KNN_PARAMS_FIELDS], ['ItemKnnParams', ITEM_KNN_PARAMS_FIELDS]] as const) {
  if (Object.keys(fields).length % 4 !== 0) throw new Error(`src/gpu/layout.ts: ${name} must have a multiple of 4 words`);
}

/**
 * Writes a record's values at word `at` of `words`, in the order of `fields`, u32 or f32 as each
 * field says; every field must be given.
 */
export function packRecord<F extends Fields>(fields: F, values: Record<keyof F, number>, words: ArrayBuffer, at = 0): void {
  const u32 = new Uint32Array(words);
  const f32 = new Float32Array(words);
  Object.entries(fields).forEach(([name, type], i) => {
    const v = values[name];
    if (v === undefined) throw new Error(`packRecord: no value for ${name}`);
    if (type === 'f32') f32[at + i] = v;
    else u32[at + i] = v;
  });
}

/** A record packed on its own. */
export function record<F extends Fields>(fields: F, values: Record<keyof F, number>): Uint32Array<ArrayBuffer> {
  const words = new ArrayBuffer(Object.keys(fields).length * 4);
  packRecord(fields, values, words);
  return new Uint32Array(words);
}
