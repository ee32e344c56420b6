// Weights files: JSON `{ "<PyG state_dict name>": nested list }`, what Python writes with
// `json.dump({k: v.tolist() for k, v in model.state_dict().items()})`. They come from users, so
// every problem is reported as an InputError that names the file and what is wrong.
import { InputError } from '../util/errors';
import { type ModelShape, flatFromNamed, paramTable } from '../model/params';

/**
 * The key under which a weights file written here keeps the fingerprint of its run
 * (src/train/fingerprint.ts). It is not a parameter: PyG's loader picks the state_dict names.
 */
export const FINGERPRINT_KEY = 'gatlab_fingerprint';

/**
 * The key under which a weights file written here says which epoch's weights it holds: `epoch`,
 * and with a validation split (the epoch chosen on it) `val_recall` and `test_recall`. Not a parameter either.
 */
export const EPOCH_KEY = 'gatlab_epoch';

export interface WeightsEpoch {
  epoch: number;
  val_recall?: number;
  test_recall?: number;
}

/** The keys of a weights file that are not parameters. */
const NOT_PARAMETERS = new Set([FINGERPRINT_KEY, EPOCH_KEY]);

/** The fingerprint a weights file carries, or undefined (a file from PyG, or from before fingerprints). */
export function weightsFingerprint(named: Record<string, unknown>): unknown {
  return named[FINGERPRINT_KEY];
}

/** Parses the text of a weights file; the values are checked later, against a shape. */
export function readWeightsJson(text: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError(`${fileName}: ${describeJsonError(text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    throw new InputError(`${fileName}: expected a JSON object {"<parameter name>": nested list}, got ${got}`);
  }
  return value as Record<string, unknown>;
}

/** The model shape that a file's tensors imply; throws if they do not all agree on one. */
export function inferShape(named: Record<string, unknown>, fileName: string): ModelShape {
  const layers = Math.max(0, ...Object.keys(named).map((k) => Number(/^(?:conv|lin)(\d+)\./.exec(k)?.[1] ?? 0)));
  if (layers === 0) throw new InputError(`${fileName}: no parameter named conv1.* or lin1.*: not weights of this model`);
  const dimsOf = (name: string, rank: number): number[] => {
    if (!(name in named)) throw new InputError(`${fileName}: missing parameter "${name}"`);
    const dims = nestedShape(named[name]);
    if (dims.length !== rank || dims.includes(0)) {
      throw new InputError(`${fileName}: parameter "${name}" has shape [${dims.join(', ')}], expected ${rank} non-empty dimensions`);
    }
    return dims;
  };
  const [, heads, hidden] = dimsOf('conv1.user__rates__item.att_src', 3);
  const shape = {
    layers,
    hidden,
    heads,
    userDim: dimsOf('lin1.user.weight', 2)[1],
    itemDim: dimsOf('lin1.item.weight', 2)[1],
  };
  // The four tensors read above fix the shape; every other tensor has to agree with it.
  namedWeightsFromJson(named, shape, fileName);
  return shape;
}

/** Checks names, shapes and values against `shape`; the tensors come back flat, row-major, in float64. */
export function namedWeightsFromJson(
  named: Record<string, unknown>,
  shape: ModelShape,
  fileName: string,
): Record<string, Float64Array> {
  const table = paramTable(shape);
  const known = new Set(table.map((e) => e.name));
  const unknown = Object.keys(named).filter((k) => !known.has(k) && !NOT_PARAMETERS.has(k));
  if (unknown.length > 0) {
    throw new InputError(`${fileName}: unknown parameter ${list(unknown)} (not one of a model with ${describe(shape)})`);
  }
  const missing = table.filter((e) => !(e.name in named)).map((e) => e.name);
  if (missing.length > 0) {
    throw new InputError(`${fileName}: missing parameter ${list(missing)} (a model with ${describe(shape)} needs it)`);
  }
  const out: Record<string, Float64Array> = {};
  for (const e of table) out[e.name] = tensorFromNested(named[e.name], e.name, e.shape, fileName);
  return out;
}

/** The flat float32 parameters of a weights file for a model of the given shape. */
export function parseWeights(text: string, shape: ModelShape, fileName: string): Float32Array {
  const flat = flatFromNamed(shape, namedWeightsFromJson(readWeightsJson(text, fileName), shape, fileName));
  for (const e of paramTable(shape)) {
    for (let i = 0; i < e.size; i++) {
      if (!Number.isFinite(flat[e.offset + i])) {
        throw new InputError(`${fileName}: parameter "${e.name}" holds a number too large for float32 at [${unravel(i, e.shape).join('][')}]`);
      }
    }
  }
  return flat;
}

/**
 * A weights file for `flat`, keys in PyG's state_dict order, so PyG's `load_state_dict` takes it;
 * with `fingerprint`, the run it was trained on goes first, under FINGERPRINT_KEY, and with
 * `epoch`, which epoch's weights these are, under EPOCH_KEY.
 */
export function serializeWeights(shape: ModelShape, flat: Float32Array, fingerprint?: object, epoch?: WeightsEpoch): string {
  const lines = paramTable(shape).map((e) => {
    const text = (at: number, dims: number[]): string => {
      if (dims.length === 0) {
        if (!Number.isFinite(flat[at])) throw new Error(`serializeWeights: parameter ${e.name} is not finite (${flat[at]})`);
        return float32Text(flat[at]);
      }
      const [n, ...rest] = dims;
      const stride = rest.reduce((a, b) => a * b, 1);
      return `[${Array.from({ length: n }, (_, i) => text(at + i * stride, rest)).join(', ')}]`;
    };
    return `${JSON.stringify(e.name)}: ${text(e.offset, e.shape)}`;
  });
  if (epoch) lines.unshift(`${JSON.stringify(EPOCH_KEY)}: ${JSON.stringify(epoch)}`);
  if (fingerprint) lines.unshift(`${JSON.stringify(FINGERPRINT_KEY)}: ${JSON.stringify(fingerprint)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

/** The fewest digits that read back as the same float32: files stay small and lose nothing. */
export function float32Text(v: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(v.toPrecision(digits));
    if (Math.fround(shortest) === v) return String(shortest);
  }
  return String(v);
}

/** Dimensions read along the first elements; tensorFromNested checks that the rest agree. */
function nestedShape(value: unknown): number[] {
  const dims: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) dims.push(v.length);
  return dims;
}

function tensorFromNested(value: unknown, name: string, shape: number[], fileName: string): Float64Array {
  const got = nestedShape(value);
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new InputError(`${fileName}: parameter "${name}" has shape [${got.join(', ')}], expected [${shape.join(', ')}]`);
  }
  const out = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let k = 0;
  const index: number[] = [];
  const where = () => index.map((i) => `[${i}]`).join('');
  const walk = (v: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        throw new InputError(`${fileName}: parameter "${name}" holds ${v === null ? 'null' : `a ${typeof v}`} at ${where()}, expected a number`);
      }
      // JSON has no NaN or Infinity, but a literal like 1e999 reads as Infinity.
      if (!Number.isFinite(v)) throw new InputError(`${fileName}: parameter "${name}" holds a non-finite number at ${where()}`);
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      const got = Array.isArray(v) ? `a list of ${v.length}` : v === null ? 'null' : `a ${typeof v}`;
      throw new InputError(`${fileName}: parameter "${name}" is not a tensor of shape [${shape.join(', ')}]: ${where() || 'it'} is ${got}, expected a list of ${shape[depth]}`);
    }
    for (let i = 0; i < v.length; i++) {
      index.push(i);
      walk(v[i], depth + 1);
      index.pop();
    }
  };
  walk(value, 0);
  return out;
}

function unravel(flatIndex: number, shape: number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flatIndex % shape[d];
    flatIndex = Math.floor(flatIndex / shape[d]);
  }
  return index;
}

const list = (names: string[]) =>
  `"${names[0]}"` + (names.length > 1 ? ` and ${names.length - 1} more` : '');

const describe = (s: ModelShape) =>
  `${s.layers} layers, hidden ${s.hidden}, ${s.heads} heads, user features ${s.userDim}, item features ${s.itemDim}`;

// JSON.parse's messages differ between engines and often omit the position, so find it here.
function describeJsonError(text: string): string {
  const at = jsonErrorOffset(text);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const column = at - before.lastIndexOf('\n');
  const place = `line ${line}, column ${column} (character ${at})`;
  const nonFinite = /^-?(?:NaN|Infinity)/.exec(text.slice(at, at + 9));
  if (nonFinite) return `non-finite number ${nonFinite[0]} at ${place}: weights must be finite`;
  if (at >= text.length) return `invalid JSON: the text ends early, at ${place}`;
  return `invalid JSON at ${place}: unexpected ${JSON.stringify(text.slice(at, at + 12))}`;
}

/** The offset of the first character at which `text` stops being JSON (text.length: it ends early). */
function jsonErrorOffset(text: string): number {
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const token = (re: RegExp) => {
    re.lastIndex = i;
    if (!re.test(text)) return false;
    i = re.lastIndex;
    return true;
  };
  const word = (w: string) => {
    if (!text.startsWith(w, i)) return false;
    i += w.length;
    return true;
  };
  // Each parser stops with `i` on the offending character and returns false.
  const items = (close: string, item: () => boolean): boolean => {
    i++;
    space();
    if (word(close)) return true;
    for (;;) {
      if (!item()) return false;
      space();
      if (word(close)) return true;
      if (!word(',')) return false;
      space();
    }
  };
  const value = (): boolean => {
    space();
    switch (text[i]) {
      case '{':
        return items('}', () => {
          if (!token(STRING)) return false;
          space();
          return word(':') && value();
        });
      case '[':
        return items(']', value);
      case '"':
        return token(STRING);
      case 't':
        return word('true');
      case 'f':
        return word('false');
      case 'n':
        return word('null');
      default:
        return token(NUMBER);
    }
  };
  if (!value()) return i;
  space();
  return i;
}
