import { describe, expect, it } from 'vitest';
import { ordinal, sentence, type SentenceInput } from '../src/explain/sentence';

const toy: SentenceInput = {
  user: 'Tim',
  item: 'The Avengers',
  score: 5.1716,
  rank: 1,
  candidates: 2,
  rating: 5,
  path: { names: ['Tim', 'Guardians of the Galaxy', 'Steve', 'The Avengers'], ratings: [5, 5, 5] },
  layers: 3,
  tried: 7,
  change: { user: 'Tim', item: 'Guardians of the Galaxy', score: 2.2185, delta: -2.9531 },
};

describe('sentence', () => {
  it('retells the toy from its numbers', () => {
    expect(sentence(toy)).toBe(
      'The model scores The Avengers 5.17 for Tim, 1st of 2 candidates (the held-out rating is 5); of the 7 nearby ratings tried, ' +
        "taking out Tim's rating of Guardians of the Galaxy moves it most: down by 2.95 to 2.22. " +
        'The strongest attention path from Tim to The Avengers runs through Guardians of the Galaxy and Steve: ' +
        'Tim and Steve both loved Guardians of the Galaxy and Steve loved The Avengers.',
    );
  });

  it('reads for MovieLens ids and titles, mixed opinions and a rise', () => {
    const text = sentence({
      user: 'user 414',
      item: 'Avengers, The (2012)',
      score: 3.456,
      rank: 1234,
      candidates: 9600,
      rating: null,
      path: { names: ['user 414', 'Heat (1995)', 'user 68', 'Avengers, The (2012)'], ratings: [4, 2.5, 3.5] },
      layers: 3,
      tried: 24,
      change: { user: 'user 68', item: 'Heat (1995)', score: 3.5, delta: 0.044 },
    });
    expect(text).toBe(
      'The model scores Avengers, The (2012) 3.46 for user 414, 1,234th of 9,600 candidates; of the 24 nearby ratings tried, ' +
        "taking out user 68's rating of Heat (1995) moves it most: up by 0.04 to 3.50. " +
        'The strongest attention path from user 414 to Avengers, The (2012) runs through Heat (1995) and user 68: ' +
        'user 414 liked Heat (1995), user 68 gave it a 2.5 and user 68 liked Avengers, The (2012).',
    );
  });

  it('says when the item is a training item and the path is the rating itself', () => {
    const text = sentence({ ...toy, rank: null, path: { names: ['Tim', 'The Avengers'], ratings: [1] }, rating: 1 });
    expect(text).toContain('The model scores The Avengers 5.17 for Tim, who rated it 1 in training, so it is not a candidate;');
    expect(text).toContain("The strongest attention path from Tim to The Avengers is Tim's own rating: Tim disliked The Avengers.");
  });

  it('says when nothing links the two and no rating moves the score', () => {
    const text = sentence({ ...toy, path: null, change: { ...toy.change!, delta: 0.004 } });
    expect(text).toContain('; taking out any one of the 7 nearby ratings moves it by less than 0.01.');
    expect(text).toContain('No attention path within 3 layers links Tim to The Avengers.');
    expect(sentence({ ...toy, tried: 0, change: null })).toContain('(the held-out rating is 5). The strongest');
  });

  it('spells ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 102, 111, 1001].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '102nd', '111th', '1,001st']);
  });
});
