// From a file's bytes to its text, or a refusal that says what the file looks like instead. Users
// pick whatever is at hand: a PNG renamed to .csv, a ZIP they have not unpacked, a spreadsheet
// saved as UTF-16, an old export in Latin-1. Text is decoded without ever replacing a byte, so
// two ids that differ in the file ("José", "Josè") never become the same id.
import { InputError } from '../util/errors';

/** Signatures of the binary files users pick by mistake, and what to call each in a message. */
const SIGNATURES: readonly [prefix: readonly number[], what: string][] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [ascii('GIF8'), 'a GIF image'],
  [ascii('%PDF-'), 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x50, 0x4b, 0x05, 0x06], 'a ZIP archive'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], 'a 7-Zip archive'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'an xz archive'],
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an Office document (.xls, .doc)'],
  [[...ascii('SQLite format 3'), 0], 'an SQLite database'],
];

/**
 * How many bytes that are not text (control characters, bytes Windows-1252 leaves undefined) a
 * file may hold and still be read: a stray one in a hand-edited file, not the many of binary data.
 */
const FEW = 3;

/** What a file's first bytes say it is ('a PNG image', ...), or null for no known signature. */
export function binaryKind(bytes: Uint8Array): string | null {
  return SIGNATURES.find(([prefix]) => startsWith(bytes, prefix))?.[1] ?? null;
}

/** Whether the bytes are a ZIP archive (by signature). */
export function isZip(bytes: Uint8Array): boolean {
  return binaryKind(bytes) === 'a ZIP archive';
}

/**
 * The text of a file: UTF-8 (with or without a byte order mark), UTF-16 with a byte order mark,
 * or, when the bytes are not UTF-8, Latin-1 / Windows-1252 (one character per byte, so distinct
 * bytes stay distinct characters). Throws InputError naming the file and what it looks like when
 * it is not text: a known binary signature, NUL bytes, or more than a few bytes that are control
 * characters or not text in either encoding. The byte order mark is not part of the text.
 */
export function decodeText(bytes: Uint8Array, fileName: string): string {
  const notText = (looks: string) => new InputError(`${fileName}: looks like ${looks}, not ${expectedKind(fileName)}`);
  const kind = binaryKind(bytes);
  if (kind !== null) throw notText(kind);
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
    } catch {
      throw new InputError(`${fileName}: starts as UTF-16 text (by its byte order mark) but is not valid UTF-16`);
    }
    return checkControls(text, notText);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const utf16 = nul <= 1 && bytes.length > 3 && (bytes[nul + 2] === 0 || bytes[nul + 1] !== 0) ? ' or UTF-16 text without a byte order mark (save it as UTF-8)' : '';
    throw notText(`binary data (a NUL byte at byte ${nul + 1})${utf16}`);
  }
  let utf8: string | null = null;
  try {
    // The decoder drops a UTF-8 byte order mark itself.
    utf8 = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: see below.
  }
  if (utf8 !== null) return checkControls(utf8, notText);
  // Not UTF-8: Latin-1 as browsers read it (Windows-1252), where that makes plausible text.
  let strange = 0;
  let first = -1;
  for (let k = 0; k < bytes.length; k++) {
    if (isStrangeLatin1(bytes[k])) {
      if (first < 0) first = k;
      strange++;
    }
  }
  if (strange > FEW) {
    throw notText(`binary data (${strange} bytes that are neither UTF-8 nor Latin-1 text, the first at byte ${first + 1})`);
  }
  return decodeWindows1252(bytes);
}

/** Windows-1252's characters for the bytes 0x80–0x9F (Latin-1 has controls there); the undefined five stay as they are. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/**
 * Windows-1252 as the WHATWG Encoding standard (and so every browser) decodes it. Written out
 * because Node's TextDecoder, without full ICU, reads 'windows-1252' as plain Latin-1, and the
 * CLI must read a file as the page does.
 */
function decodeWindows1252(bytes: Uint8Array): string {
  const chunk = 8192;
  const codes = new Uint16Array(Math.min(chunk, bytes.length));
  let text = '';
  for (let start = 0; start < bytes.length; start += chunk) {
    const end = Math.min(start + chunk, bytes.length);
    for (let k = start; k < end; k++) {
      const b = bytes[k];
      codes[k - start] = b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80] : b;
    }
    text += String.fromCharCode(...codes.subarray(0, end - start));
  }
  return text;
}

/** The text, if it holds no more than a few control characters (binary data that happens to be valid UTF-8 holds many). */
function checkControls(text: string, notText: (looks: string) => InputError): string {
  let count = 0;
  let first = -1;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0) throw notText(`binary data (a NUL character at character ${k + 1})`);
    if (isControl(c)) {
      if (first < 0) first = k;
      count++;
    }
  }
  if (count > FEW) throw notText(`binary data (${count} control characters, the first at character ${first + 1})`);
  return text;
}

/** C0 controls other than tab and line ends, DEL, and C1 controls. */
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f);
}

/** A byte that Latin-1 text does not hold: a control (not tab or a line end), or one Windows-1252 leaves undefined. */
function isStrangeLatin1(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f || b === 0x81 || b === 0x8d || b === 0x8f || b === 0x90 || b === 0x9d;
}

/** What the user meant to give, for "looks like a PNG image, not a CSV". */
function expectedKind(fileName: string): string {
  return /\.[ct]sv$/i.test(fileName) ? 'a CSV' : 'a text file of ratings or movies';
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, k) => bytes[k] === b);
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}
