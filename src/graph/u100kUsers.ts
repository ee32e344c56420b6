// MovieLens 100K's u.user: one user per line as `user id | age | gender | occupation | zip code`
// (latin-1, no header). Encoded exactly as PyG's MovieLens100K builds data['user'].x: the age
// divided by the oldest age in the file, then gender one-hot, then occupation one-hot, each
// one-hot's columns the file's values sorted (pandas' str.get_dummies), all taken over the whole
// file, whichever users the ratings keep.
import { csvError, forEachLine } from './csvRecords';
import { readNumber } from './ratingsBuilder';
import type { FeatureTable } from './types';
import { InputError } from '../util/errors';

const FIELDS = 5;
/** The genders both MovieLens user files may hold, in their one-hot columns' order. */
export const GENDERS = ['F', 'M'];

interface UserLine {
  id: string;
  age: number;
  gender: string;
  occupation: string;
}

/**
 * u.user as a feature table keyed by user id: `age`, `gender=F`, `gender=M`, `occupation=…`
 * (the occupations the file names, sorted). Throws InputError naming the file and line on a
 * wrong field count, an empty or repeated id, an age that is not a number ≥ 0, a gender other
 * than M or F, or an empty occupation; and naming the file when it is empty or every age is 0.
 */
export function parseU100kUsers(text: string, fileName: string): FeatureTable {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const users: UserLine[] = [];
  const seen = new Set<string>();
  forEachLine(text, (line, number) => {
    const fields = line.split('|').map((f) => f.trim());
    if (fields.length !== FIELDS) {
      throw csvError(fileName, number, `expected ${FIELDS} |-separated fields (user id, age, gender, occupation, zip code), found ${fields.length}`);
    }
    const [id, ageText, gender, occupation] = fields;
    claimUserId(seen, id, fileName, number);
    const age = readNumber(ageText, 'age', fileName, number);
    if (age < 0) throw csvError(fileName, number, `age ${ageText} is negative`);
    if (!GENDERS.includes(gender)) throw csvError(fileName, number, `gender is "${gender}", not M or F`);
    if (occupation === '') throw csvError(fileName, number, 'empty occupation');
    users.push({ id, age, gender, occupation });
  });
  let oldest = 0;
  for (const u of users) oldest = Math.max(oldest, u.age);
  if (oldest === 0) throw new InputError(`${fileName}: every age is 0, so ages cannot be divided by the oldest`);
  const genders = sortedValues(users.map((u) => u.gender));
  const occupations = sortedValues(users.map((u) => u.occupation));
  const width = 1 + genders.length + occupations.length;
  const rows = new Map<string, Float32Array>();
  for (const u of users) {
    const row = new Float32Array(width);
    // PyG divides in float64 and then casts to float32.
    row[0] = u.age / oldest;
    row[1 + genders.indexOf(u.gender)] = 1;
    row[1 + genders.length + occupations.indexOf(u.occupation)] = 1;
    rows.set(u.id, row);
  }
  const columns = ['age', ...genders.map((g) => `gender=${g}`), ...occupations.map((o) => `occupation=${o}`)];
  return { file: fileName, columns, rows };
}

/** The distinct values in code-unit order: Python's sorted() (pandas' get_dummies) for every character below U+10000. */
/** Adds a user file's id to `seen`, refusing an empty one or one already there with the file and line. */
export function claimUserId(seen: Set<string>, id: string, fileName: string, line: number): void {
  if (id === '') throw csvError(fileName, line, 'empty user id');
  if (seen.has(id)) throw csvError(fileName, line, `user id ${id} appears twice`);
  seen.add(id);
}

export function sortedValues(values: string[]): string[] {
  return [...new Set(values)].sort();
}

/** Whether a text reads as u.user: its first line is `number|number|M or F|word|zip`. */
export function looksLikeU100kUsers(firstLine: string): boolean {
  return /^\s*\d+\s*\|\s*\d+\s*\|\s*[MF]\s*\|[^|]+\|[^|]*$/.test(firstLine);
}
