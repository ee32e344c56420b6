// The flags that set a run (the same settings as the page's URL), shared by train and recommend:
// the data to train on, and one flag per row of the settings table, its help drawn from the row.
import { requireSettings, SEED_SETTINGS, SETTING_KEYS, SETTINGS, settingRow, type RunSettings, type SettingKey } from '../train/settings';
import { InputError } from '../util/errors';
import type { FlagSpec, Flags } from './args';

function settingHelp(key: SettingKey): string {
  const row = settingRow(key);
  const takes = row.choices ? row.choices.map((c) => `${row.format(c.value)} (${c.label})`).join(', ') : row.rule;
  return `${row.label}${row.seedName ? ` (${row.seedName})` : ''}. ${row.hint} Takes ${takes}; default ${row.format(row.default)}.`;
}

/** One flag per setting. */
export const SETTING_FLAGS: Record<string, FlagSpec> = Object.fromEntries(SETTING_KEYS.map((key) => [SETTINGS[key].flag, { value: true, help: settingHelp(key) }]));

export const RUN_FLAGS: Record<string, FlagSpec> = {
  data: { value: true, help: 'toy (default), or a ratings file: a MovieLens ZIP, ratings.csv, ratings.dat, u.data, or any CSV (movies.csv, movies.dat or u.item beside it gives titles and genres, u.user beside u.data or users.dat beside ratings.dat demographics, user-features.csv and item-features.csv beside it features by id; see --columns, --sep)' },
  ...SETTING_FLAGS,
};

/** Settings from flags, over `base`; on the command line an odd value is an error, not a clamp. */
export function settingsFromFlags(flags: Flags, base: RunSettings = SEED_SETTINGS): RunSettings {
  const input: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) if (flags[SETTINGS[key].flag] !== undefined) input[key] = flags[SETTINGS[key].flag];
  const { settings, problems } = requireSettings(input, base);
  if (problems.length > 0) throw new InputError(problems.map((p) => `--${SETTINGS[p.key].flag}: ${p.message}`).join('\n'));
  return settings;
}

/** The flags that set `settings` (each setting but those in `skip`), to print a command that reproduces a run. */
export function settingsAsFlags(settings: RunSettings, skip: SettingKey[] = []): string {
  return SETTING_KEYS.filter((key) => !skip.includes(key))
    .map((key) => `--${SETTINGS[key].flag} ${settingRow(key).format(settings[key])}`)
    .join(' ');
}
