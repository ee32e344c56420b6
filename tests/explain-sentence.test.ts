import { describe, expect, it } from 'vitest';
import { formatShare, ordinal, sentence, side, type SentenceInput } from '../src/explain/sentence';

const timGuardiansSteve = { names: ['Tim', 'Guardians of the Galaxy', 'Steve', 'The Avengers'], ratings: [5, 5, 5] };
const timGuardiansBob = { names: ['Tim', 'Guardians of the Galaxy', 'Bob', 'The Avengers'], ratings: [5, 1, 1] };

const toy: SentenceInput = {
  user: 'Tim',
  item: 'The Avengers',
  score: 5.1716,
  rank: 1,
  candidates: 2,
  rating: 5,
  seenIn: null,
  // Strongest attention first: the Bob path carries more attention but lowers the score.
  paths: [
    { ...timGuardiansBob, share: 0.55, score: 5.4, delta: 0.2284 },
    { ...timGuardiansSteve, share: 0.45, score: 1.5, delta: -3.6716 },
  ],
  layers: 3,
  changes: [
    { user: 'Tim', item: 'Guardians of the Galaxy', score: 2.2185, delta: -2.9531 },
    { user: 'Steve', item: 'The Avengers', score: 5.3, delta: 0.1284 },
    { user: 'Bob', item: 'The Avengers', score: 5.17, delta: 0.001 },
  ],
};

describe('sentence', () => {
  it('retells the toy from its numbers, the strongest reason for the score first', () => {
    expect(sentence(toy)).toBe(
      'The model scores The Avengers 5.17 for Tim, 1st of 2 candidates (the held-out rating is 5). ' +
        'Of the 3 nearby ratings tried, 1 raises it and 1 lowers it. ' +
        "What raises it most is Tim's rating of Guardians of the Galaxy: without it the score falls by 2.95 to 2.22. " +
        "What lowers it most is Steve's rating of The Avengers: without it the score rises by 0.13 to 5.30. " +
        "The strongest attention path that raises it (45% of the listed paths' attention) runs through Guardians of the Galaxy and Steve: " +
        'Tim and Steve both loved Guardians of the Galaxy and Steve loved The Avengers; without its ratings the score falls by 3.67 to 1.50. ' +
        "The strongest attention path that lowers it (55% of the listed paths' attention) runs through Guardians of the Galaxy and Bob: " +
        'Tim loved Guardians of the Galaxy, Bob disliked it and Bob disliked The Avengers; without its ratings the score rises by 0.23 to 5.40.',
    );
  });

  it('leads with what raises the score even when a reason against is larger or listed first', () => {
    const text = sentence({ ...toy, changes: [{ ...toy.changes[1], delta: 4, score: 9.17 }, toy.changes[0]] });
    expect(text.indexOf('What raises it most')).toBeGreaterThan(0);
    expect(text.indexOf('What raises it most')).toBeLessThan(text.indexOf('What lowers it most'));
    expect(text.indexOf('path that raises')).toBeLessThan(text.indexOf('path that lowers'));
  });

  it('reads for MovieLens ids and titles, mixed opinions and only reasons against', () => {
    const text = sentence({
      user: 'user 414',
      item: 'Avengers, The (2012)',
      score: 3.456,
      rank: 1234,
      candidates: 9600,
      rating: null,
      seenIn: null,
      paths: [{ names: ['user 414', 'Heat (1995)', 'user 68', 'Avengers, The (2012)'], ratings: [4, 2.5, 3.5], share: 0.123, score: 3.5, delta: 0.044 }],
      layers: 3,
      changes: [{ user: 'user 68', item: 'Heat (1995)', score: 3.5, delta: 0.044 }],
    });
    expect(text).toBe(
      'The model scores Avengers, The (2012) 3.46 for user 414, 1,234th of 9,600 candidates. ' +
        'Of the one nearby rating tried, 0 raise it and 1 lowers it. ' +
        "What lowers it most is user 68's rating of Heat (1995): without it the score rises by 0.04 to 3.50. " +
        "The strongest attention path that lowers it (12% of the listed paths' attention) runs through Heat (1995) and user 68: " +
        'user 414 liked Heat (1995), user 68 gave it a 2.5 and user 68 liked Avengers, The (2012); without its ratings the score rises by 0.04 to 3.50.',
    );
  });

  it('says when the item is a training item and the path is the rating itself', () => {
    const text = sentence({ ...toy, rank: null, seenIn: 'training', paths: [{ names: ['Tim', 'The Avengers'], ratings: [1], share: 1, score: 3, delta: -2.17 }], rating: 1 });
    expect(text).toContain('The model scores The Avengers 5.17 for Tim, who rated it 1 in training, so it is not a candidate.');
    const validation = sentence({ ...toy, rank: null, seenIn: 'validation', rating: 4 });
    expect(validation).toContain('The model scores The Avengers 5.17 for Tim, who rated it 4 for validation (held out to choose the epoch), so it is not a candidate.');
    expect(text).toContain("The strongest attention path that raises it (100% of the listed paths' attention) is Tim's own rating: Tim disliked The Avengers;");
  });

  it('says when nothing links the two and nothing moves the score', () => {
    const still = toy.changes.map((c) => ({ ...c, delta: 0.004 }));
    const text = sentence({ ...toy, paths: [], changes: still });
    expect(text).toContain(' Taking out any one of the 3 nearby ratings tried moves it by less than 0.01.');
    expect(text).toContain('No attention path within 3 layers links Tim to The Avengers.');
    expect(sentence({ ...toy, paths: toy.paths.map((p) => ({ ...p, delta: -0.001 })), changes: [] })).toBe(
      'The model scores The Avengers 5.17 for Tim, 1st of 2 candidates (the held-out rating is 5). ' +
        'Taking out the ratings of any one of the 2 attention paths listed moves it by less than 0.01.',
    );
  });

  it('sorts effects into sides by what taking them out does', () => {
    expect([-1, 1, 0.001, -0.004999].map((delta) => side({ delta, score: 0 }))).toEqual(['for', 'against', 'neither', 'neither']);
  });

  it('prints shares as percentages', () => {
    expect([0, 0.001, 0.0051, 0.5, 0.996, 1].map(formatShare)).toEqual(['0%', '<1%', '1%', '50%', '100%', '100%']);
  });

  it('spells ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 102, 111, 1001].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd', '111th', '1,001st']);
  });
});
