// MovieLens 1M's users.dat as PyG's MovieLens1M encodes it (age, gender and occupation one-hot over
// the values as text, sorted), and movies.dat's genres for item features: found beside
// ratings.dat by the CLI, dropped on the page, or in ml-1m.zip, alike; every malformed line of
// users.dat refused with its file, line and reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRatings as cliLoad } from '../src/cli/data';
import { featureDims, makeFeatures } from '../src/graph/features';
import { parseMl1mUsers } from '../src/graph/ml1mUsers';
import type { Ratings } from '../src/graph/types';
import { Rng } from '../src/util/rng';
import { loadRatings as pageLoad, recogniseFiles } from '../src/worker/datasetLoader';
import { errorOf } from './helpers/errors';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-ml1m-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// users.dat as the ML-1M README describes it: UserID::Gender::Age::Occupation::Zip-code.
const USERS = '1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n4::M::45::7::02460\n5::M::25::20::55455\n';
// movies.dat: MovieID::Title::Genres.
const MOVIES = "10::Heat (1995)::Action|Crime|Thriller\n20::Alien: Director's Cut (1979)::Horror|Sci-Fi\n30::Toy Story (1995)::Animation|Children's|Comedy\n";
const RATINGS = '3::20::4::100\n1::10::5::101\n2::10::3::102\n3::30::5::103\n5::20::2::104\n';

const utf8 = (s: string) => new TextEncoder().encode(s);
const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

function viaPage(files: Record<string, Uint8Array>): Ratings {
  const found = recogniseFiles(Object.entries(files).map(([name, bytes]) => ({ name, bytes: bytes.buffer as ArrayBuffer })));
  if ('ask' in found) throw new Error(`the page asks for the columns of ${found.ask.file}`);
  return pageLoad(found.source).ratings;
}

function viaCli(files: Record<string, string>): Ratings {
  const dir = mkdtempSync(join(DIR, 'cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return cliLoad(join(dir, Object.keys(files)[0]));
}

const oneHot = (width: number, ...on: number[]) => Array.from({ length: width }, (_, k) => (on.includes(k) ? 1 : 0));

describe('users.dat, encoded as PyG’s MovieLens1M', () => {
  it('age, gender and occupation one-hot, each over the file’s values sorted as text', () => {
    const t = parseMl1mUsers(USERS, 'users.dat');
    // pandas' get_dummies on dtype str: occupation "7" sorts after "20".
    expect(t.columns).toEqual(['age=1', 'age=25', 'age=45', 'age=56', 'gender=F', 'gender=M', 'occupation=10', 'occupation=15', 'occupation=16', 'occupation=20', 'occupation=7']);
    expect([...t.rows.keys()]).toEqual(['1', '2', '3', '4', '5']);
    expect(Array.from(t.rows.get('1')!)).toEqual(oneHot(11, 0, 4, 6));
    expect(Array.from(t.rows.get('2')!)).toEqual(oneHot(11, 3, 5, 8));
    expect(Array.from(t.rows.get('4')!)).toEqual(oneHot(11, 2, 5, 10));
  });

  it.each([
    ['1::F::1::10\n', 'users.dat, line 1: expected 5 ::-separated fields (UserID::Gender::Age::Occupation::Zip-code), found 4'],
    ['1|F|1|10|48067\n', 'users.dat, line 1: expected 5 ::-separated fields (UserID::Gender::Age::Occupation::Zip-code), found 1'],
    ['1::F::1::10::48067\n::M::56::16::70072\n', 'users.dat, line 2: empty user id'],
    ['1::F::1::10::48067\n\n1::M::56::16::70072\n', 'users.dat, line 3: user id 1 appears twice'],
    ['1::X::1::10::48067\n', 'users.dat, line 1: gender is "X", not M or F'],
    ['1::F::30::10::48067\n', 'users.dat, line 1: age is "30", not one of the age codes 1, 18, 25, 35, 45, 50, 56'],
    ['1::F::1::21::48067\n', 'users.dat, line 1: occupation is "21", not a code from 0 to 20'],
    ['1::F::1::clerk::48067\n', 'users.dat, line 1: occupation is "clerk", not a code from 0 to 20'],
    [' \n', 'users.dat: the file is empty'],
  ])('refuses %j with its line and reason', (text, message) => {
    expect(errorOf(() => parseMl1mUsers(text, 'users.dat')).message).toBe(message);
  });
});

describe('ratings.dat with movies.dat and users.dat, on every path', () => {
  // Users by first appearance in ratings.dat: 3, 1, 2, 5; items 20, 10, 30.
  const expectedUsers = f32([...oneHot(11, 1, 5, 7), ...oneHot(11, 0, 4, 6), ...oneHot(11, 3, 5, 8), ...oneHot(11, 1, 5, 9)]);
  // Genres sorted: Action, Animation, Children's, Comedy, Crime, Horror, Sci-Fi, Thriller.
  const expectedItems = f32([...oneHot(8, 5, 6), ...oneHot(8, 0, 4, 7), ...oneHot(8, 1, 2, 3)]);

  it('the CLI beside ratings.dat, the page dropped, and ml-1m.zip give the same demographics and genres', () => {
    const cli = viaCli({ 'ratings.dat': RATINGS, 'movies.dat': MOVIES, 'users.dat': USERS });
    const dropped = viaPage({ 'users.dat': utf8(USERS), 'ratings.dat': utf8(RATINGS), 'movies.dat': utf8(MOVIES) });
    const zip = zipSync({ 'ml-1m/ratings.dat': utf8(RATINGS), 'ml-1m/movies.dat': utf8(MOVIES), 'ml-1m/users.dat': utf8(USERS), 'ml-1m/README': utf8('read me') });
    const zipped = viaPage({ 'ml-1m.zip': zip });
    for (const r of [cli, dropped, zipped]) {
      expect(featureDims(r, 'genres', 12, 'demographics')).toEqual({ userDim: 11, itemDim: 8, userKind: 'dense', itemKind: 'dense' });
      const f = makeFeatures(r, 'genres', 12, new Rng(1), 'demographics');
      expect(Array.from(f.user)).toEqual(expectedUsers);
      expect(Array.from(f.item)).toEqual(expectedItems);
    }
  });

  it('users.dat by its content under another name; a user missing from it is named', () => {
    const r = viaPage({ 'ratings.dat': utf8(`${RATINGS}9::10::4::105\n`), 'movies.dat': utf8(MOVIES), 'people.txt': utf8(USERS) });
    expect(r.featureFiles?.demographics?.file).toBe('people.txt');
    expect(errorOf(() => makeFeatures(r, 'genres', 12, new Rng(1), 'demographics')).message).toBe(
      'people.txt: no row for user "9" of the ratings; every user needs its features',
    );
  });

  it('a malformed line of users.dat fails the load with its file and line, on both paths', () => {
    const bad = `${USERS}6::M::forty::3::10001\n`;
    const message = 'line 6: age is "forty", not one of the age codes 1, 18, 25, 35, 45, 50, 56';
    expect(errorOf(() => viaPage({ 'ratings.dat': utf8(RATINGS), 'movies.dat': utf8(MOVIES), 'users.dat': utf8(bad) })).message).toBe(`users.dat, ${message}`);
    expect(errorOf(() => viaCli({ 'ratings.dat': RATINGS, 'movies.dat': MOVIES, 'users.dat': bad })).message).toMatch(new RegExp(`users\\.dat, ${message}$`));
  });

  it('the CLI takes users.dat beside ratings.dat only, not beside u.data or ratings.csv', () => {
    const beside = (ratings: [string, string]) => viaCli({ [ratings[0]]: ratings[1], 'users.dat': USERS }).featureFiles?.demographics;
    expect(beside(['ratings.csv', 'userId,movieId,rating\n1,10,4\n'])).toBeUndefined();
    expect(beside(['u.data', '1\t10\t4\t100\n'])).toBeUndefined();
    expect(beside(['ratings.dat', RATINGS])?.file).toMatch(/users\.dat$/);
  });

  it('without users.dat, demographics say which files they need', () => {
    const r = viaCli({ 'ratings.dat': RATINGS, 'movies.dat': MOVIES });
    expect(errorOf(() => makeFeatures(r, 'genres', 12, new Rng(1), 'demographics')).message).toMatch(/MovieLens 1M’s users\.dat \(UserID::Gender::Age::Occupation::Zip-code, beside ratings\.dat, or in ml-1m\.zip\)/);
  });
});
