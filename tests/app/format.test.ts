// How the page abbreviates names for the graph's node badges.
import { describe, expect, it } from 'vitest';
import { badge, timeLeft } from '../../src/ui/format';

describe('badge', () => {
  it('shows a bare id whole, so that users 15, 137 and 156 differ', () => {
    expect(['15', '137', '156', '1234', '162541'].map(badge)).toEqual(['15', '137', '156', '1234', '162…']);
  });

  it('uses the initials of the first two words that matter', () => {
    expect(badge('(500) Days of Summer (2009)')).toBe('5D');
    expect(badge('Toy Story (1995)')).toBe('TS');
    expect(badge('Avengers, The (2012)')).toBe('A');
    expect(badge('The Avengers')).toBe('A');
    expect(badge('Guardians of the Galaxy')).toBe('GG');
    expect(badge('Greatest Events of WWII in Colour')).toBe('GE');
    expect(badge('Amélie (Fabuleux destin d\'Amélie Poulain, Le) (2001)')).toBe('AF');
  });

  it('gives one letter for a one-word name, and never an empty badge', () => {
    expect(['Bob', 'Steve', 'Tim', 'The', '!!!'].map(badge)).toEqual(['B', 'S', 'T', 'T', '!']);
  });
});

describe('timeLeft', () => {
  it('multiplies the epochs left by the mean measured ms/epoch', () => {
    expect(timeLeft(1000, [10, 30], null)).toBe('~20 s left');
    expect(timeLeft(100, [4], null)).toBe('<1 s left');
    expect(timeLeft(10_000, [60], null)).toBe('~10 min left');
    expect(timeLeft(1_000_000, [20], null)).toBe('~6 h left');
  });

  it('waits for the speed limit when it is slower than the GPU', () => {
    expect(timeLeft(600, [2], 60)).toBe('~10 s left');
    expect(timeLeft(600, [200], 60)).toBe('~2 min left');
  });

  it('says nothing with nothing measured or nothing left', () => {
    expect(timeLeft(0, [10], null)).toBeNull();
    expect(timeLeft(10, [], null)).toBeNull();
  });
});
