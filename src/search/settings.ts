// The knobs of KNN-MIPS (the seed's "Learning Stage 5") as the command line and the page set
// them: random restarts R, greedy steps T, and expansions E (the neighbours each item keeps in the
// graph, which a step scores). Odd values are clamped and reported, as the run settings are.
// The page's main thread reads this file: it imports nothing of the GPU code.

/** Longest neighbour list an item keeps in the graph (build_graph ranks it in shaders/topk.wgsl's list, so at most MAX_K). */
export const KNN_MAX_NEIGHBORS = 64;

export interface SearchSettings {
  restarts: number;
  steps: number;
  expansions: number;
}

/**
 * The deck draws T = 2, E = 3 for K = 1 on a handful of points and gives no values for real
 * catalogues. These score at most R·T·E = 1,024 items per user, a tenth of ml-latest-small's
 * 9,724 movies; there, on the hidden-64 model after 5 epochs, they find about two thirds of the
 * exact top-20 in a twentieth of the exact search's time (`npm run bench`).
 */
export const SEARCH_DEFAULTS: SearchSettings = { restarts: 8, steps: 8, expansions: 16 };

/** Upper bounds: E is the graph kernel's list length; R and T bound one user's walk. */
export const SEARCH_LIMITS: Record<keyof SearchSettings, { max: number; what: string }> = {
  restarts: { max: 1024, what: 'the random restarts R' },
  steps: { max: 1024, what: 'the greedy steps T' },
  expansions: { max: KNN_MAX_NEIGHBORS, what: 'the expansions E (neighbours per item)' },
};

export interface SearchIssue {
  key: keyof SearchSettings;
  message: string;
}

/** Each value must be a whole number in [1, max]; others are clamped or replaced, and reported. */
export function checkSearchSettings(
  input: Partial<Record<keyof SearchSettings, unknown>>,
  base: SearchSettings = SEARCH_DEFAULTS,
): { settings: SearchSettings; issues: SearchIssue[] } {
  const settings = { ...base };
  const issues: SearchIssue[] = [];
  for (const key of Object.keys(SEARCH_LIMITS) as (keyof SearchSettings)[]) {
    const raw = input[key];
    if (raw === undefined) continue;
    const { max, what } = SEARCH_LIMITS[key];
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      issues.push({ key, message: `${what} must be a whole number, got ${JSON.stringify(raw)}; using ${base[key]}` });
    } else if (v < 1 || v > max) {
      const clamped = Math.min(max, Math.max(1, v));
      issues.push({ key, message: `${what} must be in [1, ${max}], got ${v}; using ${clamped}` });
      settings[key] = clamped;
    } else {
      settings[key] = v;
    }
  }
  return { settings, issues };
}
