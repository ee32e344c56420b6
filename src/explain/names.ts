// How nodes read in the explanation. The toy's names are words already; MovieLens names are bare
// ids ("414"), which read as a number in a sentence, so they are prefixed with what they are.
import type { Ratings } from '../graph/types';

export type NodeType = 'user' | 'item';

/** A node of the engine's node space (users first, then items) with its display name. */
export interface NamedNode {
  node: number;
  type: NodeType;
  /** User index or item index. */
  index: number;
  name: string;
}

const BARE_ID = /^\d+$/;

export function userLabel(ratings: Pick<Ratings, 'userNames'>, user: number): string {
  const name = ratings.userNames[user];
  return BARE_ID.test(name) ? `user ${name}` : name;
}

export function itemLabel(ratings: Pick<Ratings, 'itemNames'>, item: number): string {
  const name = ratings.itemNames[item];
  return BARE_ID.test(name) ? `movie ${name}` : name;
}

export function namedNode(ratings: Ratings, node: number): NamedNode {
  const numUsers = ratings.userNames.length;
  return node < numUsers
    ? { node, type: 'user', index: node, name: userLabel(ratings, node) }
    : { node, type: 'item', index: node - numUsers, name: itemLabel(ratings, node - numUsers) };
}
