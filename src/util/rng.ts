// The one random generator of a run. Every random choice (initial weights, item features,
// shuffles, neighbour sampling, negatives) draws from it, so a seed fixes the whole run.
// xoshiro128** (Blackman & Vigna), seeded through splitmix32: fast, 32-bit, the same in every JS engine.

/** A generator's whole state, plain data (JSON, structured clone): a checkpoint carries it. */
export interface RngState {
  /** xoshiro128**'s four 32-bit words. */
  s: number[];
  /** The second normal of the last Box–Muller pair, not yet drawn. */
  spareNormal: number | null;
}

export class Rng {
  private s = new Uint32Array(4);
  private spareNormal: number | null = null;

  constructor(seed: number) {
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
  }

  /** An independent copy in the same state: the same draws follow from both. */
  clone(): Rng {
    const copy = new Rng(0);
    copy.s.set(this.s);
    copy.spareNormal = this.spareNormal;
    return copy;
  }

  /** The state now: `Rng.fromState` of it draws what this generator draws next. */
  state(): RngState {
    return { s: Array.from(this.s), spareNormal: this.spareNormal };
  }

  /** A generator in a saved state. Throws on a state no generator can be in (it would draw garbage). */
  static fromState(state: RngState): Rng {
    const words = state?.s;
    if (!Array.isArray(words) || words.length !== 4 || !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)) {
      throw new Error(`Rng.fromState: the state must hold four 32-bit unsigned words, got ${JSON.stringify(words)}`);
    }
    if (words.every((w) => w === 0)) throw new Error('Rng.fromState: an all-zero state is not one xoshiro128** can be in');
    const spare = state.spareNormal;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
      throw new Error(`Rng.fromState: spareNormal must be a finite number or null, got ${JSON.stringify(spare)}`);
    }
    const rng = new Rng(0);
    rng.s.set(words);
    rng.spareNormal = spare;
    return rng;
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform double in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.float();
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!(n > 0) || n > 0x100000000) throw new RangeError(`Rng.int: n must be in (0, 2^32], got ${n}`);
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles in place (Fisher–Yates) and returns the array. */
  shuffle<T>(a: T[] | Uint32Array | Int32Array): typeof a {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
