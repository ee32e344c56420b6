// All of a run's settings in one serialisable object (the URL and the CLI carry it), the seed's
// defaults, and the checks that turn odd values into clamped ones with a message that says why.
import { MAX_K, MAX_LAYERS } from '../gpu/layout';

export interface RunSettings {
  seed: number;
  /** Fraction of the ratings that train: the oldest overall ('time'), each user's oldest ('userTime'), or a random draw ('random'). */
  split: number;
  /** How the ratings split: by time as the seed does, or at random (drawn from the seed). */
  splitMode: 'time' | 'userTime' | 'random';
  /** Keep only ratings at or above this (implicit feedback); null keeps every rating. */
  minRating: number | null;
  /** Input features: the seed's (users one-hot, items random normal) or items multi-hot by genre. */
  features: 'seed' | 'genres';
  /** Supervision edges per optimizer step, or the whole graph at once. */
  batchSize: number | 'full';
  /** Neighbours sampled per node at each hop (-1: all); mini-batches only. */
  neighbors: number[];
  /** Random non-edges (label 0) per supervision edge. */
  negRatio: number;
  epochs: number;
  lr: number;
  /** LATENT_DIM: hidden channels, and the width of the seed's random item features. */
  hidden: number;
  heads: number;
  layers: number;
  /** K of Recall@K and of the recommendations. */
  k: number;
  /**
   * Recall@K every this many epochs (and at kept snapshots and the end of each stretch of
   * training); the epochs between report none. Evaluation never changes training, so any value
   * gives the same weights; a large dataset trains faster with a larger one.
   */
  evalEvery: number;
  /** Which edges carry messages: the training edges only (honest), or all (as the seed's run). */
  messagePassing: 'train' | 'all';
}

/** The seed's hyperparameters (the slide deck's "Case Study: Hyperparameters"). */
export const SEED_SETTINGS: RunSettings = {
  seed: 123,
  split: 7 / 8,
  splitMode: 'time',
  minRating: null,
  features: 'seed',
  batchSize: 1,
  neighbors: [1],
  negRatio: 0,
  epochs: 1500,
  lr: 1e-2,
  hidden: 12,
  heads: 2,
  layers: 3,
  k: 1,
  evalEvery: 1,
  messagePassing: 'train',
};

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

export interface SettingIssue {
  key: keyof RunSettings;
  message: string;
}

/** The GPU top-K's longest list (src/gpu/layout.ts, which the WGSL reads too). */
export { MAX_K };

interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
  /** Must be strictly greater than min. */
  exclusiveMin?: boolean;
  what: string;
}

const RULES: Record<'seed' | 'split' | 'negRatio' | 'epochs' | 'lr' | 'hidden' | 'heads' | 'layers' | 'k' | 'evalEvery', NumberRule> = {
  seed: { min: 0, max: 2 ** 32 - 1, integer: true, what: 'the seed' },
  split: { min: 0, max: 1, integer: false, exclusiveMin: true, what: 'the train fraction' },
  negRatio: { min: 0, max: 20, integer: false, what: 'the negative-sampling ratio' },
  epochs: { min: 1, max: 1_000_000, integer: true, what: 'the number of epochs' },
  lr: { min: 1e-6, max: 1, integer: false, what: 'the learning rate' },
  hidden: { min: 1, max: 512, integer: true, what: 'the hidden size (LATENT_DIM)' },
  heads: { min: 1, max: 16, integer: true, what: 'the number of heads' },
  layers: { min: 1, max: MAX_LAYERS, integer: true, what: 'the number of layers' },
  k: { min: 1, max: MAX_K, integer: true, what: 'K' },
  evalEvery: { min: 1, max: 10_000, integer: true, what: 'the evaluation interval (epochs between Recall@K)' },
};

function checkNumber(key: keyof typeof RULES, raw: unknown, fallback: number, issues: SettingIssue[]): number {
  const rule = RULES[key];
  const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    issues.push({ key, message: `${rule.what} must be a number, got ${JSON.stringify(raw)}; using ${fallback}` });
    return fallback;
  }
  let x = rule.integer ? Math.round(v) : v;
  if (rule.integer && x !== v) issues.push({ key, message: `${rule.what} must be a whole number; ${v} rounds to ${x}` });
  const tooLow = rule.exclusiveMin ? x <= rule.min : x < rule.min;
  if (tooLow || x > rule.max) {
    const clamped = tooLow ? (rule.exclusiveMin ? fallback : rule.min) : rule.max;
    const range = `${rule.exclusiveMin ? '(' : '['}${rule.min}, ${rule.max}]`;
    issues.push({ key, message: `${rule.what} must be in ${range}, got ${v}; using ${clamped}` });
    x = clamped;
  }
  return x;
}

/** Checks every field; odd values are clamped (or replaced by the default) and reported, never thrown. */
export function checkSettings(input: Partial<Record<keyof RunSettings, unknown>>, base: RunSettings = SEED_SETTINGS): { settings: RunSettings; issues: SettingIssue[] } {
  const issues: SettingIssue[] = [];
  const s: RunSettings = { ...base, neighbors: [...base.neighbors] };
  for (const key of Object.keys(RULES) as (keyof typeof RULES)[]) {
    if (input[key] !== undefined) s[key] = checkNumber(key, input[key], base[key], issues);
  }
  if (input.batchSize !== undefined) {
    const b = input.batchSize;
    if (b === 'full') s.batchSize = 'full';
    else {
      const n = typeof b === 'string' ? Number(b) : b;
      if (typeof n === 'number' && Number.isInteger(n) && n >= 1) s.batchSize = n;
      else issues.push({ key: 'batchSize', message: `the batch size must be a positive whole number or "full", got ${JSON.stringify(b)}; using ${base.batchSize}` });
    }
  }
  if (input.neighbors !== undefined) {
    const raw = input.neighbors;
    const list = Array.isArray(raw) ? raw : String(raw).split(',');
    const parsed = list.map((x) => (typeof x === 'string' && x.trim() !== '' ? Number(x) : x));
    if (parsed.length >= 1 && parsed.length <= 8 && parsed.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= -1 && x !== 0)) {
      s.neighbors = parsed as number[];
    } else {
      issues.push({ key: 'neighbors', message: `neighbours per hop must be 1 to 8 whole numbers ≥ 1 (or -1 for all), like "1" or "10,5", got ${JSON.stringify(raw)}; using ${base.neighbors.join(',')}` });
    }
  }
  if (input.messagePassing !== undefined) {
    if (input.messagePassing === 'train' || input.messagePassing === 'all') s.messagePassing = input.messagePassing;
    else issues.push({ key: 'messagePassing', message: `message passing must be "train" or "all", got ${JSON.stringify(input.messagePassing)}; using ${base.messagePassing}` });
  }
  if (input.splitMode !== undefined) {
    if (input.splitMode === 'time' || input.splitMode === 'userTime' || input.splitMode === 'random') s.splitMode = input.splitMode;
    else issues.push({ key: 'splitMode', message: `the split must be "time", "userTime" or "random", got ${JSON.stringify(input.splitMode)}; using ${base.splitMode}` });
  }
  if (input.features !== undefined) {
    if (input.features === 'seed' || input.features === 'genres') s.features = input.features;
    else issues.push({ key: 'features', message: `the item features must be "seed" or "genres", got ${JSON.stringify(input.features)}; using ${base.features}` });
  }
  if (input.minRating !== undefined) {
    const raw = input.minRating;
    if (raw === null || (typeof raw === 'string' && ['', 'none', 'all', 'null'].includes(raw.trim().toLowerCase()))) s.minRating = null;
    else {
      const v = typeof raw === 'string' ? Number(raw) : raw;
      if (typeof v === 'number' && Number.isFinite(v)) s.minRating = v;
      else issues.push({ key: 'minRating', message: `the minimum rating must be a number (or "none" to keep every rating), got ${JSON.stringify(raw)}; using ${base.minRating ?? 'none'}` });
    }
  }
  return { settings: s, issues };
}

const KEYS: (keyof RunSettings)[] = ['seed', 'split', 'splitMode', 'minRating', 'batchSize', 'neighbors', 'negRatio', 'epochs', 'lr', 'hidden', 'heads', 'layers', 'k', 'evalEvery', 'messagePassing', 'features'];

/** The settings that differ from the seed's, as a URL query (without '?'). */
export function settingsToQuery(s: RunSettings): string {
  const q = new URLSearchParams();
  for (const key of KEYS) {
    const v = s[key];
    const d = SEED_SETTINGS[key];
    const text = Array.isArray(v) ? v.join(',') : String(v);
    if (text !== (Array.isArray(d) ? d.join(',') : String(d))) q.set(key, text);
  }
  return q.toString();
}

/** Settings from a URL query; unknown keys and bad values are reported, the rest still applies. */
export function settingsFromQuery(query: string): { settings: RunSettings; issues: SettingIssue[] } {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { settings: SEED_SETTINGS, issues: [{ key: 'seed', message: 'the link is malformed; using the seed’s settings' }] };
  }
  const input: Partial<Record<keyof RunSettings, unknown>> = {};
  const unknown: string[] = [];
  params.forEach((value, key) => {
    if ((KEYS as string[]).includes(key)) input[key as keyof RunSettings] = value;
    else if (key !== 'user' && key !== 'item' && key !== 'data') unknown.push(key);
  });
  const { settings, issues } = checkSettings(input);
  for (const key of unknown) issues.push({ key: 'seed', message: `the link has an unknown setting "${key}"; ignored` });
  return { settings, issues };
}
