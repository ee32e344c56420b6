// A run's settings: one row per setting (its flag, its key in the link, its label and hint, the
// seed's value, and its rule), and all that follows from the rows: the RunSettings type, the
// seed's settings, the checks that turn odd values into clamped ones with a message that says why,
// and the link. The CLI's flags and --help (cli/runFlags.ts) and the settings panel
// (ui/SettingsPanel.tsx) are drawn from the same rows, so a new setting is a new row here plus the
// code that uses it. TensorFlow Playground's src/state.ts (one PROPS table for both directions of
// the link) is the model.
import { MAX_K, MAX_LAYERS, type Objective } from '../gpu/layout';
import { choiceSetting, numberSetting, parsedSetting, type Fix, type SettingRow } from './settingRules';

/** Every setting, in the link's order. */
export const SETTINGS = {
  seed: numberSetting({
    flag: 'seed', url: 'seed', label: 'Random seed', seedName: 'SEED', what: 'the seed',
    hint: 'Fixes the features, the initial weights and every shuffle.',
    default: 123, min: 0, max: 2 ** 32 - 1, integer: true,
  }),
  /** The fraction that trains: the oldest ratings overall ('time'), each user's oldest ('userTime'), or a random draw. */
  split: numberSetting({
    flag: 'split', url: 'split', label: 'Training share', seedName: 'SPLIT', what: 'the train fraction',
    hint: 'Share of the ratings that train (the rest test).',
    default: 7 / 8, min: 0, max: 1, integer: false, exclusiveMin: true,
  }),
  splitMode: choiceSetting({
    flag: 'split-mode', url: 'splitMode', label: 'Split by', what: 'the split',
    hint: 'Which ratings test: the newest (as the seed), each user’s newest, or a random draw from the seed.',
    default: 'time',
    choices: [
      { value: 'time', label: 'Time: newest ratings test' },
      { value: 'userTime', label: 'Time, per user: each user’s newest test' },
      { value: 'random', label: 'Random draw' },
    ],
  }),
  /**
   * The share of the training side held out for model selection (carved as the test split is:
   * the newest, each user's newest, or a random draw). Its ratings carry no messages and are not
   * trained on; 0 holds none out.
   */
  val: numberSetting({
    flag: 'val', url: 'val', label: 'Validation share', what: 'the validation fraction',
    hint: 'Share of the training ratings held out to pick the best epoch (0: none). They neither train nor carry messages.',
    default: 0, min: 0, max: 0.9, integer: false,
  }),
  /** Implicit feedback: only ratings at or above this count; null keeps every rating. */
  minRating: parsedSetting<number | null>({
    flag: 'min-rating', url: 'minRating', label: 'Lowest rating kept', what: 'the minimum rating',
    hint: 'Keep only ratings at or above this; “none” keeps all.',
    default: null, rule: 'a number (or "none" to keep every rating)',
    format: (v) => (v === null ? 'none' : String(v)),
    parse(raw) {
      if (raw === null || (typeof raw === 'string' && ['', 'none', 'all', 'null'].includes(raw.trim().toLowerCase()))) return null;
      const v = typeof raw === 'string' ? Number(raw) : raw;
      return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
    },
  }),
  /** Supervision edges per optimizer step, or the whole graph at once. */
  batchSize: parsedSetting<number | 'full'>({
    flag: 'batch-size', url: 'batchSize', label: 'Batch size', seedName: 'BATCH_SIZE', what: 'the batch size',
    hint: 'Ratings per optimizer step, or “full” for all of them at once.',
    default: 1, rule: 'a positive whole number or "full"',
    format: String,
    parse(raw) {
      if (raw === 'full') return 'full';
      const n = typeof raw === 'string' ? Number(raw) : raw;
      return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
    },
  }),
  /** Neighbours sampled per node at each hop (-1: all); mini-batches only. */
  neighbors: parsedSetting<number[]>({
    flag: 'neighbors', url: 'neighbors', label: 'Neighbours per hop', seedName: 'NEIGHBORS', what: 'neighbours per hop',
    hint: 'Neighbours sampled per hop, like “1” or “10,5”; −1 takes all. Mini-batches only.',
    default: [1], rule: '1 to 8 whole numbers ≥ 1 (or -1 for all), like "1" or "10,5"',
    format: (v) => v.join(','),
    parse(raw) {
      const list = Array.isArray(raw) ? raw : String(raw).split(',');
      const parsed = list.map((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x));
      const ok = parsed.length >= 1 && parsed.length <= 8 && parsed.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= -1 && x !== 0);
      return ok ? (parsed as number[]) : undefined;
    },
  }),
  negRatio: numberSetting({
    flag: 'neg-ratio', url: 'negRatio', label: 'Negatives per rating', seedName: 'NEG_SAMPLING', what: 'the negative-sampling ratio',
    hint: 'Random unrated pairs (label 0) drawn per rating.',
    default: 0, min: 0, max: 20, integer: false,
  }),
  /** What training minimises (src/reference/objective.ts); the loss kernels read it from the model uniform. */
  loss: choiceSetting({
    flag: 'loss', url: 'loss', label: 'Loss', what: 'the loss',
    hint: 'What training minimises: squared error on the ratings (as the seed); binary cross-entropy, rated pairs (1) against the sampled unrated ones (0), which needs negatives per rating above 0; or BPR, each rating against one unrated movie of the same user (it draws its own: negatives per rating is not used).',
    default: 'mse',
    choices: [
      { value: 'mse', label: 'MSE on ratings, as the seed' },
      { value: 'bce', label: 'BCE: rated against unrated' },
      { value: 'bpr', label: 'BPR: pairs, one unrated per rating' },
    ],
  }),
  /** λ of BPR's regulariser over the decoder's embeddings of the pairs' nodes (PyG's BPRLoss lambda_reg). */
  bprReg: numberSetting({
    flag: 'bpr-reg', url: 'bprReg', label: 'BPR regulariser', what: 'the BPR regulariser',
    hint: 'BPR only: λ of PyG’s regulariser, λ·‖embeddings of the pairs’ users and movies‖² / pairs; 0 turns it off.',
    default: 0, min: 0, max: 1, integer: false,
  }),
  epochs: numberSetting({
    flag: 'epochs', url: 'epochs', label: 'Epochs', seedName: 'EPOCHS', what: 'the number of epochs',
    hint: 'Length of the run: passes over the training ratings.',
    default: 1500, min: 1, max: 1_000_000, integer: true,
  }),
  lr: numberSetting({
    flag: 'lr', url: 'lr', label: 'Learning rate', seedName: 'LR', what: 'the learning rate',
    hint: 'How large a step Adam takes.',
    default: 1e-2, min: 1e-6, max: 1, integer: false,
  }),
  /** Hidden channels, and the width of the seed's random item features. */
  hidden: numberSetting({
    flag: 'hidden', url: 'hidden', label: 'Embedding size', seedName: 'LATENT_DIM', what: 'the hidden size (LATENT_DIM)',
    hint: 'Numbers per user and per movie, and the width of the movies’ random features.',
    default: 12, min: 1, max: 512, integer: true,
  }),
  heads: numberSetting({
    flag: 'heads', url: 'heads', label: 'Attention heads', seedName: 'HEADS', what: 'the number of heads',
    hint: 'Attention heads per layer (averaged).',
    default: 2, min: 1, max: 16, integer: true,
  }),
  layers: numberSetting({
    flag: 'layers', url: 'layers', label: 'Layers', what: 'the number of layers',
    hint: 'GAT blocks, each relu(GAT(h) + Linear(h)).',
    default: 3, min: 1, max: MAX_LAYERS, integer: true,
  }),
  /** K of Recall@K and of the recommendations. */
  k: numberSetting({
    flag: 'k', url: 'k', label: 'List length', seedName: 'K', what: 'K',
    hint: 'Length of each user’s top list, and the K of Recall@K.',
    default: 1, min: 1, max: MAX_K, integer: true,
  }),
  /**
   * Recall@K every this many epochs (and at kept snapshots and the end of each stretch of
   * training); the epochs between report none. Evaluation never changes training, so any value
   * gives the same weights; a large dataset trains faster with a larger one.
   */
  evalEvery: numberSetting({
    flag: 'eval-every', url: 'evalEvery', label: 'Evaluate every', what: 'the evaluation interval (epochs between Recall@K)',
    hint: 'Recall@K every this many epochs (and at the end); larger trains big datasets faster, the weights stay the same.',
    default: 1, min: 1, max: 10_000, integer: true,
  }),
  /** Evaluated epochs without a better validation Recall@K before the run stops; needs a validation share. */
  patience: numberSetting({
    flag: 'patience', url: 'patience', label: 'Patience', what: 'the patience (epochs without a validation improvement)',
    hint: 'Stop after this many epochs without a better validation Recall@K (0: never stop early). Needs a validation share.',
    default: 0, min: 0, max: 1_000_000, integer: true,
  }),
  messagePassing: choiceSetting({
    flag: 'message-passing', url: 'messagePassing', label: 'Message passing', what: 'message passing',
    hint: 'Which ratings carry messages between users and movies.',
    default: 'train',
    choices: [
      { value: 'train', label: 'Training ratings only (honest)' },
      { value: 'all', label: 'All ratings, test too (as the seed’s run)' },
    ],
  }),
  /** The items' input features (src/graph/features.ts): the seed's random normal ones, from the data, or one-hot. */
  features: choiceSetting({
    flag: 'features', url: 'features', label: 'Movie features', what: 'the item features',
    hint: 'The movies’ input: the seed’s random vectors, their genres (needs a movies file), genres and the title’s year, an item-features file, or one-hot (a learned vector per movie, as LightGCN’s item embeddings).',
    default: 'seed',
    choices: [
      { value: 'seed', label: 'Random normal, as the seed' },
      { value: 'genres', label: 'Genres, multi-hot' },
      { value: 'genresYear', label: 'Genres and year of the title' },
      { value: 'file', label: 'From item-features.csv' },
      { value: 'onehot', label: 'One-hot: a learned vector per movie' },
    ],
  }),
  /** The users' input features: one-hot (the seed's), MovieLens 100K's or 1M's demographics, or a file. */
  userFeatures: choiceSetting({
    flag: 'user-features', url: 'userFeatures', label: 'User features', what: 'the user features',
    hint: 'The users’ input: one-hot (as the seed), age, gender and occupation from u.user (MovieLens 100K) or users.dat (MovieLens 1M), or a user-features file.',
    default: 'onehot',
    choices: [
      { value: 'onehot', label: 'One-hot, as the seed' },
      { value: 'demographics', label: 'Age, gender, occupation (u.user, users.dat)' },
      { value: 'file', label: 'From user-features.csv' },
    ],
  }),
};

export type SettingKey = keyof typeof SETTINGS;

/** The value of each setting, as its row reads it. */
export type RunSettings = { [K in SettingKey]: (typeof SETTINGS)[K] extends SettingRow<infer T> ? T : never };

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** One setting's row, typed by its key (an indexed SETTINGS[key] is a union of every row). */
export const settingRow = <K extends SettingKey>(key: K) => SETTINGS[key] as unknown as SettingRow<RunSettings[K]>;

/** The seed's hyperparameters (the slide deck's "Case Study: Hyperparameters"). */
export const SEED_SETTINGS = Object.fromEntries(SETTING_KEYS.map((key) => [key, SETTINGS[key].default])) as RunSettings;

/**
 * What a MovieLens-sized dataset needs, over the seed's toy settings: the whole graph per step
 * (a step per rating would take hours), Recall@20 as such datasets report it, negatives so that
 * the ranking learns what users did not rate, and a time split of 80%. The page applies these
 * when a real dataset is loaded while the settings are still the seed's.
 */
export const REAL_DATA_SETTINGS: Partial<RunSettings> = {
  batchSize: 'full',
  k: 20,
  negRatio: 4,
  lr: 0.02,
  hidden: 12,
  epochs: 100,
  minRating: null,
  splitMode: 'time',
  split: 0.8,
  evalEvery: 1,
};

/** The loss kernels' objective for these settings (the regulariser is BPR's alone). */
export function objectiveOf(s: Pick<RunSettings, 'loss' | 'bprReg'>): Objective {
  return { kind: s.loss, bprReg: s.loss === 'bpr' ? s.bprReg : 0 };
}

/** What the charts and read-outs call the training loss of these settings. */
export function lossName(loss: RunSettings['loss']): string {
  return { mse: 'MSE', bce: 'BCE', bpr: 'BPR loss' }[loss];
}

export interface SettingIssue {
  key: SettingKey;
  message: string;
}

/** The GPU top-K's longest list (src/gpu/layout.ts, which the WGSL reads too). */
export { MAX_K };

type SettingsInput = Partial<Record<SettingKey, unknown>>;

/** Each given value read by its row onto `base`, with the fixes that took. */
function readSettings(input: SettingsInput, base: RunSettings): { settings: RunSettings; fixes: { key: SettingKey; fix: Fix }[] } {
  const settings: RunSettings = { ...base, neighbors: [...base.neighbors] };
  const fixes: { key: SettingKey; fix: Fix }[] = [];
  for (const key of SETTING_KEYS) {
    if (input[key] === undefined) continue;
    const reading = settingRow(key).read(input[key], base[key]);
    (settings as Record<SettingKey, unknown>)[key] = reading.value;
    for (const fix of reading.fixes) fixes.push({ key, fix });
  }
  return { settings, fixes };
}

/** Checks every field; odd values are clamped (or replaced by the base's) and reported, never thrown. */
export function checkSettings(input: SettingsInput, base: RunSettings = SEED_SETTINGS): { settings: RunSettings; issues: SettingIssue[] } {
  const { settings, fixes } = readSettings(input, base);
  const issues = fixes.map(({ key, fix }) => ({ key, message: fix.using === undefined ? fix.problem : `${fix.problem}; using ${fix.using}` }));
  return { settings, issues };
}

/**
 * Settings a user typed, taken only as they are: a value its rule would clamp, round or replace is
 * a problem, said without the substitute, for the caller to refuse (the command line, a field).
 */
export function requireSettings(input: SettingsInput, base: RunSettings = SEED_SETTINGS): { settings: RunSettings; problems: SettingIssue[] } {
  const { settings, fixes } = readSettings(input, base);
  return { settings, problems: fixes.map(({ key, fix }) => ({ key, message: fix.problem })) };
}

/** What is wrong with one value typed for a setting, by its rule; undefined when the rule takes it as it is. */
export function settingProblem(key: SettingKey, raw: string): string | undefined {
  const { problems } = requireSettings({ [key]: raw });
  return problems.length > 0 ? problems.map((p) => p.message).join('; ') : undefined;
}

/** The settings that differ from the seed's, as a URL query (without '?'). */
export function settingsToQuery(s: RunSettings): string {
  const q = new URLSearchParams();
  for (const key of SETTING_KEYS) {
    const row = settingRow(key);
    const text = row.format(s[key]);
    if (text !== row.format(row.default)) q.set(row.url, text);
  }
  return q.toString();
}

const KEY_OF_URL = new Map(SETTING_KEYS.map((key) => [SETTINGS[key].url, key]));
/** The page's own keys in the link, beside the settings. */
const PAGE_KEYS = ['user', 'item', 'data'];

/** Settings from a URL query; unknown keys and bad values are reported, the rest still applies. */
export function settingsFromQuery(query: string): { settings: RunSettings; issues: SettingIssue[] } {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { settings: SEED_SETTINGS, issues: [{ key: 'seed', message: 'the link is malformed; using the seed’s settings' }] };
  }
  const input: SettingsInput = {};
  const unknown: string[] = [];
  params.forEach((value, name) => {
    const key = KEY_OF_URL.get(name);
    if (key) input[key] = value;
    else if (!PAGE_KEYS.includes(name)) unknown.push(name);
  });
  const { settings, issues } = checkSettings(input);
  for (const name of unknown) issues.push({ key: 'seed', message: `the link has an unknown setting "${name}"; ignored` });
  return { settings, issues };
}
