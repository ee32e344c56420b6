// Features read from files (u.user, a user- or item-features CSV): the table's row of each user or
// item of the ratings, found by its id, in node order.
import type { FeatureTable } from './types';
import { InputError } from '../util/errors';

/**
 * The rows of `table` for `ids` (node order), as one numIds × columns matrix. Throws InputError
 * naming the file and the first ids it has no row for: every node needs its features.
 */
export function tableMatrix(table: FeatureTable, ids: readonly string[], what: 'user' | 'item'): Float32Array {
  const dim = table.columns.length;
  const out = new Float32Array(ids.length * dim);
  const missing: string[] = [];
  ids.forEach((id, n) => {
    const row = table.rows.get(id);
    if (row) out.set(row, n * dim);
    else missing.push(id);
  });
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).map((id) => JSON.stringify(id)).join(', ');
    const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
    throw new InputError(`${table.file}: no row for ${what}${missing.length === 1 ? '' : 's'} ${shown}${more} of the ratings; every ${what} needs its features`);
  }
  return out;
}
