// The tokenizers shared by every file format the app reads: delimited records (CSV, and its
// semicolon- and tab-separated cousins) and plain lines (MovieLens's u.data and .dat files). They
// know nothing about columns: the format parsers check headers and values and report errors
// through csvError, so that every message names the file and the line the same way.
import { InputError } from '../util/errors';

const QUOTE = 0x22;
const LF = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const BOM = 0xfeff;

/**
 * How far a parse has come: the fraction of the text read (0 to 1) and the rows taken so far.
 * Called every few thousand records and once at the end, so a progress bar can follow a large file.
 */
export type ParseProgress = (fraction: number, rows: number) => void;

/** Records between two progress reports: a smooth bar for a large file, no cost for a small one. */
export const PROGRESS_EVERY = 8192;

/** The field separators a delimited file may use, in the order they are tried when guessing. */
export const SEPARATORS = [',', ';', '\t', '|'] as const;
export type Separator = (typeof SEPARATORS)[number];

/** A separator as a message shows it. */
export function separatorName(sep: Separator): string {
  return sep === '\t' ? 'tabs' : `"${sep}"`;
}

/** Fields as a message shows them: joined by their separator, tabs as spaces (a message escapes a raw tab). */
export function joinFields(fields: readonly string[], sep: Separator): string {
  return fields.join(sep === '\t' ? ' ' : sep);
}

/** An error on a line of a file. The reason may quote the file: its line breaks and controls are escaped. */
export function csvError(fileName: string, line: number, reason: string): InputError {
  return new InputError(`${fileName}, line ${line}: ${reason.replace(/\n/g, '\\n')}`);
}

/**
 * Calls `visit` with the fields of each record and the (1-based) line the record starts on.
 * RFC 4180 quoting: a quoted field may hold separators, line breaks and doubled quotes. Accepts
 * \n, \r\n and \r line ends and a leading byte order mark. Empty and blank (spaces only) lines
 * are skipped, so a trailing newline is harmless. A quote inside an unquoted field is taken
 * literally, as spreadsheet exports sometimes write them. `sep` separates fields (a comma unless
 * given). `progress`, when given, hears the fraction of the text read every PROGRESS_EVERY
 * records and 1 at the end.
 */
export function forEachRecord(
  text: string,
  fileName: string,
  visit: (fields: string[], line: number) => void,
  progress?: (fraction: number) => void,
  sep: Separator = ',',
): void {
  const SEP = sep.charCodeAt(0);
  const n = text.length;
  let i = text.charCodeAt(0) === BOM ? 1 : 0;
  let line = 1;
  let records = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === LF) {
      line++;
      i++;
      continue;
    }
    if (c === CR) {
      line++;
      i += text.charCodeAt(i + 1) === LF ? 2 : 1;
      continue;
    }
    // A line of spaces and tabs is a blank line, as in u.data.
    let j = i;
    while (j < n && (text.charCodeAt(j) === SPACE || text.charCodeAt(j) === TAB)) j++;
    if (j === n || text.charCodeAt(j) === LF || text.charCodeAt(j) === CR) {
      i = j;
      continue;
    }
    const startLine = line;
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        i++;
        let value = '';
        let from = i;
        for (;;) {
          if (i >= n) throw csvError(fileName, startLine, 'a quoted field is never closed');
          const ch = text.charCodeAt(i);
          if (ch === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(from, i + 1);
              i += 2;
              from = i;
              continue;
            }
            value += text.slice(from, i);
            i++;
            break;
          }
          if (ch === LF || (ch === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        fields.push(value);
        const after = text.charCodeAt(i);
        if (i < n && after !== SEP && after !== LF && after !== CR) {
          throw csvError(fileName, line, `unexpected text after a closing quote${separatorHint(text[i], sep)}`);
        }
      } else {
        const from = i;
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (ch === SEP || ch === LF || ch === CR) break;
          i++;
        }
        fields.push(text.slice(from, i));
      }
      if (i < n && text.charCodeAt(i) === SEP) {
        i++;
        continue;
      }
      break;
    }
    visit(fields, startLine);
    if (progress && ++records % PROGRESS_EVERY === 0) progress(i / n);
  }
  progress?.(1);
}

/** When a quoted field is followed by another separator: which one the file seems to use. */
function separatorHint(next: string, sep: Separator): string {
  const other = SEPARATORS.find((s) => s === next);
  if (other === undefined) return '';
  return ` (the file seems to be separated by ${separatorName(other)}, not ${separatorName(sep)}: on the command line give --sep ${other === '\t' ? 'tab' : `'${other}'`})`;
}

/** The first non-blank line of a text (without a byte order mark), for telling formats apart. */
export function firstLine(text: string): string {
  return /^\uFEFF?\s*([^\r\n]*)/.exec(text)?.[1] ?? '';
}

/**
 * Calls `visit` with each non-blank line (BOM and line end removed) and its 1-based number;
 * `progress` hears the fraction of the text read every PROGRESS_EVERY lines and 1 at the end.
 * Reads line by line rather than splitting the whole text, so a large file is never held twice.
 */
export function forEachLine(text: string, visit: (line: string, number: number) => void, progress?: (fraction: number) => void): void {
  const n = text.length;
  let i = text.charCodeAt(0) === BOM ? 1 : 0;
  let number = 0;
  while (i < n) {
    let end = i;
    for (let c = text.charCodeAt(end); end < n && c !== LF && c !== CR; c = text.charCodeAt(++end));
    number++;
    const line = text.slice(i, end);
    if (line.trim() !== '') visit(line, number);
    i = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
    if (progress && number % PROGRESS_EVERY === 0) progress(i / n);
  }
  progress?.(1);
}
