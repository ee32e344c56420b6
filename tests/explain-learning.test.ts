// What training changed, on hand-made snapshots whose α and embeddings are known.
import { describe, expect, it } from 'vitest';
import { attentionChange, followMostChanged, mostChanged, slotHistory, standing } from '../src/explain/learning';

// Two layers, two slots, two heads (slot-major: slot 0 head 0, slot 0 head 1, slot 1 head 0, …).
const at = (epoch: number, l1: number[], l2: number[]) => ({ epoch, attention: [Float32Array.from(l1), Float32Array.from(l2)] });
const start = at(0, [0.5, 0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]);
const later = at(10, [0.5, 0.5, 0.5, 0.5], [0.75, 0.25, 0.25, 0.75]);

describe('attention change', () => {
  it('averages |Δα| over slots per layer and head, and for the mean of the heads', () => {
    const c = attentionChange(start, later, 2);
    expect(c.map((x) => [x.layer, x.head, x.change])).toEqual([
      [1, 'mean', 0],
      [1, 0, 0],
      [1, 1, 0],
      // The heads move in opposite directions: their mean does not move at all.
      [2, 'mean', 0],
      [2, 0, 0.25],
      [2, 1, 0.25],
    ]);
  });

  it('picks the layer and head that moved most, the first of a tie', () => {
    expect(mostChanged(start, later, 2)).toEqual({ layer: 2, head: 0, change: 0.25 });
    expect(mostChanged(start, start, 2)).toEqual({ layer: 1, head: 'mean', change: 0 });
  });

  it('moves the default view to the layer and head that moved most, and keeps it through near ties', () => {
    // Nothing moved yet: the view stays (the last layer's mean, say).
    expect(followMostChanged(start, start, 2, { layer: 2, head: 'mean' })).toBeNull();
    expect(followMostChanged(start, later, 2, { layer: 2, head: 'mean' })).toEqual({ layer: 2, head: 0, change: 0.25 });
    // Head 1 moved as far as head 0: once there, the view does not flip to the first of the tie.
    expect(followMostChanged(start, later, 2, { layer: 2, head: 1 })).toBeNull();
    // Layer 1 head 0 moves to 0.24 (96% of layer 2's 0.25): still kept; at 0.2 (80%) it is left.
    const near = at(10, [0.74, 0.5, 0.26, 0.5], [0.75, 0.25, 0.25, 0.75]);
    expect(followMostChanged(start, near, 2, { layer: 1, head: 0 })).toBeNull();
    const far = at(10, [0.7, 0.5, 0.3, 0.5], [0.75, 0.25, 0.25, 0.75]);
    expect(followMostChanged(start, far, 2, { layer: 1, head: 0 })).toEqual({ layer: 2, head: 0, change: 0.25 });
  });

  it('says which layer does not match', () => {
    expect(() => attentionChange(start, at(1, [0.5, 0.5], [0.5, 0.5, 0.5, 0.5]), 2)).toThrow(/layer 1 has 4 weights at epoch 0 and 2 at 1/);
  });

  it('follows one slot through every layer and head over the snapshots', () => {
    const h = slotHistory([start, later], 1, 2);
    expect(h.epochs).toEqual([0, 10]);
    expect(h.alpha).toEqual([
      [[0.5, 0.5], [0.5, 0.5]],
      [[0.5, 0.25], [0.5, 0.75]],
    ]);
  });
});

describe('standing', () => {
  // One user, three items, one channel: the scores are the item embeddings times the user's 1.
  const emb = (epoch: number, items: number[]) => ({ epoch, channels: 1, user: Float32Array.of(1), item: Float32Array.from(items) });

  it('gives the rank and the margin over the best other candidate, training items left out', () => {
    const s = standing([emb(0, [3, 1, 9]), emb(1, [2, 2.5, 9])], 0, 1, new Set([2]));
    expect(s).toEqual([
      { epoch: 0, rank: 2, margin: -2 },
      { epoch: 1, rank: 1, margin: 0.5 },
    ]);
  });

  it('refuses a training item', () => {
    expect(() => standing([emb(0, [1, 2, 3])], 0, 2, new Set([2]))).toThrow(/training items/);
  });
});
