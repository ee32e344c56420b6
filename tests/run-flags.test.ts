// The run's command-line flags, drawn from the settings table: one per setting with its help and
// the seed's default, odd values refused with the flag's name, and the flags that reproduce a run.
import { describe, expect, it } from 'vitest';
import { parseFlags, usage } from '../src/cli/args';
import { RUN_FLAGS, SETTING_FLAGS, settingsAsFlags, settingsFromFlags } from '../src/cli/runFlags';
import { SEED_SETTINGS, SETTING_KEYS, SETTINGS, settingRow, type RunSettings } from '../src/train/settings';
import { InputError } from '../src/util/errors';

const CHANGED: RunSettings = { ...SEED_SETTINGS, seed: 7, split: 0.8, splitMode: 'userTime', minRating: 4, batchSize: 'full', neighbors: [10, 5], lr: 0.003, heads: 4, evalEvery: 5, features: 'genres' };

describe('the run flags', () => {
  it('are --data and one flag per setting, each with its label and the seed’s default in --help', () => {
    expect(Object.keys(RUN_FLAGS)).toEqual(['data', ...SETTING_KEYS.map((key) => SETTINGS[key].flag)]);
    const help = usage('train', '[options]', RUN_FLAGS);
    for (const key of SETTING_KEYS) {
      const row = settingRow(key);
      const line = help.split('\n').find((l) => l.startsWith(`  --${row.flag} `));
      expect(line, key).toBeDefined();
      expect(line).toContain(row.label);
      expect(line).toContain(`default ${row.format(row.default)}.`);
      for (const c of row.choices ?? []) expect(line).toContain(String(c.value));
    }
    expect(help).toMatch(/--split <value> .*default 0\.875\./);
    expect(help).toMatch(/--hidden <value> .*Embedding size \(LATENT_DIM\)/);
  });

  it('set every setting, and the flags a run prints reproduce it', () => {
    const argv = settingsAsFlags(CHANGED).split(' ');
    expect(argv).toContain('--neighbors');
    expect(argv[argv.indexOf('--min-rating') + 1]).toBe('4');
    expect(settingsFromFlags(parseFlags(argv, SETTING_FLAGS, 'train').flags)).toEqual(CHANGED);
    expect(settingsAsFlags(CHANGED, ['k'])).not.toContain('--k ');
  });

  it('start from the base they are given', () => {
    const base = { ...SEED_SETTINGS, hidden: 16, k: 20 };
    expect(settingsFromFlags({ lr: '0.02' }, base)).toEqual({ ...base, lr: 0.02 });
  });

  it('refuse an odd value with the flag’s name, and never clamp it', () => {
    const refused = (flags: Record<string, string>) => {
      try {
        settingsFromFlags(flags);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error(`${JSON.stringify(flags)} was taken`);
    };
    expect(refused({ lr: 'abc' })).toBe('--lr: the learning rate must be a number, got "abc"');
    expect(refused({ heads: '0', 'split-mode': 'sideways' })).toBe('--split-mode: the split must be "time", "userTime" or "random", got "sideways"\n--heads: the number of heads must be in [1, 16], got 0');
  });
});
