// Layer 1's input as the kernels read it: the `features` buffer holds each node type's rows at
// their own width (no row padded to the wider type), and one-hot users hold no rows at all, since
// their projections are a column of the weights (shaders/forward.wgsl op_project).
import type { Features } from '../graph/types';

/** Where layer 1 finds its input: the Layer fields oneHotUser, datasetUsers, xUser, xItem (src/gpu/layout.ts). */
export interface InputLayout {
  /** Users are one-hot: no rows; W's column u is user u's projection. */
  oneHotUser: boolean;
  /** Users of the dataset: item i's dataset node id is datasetUsers + i. */
  datasetUsers: number;
  /** Float offsets in `features` of the first user row (userDim wide) and of the first item row (itemDim wide). */
  xUser: number;
  xItem: number;
}

/** The features buffer's contents (user rows unless one-hot, then item rows) and its layout. */
export function featureBuffer(f: Features): { data: Float32Array<ArrayBuffer>; layout: InputLayout } {
  const oneHotUser = f.userKind === 'onehot';
  const numUsers = oneHotUser ? f.userDim : f.user.length / f.userDim;
  const userFloats = oneHotUser ? 0 : f.user.length;
  const data = new Float32Array(userFloats + f.item.length);
  if (!oneHotUser) data.set(f.user);
  data.set(f.item, userFloats);
  return { data, layout: { oneHotUser, datasetUsers: numUsers, xUser: 0, xItem: userFloats } };
}

/** Floats of the features buffer for these counts (src/graph/gpuSize.ts). */
export function featureFloats(users: number, items: number, f: Pick<Features, 'userDim' | 'itemDim' | 'userKind'>): number {
  return (f.userKind === 'onehot' ? 0 : users * f.userDim) + items * f.itemDim;
}
