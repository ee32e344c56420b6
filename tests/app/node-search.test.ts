// Searching users and movies by what one types: the ranking (exact id, title prefix, word prefix,
// substring; the most-rated first within each), case, accents and punctuation, the limit, the
// type filter, and the same on MovieLens's real titles.
import { describe, expect, it } from 'vitest';
import { loadRatings } from '../../src/cli/data';
import { buildSearchIndex, normalizeName, searchNodes, SUGGESTIONS, type SearchIndex } from '../../src/ui/searchIndex';
import { ML_SMALL_DIR } from '../helpers/paths';

/** An index over the names, each node with the rating count given (users first, then items). */
function indexOf(users: [string, number][], items: [string, number][]): SearchIndex {
  const counts = [...users, ...items].map(([, n]) => n);
  return buildSearchIndex({ userNames: users.map(([name]) => name), itemNames: items.map(([name]) => name) }, (node) => counts[node]);
}

const labels = (index: SearchIndex, query: string, options?: Parameters<typeof searchNodes>[2]) => searchNodes(index, query, options).map((e) => e.label);

describe('normalised names', () => {
  it('drop case, accents and apostrophes, and turn other punctuation into single spaces', () => {
    expect(normalizeName('Amélie (Fabuleux destin d’Amélie Poulain, Le) (2001)')).toBe('amelie fabuleux destin damelie poulain le 2001');
    expect(normalizeName("  Schindler's List (1993) ")).toBe('schindlers list 1993');
    expect(normalizeName('ÇA VA: Ünïcödé—Test')).toBe('ca va unicode test');
    expect(normalizeName('?!')).toBe('');
  });
});

describe('the ranking', () => {
  const index = indexOf(
    [['41', 3], ['414', 200], ['1414', 900], ['7', 50], ['Bob', 5]],
    [
      ['Superstar (1999)', 800],
      ['Lone Star (1996)', 300],
      ['Stargate (1994)', 100],
      ['Star Trek (2009)', 400],
      ['Star', 1],
      ['Moon (2009)', 1000],
      ['Matrix, The (1999)', 280],
      ['Amélie (2001)', 120],
      ["Schindler's List (1993)", 220],
    ],
  );

  it('puts the whole name first, then its beginning, then a word’s beginning, then anywhere, whatever the counts', () => {
    expect(labels(index, 'star')).toEqual(['Star', 'Star Trek (2009)', 'Stargate (1994)', 'Lone Star (1996)', 'Superstar (1999)']);
  });

  it('ranks an exact user id above the ids that start with it or contain it', () => {
    expect(labels(index, '41')).toEqual(['user 41', 'user 414', 'user 1414']);
    expect(labels(index, '414')).toEqual(['user 414', 'user 1414']);
    // Typed as the page names them.
    expect(labels(index, 'user 414')).toEqual(['user 414']);
    expect(labels(index, 'User 7')).toEqual(['user 7']);
  });

  it('ignores case, accents and punctuation, and finds titles filed under their noun by the article too', () => {
    for (const q of ['amelie', 'AMÉLIE', 'Améli', '  amelie  ']) expect(labels(index, q)[0]).toBe('Amélie (2001)');
    for (const q of ['the matrix', 'Matrix, the', 'matrix the 1999', 'The Matrix (1999)']) expect(labels(index, q)).toEqual(['Matrix, The (1999)']);
    expect(labels(index, 'schindlers')).toEqual(["Schindler's List (1993)"]);
    expect(labels(index, "schindler's list")).toEqual(["Schindler's List (1993)"]);
  });

  it('limits the suggestions and keeps to one type when asked', () => {
    const many = indexOf(
      Array.from({ length: 30 }, (_, k) => [String(100 + k), k]),
      Array.from({ length: 30 }, (_, k) => [`Part ${k + 1} (2000)`, 100 - k]),
    );
    const found = searchNodes(many, '1');
    expect(found).toHaveLength(SUGGESTIONS);
    expect(searchNodes(many, 'part', { limit: 3 }).map((e) => e.label)).toEqual(['Part 1 (2000)', 'Part 2 (2000)', 'Part 3 (2000)']);
    expect(searchNodes(many, '1', { type: 'user' }).every((e) => e.type === 'user')).toBe(true);
    expect(searchNodes(many, '1', { type: 'item' }).every((e) => e.type === 'item')).toBe(true);
    // Within a tier, the most-rated first: users 101..129 have 1..29 ratings.
    expect(searchNodes(many, '1', { type: 'user' }).map((e) => e.label).slice(0, 3)).toEqual(['user 129', 'user 128', 'user 127']);
  });

  it('finds nothing for an empty query, punctuation alone, or a name that is not there', () => {
    expect(searchNodes(index, '')).toEqual([]);
    expect(searchNodes(index, '  ()! ')).toEqual([]);
    expect(searchNodes(index, 'zebra')).toEqual([]);
  });

  it('says which node each suggestion is', () => {
    const [bob] = searchNodes(index, 'bob');
    expect(bob).toMatchObject({ type: 'user', index: 4, node: 4, label: 'Bob', ratings: 5 });
    const [moon] = searchNodes(index, 'moon');
    expect(moon).toMatchObject({ type: 'item', index: 5, node: 5 + 5, label: 'Moon (2009)', ratings: 1000 });
  });
});

describe('MovieLens titles (ml-latest-small)', () => {
  const ratings = loadRatings(`${ML_SMALL_DIR}ratings.csv`);
  const numUsers = ratings.userNames.length;
  const counts = new Uint32Array(numUsers + ratings.itemNames.length);
  for (let r = 0; r < ratings.user.length; r++) {
    counts[ratings.user[r]]++;
    counts[numUsers + ratings.item[r]]++;
  }
  const index = buildSearchIndex(ratings, (n) => counts[n]);

  it('finds films by their title’s start, a word, the article in front, without accents, and users by id', () => {
    expect(labels(index, 'toy story')).toEqual(['Toy Story (1995)', 'Toy Story 2 (1999)', 'Toy Story 3 (2010)']);
    expect(labels(index, 'the matrix')[0]).toBe('Matrix, The (1999)');
    expect(labels(index, 'matrix').slice(0, 3)).toEqual(['Matrix, The (1999)', 'Matrix Reloaded, The (2003)', 'Matrix Revolutions, The (2003)']);
    expect(labels(index, 'amelie')[0]).toBe('Amelie (Fabuleux destin d\'Amélie Poulain, Le) (2001)');
    expect(labels(index, 'AMÉLIE')[0]).toBe('Amelie (Fabuleux destin d\'Amélie Poulain, Le) (2001)');
    const user = searchNodes(index, '414');
    expect(user[0]).toMatchObject({ type: 'user', label: 'user 414', ratings: 2698 });
    expect(user.length).toBeLessThanOrEqual(SUGGESTIONS);
    // "star wars": the titles that start with it, the most-rated first; then one with it inside.
    const wars = searchNodes(index, 'star wars').map((e) => e.label);
    expect(wars.slice(0, 3)).toEqual(['Star Wars: Episode IV - A New Hope (1977)', 'Star Wars: Episode V - The Empire Strikes Back (1980)', 'Star Wars: Episode VI - Return of the Jedi (1983)']);
    const firstInside = wars.findIndex((t) => !t.startsWith('Star Wars'));
    expect(firstInside).toBeGreaterThan(3);
    expect(wars.slice(firstInside).every((t) => !t.startsWith('Star Wars') && t.includes('Star Wars'))).toBe(true);
  });
});
