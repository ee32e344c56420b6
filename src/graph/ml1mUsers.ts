// MovieLens 1M's users.dat: one user per line as `UserID::Gender::Age::Occupation::Zip-code`
// (Latin-1, no header). Age and occupation are codes, not quantities (the ML-1M README: age 1 is
// "Under 18", 18 is "18-24", …, 56 is "56+"; occupations 0 to 20). Encoded exactly as PyG's
// MovieLens1M builds data['user'].x: age one-hot, then gender one-hot, then occupation one-hot,
// each one-hot's columns the file's values read as text and sorted (pandas' str.get_dummies on
// dtype str: "10" before "2"), taken over the whole file, whichever users the ratings keep.
import { csvError, firstLine, forEachLine } from './csvRecords';
import type { FeatureTable } from './types';
import { claimUserId, GENDERS, sortedValues } from './u100kUsers';
import { InputError } from '../util/errors';

const SEP = '::';
const FIELDS = 5;
const AGES = ['1', '18', '25', '35', '45', '50', '56'];
const OCCUPATIONS = 21;

interface UserLine {
  id: string;
  gender: string;
  age: string;
  occupation: string;
}

/**
 * users.dat as a feature table keyed by user id: `age=…`, `gender=F`, `gender=M`, `occupation=…`
 * (the values the file holds, sorted as text). Throws InputError naming the file and line on a
 * wrong field count, an empty or repeated id, a gender other than M or F, an age that is not one
 * of the README's codes, or an occupation that is not a whole number from 0 to 20; and naming the
 * file when it is empty.
 */
export function parseMl1mUsers(text: string, fileName: string): FeatureTable {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const users: UserLine[] = [];
  const seen = new Set<string>();
  forEachLine(text, (line, number) => {
    const fields = line.split(SEP).map((f) => f.trim());
    if (fields.length !== FIELDS) {
      throw csvError(fileName, number, `expected ${FIELDS} ::-separated fields (UserID::Gender::Age::Occupation::Zip-code), found ${fields.length}`);
    }
    const [id, gender, age, occupation] = fields;
    claimUserId(seen, id, fileName, number);
    if (!GENDERS.includes(gender)) throw csvError(fileName, number, `gender is "${gender}", not M or F`);
    if (!AGES.includes(age)) throw csvError(fileName, number, `age is "${age}", not one of the age codes ${AGES.join(', ')}`);
    if (!/^\d+$/.test(occupation) || Number(occupation) >= OCCUPATIONS) {
      throw csvError(fileName, number, `occupation is "${occupation}", not a code from 0 to ${OCCUPATIONS - 1}`);
    }
    users.push({ id, gender, age, occupation });
  });
  const ages = sortedValues(users.map((u) => u.age));
  const genders = sortedValues(users.map((u) => u.gender));
  const occupations = sortedValues(users.map((u) => u.occupation));
  const width = ages.length + genders.length + occupations.length;
  const rows = new Map<string, Float32Array>();
  for (const u of users) {
    const row = new Float32Array(width);
    row[ages.indexOf(u.age)] = 1;
    row[ages.length + genders.indexOf(u.gender)] = 1;
    row[ages.length + genders.length + occupations.indexOf(u.occupation)] = 1;
    rows.set(u.id, row);
  }
  const columns = [...ages.map((a) => `age=${a}`), ...genders.map((g) => `gender=${g}`), ...occupations.map((o) => `occupation=${o}`)];
  return { file: fileName, columns, rows };
}

/** Whether a text reads as users.dat: its first non-blank line is `number::M or F::number::number::zip`. */
export function looksLikeMl1mUsers(text: string): boolean {
  return /^\d+\s*::\s*[MF]\s*::\s*\d+\s*::\s*\d+\s*::[^:]*$/.test(firstLine(text).trim());
}
