// The fingerprint a weights file carries of its run (src/train/fingerprint.ts): it survives the
// file, PyG's loader ignores it, and each way a run can differ from the weights' is named.
import { describe, expect, it } from 'vitest';
import { parseRatingsCsv } from '../src/graph/csv';
import { denseUsers } from '../src/graph/features';
import { toyRatings } from '../src/graph/toy';
import { initParams, paramTable } from '../src/model/params';
import { FINGERPRINT_KEY, inferShape, parseWeights, readWeightsJson, serializeWeights, weightsFingerprint } from '../src/formats/weightsFile';
import { checkFingerprint, runFingerprint } from '../src/train/fingerprint';
import { prepare } from '../src/train/prepare';
import { SEED_SETTINGS, type RunSettings } from '../src/train/settings';
import { Rng } from '../src/util/rng';
import { weightsForRun } from '../src/worker/weightsImport';
import { errorOf } from './helpers/errors';

const fingerprintOf = (settings: RunSettings, ratings = toyRatings()) => runFingerprint(prepare(ratings, settings, new Rng(settings.seed)), settings);
const FLAGS = '--data and the rest';

describe('the fingerprint in a weights file', () => {
  it('is written first, read back, and is no parameter to the shape or the values', () => {
    const shape = { layers: 2, hidden: 3, heads: 2, userDim: 3, itemDim: 3 };
    const flat = initParams(shape, new Rng(4));
    const fingerprint = fingerprintOf(SEED_SETTINGS);
    const text = serializeWeights(shape, flat, fingerprint);
    const named = readWeightsJson(text, 'w.json');
    expect(Object.keys(named)).toEqual([FINGERPRINT_KEY, ...paramTable(shape).map((e) => e.name)]);
    expect(weightsFingerprint(named)).toEqual(JSON.parse(JSON.stringify(fingerprint)));
    expect(inferShape(named, 'w.json')).toEqual(shape);
    expect(parseWeights(text, shape, 'w.json')).toEqual(flat);
    expect(weightsFingerprint(readWeightsJson(serializeWeights(shape, flat), 'w.json'))).toBeUndefined();
  });
});

describe('the features in a fingerprint', () => {
  it('hash one-hot users as the identity matrix earlier versions kept, so that their weights files still match', () => {
    const prepared = prepare(toyRatings(), SEED_SETTINGS, new Rng(SEED_SETTINGS.seed));
    expect(prepared.features.userKind).toBe('onehot');
    const asMatrix = { ...prepared, features: { ...prepared.features, userKind: 'dense' as const, user: denseUsers(prepared.features) } };
    expect(runFingerprint(prepared, SEED_SETTINGS).features).toBe(runFingerprint(asMatrix, SEED_SETTINGS).features);
    // And the users do count: another identity entry is another hash.
    asMatrix.features.user[4] = 2;
    expect(runFingerprint(asMatrix, SEED_SETTINGS).features).not.toBe(runFingerprint(prepared, SEED_SETTINGS).features);
  });

  it('hash past 32,768 one-hot users (more than any earlier version could train) by their count', () => {
    const many = (n: number) => parseRatingsCsv(['userId,movieId,rating,timestamp', ...Array.from({ length: n }, (_, u) => `${u},${u % 50},4,${u}`)].join('\n'), 'many.csv');
    const features = (n: number) => fingerprintOf({ ...SEED_SETTINGS, batchSize: 'full' }, many(n)).features;
    const a = features(40_000);
    expect(a).toBe(features(40_000));
    expect(a).not.toBe(features(40_001));
  });
});

describe('one-hot items in a fingerprint', () => {
  it('name the kind and hash by the count (nothing is drawn); weights trained with them are refused for other features', () => {
    const oneHot = { ...SEED_SETTINGS, features: 'onehot' as const };
    const a = fingerprintOf(oneHot);
    expect(a.features).toMatch(/^onehot [0-9a-f]{16}$/);
    // The seed draws no item features: another seed, the same features.
    expect(fingerprintOf({ ...oneHot, seed: 9 }).features).toBe(a.features);
    expect(errorOf(() => checkFingerprint(JSON.parse(JSON.stringify(a)), fingerprintOf(SEED_SETTINGS), 'w.json', FLAGS)).message).toMatch(
      /^w\.json: these weights were trained on another run; it differs in the features: onehot then, seed now \(set /,
    );
  });
});

describe('checkFingerprint', () => {
  const saved = JSON.parse(JSON.stringify(fingerprintOf(SEED_SETTINGS))) as unknown;
  const refusal = (settings: RunSettings, ratings = toyRatings()) => errorOf(() => checkFingerprint(saved, fingerprintOf(settings, ratings), 'w.json', FLAGS)).message;

  it('accepts the same run, another lr or epochs (they do not change what the weights mean), and a file without one', () => {
    expect(() => checkFingerprint(saved, fingerprintOf({ ...SEED_SETTINGS, lr: 0.5, epochs: 3 }), 'w.json', FLAGS)).not.toThrow();
    expect(() => checkFingerprint(undefined, fingerprintOf({ ...SEED_SETTINGS, seed: 9 }), 'w.json', FLAGS)).not.toThrow();
  });

  it('names what differs: the data, the filter, the split, the features, message passing', () => {
    const renamed = parseRatingsCsv(
      'user,item,rating,timestamp\nAda,W,5,1\nAda,A,1,2\nAda,G,1,3\nBen,W,1,4\nBen,A,5,5\nBen,G,5,6\nCy,G,5,7\nCy,A,5,8\n',
      'other.csv',
    );
    expect(refusal(SEED_SETTINGS, renamed)).toBe(
      `w.json: these weights were trained on another run; it differs in the data: as many users, items and ratings, but other ids or ratings (set ${FLAGS} as in training)`,
    );
    expect(refusal({ ...SEED_SETTINGS, minRating: 2 })).toBe(
      `w.json: these weights were trained on another run; it differs in the data: 3 users, 3 items, 8 ratings then; 3, 3, 5 now; the minimum rating: none then, 2 now (set ${FLAGS} as in training)`,
    );
    expect(refusal({ ...SEED_SETTINGS, split: 0.75 })).toMatch(/it differs in the split: time 0\.875 then, time 0\.75 now \(/);
    expect(refusal({ ...SEED_SETTINGS, seed: 5 })).toMatch(/it differs in the features: drawn from seed 123 then, 5 now \(/);
    expect(refusal({ ...SEED_SETTINGS, messagePassing: 'all' })).toMatch(/it differs in message passing: train then, all now \(/);
  });
});

describe('weights imported on the page', () => {
  it('are refused when their fingerprint is of another run, in the settings panel\'s words', () => {
    const prepared = prepare(toyRatings(), SEED_SETTINGS, new Rng(SEED_SETTINGS.seed));
    const { layers, hidden, heads } = SEED_SETTINGS;
    const shape = { layers, hidden, heads, userDim: prepared.features.userDim, itemDim: prepared.features.itemDim };
    const text = serializeWeights(shape, initParams(shape, new Rng(2)), runFingerprint(prepared, SEED_SETTINGS));
    expect(weightsForRun(text, 'w.json', shape, fingerprintOf(SEED_SETTINGS)).length).toBe(initParams(shape, new Rng(2)).length);
    expect(errorOf(() => weightsForRun(text, 'w.json', shape, fingerprintOf({ ...SEED_SETTINGS, seed: 8 }))).message).toBe(
      'w.json: these weights were trained on another run; it differs in the features: drawn from seed 123 then, 8 now (set the data, SEED, SPLIT, MIN_RATING, the split mode, the features and message passing as in training)',
    );
  });
});
