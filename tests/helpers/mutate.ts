// Random small edits of a valid file, for the parsers' fuzz tests: inserts, deletions and
// replacements of characters drawn from `alphabet`.
import type { Rng } from '../../src/util/rng';

export function mutator(rng: Rng, alphabet: string[]): (text: string) => string {
  return (text) => {
    let t = text;
    const edits = 1 + rng.int(4);
    for (let k = 0; k < edits; k++) {
      const at = rng.int(t.length + 1);
      const piece = alphabet[rng.int(alphabet.length)];
      const what = rng.int(3);
      if (what === 0) t = t.slice(0, at) + piece + t.slice(at);
      else if (what === 1) t = t.slice(0, at) + t.slice(at + 1 + rng.int(3));
      else t = t.slice(0, at) + piece + t.slice(at + 1);
    }
    return t;
  };
}
