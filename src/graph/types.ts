// The data the engine works on. Node ids follow docs/ENGINE.md: users first, then items.

/** A ratings table as loaded, in input order. Users and items are numbered from 0 by first appearance. */
export interface Ratings {
  /** Display names (for the toy: "Bob", ...; for MovieLens: the userId as text). */
  userNames: string[];
  /** Display names (titles when known, else the movieId as text). */
  itemNames: string[];
  user: Uint32Array;
  item: Uint32Array;
  rating: Float32Array;
  /** Timestamps; when the file has none, the row number, so that "by time" means "in file order". */
  time: Float64Array;
  /**
   * Per item (same index as itemNames), its genres as the movie list gives them (movies.csv's
   * `genres`, u.item's flags); [] for an item with none listed or missing from the list.
   * Absent when the dataset came without genres. Item features 'genres' need it.
   */
  itemGenres?: string[][];
}

/** Input node features, row-major. */
export interface Features {
  userDim: number;
  itemDim: number;
  /** numUsers × userDim */
  user: Float32Array;
  /** numItems × itemDim */
  item: Float32Array;
}

/** Which ratings train and which test, as indices into Ratings. */
export interface Split {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * One graph in the engine's node space (docs/ENGINE.md): CSR by destination, CSC by source, and
 * the supervision pairs with their incidence per node. Used for full graphs and sampled batches.
 */
export interface GraphArrays {
  numUsers: number;
  numItems: number;
  /** Dataset node id (users first, then items) of each node; the identity for a full graph. */
  nodeGlobal: Uint32Array;
  /** numNodes + 1 */
  dstPtr: Uint32Array;
  /** Per CSR slot. */
  edgeSrc: Uint32Array;
  edgeDst: Uint32Array;
  /** numNodes + 1 */
  srcPtr: Uint32Array;
  /** CSR slots, grouped by source. */
  srcEdge: Uint32Array;
  labelUser: Uint32Array;
  /** Node ids (>= numUsers). */
  labelItem: Uint32Array;
  labelValue: Float32Array;
  /** numNodes + 1 */
  labPtr: Uint32Array;
  labEdge: Uint32Array;
}
