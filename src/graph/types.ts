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
  /**
   * The movies file's own genre columns, in its order, when it has fixed ones (u.item's 18 flags
   * after "unknown"): genre features then use all of them in that order, as PyG's MovieLens100K
   * does. Absent when genres are listed by name (features use the sorted genres of the items).
   */
  genreColumns?: readonly string[];
  /** The item ids as the ratings file writes them, when itemNames are titles from a movies file. */
  itemIds?: string[];
  /** Feature files loaded with the ratings, keyed by the ids of the ratings file. */
  featureFiles?: FeatureFiles;
}

/** Numeric rows keyed by user or item id, as a features file gives them. */
export interface FeatureTable {
  /** The file's name, for messages. */
  file: string;
  /** The columns' names, in order (every row has one value per column). */
  columns: string[];
  rows: ReadonlyMap<string, Float32Array>;
}

/** The feature files that came with the ratings. */
export interface FeatureFiles {
  /**
   * MovieLens 100K's u.user, encoded as PyG's MovieLens100K does (age / oldest age, gender and
   * occupation one-hot), or MovieLens 1M's users.dat as PyG's MovieLens1M does (age, gender and
   * occupation one-hot).
   */
  demographics?: FeatureTable;
  /** A user-features CSV. */
  user?: FeatureTable;
  /** An item-features CSV. */
  item?: FeatureTable;
}

/**
 * How a node type's input is held. 'onehot': node k's input is row k of the identity (its width
 * is the type's node count), kept as no matrix at all (k² floats): layer 1 reads column k of its
 * weights instead (denseUsers and denseItems expand it). 'dense': a matrix of rows.
 */
export type InputKind = 'onehot' | 'dense';

/** Input node features, row-major. */
export interface Features {
  userDim: number;
  itemDim: number;
  userKind: InputKind;
  itemKind: InputKind;
  /** numUsers × userDim when dense; empty when one-hot. */
  user: Float32Array;
  /** numItems × itemDim when dense; empty when one-hot. */
  item: Float32Array;
}

/** Which ratings train and which test, as indices into Ratings. */
export interface Split {
  train: Uint32Array;
  test: Uint32Array;
  /** Held out of `train` for model selection (settings.val); absent or empty when none is. */
  val?: Uint32Array;
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
