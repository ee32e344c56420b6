// Weights files: what PyG's state_dict.tolist() JSON reads as, what we write, and the error a
// user sees for each way a file can be wrong.
import { describe, expect, it } from 'vitest';
import { type ModelShape, initParams, paramTable } from '../src/model/params';
import { inferShape, parseWeights, readWeightsJson, serializeWeights } from '../src/formats/weightsFile';
import { Rng } from '../src/util/rng';
import { caseNames, loadCase } from './helpers/fixtures';
import { errorOf } from './helpers/errors';

const shape: ModelShape = { layers: 2, hidden: 3, heads: 2, userDim: 4, itemDim: 2 };
const FILE = 'my-weights.json';

/** A valid file's content, as an object to spoil. */
function validObject(): Record<string, unknown> {
  return JSON.parse(serializeWeights(shape, initParams(shape, new Rng(5))));
}


describe('serializeWeights / parseWeights', () => {
  it('round-trip float32 parameters exactly, keys in PyG order', () => {
    const flat = initParams(shape, new Rng(9));
    const text = serializeWeights(shape, flat);
    expect(Object.keys(JSON.parse(text))).toEqual(paramTable(shape).map((e) => e.name));
    const back = parseWeights(text, shape, FILE);
    expect(back.every((v, k) => v === flat[k])).toBe(true);
  });

  it('writes nested lists of the PyG shapes', () => {
    const obj = validObject();
    expect((obj['conv1.user__rates__item.att_src'] as number[][][])[0]).toHaveLength(shape.heads);
    expect(obj['conv1.item__rev_rates__user.lin_src.weight']).toHaveLength(shape.heads * shape.hidden);
    expect((obj['conv1.item__rev_rates__user.lin_src.weight'] as number[][])[0]).toHaveLength(shape.itemDim);
  });

  it.each(caseNames())('reads the fixture parameters and infers their shape (%s)', (name) => {
    const { input } = loadCase(name);
    const text = JSON.stringify(input.params);
    const inferred = inferShape(readWeightsJson(text, name), name);
    expect(inferred).toEqual({
      layers: 3,
      hidden: input.hidden,
      heads: input.heads,
      userDim: input.graph.x_user[0].length,
      itemDim: input.graph.x_item[0].length,
    });
    const flat = parseWeights(text, inferred, name);
    const bias = paramTable(inferred).find((e) => e.name === 'lin2.item.bias')!;
    expect(Array.from(flat.subarray(bias.offset, bias.offset + bias.size))).toEqual(
      (input.params['lin2.item.bias'] as number[]).map(Math.fround),
    );
  });
});

describe('bad weights files', () => {
  const spoil = (f: (o: Record<string, unknown>) => void) => {
    const o = validObject();
    f(o);
    return JSON.stringify(o);
  };

  it.each([
    ['broken JSON, with its place', '{\n  "a": [1, 2,]\n}', /my-weights\.json: invalid JSON at line 2, column 14 \(character 15\): unexpected "\]/],
    ['text that ends early', '{"a": [1, 2', /invalid JSON: the text ends early/],
    ['NaN written by Python', '{"a": [1, NaN]}', /non-finite number NaN at line 1, column 11/],
    ['-Infinity written by Python', '{"a": -Infinity}', /non-finite number -Infinity/],
    ['a list at the top', '[1, 2]', /expected a JSON object .* got a list/],
    ['an unknown name', spoil((o) => (o['conv1.user__rates__item.lin.weight'] = [[1]])), /unknown parameter "conv1\.user__rates__item\.lin\.weight"/],
    ['a missing name', spoil((o) => delete o['lin2.item.bias']), /missing parameter "lin2\.item\.bias"/],
    ['a wrong shape', spoil((o) => (o['lin1.user.weight'] = [[1, 2, 3]])), /parameter "lin1\.user\.weight" has shape \[1, 3\], expected \[3, 4\]/],
    ['a ragged list', spoil((o) => ((o['lin1.user.weight'] as number[][])[2] = [1, 2])), /"lin1\.user\.weight" is not a tensor of shape \[3, 4\]: \[2\] is a list of 2/],
    ['a string for a number', spoil((o) => ((o['lin1.item.bias'] as unknown[])[1] = '0.5')), /"lin1\.item\.bias" holds a string at \[1\], expected a number/],
    ['null for a number', spoil((o) => ((o['lin1.item.bias'] as unknown[])[0] = null)), /"lin1\.item\.bias" holds null at \[0\]/],
    ['a number beyond float64', spoil((o) => (o['lin1.item.bias'] = 'X')).replace('"X"', '[1e999, 0, 0]'), /"lin1\.item\.bias" holds a non-finite number at \[0\]/],
    ['a number beyond float32', spoil((o) => (o['lin1.item.bias'] = [0, 1e39, 0])), /"lin1\.item\.bias" holds a number too large for float32 at \[1\]/],
  ])('%s', (_, text, message) => {
    const e = errorOf(() => parseWeights(text, shape, FILE));
    expect(e.message).toMatch(/^my-weights\.json: /);
    expect(e.message).toMatch(message);
  });

  it('says which tensor disagrees when the shape is inferred', () => {
    const wrongHidden = spoil((o) => (o['lin2.user.bias'] = [0, 0, 0, 0]));
    const e = errorOf(() => inferShape(readWeightsJson(wrongHidden, FILE), FILE));
    expect(e.message).toMatch(/parameter "lin2\.user\.bias" has shape \[4\], expected \[3\]/);
    const notOurs = errorOf(() => inferShape({ 'encoder.weight': [[1]] }, FILE));
    expect(notOurs.message).toMatch(/no parameter named conv1\.\* or lin1\.\*/);
    const noAttention = spoil((o) => delete o['conv1.user__rates__item.att_src']);
    expect(errorOf(() => inferShape(readWeightsJson(noAttention, FILE), FILE)).message).toMatch(
      /missing parameter "conv1\.user__rates__item\.att_src"/,
    );
  });
});
