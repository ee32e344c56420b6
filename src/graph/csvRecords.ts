// The CSV tokenizer shared by every file format the app reads. It knows nothing about columns:
// the format parsers (csv.ts) check headers and values and report errors through csvError, so
// that every message names the file and the line the same way.
import { InputError } from '../util/errors';

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

/**
 * How far a parse has come: the fraction of the text read (0 to 1) and the rows taken so far.
 * Called every few thousand records and once at the end, so a progress bar can follow a large file.
 */
export type ParseProgress = (fraction: number, rows: number) => void;

/** Records between two progress reports: a smooth bar for a large file, no cost for a small one. */
export const PROGRESS_EVERY = 8192;

export function csvError(fileName: string, line: number, reason: string): InputError {
  return new InputError(`${fileName}, line ${line}: ${reason}`);
}

/**
 * Calls `visit` with the fields of each record and the (1-based) line the record starts on.
 * RFC 4180 quoting: a quoted field may hold commas, line breaks and doubled quotes. Accepts
 * \n, \r\n and \r line ends and a leading byte order mark. Empty lines are skipped, so a
 * trailing newline is harmless. A quote inside an unquoted field is taken literally, as
 * spreadsheet exports sometimes write them. `progress`, when given, hears the fraction of the
 * text read every PROGRESS_EVERY records and 1 at the end.
 */
export function forEachRecord(
  text: string,
  fileName: string,
  visit: (fields: string[], line: number) => void,
  progress?: (fraction: number) => void,
): void {
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
        if (i < n && after !== COMMA && after !== LF && after !== CR) {
          throw csvError(fileName, line, 'unexpected text after a closing quote');
        }
      } else {
        const from = i;
        while (i < n) {
          const ch = text.charCodeAt(i);
          if (ch === COMMA || ch === LF || ch === CR) break;
          i++;
        }
        fields.push(text.slice(from, i));
      }
      if (i < n && text.charCodeAt(i) === COMMA) {
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
