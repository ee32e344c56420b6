// Header handling shared by the CSV formats: which field holds which column, case and
// surrounding spaces ignored, several accepted names per column.
import { csvError } from './csvRecords';

/**
 * Maps each column to its field index. `names` lists the accepted header spellings (matched
 * without regard to case) and the column each one means. `required` columns must be present.
 * A header name not in `names` is an error, unless `ignoreUnknown` (then its field goes unread).
 */
export function readHeader<C extends string>(
  header: string[],
  fileName: string,
  line: number,
  names: Readonly<Record<string, C>>,
  required: readonly C[],
  ignoreUnknown: boolean,
): Map<C, number> {
  const byLowerName = new Map(Object.entries(names).map(([name, c]) => [name.toLowerCase(), c]));
  const index = new Map<C, number>();
  const spelled = new Map<C, string>();
  header.forEach((raw, k) => {
    const name = raw.trim();
    if (name === '') throw csvError(fileName, line, `header field ${k + 1} is empty`);
    const column = byLowerName.get(name.toLowerCase());
    if (column === undefined) {
      if (ignoreUnknown) return;
      throw csvError(fileName, line, `unknown column "${name}" (expected ${spellings(names)})`);
    }
    const earlier = spelled.get(column);
    if (earlier !== undefined) {
      throw csvError(fileName, line, `duplicate column "${name}" (the ${column} column is already "${earlier}")`);
    }
    index.set(column, k);
    spelled.set(column, name);
  });
  for (const column of required) {
    if (!index.has(column)) {
      const accepted = Object.keys(names).filter((k) => names[k] === column);
      throw csvError(fileName, line, `missing column ${accepted.map((a) => `"${a}"`).join(' or ')}`);
    }
  }
  return index;
}

function spellings(names: Readonly<Record<string, string>>): string {
  return Object.keys(names)
    .map((k) => `"${k}"`)
    .join(', ');
}
