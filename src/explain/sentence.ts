// The explanation in plain words, built only from the numbers it is given. The first sentence is
// the summary: the score, its rank and the rating whose removal moves it most (the largest
// counterfactual, a measured effect). The second retells the strongest attention path as the
// ratings along it. It says where attention flows and does not say "so": attention is not
// evidence of direction (the path may run through someone who disliked both movies).

export interface SentenceInput {
  user: string;
  item: string;
  score: number;
  /** 1-based among the user's candidates; null when the item is one of the user's training items. */
  rank: number | null;
  candidates: number;
  /** The user's own rating of the item where the data has one (a training or a held-out rating). */
  rating: number | null;
  /** The strongest connecting path: names from the user to the item; ratings[s] links names[s] and names[s+1]. */
  path: { names: string[]; ratings: number[] } | null;
  /** Layers of the model, for saying how far no path was found. */
  layers: number;
  /** Ratings taken out one at a time. */
  tried: number;
  /** The one that moved the score most. */
  change: { user: string; item: string; score: number; delta: number } | null;
}

export const formatScore = (x: number): string => x.toFixed(2);
const formatRating = (r: number): string => String(Math.round(r * 10) / 10);
const formatCount = (n: number): string => n.toLocaleString('en-US');

/** Moves smaller than this print as 0.00, so they are not worth a clause. */
const NEGLIGIBLE = 0.005;

export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${formatCount(n)}${suffix}`;
}

/** "A, B and C" */
function list(parts: string[]): string {
  return parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

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

function summary(s: SentenceInput): string {
  let out = `The model scores ${s.item} ${formatScore(s.score)} for ${s.user}`;
  if (s.rank === null) {
    const stars = s.rating === null ? '' : ` ${formatRating(s.rating)}`;
    out += `, who rated it${stars} in training, so it is not a candidate`;
  } else {
    out += `, ${ordinal(s.rank)} of ${formatCount(s.candidates)} candidates`;
    if (s.rating !== null) out += ` (the held-out rating is ${formatRating(s.rating)})`;
  }
  const c = s.change;
  if (c && Math.abs(c.delta) >= NEGLIGIBLE) {
    const move = `${c.delta < 0 ? 'down' : 'up'} by ${formatScore(Math.abs(c.delta))} to ${formatScore(c.score)}`;
    const among = s.tried === 1 ? 'the one nearby rating tried' : `the ${formatCount(s.tried)} nearby ratings tried`;
    out += `; of ${among}, taking out ${c.user}'s rating of ${c.item} moves it most: ${move}`;
  } else if (s.tried > 0) {
    out += `; taking out any one of ${s.tried === 1 ? 'the one nearby rating' : `the ${formatCount(s.tried)} nearby ratings`} moves it by less than 0.01`;
  }
  return `${out}.`;
}

function pathStory(s: SentenceInput): string {
  const p = s.path;
  if (!p) return `No attention path within ${s.layers} layers links ${s.user} to ${s.item}.`;
  const via = p.names.length === 2 ? `is ${s.user}'s own rating` : `runs through ${list(p.names.slice(1, -1))}`;
  return `The strongest attention path from ${s.user} to ${s.item} ${via}: ${retell(p.names, p.ratings)}.`;
}

export function sentence(s: SentenceInput): string {
  return `${summary(s)} ${pathStory(s)}`;
}
