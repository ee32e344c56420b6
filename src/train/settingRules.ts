// The kinds of row in the settings table (settings.ts): a number in a range, one of a few choices,
// or a value with its own parser. Each kind knows how to read a value given as itself or as text
// (the URL and the command line give text, the page and the code give values), how to write it
// back, and how to say in words what it must be.

/** Something wrong with a value: what, and what the lenient check uses instead (if anything). */
export interface Fix {
  problem: string;
  /** The value used instead, as text; absent when the fix says it in its problem (a rounding). */
  using?: string;
}

/** A value as read: what the lenient check makes of it, and every fix that took. */
export interface Reading<T> {
  value: T;
  /** Empty when the rule takes the value as it is. */
  fixes: Fix[];
}

/** Everything the app knows about one setting, and all that a new setting needs. */
export interface SettingRow<T> {
  /** The command-line flag, without "--". */
  flag: string;
  /** The key in the page's link. */
  url: string;
  /** What it is, in plain words (the panel's label). */
  label: string;
  /** The seed's own name for it (its slide "Case Study: Hyperparameters"), where the seed has it. */
  seedName?: string;
  /** What it does, in a sentence. */
  hint: string;
  /** The seed's value. */
  default: T;
  /** What a value must be, in words, for --help. */
  rule: string;
  /** The values it takes, each with a plain label; absent for a typed value. */
  choices?: readonly { value: T; label: string }[];
  /** The keyboard a text field asks for. */
  inputMode: 'numeric' | 'decimal' | 'text';
  /** The value as the link and the command line write it. */
  format(value: T): string;
  /** A value (or its text) as the rule takes it; an odd one is clamped, or replaced by `fallback`, with a fix. */
  read(raw: unknown, fallback: T): Reading<T>;
}

interface Named {
  flag: string;
  url: string;
  label: string;
  seedName?: string;
  hint: string;
  /** The setting in an error message: "the learning rate". */
  what: string;
}

const named = ({ flag, url, label, seedName, hint }: Named) => ({ flag, url, label, seedName, hint });

const orList = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

/** A number in [min, max] (or (min, max] with exclusiveMin), whole where `integer`. */
export function numberSetting(row: Named & { default: number; min: number; max: number; integer: boolean; exclusiveMin?: boolean }): SettingRow<number> {
  const { what, min, max, integer, exclusiveMin } = row;
  const range = `${exclusiveMin ? '(' : '['}${min}, ${max}]`;
  return {
    ...named(row),
    default: row.default,
    rule: `${integer ? 'a whole number' : 'a number'} in ${range}`,
    inputMode: integer ? 'numeric' : 'decimal',
    format: String,
    read(raw, fallback) {
      const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return { value: fallback, fixes: [{ problem: `${what} must be a number, got ${JSON.stringify(raw)}`, using: String(fallback) }] };
      }
      const fixes: Fix[] = [];
      let x = integer ? Math.round(v) : v;
      if (x !== v) fixes.push({ problem: `${what} must be a whole number; ${v} rounds to ${x}` });
      const tooLow = exclusiveMin ? x <= min : x < min;
      if (tooLow || x > max) {
        // Nothing sits just above an exclusive minimum, so the fallback stands in for it.
        x = tooLow ? (exclusiveMin ? fallback : min) : max;
        fixes.push({ problem: `${what} must be in ${range}, got ${v}`, using: String(x) });
      }
      return { value: x, fixes };
    },
  };
}

/** One of a few values, each with a plain label (the panel's options). */
export function choiceSetting<const T extends string>(row: Named & { default: NoInfer<T>; choices: readonly { value: T; label: string }[] }): SettingRow<T> {
  const values: readonly string[] = row.choices.map((c) => c.value);
  const rule = orList(values.map((v) => JSON.stringify(v)));
  return {
    ...named(row),
    default: row.default,
    rule,
    choices: row.choices,
    inputMode: 'text',
    format: String,
    read(raw, fallback) {
      if (typeof raw === 'string' && values.includes(raw)) return { value: raw as T, fixes: [] };
      return { value: fallback, fixes: [{ problem: `${row.what} must be ${rule}, got ${JSON.stringify(raw)}`, using: fallback }] };
    },
  };
}

/** A value with its own parser (undefined: not a value of this setting) and its own words for the rule. */
export function parsedSetting<T>(row: Named & { default: T; rule: string; parse(raw: unknown): T | undefined; format(value: T): string }): SettingRow<T> {
  return {
    ...named(row),
    default: row.default,
    rule: row.rule,
    inputMode: 'text',
    format: row.format,
    read(raw, fallback) {
      const value = row.parse(raw);
      if (value !== undefined) return { value, fixes: [] };
      return { value: fallback, fixes: [{ problem: `${row.what} must be ${row.rule}, got ${JSON.stringify(raw)}`, using: row.format(fallback) }] };
    },
  };
}
