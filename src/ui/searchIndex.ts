// Finding a user or a movie by what one types: a user id or any part of a title, whatever its
// case and accents. The names are normalised once per run; a query then scans that list, never
// the ratings. Best first: the whole name, then its beginning, then a word's beginning, then
// anywhere; within each, the nodes with the most ratings.
import { itemLabel, userLabel } from '../explain/names';
import type { RunInfo } from '../worker/protocol';
import { graphIndexOf } from './graphIndex';

export interface NodeEntry {
  /** Node id (users first, then items). */
  node: number;
  type: 'user' | 'item';
  /** User index or item index. */
  index: number;
  /** As the page names it ("user 414", "Matrix, The (1999)"). */
  label: string;
  ratings: number;
  /** Normalised forms that a query is matched against: the name, and others it goes by. */
  keys: string[];
}

export interface SearchIndex {
  /** Every node, most ratings first. */
  entries: NodeEntry[];
  /** Every entry's keys in that order, each after a newline, so that one native search skips what does not match. */
  text: string;
  /** Where each entry's keys begin in `text` (its first newline), and where the last one ends. */
  starts: Int32Array;
}

export const SUGGESTIONS = 10;

const NON_ASCII = /[^\x00-\x7f]/;

/** Lower case, accents and apostrophes dropped, every other run of non-letters one space. */
export function normalizeName(text: string): string {
  // Most names are plain ASCII: they skip the Unicode decomposition, the costly part.
  if (!NON_ASCII.test(text)) return text.toLowerCase().replace(/'/g, '').replace(/[^a-z0-9]+/g, ' ').trim();
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// MovieLens files titles under their noun: "Matrix, The (1999)". People type "the matrix" too.
const TRAILING_ARTICLE = /^(.+?), (The|A|An|Les|La|Le|Il|El|Die|Das|Der)(?= \(|$)/;

function titleKeys(title: string): string[] {
  const moved = TRAILING_ARTICLE.exec(title);
  return moved ? [normalizeName(title), normalizeName(`${moved[2]} ${moved[1]}${title.slice(moved[0].length)}`)] : [normalizeName(title)];
}

export function buildSearchIndex(names: { userNames: string[]; itemNames: string[] }, ratingsOf: (node: number) => number): SearchIndex {
  const numUsers = names.userNames.length;
  const entries: NodeEntry[] = [];
  names.userNames.forEach((name, u) => {
    const label = userLabel(names, u);
    entries.push({ node: u, type: 'user', index: u, label, ratings: ratingsOf(u), keys: [...new Set([normalizeName(name), normalizeName(label)])] });
  });
  names.itemNames.forEach((name, i) => {
    const label = itemLabel(names, i);
    entries.push({ node: numUsers + i, type: 'item', index: i, label, ratings: ratingsOf(numUsers + i), keys: [...new Set([...titleKeys(name), normalizeName(label)])] });
  });
  entries.sort((p, q) => q.ratings - p.ratings || p.label.length - q.label.length || p.node - q.node);
  const starts = new Int32Array(entries.length + 1);
  let text = '';
  entries.forEach((e, k) => {
    starts[k] = text.length;
    text += `\n${e.keys.join('\n')}`;
  });
  starts[entries.length] = text.length;
  return { entries, text, starts };
}

const built = new WeakMap<RunInfo, SearchIndex>();

/** The run's search index, built on first use and kept as long as the run's info is. */
export function searchIndexOf(info: RunInfo): SearchIndex {
  let index = built.get(info);
  if (!index) {
    const { ratingPtr } = graphIndexOf(info);
    index = buildSearchIndex(info, (n) => ratingPtr[n + 1] - ratingPtr[n]);
    built.set(info, index);
  }
  return index;
}

/** 0: the whole key; 1: its beginning; 2: a word's beginning; 3: anywhere; -1: nowhere. */
function matchTier(keys: string[], query: string): number {
  const wordStart = ` ${query}`;
  let best = -1;
  for (const key of keys) {
    const at = key.indexOf(query);
    if (at < 0) continue;
    const tier = at === 0 ? (key.length === query.length ? 0 : 1) : key.includes(wordStart) ? 2 : 3;
    if (best < 0 || tier < best) best = tier;
  }
  return best;
}

/** The entry whose keys hold position `at` of the index's text. */
function entryAt(index: SearchIndex, at: number): number {
  let lo = 0;
  let hi = index.entries.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index.starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The best matches for `query`, best first; none for a query with no letter or digit. */
export function searchNodes(index: SearchIndex, query: string, options: { type?: 'user' | 'item'; limit?: number } = {}): NodeEntry[] {
  const q = normalizeName(query);
  const limit = options.limit ?? SUGGESTIONS;
  if (q === '' || limit <= 0) return [];
  // Entries come most-rated first, so each tier fills in rank order and stops at the limit.
  const tiers: NodeEntry[][] = [[], [], [], []];
  for (let at = index.text.indexOf(q); at >= 0 && tiers[0].length < limit; ) {
    const k = entryAt(index, at);
    const entry = index.entries[k];
    if (!options.type || entry.type === options.type) {
      const tier = matchTier(entry.keys, q);
      if (tiers[tier].length < limit) tiers[tier].push(entry);
    }
    at = index.text.indexOf(q, index.starts[k + 1]);
  }
  return tiers.flat().slice(0, limit);
}
