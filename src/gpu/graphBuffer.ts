// Packs a GraphArrays into the single u32 buffer the kernels read (shaders/prelude.wgsl): a header
// of counts and offsets, then the arrays. One buffer means one copy per mini-batch step.
import type { GraphArrays } from '../graph/types';

export const HEADER_WORDS = 20;
/** Word offsets of the per-step fields in the header. */
export const STEP_FIELDS = { lossSlot: 15, adamStepSize: 16, adamBias2Sqrt: 17 } as const;

export interface GraphCounts {
  nodes: number;
  users: number;
  edges: number;
  labels: number;
  /** Length of the packed buffer in u32 words. */
  words: number;
}

export function countsOf(g: GraphArrays): GraphCounts {
  const nodes = g.numUsers + g.numItems;
  const edges = g.edgeSrc.length;
  const labels = g.labelUser.length;
  const words = HEADER_WORDS + 3 * (nodes + 1) + nodes + 3 * edges + 5 * labels;
  return { nodes, users: g.numUsers, edges, labels, words };
}

export function packGraph(g: GraphArrays): Uint32Array<ArrayBuffer> {
  const c = countsOf(g);
  const out = new Uint32Array(c.words);
  out[0] = c.nodes;
  out[1] = c.users;
  out[2] = c.edges;
  out[3] = c.labels;
  const labelValueBits = new Uint32Array(g.labelValue.buffer, g.labelValue.byteOffset, g.labelValue.length);
  // Same order as the header words 4..14 of shaders/prelude.wgsl.
  const arrays = [g.dstPtr, g.edgeSrc, g.edgeDst, g.srcPtr, g.srcEdge, g.nodeGlobal, g.labelUser, g.labelItem, labelValueBits, g.labPtr, g.labEdge];
  let at = HEADER_WORDS;
  arrays.forEach((a, k) => {
    out[4 + k] = at;
    out.set(a, at);
    at += a.length;
  });
  if (at !== c.words) throw new Error(`packGraph: packed ${at} words, expected ${c.words}`);
  return out;
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** The bits of a number rounded to float32. */
export function floatBits(x: number): number {
  f32[0] = x;
  return f32Bits[0];
}

/** Writes one optimizer step's fields into a packed header (or any array laid out like one). */
export function setStepFields(header: Uint32Array, at: number, lossSlot: number, adamStepSize: number, adamBias2Sqrt: number): void {
  header[at + STEP_FIELDS.lossSlot] = lossSlot;
  header[at + STEP_FIELDS.adamStepSize] = floatBits(adamStepSize);
  header[at + STEP_FIELDS.adamBias2Sqrt] = floatBits(adamBias2Sqrt);
}
