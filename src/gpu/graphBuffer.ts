// Packs a GraphArrays into the single u32 buffer the kernels read (shaders/prelude.wgsl): a header
// of counts and offsets, then the arrays. One buffer means one copy per mini-batch step. The
// header's fields and their order are src/gpu/layout.ts's, which the WGSL reads by name.
import type { GraphArrays } from '../graph/types';
import { GRAPH_ARRAYS, GRAPH_COUNTS, HEADER, HEADER_WORDS, packArrays } from './layout';

/** Word offsets of the per-step fields in the header. */
export const STEP_FIELDS = { lossSlot: HEADER.lossSlot, adamStepSize: HEADER.adamStepSize, adamBias2Sqrt: HEADER.adamBias2Sqrt } as const;

export interface GraphCounts {
  nodes: number;
  users: number;
  edges: number;
  labels: number;
  /** Length of the packed buffer in u32 words. */
  words: number;
}

/** Length in u32 words of a packed graph of these counts. */
export function graphWords(nodes: number, edges: number, labels: number): number {
  return HEADER_WORDS + 3 * (nodes + 1) + nodes + 3 * edges + 5 * labels;
}

export function countsOf(g: GraphArrays): GraphCounts {
  const nodes = g.numUsers + g.numItems;
  const edges = g.edgeSrc.length;
  const labels = g.labelUser.length;
  return { nodes, users: g.numUsers, edges, labels, words: graphWords(nodes, edges, labels) };
}

export function packGraph(g: GraphArrays): Uint32Array<ArrayBuffer> {
  const c = countsOf(g);
  const out = new Uint32Array(c.words);
  for (const name of GRAPH_COUNTS) out[HEADER[name]] = c[name];
  // The float arrays (labelValue) go in as their bits.
  const labelValue = new Uint32Array(g.labelValue.buffer, g.labelValue.byteOffset, g.labelValue.length);
  const at = packArrays(out, HEADER, GRAPH_ARRAYS, { ...g, labelValue }, HEADER_WORDS);
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
