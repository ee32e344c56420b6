// The feature files that may come with the ratings: MovieLens 100K's u.user, MovieLens 1M's
// users.dat, and features CSVs
// for users or items, told apart by name (a features CSV has no content a ratings CSV could not
// have): `user-features.csv`, `item-features.csv` (or with "_", or .tsv/.txt), with any prefix.
import { firstLine } from './csvRecords';
import { parseFeatureCsv } from './featureCsv';
import { parseMl1mUsers } from './ml1mUsers';
import { parseU100kUsers } from './u100kUsers';
import type { FeatureFiles, FeatureTable } from './types';
import { InputError } from '../util/errors';

export type FeatureRole = keyof FeatureFiles;

/** A feature file as decoded text, with what it gives. */
export interface FeatureFileSource {
  role: FeatureRole;
  name: string;
  text: string;
}

const U_USER_NAME = /(^|[^a-z])u\.user$/i;
const USERS_DAT_NAME = /(^|[^a-z])users\.dat$/i;
const FEATURES_CSV_NAME = /(^|[^a-z])(user|item)[-_]features\.(csv|tsv|txt)$/i;

/** What a file gives by its name: u.user's or users.dat's demographics, user or item features; null for any other name. */
export function featureRoleByName(name: string): FeatureRole | null {
  if (U_USER_NAME.test(name) || USERS_DAT_NAME.test(name)) return 'demographics';
  const m = FEATURES_CSV_NAME.exec(name);
  return m ? (m[2].toLowerCase() as 'user' | 'item') : null;
}

/** Parses each file by its role; throws InputError (naming the file and line) on a malformed one, or when two give the same. */
export function parseFeatureFiles(files: readonly FeatureFileSource[]): FeatureFiles {
  const out: FeatureFiles = {};
  for (const f of files) {
    const before = out[f.role];
    if (before) throw new InputError(`${before.file}, ${f.name}: two ${ROLE_WORDS[f.role]} files; choose one`);
    out[f.role] = f.role === 'demographics' ? parseDemographics(f) : parseFeatureCsv(f.text, f.name);
  }
  return out;
}

/** users.dat (MovieLens 1M) by its name or its first line's `::`, else u.user (MovieLens 100K). */
function parseDemographics(f: FeatureFileSource): FeatureTable {
  const ml1m = USERS_DAT_NAME.test(f.name) || firstLine(f.text).includes('::');
  return ml1m ? parseMl1mUsers(f.text, f.name) : parseU100kUsers(f.text, f.name);
}

const ROLE_WORDS: Record<FeatureRole, string> = { demographics: 'u.user or users.dat', user: 'user-features', item: 'item-features' };
