// What a run's weights were trained on, small enough to keep in the weights file: the data (its
// ids, the rating filter, the features, the split) as counts and hashes, and the settings. Weights
// mean something only for the users, items and features they were trained with: `recommend` and
// `train --init` compare the file's fingerprint with the run they are about to make and refuse a
// mismatch, saying what differs.
import type { Prepared } from './prepare';
import type { RunSettings } from './settings';
import { InputError } from '../util/errors';

export interface RunFingerprint {
  users: number;
  items: number;
  ratings: number;
  /** Hash of the user and item names, in node order, and of the rated pairs and their ratings. */
  ids: string;
  /** settings.minRating as text ('none' keeps all). */
  filter: string;
  /** settings.features (with settings.userFeatures unless one-hot) and a hash of the feature matrices. */
  features: string;
  /** Split mode and fraction, and a hash of which ratings train. */
  split: string;
  /** The settings the weights were trained with (for the message; the checks above decide). */
  settings: RunSettings;
}

/** The fingerprint of a prepared run. */
export function runFingerprint(data: Prepared, settings: RunSettings): RunFingerprint {
  const { ratings, features, split } = data;
  const ids = new Hash();
  for (const name of ratings.userNames) ids.text(name);
  ids.text('\u0000items');
  for (const name of ratings.itemNames) ids.text(name);
  ids.bytes(ratings.user).bytes(ratings.item).bytes(ratings.rating);
  return {
    users: data.numUsers,
    items: data.numItems,
    ratings: ratings.user.length,
    ids: ids.hex(),
    filter: settings.minRating === null ? 'none' : String(settings.minRating),
    features: `${featureKinds(settings)} ${hashItems(hashUsers(new Hash(), features), features).hex()}`,
    split: `${settings.splitMode} ${settings.split} ${new Hash().bytes(split.train).hex()}`,
    settings,
  };
}

/** The item features, and the user features when not the seed's one-hot (so that older fingerprints still read the same). */
function featureKinds(s: RunSettings): string {
  return s.userFeatures === 'onehot' ? s.features : `${s.features},users=${s.userFeatures}`;
}

/**
 * Throws InputError naming the file and each way the run differs from the one the weights were
 * trained for. A file without a fingerprint (written by PyG, or before fingerprints) is taken on
 * trust: only its shape is checked.
 */
export function checkFingerprint(saved: unknown, now: RunFingerprint, fileName: string, flags: string): void {
  if (saved === undefined) return;
  const was = saved as Partial<RunFingerprint>;
  const then = (was.settings ?? {}) as Partial<RunSettings>;
  const differs: string[] = [];
  if (was.users !== now.users || was.items !== now.items || was.ratings !== now.ratings) {
    differs.push(`the data: ${was.users} users, ${was.items} items, ${was.ratings} ratings then; ${now.users}, ${now.items}, ${now.ratings} now`);
  } else if (was.ids !== now.ids) {
    differs.push('the data: as many users, items and ratings, but other ids or ratings');
  }
  // Other data splits and features differently whatever the settings: with the data named, only settings that differ are.
  const sameData = differs.length === 0;
  if (was.filter !== now.filter) differs.push(`the minimum rating: ${was.filter} then, ${now.filter} now`);
  if (was.split !== now.split) {
    const how = (s: Partial<RunSettings>) => `${s.splitMode} ${s.split}`;
    if (how(then) !== how(now.settings)) differs.push(`the split: ${how(then)} then, ${how(now.settings)} now`);
    else if (sameData) differs.push('the split: the same settings, other training ratings');
  }
  if (was.features !== now.features) {
    const kind = (f: string | undefined) => f?.split(' ')[0];
    if (kind(was.features) !== kind(now.features)) differs.push(`the features: ${kind(was.features)} then, ${kind(now.features)} now`);
    else if (then.seed !== now.settings.seed) differs.push(`the features: drawn from seed ${then.seed} then, ${now.settings.seed} now`);
    else if (sameData) differs.push('the features: the same kind, other values');
  }
  if (then.messagePassing !== undefined && then.messagePassing !== now.settings.messagePassing) {
    differs.push(`message passing: ${then.messagePassing} then, ${now.settings.messagePassing} now`);
  }
  if (differs.length > 0) {
    throw new InputError(`${fileName}: these weights were trained on another run; it differs in ${differs.join('; ')} (set ${flags} as in training)`);
  }
}

// Earlier versions kept one-hot users as an identity matrix in one GPU buffer, which no GPU could
// bind past 4 GiB (32,768 users): up to there one-hot users are hashed as that matrix's bytes, so
// that those versions' weights files still match (without the matrix, but still users² steps);
// past it, where no such file can exist, by their count.
const LEGACY_ONE_HOT_USERS = 32_768;

function hashUsers(h: Hash, f: Prepared['features']): Hash {
  if (f.userKind === 'dense') return h.bytes(f.user);
  if (f.userDim > LEGACY_ONE_HOT_USERS) return h.text(`one-hot users ${f.userDim}`);
  const one = new Uint8Array(new Float32Array([1]).buffer);
  const rowBytes = 4 * f.userDim;
  for (let u = 0; u < f.userDim; u++) h.zeros(4 * u).bytes(one).zeros(rowBytes - 4 * u - 4);
  return h;
}

// No version before one-hot items kept them as a matrix: their count says all.
function hashItems(h: Hash, f: Prepared['features']): Hash {
  return f.itemKind === 'dense' ? h.bytes(f.item) : h.text(`one-hot items ${f.itemDim}`);
}

/** FNV-1a, twice over with different starts: 64 bits, enough to tell runs apart (not a secure hash). */
class Hash {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  text(s: string): this {
    for (let k = 0; k < s.length; k++) this.word(s.charCodeAt(k));
    this.word(0xffff);
    return this;
  }

  bytes(view: ArrayBufferView): this {
    const u8 = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let k = 0; k < u8.length; k++) this.word(u8[k]);
    return this;
  }

  /** As many zero bytes as `count`, without an array of them. */
  zeros(count: number): this {
    let { a, b } = this;
    for (let k = 0; k < count; k++) {
      a = Math.imul(a, 0x01000193);
      b = Math.imul(b, 0x01000193) ^ (b >>> 15);
    }
    this.a = a;
    this.b = b;
    return this;
  }

  hex(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }

  private word(x: number): void {
    this.a = Math.imul(this.a ^ x, 0x01000193);
    this.b = Math.imul(this.b ^ x, 0x01000193) ^ (this.b >>> 15);
  }
}
