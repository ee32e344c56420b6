// What the page shows of a run, read from the store's state: the epoch on screen (time travel),
// the attention view, the user–movie pair explained, and whether the run trains at full speed
// (the page then redraws and explains less often).
import type { RunInfo, RunStatus, SnapshotData, Speed } from '../worker/protocol';

export type Direction = 'rates' | 'rev_rates';

export interface AttentionView {
  /** 1-based layer. */
  layer: number;
  head: number | 'mean';
  /** rates: what each movie hears from its users; rev_rates: what each user hears from its movies. */
  direction: Direction;
}

/** The user and the movie explained, as indices. */
export interface Pair {
  user: number;
  item: number;
}

const SOFTWARE_ADAPTER = /fallback|swiftshader|llvmpipe|lavapipe|warp|software/i;

/** A CPU-emulated GPU: the page's drawing and the training share the same cores. */
export function isSoftwareAdapter(name: string | null): boolean {
  return SOFTWARE_ADAPTER.test(name ?? '');
}

/** Training at full speed: the page redraws less, explanations are brief and spaced out. */
export function isFast(s: { status: RunStatus; speed: Speed }): boolean {
  return s.status === 'playing' && s.speed === 'max';
}

/** The store's snapshots and where time travel stands. */
export interface Shown {
  epoch: number;
  snapshots: ReadonlyMap<number, SnapshotData>;
  /** The latest snapshot (kept or not). */
  live: SnapshotData | null;
  /** The epoch shown (time travel), or null to follow the run. */
  viewEpoch: number | null;
}

/** The shown snapshot: the viewed epoch's, or the latest. */
export function shownSnapshot(s: Shown): SnapshotData | null {
  if (s.viewEpoch !== null) return s.snapshots.get(s.viewEpoch) ?? s.live;
  return s.live;
}

export function shownEpoch(s: Shown): number {
  return shownSnapshot(s)?.epoch ?? s.epoch;
}

/**
 * The pair explained first. On the toy, its held-out rating: Tim and The Avengers, the seed's
 * case. On other data, the first held-out rating's user and that user's top recommendation in
 * `first` (the run's first snapshot), so that what is explained is a recommendation; the
 * held-out movie itself may rank thousands deep.
 */
export function defaultPair(info: RunInfo, toy: boolean, first: SnapshotData | null): Pair | null {
  const { user, item, train } = info.ratings;
  if (user.length === 0) return null;
  let r = train.indexOf(0);
  if (r < 0) r = 0;
  return { user: user[r], item: (toy ? null : topRecommendation(first, user[r])) ?? item[r] };
}

/** The user's first recommendation in the snapshot; null without one (no snapshot, or no candidate). */
export function topRecommendation(snapshot: SnapshotData | null, user: number): number | null {
  const top = snapshot ? snapshot.topk[user * snapshot.k] : -1;
  return top !== undefined && top >= 0 ? top : null;
}

export function isDefaultPair(info: RunInfo, toy: boolean, first: SnapshotData | null, pair: Pair): boolean {
  const d = defaultPair(info, toy, first);
  return d !== null && d.user === pair.user && d.item === pair.item;
}

/**
 * The pair named (by a link, or picked in a run before), where this run has those names; else the
 * default pair. A user named alone gets their top recommendation (on data other than the toy).
 */
export function resolvePair(info: RunInfo, toy: boolean, first: SnapshotData, wanted: { user: string | null; item: string | null }): Pair | null {
  const d = defaultPair(info, toy, first);
  if (!d) return null;
  const u = wanted.user === null ? -1 : info.userNames.indexOf(wanted.user);
  const i = wanted.item === null ? -1 : info.itemNames.indexOf(wanted.item);
  const item = i >= 0 ? i : u >= 0 && !toy ? (topRecommendation(first, u) ?? d.item) : d.item;
  return { user: u >= 0 ? u : d.user, item };
}
