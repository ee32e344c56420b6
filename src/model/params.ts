// The model's parameters: their PyG names, the engine's flat layout (docs/ENGINE.md) and PyG's
// initialisation. Weights move to and from PyG by name, so this table is the one place where
// the two views meet.
import type { Rng } from '../util/rng';

/** Hyperparameters that fix every parameter's shape. */
export interface ModelShape {
  layers: number;
  /** C: output channels of every block. */
  hidden: number;
  /** H: attention heads (averaged, PyG's concat=False). */
  heads: number;
  userDim: number;
  itemDim: number;
}

export type NodeType = 'user' | 'item';
export const NODE_TYPES: readonly NodeType[] = ['user', 'item'];

/** The two edge types in to_hetero's order; each node type is the source of one and the destination of the other. */
export const EDGE_TYPES = [
  { key: 'user__rates__item', src: 'user', dst: 'item' },
  { key: 'item__rev_rates__user', src: 'item', dst: 'user' },
] as const satisfies readonly { key: string; src: NodeType; dst: NodeType }[];

function checkShape(shape: ModelShape): void {
  for (const k of ['layers', 'hidden', 'heads', 'userDim', 'itemDim'] as const) {
    const v = shape[k];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`ModelShape.${k} must be a positive integer, got ${v}`);
  }
}

/** F_t: the width of a node type's input to a layer (1-based). */
export function inputDim(shape: ModelShape, layer: number, t: NodeType): number {
  if (layer > 1) return shape.hidden;
  return t === 'user' ? shape.userDim : shape.itemDim;
}

/** Offsets (in floats) of one (layer, node type) block of the flat buffer. */
export interface BlockLayout {
  layer: number;
  nodeType: NodeType;
  /** F_t */
  inDim: number;
  /** R = 2HC + C rows of W, each inDim wide: lin_src, then lin_dst, then the skip Linear. */
  rows: number;
  w: number;
  skipBias: number;
  attSrc: number;
  attDst: number;
  gatBias: number;
  /** One past the block's last float. */
  end: number;
}

export interface FlatLayout {
  /** In the order (1,user), (1,item), (2,user), ...: blocks[2(l-1) + (t === 'item')]. */
  blocks: BlockLayout[];
  size: number;
}

export function flatLayout(shape: ModelShape): FlatLayout {
  checkShape(shape);
  const { hidden: C, heads: H } = shape;
  const rows = 2 * H * C + C;
  const blocks: BlockLayout[] = [];
  let at = 0;
  for (let layer = 1; layer <= shape.layers; layer++) {
    for (const nodeType of NODE_TYPES) {
      const inDim = inputDim(shape, layer, nodeType);
      const w = at;
      const skipBias = w + rows * inDim;
      const attSrc = skipBias + C;
      const attDst = attSrc + H * C;
      const gatBias = attDst + H * C;
      at = gatBias + C;
      blocks.push({ layer, nodeType, inDim, rows, w, skipBias, attSrc, attDst, gatBias, end: at });
    }
  }
  return { blocks, size: at };
}

export function blockOf(layout: FlatLayout, layer: number, t: NodeType): BlockLayout {
  return layout.blocks[2 * (layer - 1) + (t === 'item' ? 1 : 0)];
}

/** One PyG state_dict tensor and the contiguous range of the flat buffer that holds it. */
export interface ParamEntry {
  name: string;
  shape: number[];
  size: number;
  offset: number;
  /** PyG's initialiser draws uniformly from [-initBound, initBound); 0: the tensor starts at zero. */
  initBound: number;
}

// PyG's glorot reads the last two dims, so att_src [1,H,C] gets sqrt(6/(H+C)), not a fan of 1·H·C.
const glorot = (dims: number[]) => Math.sqrt(6 / (dims[dims.length - 2] + dims[dims.length - 1]));
// PyTorch's Linear default: kaiming_uniform with a = sqrt(5), sqrt(6 / ((1 + a²) fan_in)) = 1/sqrt(fan_in),
// and the bias uniform with the same bound.
const linearBound = (fanIn: number) => 1 / Math.sqrt(fanIn);

/** Every parameter in PyG's state_dict order (conv1's edge types, lin1's node types, conv2, ...). */
export function paramTable(shape: ModelShape): ParamEntry[] {
  const layout = flatLayout(shape);
  const { hidden: C, heads: H } = shape;
  const HC = H * C;
  const entries: ParamEntry[] = [];
  const add = (name: string, dims: number[], offset: number, initBound: number) =>
    entries.push({ name, shape: dims, size: dims.reduce((a, b) => a * b, 1), offset, initBound });

  for (let l = 1; l <= shape.layers; l++) {
    for (const et of EDGE_TYPES) {
      const src = blockOf(layout, l, et.src);
      const dst = blockOf(layout, l, et.dst);
      const p = `conv${l}.${et.key}`;
      // GATConv registers att_src, att_dst and bias itself; lin_src and lin_dst are submodules,
      // so state_dict lists them after its own parameters.
      const att = [1, H, C];
      const linSrc = [HC, src.inDim];
      const linDst = [HC, dst.inDim];
      add(`${p}.att_src`, att, src.attSrc, glorot(att));
      add(`${p}.att_dst`, att, dst.attDst, glorot(att));
      add(`${p}.bias`, [C], dst.gatBias, 0);
      add(`${p}.lin_src.weight`, linSrc, src.w, glorot(linSrc));
      add(`${p}.lin_dst.weight`, linDst, dst.w + HC * dst.inDim, glorot(linDst));
    }
    for (const t of NODE_TYPES) {
      const b = blockOf(layout, l, t);
      add(`lin${l}.${t}.weight`, [C, b.inDim], b.w + 2 * HC * b.inDim, linearBound(b.inDim));
      add(`lin${l}.${t}.bias`, [C], b.skipBias, linearBound(b.inDim));
    }
  }
  return entries;
}

/** Packs tensors given by PyG name (row-major data) into the flat buffer. */
export function flatFromNamed(shape: ModelShape, named: Record<string, Float64Array | number[]>): Float32Array {
  const table = paramTable(shape);
  const known = new Set(table.map((e) => e.name));
  for (const name of Object.keys(named)) {
    if (!known.has(name)) throw new Error(`flatFromNamed: unknown parameter ${name}`);
  }
  const flat = new Float32Array(flatLayout(shape).size);
  for (const e of table) {
    const data = named[e.name];
    if (!data) throw new Error(`flatFromNamed: missing parameter ${e.name}`);
    if (data.length !== e.size) throw new Error(`flatFromNamed: ${e.name} has ${data.length} values, expected ${e.size}`);
    flat.set(data, e.offset);
  }
  return flat;
}

export function namedFromFlat(
  shape: ModelShape,
  flat: ArrayLike<number>,
): Record<string, { shape: number[]; data: Float64Array }> {
  const { size } = flatLayout(shape);
  if (flat.length !== size) throw new Error(`namedFromFlat: flat buffer has ${flat.length} values, expected ${size}`);
  const out: Record<string, { shape: number[]; data: Float64Array }> = {};
  for (const e of paramTable(shape)) {
    out[e.name] = { shape: e.shape, data: Float64Array.from({ length: e.size }, (_, i) => flat[e.offset + i]) };
  }
  return out;
}

/**
 * Fresh parameters by PyG's rules, drawn tensor by tensor in state_dict order and row-major
 * within a tensor, so one seed gives one model whatever the flat layout.
 */
export function initParams(shape: ModelShape, rng: Rng): Float32Array {
  const flat = new Float32Array(flatLayout(shape).size);
  for (const e of paramTable(shape)) {
    if (e.initBound === 0) continue;
    for (let i = 0; i < e.size; i++) flat[e.offset + i] = rng.uniform(-e.initBound, e.initBound);
  }
  return flat;
}
