// Errors in what a user handed us (a file, a setting), as opposed to bugs. The UI and the CLI show
// the message as is, so it names the file or setting and says in words what is wrong with it.

export class InputError extends Error {
  constructor(message: string) {
    super(printable(message));
    this.name = 'InputError';
  }
}

// C0 controls but the line feed, DEL, C1 controls, and the marks that reorder text on screen.
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * The text with control characters written as escapes (`\x00`, `\x1b`, `\u202e`): messages quote
 * what a file holds, and a NUL or an escape sequence must not reach the terminal or the page raw.
 * Line feeds stay, for messages of several lines.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
