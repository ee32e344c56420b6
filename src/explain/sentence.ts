// The explanation in plain words, built only from the numbers it is given. It first gives the
// score and its rank, then the reasons, each one a measured effect: the nearby rating whose
// removal lowers the score most (the strongest reason for it) and the one whose removal raises it
// most (the strongest against), then the strongest attention path of each kind, a path being for
// the score when taking all its ratings out lowers it. Attention alone says where information
// flows, not which way it pushes (a path may run through someone who disliked both movies), so
// no path is called a reason by its stars or its α.

/** One reason measured by a forward pass without it: `score` without it, `delta` = score − the pair's score. */
export interface Effect {
  score: number;
  delta: number;
}

/** A nearby rating taken out. */
export interface RatingEffect extends Effect {
  user: string;
  item: string;
}

/** A connecting path: names from the user to the item; ratings[s] links names[s] and names[s+1]. */
export interface PathEffect extends Effect {
  names: string[];
  ratings: number[];
  /** Its share of the listed paths' total attention weight, in [0, 1]. */
  share: number;
}

export interface SentenceInput {
  user: string;
  item: string;
  score: number;
  /** 1-based among the user's candidates; null when the item is one of the user's seen items. */
  rank: number | null;
  /** Where a seen item's rating is (null for a candidate): trained on, or held out to choose the epoch. */
  seenIn: 'training' | 'validation' | null;
  candidates: number;
  /** The user's own rating of the item where the data has one (a training or a held-out rating). */
  rating: number | null;
  /** The connecting paths, strongest attention first. */
  paths: PathEffect[];
  /** Layers of the model, for saying how far no path was found. */
  layers: number;
  /** The nearby ratings taken out one at a time. */
  changes: RatingEffect[];
}

export const formatScore = (x: number): string => x.toFixed(2);
const formatRating = (r: number): string => String(Math.round(r * 10) / 10);
const formatCount = (n: number): string => n.toLocaleString('en-US');
/** A share in [0, 1] as a whole percentage; "<1%" rather than a misleading 0%. */
export const formatShare = (x: number): string => (x > 0 && x < 0.005 ? '<1%' : `${Math.round(x * 100)}%`);

/** Moves smaller than this print as 0.00, so they are not worth a clause. */
export const NEGLIGIBLE = 0.005;

/** What a reason does to the score: taking it out lowers the score, so it raises it ('for'), or the reverse. */
export type Side = 'for' | 'against' | 'neither';

export function side(e: Effect): Side {
  return Math.abs(e.delta) < NEGLIGIBLE ? 'neither' : e.delta < 0 ? 'for' : 'against';
}

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${formatCount(n)}${suffix}`;
}

/** "A, B and C" */
function list(parts: string[]): string {
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

const plural = (n: number, one: string, many: string): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** What a rating says, in words where the star scale allows (0.5 to 5 in MovieLens and the toy). */
function rated(r: number, what: string): string {
  if (r >= 4.5) return `loved ${what}`;
  if (r >= 3.5) return `liked ${what}`;
  if (r <= 1.5) return `disliked ${what}`;
  return `gave ${what} a ${formatRating(r)}`;
}

/** u0 –x1– u1 –x2– … –item as "u0 and u1 both loved x1, …, and u_last liked item". */
function retell(names: string[], ratings: number[]): string {
  const clauses: string[] = [];
  for (let s = 1; s + 1 < names.length; s += 2) {
    const [a, x, b] = [names[s - 1], names[s], names[s + 1]];
    const [ra, rb] = [ratings[s - 1], ratings[s]];
    if (rated(ra, x) === rated(rb, x)) clauses.push(`${a} and ${b} both ${rated(ra, x)}`);
    else clauses.push(`${a} ${rated(ra, x)}`, `${b} ${rated(rb, 'it')}`);
  }
  const n = names.length;
  clauses.push(`${names[n - 2]} ${rated(ratings[n - 2], names[n - 1])}`);
  return list(clauses);
}

/** "falls by 0.42 to 4.75" */
const without = (e: Effect): string => `${e.delta < 0 ? 'falls' : 'rises'} by ${formatScore(Math.abs(e.delta))} to ${formatScore(e.score)}`;

function summary(s: SentenceInput): string {
  let out = `The model scores ${s.item} ${formatScore(s.score)} for ${s.user}`;
  if (s.rank === null) {
    const stars = s.rating === null ? '' : ` ${formatRating(s.rating)}`;
    const where = s.seenIn === 'validation' ? 'for validation (held out to choose the epoch)' : 'in training';
    out += `, who rated it${stars} ${where}, so it is not a candidate`;
  } else {
    out += `, ${ordinal(s.rank)} of ${formatCount(s.candidates)} candidates`;
    if (s.rating !== null) out += ` (the held-out rating is ${formatRating(s.rating)})`;
  }
  return `${out}.`;
}

/** The largest effect on one side, or undefined. */
function largest<T extends Effect>(effects: T[], which: Side): T | undefined {
  return effects.filter((e) => side(e) === which).sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta))[0];
}

function ratingReasons(s: SentenceInput): string {
  const n = s.changes.length;
  if (n === 0) return '';
  const forIt = s.changes.filter((c) => side(c) === 'for').length;
  const against = s.changes.filter((c) => side(c) === 'against').length;
  const tried = n === 1 ? 'the one nearby rating tried' : `the ${formatCount(n)} nearby ratings tried`;
  if (forIt + against === 0) return ` Taking out any one of ${tried} moves it by less than 0.01.`;
  let out = ` Of ${tried}, ${formatCount(forIt)} raise${forIt === 1 ? 's' : ''} it and ${formatCount(against)} lower${against === 1 ? 's' : ''} it.`;
  const up = largest(s.changes, 'for');
  const down = largest(s.changes, 'against');
  if (up) out += ` What raises it most is ${up.user}'s rating of ${up.item}: without it the score ${without(up)}.`;
  if (down) out += ` What lowers it most is ${down.user}'s rating of ${down.item}: without it the score ${without(down)}.`;
  return out;
}

function pathStory(s: SentenceInput, p: PathEffect, which: 'raises' | 'lowers'): string {
  const via = p.names.length === 2 ? `is ${s.user}'s own rating` : `runs through ${list(p.names.slice(1, -1))}`;
  return ` The strongest attention path that ${which} it (${formatShare(p.share)} of the listed paths' attention) ${via}: ${retell(p.names, p.ratings)}; without its ratings the score ${without(p)}.`;
}

function pathReasons(s: SentenceInput): string {
  if (s.paths.length === 0) return ` No attention path within ${s.layers} layers links ${s.user} to ${s.item}.`;
  // Paths come strongest first, so the first of a side is its strongest.
  const up = s.paths.find((p) => side(p) === 'for');
  const down = s.paths.find((p) => side(p) === 'against');
  if (!up && !down) return ` Taking out the ratings of any one of the ${plural(s.paths.length, 'attention path', 'attention paths')} listed moves it by less than 0.01.`;
  return (up ? pathStory(s, up, 'raises') : '') + (down ? pathStory(s, down, 'lowers') : '');
}

export function sentence(s: SentenceInput): string {
  return `${summary(s)}${ratingReasons(s)}${pathReasons(s)}`;
}
