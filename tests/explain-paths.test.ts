// Attention paths on a hand-built graph whose α are known, so every weight can be worked out.
import { describe, expect, it } from 'vitest';
import { fullGraph } from '../src/graph/build';
import { connectingPaths, pathsInto, type LayeredAttention } from '../src/explain/paths';

// Users u0, u1 (nodes 0, 1), items i0, i1 (nodes 2, 3); ratings u0–i0, u1–i0, u1–i1.
const U0 = 0;
const U1 = 1;
const I0 = 2;
const I1 = 3;
const graph = fullGraph(2, 2, { user: Uint32Array.of(0, 1, 1), item: Uint32Array.of(0, 0, 1) }, { user: new Uint32Array(0), item: new Uint32Array(0), value: new Float32Array(0) });

// α per layer by "src>dst"; the α into each node sum to 1. Nodes with one in-edge get 1.
const ALPHA: Record<string, number>[] = [
  { '0>2': 0.3, '1>2': 0.7, '2>1': 0.75, '3>1': 0.25, '2>0': 1, '1>3': 1 },
  { '0>2': 0.4, '1>2': 0.6, '2>1': 0.4, '3>1': 0.6, '2>0': 1, '1>3': 1 },
];

const attention: LayeredAttention = {
  dstPtr: graph.dstPtr,
  edgeSrc: graph.edgeSrc,
  alpha: ALPHA.map((a) => Float64Array.from(graph.edgeSrc, (src, e) => a[`${src}>${graph.edgeDst[e]}`])),
};
const wide = { beam: 16, top: 16 };

describe('pathsInto', () => {
  it('lists every depth-L walk into the node, hops from the top layer down, weighted by the product of α', () => {
    const paths = pathsInto(attention, U0, wide);
    expect(paths.map((p) => p.nodes)).toEqual([
      [U0, I0, U1],
      [U0, I0, U0],
    ]);
    expect(paths.map((p) => p.weight)).toEqual([0.7, 0.3]);
    expect(paths[0].hops.map(({ layer, from, to, alpha }) => ({ layer, from, to, alpha }))).toEqual([
      { layer: 2, from: I0, to: U0, alpha: 1 },
      { layer: 1, from: U1, to: I0, alpha: 0.7 },
    ]);
    for (const hop of paths[0].hops) expect([graph.edgeSrc[hop.slot], graph.edgeDst[hop.slot]]).toEqual([hop.from, hop.to]);
  });

  it('weights sum to 1 over all walks, since the α into each node do', () => {
    for (const node of [U0, U1, I0, I1]) {
      const total = pathsInto(attention, node, wide).reduce((s, p) => s + p.weight, 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it('keeps the strongest walks within the beam and the top bound', () => {
    expect(pathsInto(attention, I1, { beam: 1, top: 16 }).map((p) => p.nodes)).toEqual([[I1, U1, I0]]);
    expect(pathsInto(attention, U1, { beam: 16, top: 2 }).map((p) => p.weight)).toEqual([0.6, 0.4 * 0.7]);
  });
});

describe('connectingPaths', () => {
  // u0 ← i0 ← u1 → i1 meets at u1 with 1 · 0.7 (α2[i0→u0] α1[u1→i0]) · 1 (α2[u1→i1]), or at i0
  // with 1 (α2[i0→u0]) · 0.75 (α1[i0→u1]) · 1 (α2[u1→i1]): listed once, at its strongest.
  it('joins a walk into the user and a walk into the item at their common origin', () => {
    const paths = connectingPaths(attention, U0, I1, wide);
    expect(paths).toHaveLength(1);
    const [p] = paths;
    expect(p.nodes).toEqual([U0, I0, U1, I1]);
    expect(p.meet).toBe(1);
    expect(p.weight).toBe(0.75);
    expect(p.hops.map(({ layer, from, to, alpha }) => ({ layer, from, to, alpha }))).toEqual([
      { layer: 2, from: I0, to: U0, alpha: 1 },
      { layer: 1, from: I0, to: U1, alpha: 0.75 },
      { layer: 2, from: U1, to: I1, alpha: 1 },
    ]);
  });

  // u1 → i1 carries u1's information into i1 with α2[u1→i1] = 1; read the other way (meeting at
  // the item, i1's information into u1) it would weigh α2[i1→u1] = 0.6.
  it('includes a direct rating, at its stronger meeting point', () => {
    expect(connectingPaths(attention, U1, I1, wide)).toEqual([
      { nodes: [U1, I1], meet: 0, weight: 1, hops: [expect.objectContaining({ layer: 2, from: U1, to: I1, alpha: 1 })] },
    ]);
  });
});
