// Layer 1's input as the kernels read it: the `features` buffer holds each node type's rows at
// their own width (no row padded to the wider type), and a one-hot type holds no rows at all,
// since its projections are a column of the weights (shaders/forward.wgsl op_project).
import type { Features, InputKind } from '../graph/types';
import { NODE_TYPES, type NodeType } from './params';

/** Per node type: whether its input is one-hot (no rows; W's column k is node k's projection). */
export type OneHotTypes = Readonly<Record<NodeType, boolean>>;

/** Where layer 1 finds its input: the Layer fields oneHot, datasetUsers, xUser, xItem (src/gpu/layout.ts). */
export interface InputLayout {
  oneHot: OneHotTypes;
  /** Users of the dataset: item i's dataset node id is datasetUsers + i. */
  datasetUsers: number;
  /** Float offsets in `features` of the first user row (userDim wide) and of the first item row (itemDim wide). */
  xUser: number;
  xItem: number;
}

/** Which node types of these features are one-hot. */
export function oneHotTypes(f: Pick<Features, 'userKind' | 'itemKind'>): OneHotTypes {
  return { user: f.userKind === 'onehot', item: f.itemKind === 'onehot' };
}

/** The Layer record's `oneHot` word: bit t set when node type t (NODE_TYPES order, as shaders/prelude.wgsl nodeType) is one-hot. */
export function oneHotBits(o: OneHotTypes): number {
  return NODE_TYPES.reduce((bits, t, k) => (o[t] ? bits | (1 << k) : bits), 0);
}

/** The features buffer's contents (user rows, then item rows; none for a one-hot type) and its layout. */
export function featureBuffer(f: Features): { data: Float32Array<ArrayBuffer>; layout: InputLayout } {
  const oneHot = oneHotTypes(f);
  const numUsers = oneHot.user ? f.userDim : f.user.length / f.userDim;
  const user = oneHot.user ? new Float32Array(0) : f.user;
  const item = oneHot.item ? new Float32Array(0) : f.item;
  const data = new Float32Array(user.length + item.length);
  data.set(user);
  data.set(item, user.length);
  return { data, layout: { oneHot, datasetUsers: numUsers, xUser: 0, xItem: user.length } };
}

/** Floats of the features buffer for these counts (src/graph/gpuSize.ts). */
export function featureFloats(users: number, items: number, f: Pick<Features, 'userDim' | 'itemDim' | 'userKind' | 'itemKind'>): number {
  const rows = (kind: InputKind, n: number, dim: number) => (kind === 'onehot' ? 0 : n * dim);
  return rows(f.userKind, users, f.userDim) + rows(f.itemKind, items, f.itemDim);
}
