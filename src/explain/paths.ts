// Attention paths through the layers.
//
// In layer l (1..L) a node's representation aggregates its in-neighbours' previous ones:
//   h_l[i] = relu( Σ_{j→i} α_l[j→i] · W_l h_{l−1}[j]  +  skip_l(h_{l−1}[i])  +  b_l ).
// Unrolled from the top, the final embedding h_L[t] is fed by walks against the edges
//   t = n_0 ← n_1 ← … ← n_d        (hop s carries n_{s+1}'s message into n_s in layer L − s),
// each bringing h_{L−d}[n_d] into h_L[t] with attention weight Π_s α_{L−s}[n_{s+1} → n_s].
// The α into a node sum to 1 in every layer (per head, hence also their mean), so the weights of
// all depth-L walks into t sum to 1: a walk's weight is its share of the attention flow.
// It is not the walk's effect on the score (skip connections, W and the ReLU are off the walk);
// the counterfactuals measure effects.
//
// A connecting path links a user u and an item i, whose score is ⟨h_L[u], h_L[i]⟩: a walk of
// depth k into u and a walk of depth j into i that start at the same node m (the meeting point),
// read as one path from u to i:
//   u ←(L) … ←(L−k+1) m →(L−j+1) … →(L) i        weight = product of all its hops' α.
// k and j are at most L and may differ (in a bipartite graph equal depths never meet). Connecting
// paths are simple (no node twice) so that they read as a chain of ratings; one node sequence
// can meet at several points, and is listed once, at its strongest.
//
// Search is a beam over depths (the best `beam` walks per depth), so it stays bounded on large
// graphs: at most beam × in-degree candidates per depth.

/** One message in one layer: `from`'s representation entering `to`'s with weight `alpha`. */
export interface Hop {
  /** 1-based, as conv1..convL. */
  layer: number;
  from: number;
  to: number;
  /** The edge's CSR slot in the graph. */
  slot: number;
  alpha: number;
}

export interface AttentionPath {
  /** Node ids. For a walk into t: t first, the origin last. For a connecting path: u … i. */
  nodes: number[];
  /** hops[s] joins nodes[s] and nodes[s+1]. */
  hops: Hop[];
  /** Product of the hops' α. */
  weight: number;
}

export interface ConnectingPath extends AttentionPath {
  /** Index in `nodes` of the meeting point, the node whose information reaches both ends. */
  meet: number;
}

/** The graph with one α per CSR slot and layer (alpha[l − 1] for layer l). */
export interface LayeredAttention {
  dstPtr: Uint32Array;
  edgeSrc: Uint32Array;
  alpha: Float64Array[];
}

export interface SearchBounds {
  /** Walks kept per depth. */
  beam: number;
  /** Paths returned. */
  top: number;
}

/**
 * walks[d]: the strongest `beam` walks of depth d into `target` (walks[0] is the target alone),
 * hops in layers L, L−1, … With `simple`, no walk visits a node twice.
 */
function walksByDepth(g: LayeredAttention, target: number, beam: number, simple: boolean): AttentionPath[][] {
  const L = g.alpha.length;
  const walks: AttentionPath[][] = [[{ nodes: [target], hops: [], weight: 1 }]];
  for (let d = 1; d <= L; d++) {
    const layer = L - d + 1;
    const alpha = g.alpha[layer - 1];
    const candidates: { parent: AttentionPath; slot: number; weight: number }[] = [];
    for (const parent of walks[d - 1]) {
      const n = parent.nodes[d - 1];
      for (let e = g.dstPtr[n]; e < g.dstPtr[n + 1]; e++) {
        if (simple && parent.nodes.includes(g.edgeSrc[e])) continue;
        candidates.push({ parent, slot: e, weight: parent.weight * alpha[e] });
      }
    }
    // A stable sort: ties keep the parent's rank, then slot order, so results are reproducible.
    candidates.sort((a, b) => b.weight - a.weight);
    walks.push(
      candidates.slice(0, beam).map(({ parent, slot, weight }) => {
        const from = g.edgeSrc[slot];
        const to = parent.nodes[d - 1];
        return {
          nodes: [...parent.nodes, from],
          hops: [...parent.hops, { layer, from, to, slot, alpha: alpha[slot] }],
          weight,
        };
      }),
    );
  }
  return walks;
}

/**
 * The strongest depth-L walks that carry information into `target`'s final embedding (none when
 * it has no incoming edge). Nodes may repeat: a user's own representation does come back to it
 * through its items.
 */
export function pathsInto(g: LayeredAttention, target: number, bounds: SearchBounds): AttentionPath[] {
  return walksByDepth(g, target, bounds.beam, false)[g.alpha.length].slice(0, bounds.top);
}

/** The strongest connecting paths from `user` to `item` (see the top of this file). */
export function connectingPaths(g: LayeredAttention, user: number, item: number, bounds: SearchBounds): ConnectingPath[] {
  const fromUser = walksByDepth(g, user, bounds.beam, true).flat();
  const intoItem = new Map<number, AttentionPath[]>();
  for (const w of walksByDepth(g, item, bounds.beam, true).flat()) {
    const origin = w.nodes[w.nodes.length - 1];
    const list = intoItem.get(origin);
    if (list) list.push(w);
    else intoItem.set(origin, [w]);
  }
  const best = new Map<string, ConnectingPath>();
  for (const a of fromUser) {
    const meet = a.nodes.length - 1;
    for (const b of intoItem.get(a.nodes[meet]) ?? []) {
      // The two walks share only the meeting point.
      if (b.nodes.some((n, s) => s < b.nodes.length - 1 && a.nodes.includes(n))) continue;
      const path: ConnectingPath = {
        nodes: [...a.nodes, ...b.nodes.slice(0, -1).reverse()],
        hops: [...a.hops, ...[...b.hops].reverse()],
        weight: a.weight * b.weight,
        meet,
      };
      const key = path.nodes.join(',');
      const seen = best.get(key);
      if (!seen || path.weight > seen.weight) best.set(key, path);
    }
  }
  return [...best.values()].sort((a, b) => b.weight - a.weight).slice(0, bounds.top);
}
