// Run settings: the table they are drawn from, the checks that clamp odd values with a message,
// the per-setting check that refuses them instead, and the URL round trip.
import { describe, expect, it } from 'vitest';
import {
  checkSettings,
  lossName,
  MAX_K,
  objectiveOf,
  REAL_DATA_SETTINGS,
  requireSettings,
  SEED_SETTINGS,
  SETTING_KEYS,
  SETTINGS,
  settingProblem,
  settingRow,
  settingsFromQuery,
  settingsToQuery,
  type RunSettings,
} from '../src/train/settings';
import { Rng } from '../src/util/rng';

const ALL_CHANGED: RunSettings = {
  seed: 7,
  split: 0.8,
  splitMode: 'random',
  val: 0.1,
  minRating: 3.5,
  batchSize: 'full',
  neighbors: [10, 5],
  negRatio: 1.5,
  loss: 'bce',
  bprReg: 1e-4,
  epochs: 42,
  lr: 0.003,
  hidden: 64,
  heads: 4,
  layers: 2,
  k: 20,
  evalEvery: 5,
  patience: 10,
  messagePassing: 'all',
  features: 'genres',
  userFeatures: 'demographics',
};

describe('settings in the URL', () => {
  it('leave the seed’s defaults out', () => {
    expect(settingsToQuery(SEED_SETTINGS)).toBe('');
    expect(settingsFromQuery('')).toEqual({ settings: SEED_SETTINGS, issues: [] });
    expect(settingsToQuery({ ...SEED_SETTINGS, minRating: 4 })).toBe('minRating=4');
    expect(settingsToQuery({ ...SEED_SETTINGS, splitMode: 'random', features: 'genres' })).toBe('splitMode=random&features=genres');
  });

  it('round-trip every setting, the new ones included', () => {
    expect(Object.keys(ALL_CHANGED).sort()).toEqual(Object.keys(SEED_SETTINGS).sort());
    const query = settingsToQuery(ALL_CHANGED);
    for (const key of Object.keys(SEED_SETTINGS)) expect(query).toContain(`${key}=`);
    expect(settingsFromQuery(query)).toEqual({ settings: ALL_CHANGED, issues: [] });
    expect(settingsFromQuery(`?${query}`).settings).toEqual(ALL_CHANGED);
  });

  it('round-trip each setting alone, and numbers exactly', () => {
    for (const key of Object.keys(SEED_SETTINGS) as (keyof RunSettings)[]) {
      const s = { ...SEED_SETTINGS, [key]: ALL_CHANGED[key] };
      expect(settingsFromQuery(settingsToQuery(s)).settings, key).toEqual(s);
    }
    const odd = { ...SEED_SETTINGS, lr: 0.1 + 0.2, split: 2 / 3, minRating: -0.5 };
    expect(settingsFromQuery(settingsToQuery(odd)).settings).toEqual(odd);
  });

  it('take "none" (or nothing) as keep-all for the minimum rating', () => {
    expect(settingsFromQuery('minRating=none').settings.minRating).toBeNull();
    expect(settingsFromQuery('minRating=').settings.minRating).toBeNull();
    expect(checkSettings({ minRating: null }, { ...SEED_SETTINGS, minRating: 4 }).settings.minRating).toBeNull();
  });

  it('report malformed links, apply what is good, and ignore the page’s own keys', () => {
    const { settings, issues } = settingsFromQuery('lr=abc&heads=0&k=%ZZ&splitMode=sideways&features=tags&minRating=high&bogus=1&epochs=5&user=Tim&item=x&data=toy');
    expect(settings.epochs).toBe(5);
    expect(settings.lr).toBe(SEED_SETTINGS.lr);
    expect(settings.heads).toBe(1);
    expect(settings.k).toBe(SEED_SETTINGS.k);
    expect(settings.splitMode).toBe('time');
    expect(settings.features).toBe('seed');
    expect(settings.minRating).toBeNull();
    const byKey = Object.fromEntries(issues.map((i) => [i.key, i.message]));
    expect(byKey.lr).toMatch(/the learning rate must be a number, got "abc"; using 0\.01/);
    expect(byKey.k).toMatch(/K must be a number, got "%ZZ"/);
    expect(byKey.splitMode).toBe('the split must be "time", "userTime" or "random", got "sideways"; using time');
    expect(byKey.features).toBe('the item features must be "seed", "genres", "genresYear", "file" or "onehot", got "tags"; using seed');
    expect(byKey.minRating).toMatch(/the minimum rating must be a number \(or "none" to keep every rating\), got "high"; using none/);
    expect(issues.filter((i) => /unknown setting/.test(i.message)).map((i) => i.message)).toEqual(['the link has an unknown setting "bogus"; ignored']);
  });

  it('never throw on random queries, and what they give passes the checks unchanged', () => {
    const rng = new Rng(11);
    const pieces = ['lr', 'k', 'evalEvery', 'minRating', 'splitMode', 'features', 'neighbors', 'batchSize', '=', '&', '%', '%2', 'full', 'random', '-1', '1e9', 'NaN', ',', ' ', '+', 'é', '#', '?'];
    for (let t = 0; t < 2000; t++) {
      const q = Array.from({ length: rng.int(12) }, () => pieces[rng.int(pieces.length)]).join('');
      const { settings } = settingsFromQuery(q);
      const again = checkSettings(settings);
      expect(again.issues, q).toEqual([]);
      expect(again.settings).toEqual(settings);
    }
  });
});

describe('checkSettings', () => {
  const issue = (input: Parameters<typeof checkSettings>[0]) => {
    const { settings, issues } = checkSettings(input);
    expect(issues).toHaveLength(1);
    return { settings, message: issues[0].message, key: issues[0].key };
  };

  it('clamps the learning rate into [1e-6, 1] and says so', () => {
    expect(issue({ lr: 0 })).toEqual({ settings: { ...SEED_SETTINGS, lr: 1e-6 }, key: 'lr', message: 'the learning rate must be in [0.000001, 1], got 0; using 0.000001' });
    expect(issue({ lr: 1e9 }).message).toBe('the learning rate must be in [0.000001, 1], got 1000000000; using 1');
    expect(issue({ lr: 1e9 }).settings.lr).toBe(1);
    expect(issue({ lr: '1e9' }).settings.lr).toBe(1);
  });

  it('clamps heads and K, and rounds whole numbers', () => {
    expect(issue({ heads: 0 })).toMatchObject({ key: 'heads', message: 'the number of heads must be in [1, 16], got 0; using 1' });
    expect(issue({ heads: 0 }).settings.heads).toBe(1);
    expect(issue({ k: MAX_K + 1 })).toMatchObject({ key: 'k', message: `K must be in [1, ${MAX_K}], got ${MAX_K + 1}; using ${MAX_K}` });
    expect(issue({ k: 1000 }).settings.k).toBe(MAX_K);
    expect(issue({ hidden: 12.4 })).toMatchObject({ message: 'the hidden size (LATENT_DIM) must be a whole number; 12.4 rounds to 12' });
  });

  it('replaces a train fraction of 0 by the default (an exclusive minimum) and clamps above 1', () => {
    expect(issue({ split: 0 }).settings.split).toBe(SEED_SETTINGS.split);
    expect(issue({ split: 1.5 }).settings.split).toBe(1);
  });

  it('checks batch size, neighbours and message passing', () => {
    expect(checkSettings({ batchSize: 'full' }).settings.batchSize).toBe('full');
    expect(checkSettings({ batchSize: '64' }).settings.batchSize).toBe(64);
    expect(issue({ batchSize: 0 }).key).toBe('batchSize');
    expect(checkSettings({ neighbors: '10,5' }).settings.neighbors).toEqual([10, 5]);
    expect(issue({ neighbors: '0' }).key).toBe('neighbors');
    expect(issue({ messagePassing: 'some' }).key).toBe('messagePassing');
  });

  it('takes the new settings as values or text', () => {
    const { settings, issues } = checkSettings({ minRating: '4', splitMode: 'random', features: 'genres' });
    expect(issues).toEqual([]);
    expect(settings).toEqual({ ...SEED_SETTINGS, minRating: 4, splitMode: 'random', features: 'genres' });
    expect(checkSettings({ minRating: 2.5 }).settings.minRating).toBe(2.5);
    expect(issue({ minRating: Infinity }).key).toBe('minRating');
    expect(issue({ minRating: '4 stars' }).settings.minRating).toBeNull();
  });

  it('takes the evaluation interval as a whole number of epochs in [1, 10000]', () => {
    expect(checkSettings({ evalEvery: '25' }).settings.evalEvery).toBe(25);
    expect(settingsFromQuery('evalEvery=10').settings.evalEvery).toBe(10);
    expect(settingsToQuery({ ...SEED_SETTINGS, evalEvery: 10 })).toBe('evalEvery=10');
    expect(issue({ evalEvery: 0 })).toMatchObject({ key: 'evalEvery', message: 'the evaluation interval (epochs between Recall@K) must be in [1, 10000], got 0; using 1' });
    expect(issue({ evalEvery: 20000 }).settings.evalEvery).toBe(10_000);
    expect(issue({ evalEvery: 2.5 })).toMatchObject({ message: 'the evaluation interval (epochs between Recall@K) must be a whole number; 2.5 rounds to 3' });
    expect(issue({ evalEvery: 'often' })).toMatchObject({ settings: SEED_SETTINGS, message: 'the evaluation interval (epochs between Recall@K) must be a number, got "often"; using 1' });
  });

  it('offers real-data defaults that pass the checks as they are', () => {
    const { settings, issues } = checkSettings(REAL_DATA_SETTINGS);
    expect(issues).toEqual([]);
    expect(settings).toEqual({ ...SEED_SETTINGS, ...REAL_DATA_SETTINGS });
    // The one thing a real dataset cannot do without: a step per rating would take hours.
    expect(settings.batchSize).toBe('full');
    expect(settingsFromQuery(settingsToQuery(settings)).settings).toEqual(settings);
  });

  it('keeps the base for what is not given, and does not share its arrays', () => {
    const base = { ...SEED_SETTINGS, neighbors: [3, 2], minRating: 4 };
    const { settings } = checkSettings({}, base);
    expect(settings).toEqual(base);
    expect(settings.neighbors).not.toBe(base.neighbors);
  });
});

describe('the settings table', () => {
  it('gives each setting its own flag and link key, a label and a hint, and the seed’s value as the default', () => {
    const rows = SETTING_KEYS.map((key) => SETTINGS[key]);
    expect(new Set(rows.map((r) => r.flag)).size).toBe(rows.length);
    expect(new Set(rows.map((r) => r.url)).size).toBe(rows.length);
    for (const row of rows) {
      expect(row.flag).toMatch(/^[a-z][a-z-]*$/);
      expect(row.label.length).toBeGreaterThan(0);
      expect(row.hint).toMatch(/\.$/);
    }
    expect(Object.keys(SEED_SETTINGS)).toEqual(SETTING_KEYS);
    for (const key of SETTING_KEYS) expect(SEED_SETTINGS[key], key).toEqual(SETTINGS[key].default);
    // The seed's own names, as its slides write them.
    expect(SETTINGS.hidden.seedName).toBe('LATENT_DIM');
    expect(SETTINGS.negRatio.seedName).toBe('NEG_SAMPLING');
  });

  it('reads back what it writes, for the seed’s values and every choice', () => {
    for (const key of SETTING_KEYS) {
      const row = settingRow(key);
      expect(settingProblem(key, row.format(row.default)), key).toBeUndefined();
      for (const c of row.choices ?? []) expect(checkSettings({ [key]: row.format(c.value) }).settings[key], key).toBe(c.value);
    }
  });
});

describe('settingProblem (a typed value, refused rather than clamped)', () => {
  it('says what is wrong with a value its rule does not take as it is, without a substitute', () => {
    expect(settingProblem('lr', 'abc')).toBe('the learning rate must be a number, got "abc"');
    expect(settingProblem('lr', '1e9')).toBe('the learning rate must be in [0.000001, 1], got 1000000000');
    expect(settingProblem('lr', '')).toBe('the learning rate must be a number, got ""');
    expect(settingProblem('heads', '2.5')).toBe('the number of heads must be a whole number; 2.5 rounds to 3');
    expect(settingProblem('heads', '20.5')).toBe('the number of heads must be a whole number; 20.5 rounds to 21; the number of heads must be in [1, 16], got 20.5');
    expect(settingProblem('split', '0')).toBe('the train fraction must be in (0, 1], got 0');
    expect(settingProblem('batchSize', '0')).toBe('the batch size must be a positive whole number or "full", got "0"');
    expect(settingProblem('neighbors', '10,0')).toMatch(/^neighbours per hop must be 1 to 8 whole numbers/);
    expect(settingProblem('minRating', 'high')).toBe('the minimum rating must be a number (or "none" to keep every rating), got "high"');
    expect(settingProblem('splitMode', 'sideways')).toBe('the split must be "time", "userTime" or "random", got "sideways"');
  });

  it('takes good values as they are', () => {
    for (const [key, raw] of [['lr', '0.02'], ['lr', '1e-6'], ['heads', '16'], ['split', '1'], ['batchSize', 'full'], ['batchSize', '64'], ['neighbors', '10,5'], ['neighbors', '-1'], ['minRating', 'none'], ['minRating', '3.5'], ['splitMode', 'userTime']] as const) {
      expect(settingProblem(key, raw), `${key}=${raw}`).toBeUndefined();
    }
  });

  it('refuses exactly what checkSettings fixes, and says the same but for the substitute', () => {
    const odd = { lr: 'abc', heads: '0', hidden: '12.4', split: '0', k: '1000', neighbors: 'x', features: 'tags', minRating: 'high' };
    const lenient = checkSettings(odd);
    const strict = requireSettings(odd);
    expect(strict.settings).toEqual(lenient.settings);
    expect(strict.problems.map((p) => p.key)).toEqual(lenient.issues.map((i) => i.key));
    strict.problems.forEach((p, j) => {
      const said = lenient.issues[j].message;
      expect(said === p.message || said.startsWith(`${p.message}; using `), said).toBe(true);
      expect(p.message).not.toMatch(/using/);
    });
    expect(requireSettings({ lr: '0.02', splitMode: 'random' })).toEqual({ settings: { ...SEED_SETTINGS, lr: 0.02, splitMode: 'random' }, problems: [] });
  });
});

describe('the loss settings', () => {
  it('name the objective the kernels run, with BPR’s regulariser for BPR alone, and the label the charts show', () => {
    expect(SEED_SETTINGS.loss).toBe('mse');
    expect(objectiveOf(SEED_SETTINGS)).toEqual({ kind: 'mse', bprReg: 0 });
    expect(objectiveOf({ loss: 'bce', bprReg: 0.1 })).toEqual({ kind: 'bce', bprReg: 0 });
    expect(objectiveOf({ loss: 'bpr', bprReg: 0.1 })).toEqual({ kind: 'bpr', bprReg: 0.1 });
    expect(['mse', 'bce', 'bpr'].map((l) => lossName(l as 'mse'))).toEqual(['MSE', 'BCE', 'BPR loss']);
    expect(settingsFromQuery('loss=bpr&bprReg=0.001').settings).toMatchObject({ loss: 'bpr', bprReg: 0.001 });
    expect(requireSettings({ loss: 'hinge' }).problems.map((p) => p.key)).toEqual(['loss']);
    expect(requireSettings({ bprReg: '-1' }).problems.map((p) => p.key)).toEqual(['bprReg']);
  });
});
