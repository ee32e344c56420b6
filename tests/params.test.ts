// The parameter table: PyG's names, shapes and order, the flat layout of docs/ENGINE.md, the
// conversions between the two, and PyG's initialisation.
import { describe, expect, it } from 'vitest';
import {
  type ModelShape,
  blockOf,
  flatFromNamed,
  flatLayout,
  initParams,
  namedFromFlat,
  paramTable,
} from '../src/model/params';
import { Rng } from '../src/util/rng';
import { caseNames, caseShape, caseTensors, loadCase } from './helpers/fixtures';

const SEED_SHAPE: ModelShape = { layers: 3, hidden: 12, heads: 2, userDim: 3, itemDim: 12 };

describe('paramTable', () => {
  it.each(caseNames())('has PyG state_dict keys, order and shapes (%s)', (name) => {
    const { input, expected } = loadCase(name);
    const table = paramTable(caseShape(input));
    expect(table.map((e) => e.name)).toEqual(expected.param_keys);
    expect(table.map((e) => e.name)).toEqual(Object.keys(input.params));
    for (const e of table) expect(e.shape, e.name).toEqual(expected.param_shapes[e.name]);
  });

  it('tiles the flat buffer: every tensor one contiguous range, no gaps, no overlaps', () => {
    for (const shape of [SEED_SHAPE, { layers: 1, hidden: 3, heads: 3, userDim: 5, itemDim: 2 }]) {
      const ranges = paramTable(shape).map((e) => [e.offset, e.offset + e.size]).sort((a, b) => a[0] - b[0]);
      let at = 0;
      for (const [start, end] of ranges) {
        expect(start).toBe(at);
        at = end;
      }
      expect(at).toBe(flatLayout(shape).size);
    }
  });

  it('follows the block table of docs/ENGINE.md', () => {
    const shape = SEED_SHAPE;
    const { hidden: C, heads: H } = shape;
    const layout = flatLayout(shape);
    const at = Object.fromEntries(paramTable(shape).map((e) => [e.name, e.offset]));
    expect(layout.blocks.map((b) => [b.layer, b.nodeType])).toEqual([
      [1, 'user'], [1, 'item'], [2, 'user'], [2, 'item'], [3, 'user'], [3, 'item'],
    ]);
    for (let l = 1; l <= shape.layers; l++) {
      for (const [t, from, into] of [
        ['user', 'user__rates__item', 'item__rev_rates__user'],
        ['item', 'item__rev_rates__user', 'user__rates__item'],
      ] as const) {
        const b = blockOf(layout, l, t);
        const F = l === 1 ? (t === 'user' ? shape.userDim : shape.itemDim) : C;
        expect(b.inDim).toBe(F);
        expect(b.rows).toBe(2 * H * C + C);
        expect(at[`conv${l}.${from}.lin_src.weight`]).toBe(b.w);
        expect(at[`conv${l}.${into}.lin_dst.weight`]).toBe(b.w + H * C * F);
        expect(at[`lin${l}.${t}.weight`]).toBe(b.w + 2 * H * C * F);
        expect(at[`lin${l}.${t}.bias`]).toBe(b.skipBias);
        expect(b.skipBias).toBe(b.w + b.rows * F);
        expect(at[`conv${l}.${from}.att_src`]).toBe(b.attSrc);
        expect(at[`conv${l}.${into}.att_dst`]).toBe(b.attDst);
        expect(at[`conv${l}.${into}.bias`]).toBe(b.gatBias);
        expect([b.attSrc, b.attDst, b.gatBias, b.end]).toEqual([b.skipBias + C, b.attSrc + H * C, b.attDst + H * C, b.gatBias + C]);
      }
    }
  });
});

describe('flatFromNamed / namedFromFlat', () => {
  it.each(caseNames())('round-trip the fixture parameters (%s)', (name) => {
    const { input } = loadCase(name);
    const shape = caseShape(input);
    const named = caseTensors(input, input.params);
    const flat = flatFromNamed(shape, named);
    const back = namedFromFlat(shape, flat);
    for (const e of paramTable(shape)) {
      expect(back[e.name].shape).toEqual(e.shape);
      expect(Array.from(back[e.name].data)).toEqual(Array.from(named[e.name], Math.fround));
    }
    const data = Object.fromEntries(Object.entries(back).map(([k, v]) => [k, v.data]));
    expect(flatFromNamed(shape, data)).toEqual(flat);
  });

  it('refuses missing, unknown and wrongly sized tensors', () => {
    const shape = { layers: 1, hidden: 2, heads: 1, userDim: 1, itemDim: 1 };
    const named = Object.fromEntries(paramTable(shape).map((e) => [e.name, new Float64Array(e.size)]));
    expect(() => flatFromNamed(shape, { ...named, extra: [1] })).toThrow(/unknown parameter extra/);
    const { 'lin1.user.bias': _, ...missing } = named;
    expect(() => flatFromNamed(shape, missing)).toThrow(/missing parameter lin1\.user\.bias/);
    expect(() => flatFromNamed(shape, { ...named, 'lin1.user.bias': [1, 2, 3] })).toThrow(/lin1\.user\.bias has 3 values, expected 2/);
  });
});

describe('initParams', () => {
  const shape: ModelShape = { layers: 3, hidden: 32, heads: 4, userDim: 50, itemDim: 12 };
  const flat = initParams(shape, new Rng(123));

  it('is a function of the seed', () => {
    const same = (a: Float32Array) => a.every((v, k) => v === flat[k]);
    expect(same(initParams(shape, new Rng(123)))).toBe(true);
    expect(same(initParams(shape, new Rng(124)))).toBe(false);
  });

  it('uses PyG bounds: glorot on the last two dims, 1/sqrt(fan_in) for Linear, zero GAT biases', () => {
    const C = shape.hidden;
    const H = shape.heads;
    for (const e of paramTable(shape)) {
      const expectedBound = e.name.endsWith('.att_src') || e.name.endsWith('.att_dst')
        ? Math.sqrt(6 / (H + C))
        : /lin_(src|dst)\.weight$/.test(e.name)
          ? Math.sqrt(6 / (e.shape[0] + e.shape[1]))
          : /^conv\d+\..*\.bias$/.test(e.name)
            ? 0
            : 1 / Math.sqrt(e.name.startsWith('lin1.') ? (e.name.includes('user') ? shape.userDim : shape.itemDim) : C);
      expect(e.initBound, e.name).toBeCloseTo(expectedBound, 15);
    }
  });

  it('draws inside the bounds and fills them uniformly', () => {
    for (const e of paramTable(shape)) {
      const values = flat.subarray(e.offset, e.offset + e.size);
      if (e.initBound === 0) {
        expect(values.every((v) => v === 0), e.name).toBe(true);
        continue;
      }
      const bound = Math.fround(e.initBound);
      expect(values.every((v) => Math.abs(v) <= bound), e.name).toBe(true);
      if (e.size >= 1000) {
        // Uniform on ±b: mean 0, variance b²/3; the extremes come close to ±b.
        const mean = values.reduce((a, b) => a + b, 0) / e.size;
        const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / e.size;
        expect(Math.abs(mean) / bound, e.name).toBeLessThan(0.1);
        expect(variance / (bound * bound / 3), e.name).toBeGreaterThan(0.9);
        expect(variance / (bound * bound / 3), e.name).toBeLessThan(1.1);
        expect(Math.max(...values) / bound).toBeGreaterThan(0.99);
        expect(Math.min(...values) / bound).toBeLessThan(-0.99);
      }
    }
  });
});
