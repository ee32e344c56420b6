// A features file for users or items: one row per id, the id in the first column and a number in
// each of the others (a CSV, or separated by ";", tabs or "|", guessed from the first line). The
// header is optional: a first line with anything but numbers after the id names the columns;
// without one they are named by position (x1, x2, …). Values are trained as 32-bit floats.
import { guessSeparator } from './csv';
import { csvError, forEachRecord } from './csvRecords';
import { isDecimal, readNumber } from './ratingsBuilder';
import type { FeatureTable } from './types';
import { InputError } from '../util/errors';

/**
 * The rows of a features file keyed by id. Throws InputError naming the file and line on a row
 * whose field count differs from the first line's, an empty or repeated id, a value that is not a
 * number or too large for a 32-bit float, an empty column name; and naming the file when it has no
 * rows or no column after the id.
 */
export function parseFeatureCsv(text: string, fileName: string): FeatureTable {
  if (text.trim() === '') throw new InputError(`${fileName}: the file is empty`);
  const sep = guessSeparator(text);
  let columns: string[] | undefined;
  let width = 0;
  const rows = new Map<string, Float32Array>();
  forEachRecord(text, fileName, (fields, line) => {
    if (columns === undefined) {
      width = fields.length;
      if (width < 2) throw csvError(fileName, line, 'expected an id and at least one feature column, found 1 field');
      const rest = fields.slice(1).map((f) => f.trim());
      if (!rest.every(isDecimal)) {
        const empty = rest.indexOf('');
        if (empty >= 0) throw csvError(fileName, line, `column ${empty + 2} of the header has no name`);
        columns = rest;
        return;
      }
      columns = rest.map((_, k) => `x${k + 1}`);
    }
    if (fields.length !== width) throw csvError(fileName, line, `expected ${width} fields (an id and ${width - 1} features), found ${fields.length}`);
    const id = fields[0].trim();
    if (id === '') throw csvError(fileName, line, 'empty id');
    if (rows.has(id)) throw csvError(fileName, line, `id ${id} appears twice`);
    const row = new Float32Array(width - 1);
    for (let c = 1; c < width; c++) {
      const x = readNumber(fields[c], `column ${c + 1} (${columns[c - 1]})`, fileName, line);
      if (!Number.isFinite(Math.fround(x))) throw csvError(fileName, line, `column ${c + 1} (${columns[c - 1]}) "${fields[c].trim()}" is too large for a 32-bit float`);
      row[c - 1] = x;
    }
    rows.set(id, row);
  }, undefined, sep);
  if (rows.size === 0) throw new InputError(`${fileName}: a header and no rows; each row is an id and its features`);
  return { file: fileName, columns: columns!, rows };
}
