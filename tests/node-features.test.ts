// Node features from the data: MovieLens 100K's u.user and u.item as PyG's MovieLens100K encodes
// them, movies.csv's genres with the title's year, and features CSVs keyed by id; the files found
// by the page's loader and the CLI alike, every malformed line refused with its file, line and
// reason, and the choice carried into the settings, the fingerprint and the PyG script.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRatings as cliLoad } from '../src/cli/data';
import { parseFeatureCsv } from '../src/graph/featureCsv';
import { featureDims, makeFeatures, titleYear } from '../src/graph/features';
import { filterByRating } from '../src/graph/filter';
import { U100K_ITEM_GENRES } from '../src/graph/movielens100k';
import { toyRatings } from '../src/graph/toy';
import type { Ratings } from '../src/graph/types';
import { parseU100kUsers } from '../src/graph/u100kUsers';
import { pygScript } from '../src/formats/pygScript';
import { checkFingerprint, runFingerprint } from '../src/train/fingerprint';
import { prepare } from '../src/train/prepare';
import { SEED_SETTINGS, settingsFromQuery, settingsToQuery, type RunSettings } from '../src/train/settings';
import { Rng } from '../src/util/rng';
import { loadRatings as pageLoad, recogniseFiles } from '../src/worker/datasetLoader';
import { errorOf } from './helpers/errors';

const DIR = mkdtempSync(join(tmpdir(), 'gatlab-features-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

// u.user as the MovieLens 100K README describes it: user id | age | gender | occupation | zip code.
const U_USER = '1|24|M|technician|85711\n2|53|F|other|94043\n3|23|M|writer|32067\n4|24|M|technician|43537\n5|33|F|other|15213\n';
const flags = (on: number[]) => Array.from({ length: 19 }, (_, g) => (on.includes(g) ? 1 : 0)).join('|');
// u.item: id | title | release date | video release date | IMDb URL | 19 genre flags (0 is "unknown").
const U_ITEM = [
  `10|Toy Story (1995)|01-Jan-1995||http://x|${flags([3, 4, 5])}`,
  `20|GoldenEye (1995)|01-Jan-1995||http://x|${flags([1, 2, 16])}`,
  `30|unknown||||${flags([0])}`,
].join('\n');
const U_DATA = '3\t20\t4\t100\n1\t10\t5\t101\n2\t10\t3\t102\n3\t30\t5\t103\n5\t20\t2\t104\n';

const utf8 = (s: string) => new TextEncoder().encode(s);
const named = (files: Record<string, string>) => Object.entries(files).map(([name, text]) => ({ name, bytes: utf8(text).buffer as ArrayBuffer }));

/** The page's path: the worker's loader on the files as dropped. */
function viaPage(files: Record<string, string>): { ratings: Ratings; name: string } {
  const found = recogniseFiles(named(files));
  if ('ask' in found) throw new Error(`the page asks for the columns of ${found.ask.file}`);
  return pageLoad(found.source);
}

/** The CLI's path: the files in a folder of their own, the first one given as --data. */
function viaCli(files: Record<string, string>): Ratings {
  const dir = mkdtempSync(join(DIR, 'cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return cliLoad(join(dir, Object.keys(files)[0]));
}

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));
const settings = (s: Partial<RunSettings>): RunSettings => ({ ...SEED_SETTINGS, ...s });

describe('u.user, encoded as PyG’s MovieLens100K', () => {
  it('age over the oldest age, then gender and occupation one-hot in sorted order', () => {
    const t = parseU100kUsers(U_USER, 'u.user');
    expect(t.columns).toEqual(['age', 'gender=F', 'gender=M', 'occupation=other', 'occupation=technician', 'occupation=writer']);
    // Division in float64, then float32, as torch.from_numpy(age).to(torch.float).
    expect([...t.rows.get('1')!]).toEqual(f32([24 / 53, 0, 1, 0, 1, 0]));
    expect([...t.rows.get('2')!]).toEqual(f32([1, 1, 0, 1, 0, 0]));
    expect([...t.rows.get('3')!]).toEqual(f32([23 / 53, 0, 1, 0, 0, 1]));
    expect(t.rows.size).toBe(5);
  });

  it('takes the oldest age and the categories over the whole file, whichever users the ratings keep', () => {
    const { ratings } = viaPage({ 'u.data': '1\t10\t5\t1\n4\t10\t4\t2\n', 'u.item': U_ITEM, 'u.user': U_USER });
    const f = makeFeatures(ratings, 'genres', 12, new Rng(1), 'demographics');
    expect(f.userDim).toBe(6);
    expect([...f.user]).toEqual(f32([24 / 53, 0, 1, 0, 1, 0, 24 / 53, 0, 1, 0, 1, 0]));
  });

  it.each([
    ['1|24|M|technician\n', 'u.user, line 1: expected 5 |-separated fields (user id, age, gender, occupation, zip code), found 4'],
    ['1|24|M|technician|85711\n|30|F|other|1\n', 'u.user, line 2: empty user id'],
    ['1|24|M|technician|85711\n\n1|30|F|other|1\n', 'u.user, line 3: user id 1 appears twice'],
    ['1|old|M|technician|85711\n', 'u.user, line 1: age "old" is not a number'],
    ['1|-3|M|technician|85711\n', 'u.user, line 1: age -3 is negative'],
    ['1|24|X|technician|85711\n', 'u.user, line 1: gender is "X", not M or F'],
    ['1|24|M||85711\n', 'u.user, line 1: empty occupation'],
    ['1|0|M|none|85711\n', 'u.user: every age is 0, so ages cannot be divided by the oldest'],
    ['  \n', 'u.user: the file is empty'],
  ])('refuses %j', (text, message) => {
    expect(errorOf(() => parseU100kUsers(text, 'u.user')).message).toBe(message);
  });
});

describe('u.item genres, as PyG’s MovieLens100K', () => {
  it('all 18 flags after "unknown", in u.item’s order, whether or not a rated movie has them', () => {
    const { ratings } = viaPage({ 'u.data': U_DATA, 'u.item': U_ITEM });
    expect(ratings.genreColumns).toEqual(U100K_ITEM_GENRES);
    expect(U100K_ITEM_GENRES).toEqual(['Action', 'Adventure', 'Animation', "Children's", 'Comedy', 'Crime', 'Documentary', 'Drama', 'Fantasy', 'Film-Noir', 'Horror', 'Musical', 'Mystery', 'Romance', 'Sci-Fi', 'Thriller', 'War', 'Western']);
    const f = makeFeatures(ratings, 'genres', 12, new Rng(1));
    expect(f.itemDim).toBe(18);
    // Items by first appearance: 20 (Action, Adventure, Thriller), 10 (Animation, Children's, Comedy), 30 (unknown: none).
    const row = (i: number) => [...f.item.subarray(i * 18, (i + 1) * 18)].flatMap((x, c) => (x === 1 ? [U100K_ITEM_GENRES[c]] : []));
    expect([row(0), row(1), row(2)]).toEqual([['Action', 'Adventure', 'Thriller'], ['Animation', "Children's", 'Comedy'], []]);
    // The genre columns survive the rating filter: they are u.item's, not the kept movies'.
    expect(makeFeatures(filterByRating(ratings, 5), 'genres', 12, new Rng(1)).itemDim).toBe(18);
  });
});

describe('genres and the title’s year', () => {
  const MOVIES = 'movieId,title,genres\n1,Old (1990),Drama\n2,New (2010),Comedy|Drama\n3,No year,Comedy\n4,"Series (2000–2005)",(no genres listed)\n';
  const RATINGS = 'userId,movieId,rating,timestamp\na,1,4,1\nb,2,5,2\na,3,3,3\nc,4,4,4\n';

  it('reads the year at a title’s end, a series’ first year, and nothing else', () => {
    expect(['Toy Story (1995)', 'Death Note: Desu nôto (2006–2007)', 'Babylon 5', 'Pulp (Fiction) (1994) ', '1984', 'Happening (2008)?'].map(titleYear)).toEqual([1995, 2006, null, 1994, null, null]);
  });

  it('scales the year between the oldest and the newest; a title without one gets the mean of the others', () => {
    const { ratings } = viaPage({ 'ratings.csv': RATINGS, 'movies.csv': MOVIES });
    const f = makeFeatures(ratings, 'genresYear', 12, new Rng(1));
    expect(featureDims(ratings, 'genresYear', 12)).toEqual({ userDim: 3, itemDim: 3, userKind: 'onehot', itemKind: 'dense' });
    // Columns: Comedy, Drama (sorted), then the year: 1990 → 0, 2010 → 1, 2000 → 0.5, none → (0 + 1 + 0.5) / 3.
    expect([...f.item]).toEqual(f32([0, 1, 0, 1, 1, 1, 1, 0, 0.5, 0, 0, 0.5]));
  });

  it('says when no title has a year, and when there are no genres', () => {
    const { ratings } = viaPage({ 'ratings.csv': RATINGS, 'movies.csv': 'movieId,title,genres\n1,A,Drama\n2,B,Comedy\n3,C,Drama\n4,D,Drama\n' });
    expect(errorOf(() => makeFeatures(ratings, 'genresYear', 12, new Rng(1))).message).toMatch(/genres and year need years in the titles, like "Toy Story \(1995\)"/);
    expect(errorOf(() => featureDims(toyRatings(), 'genresYear', 12)).message).toMatch(/item features from genres need genres, and this dataset has none/);
  });
});

describe('features CSVs keyed by id', () => {
  it('reads a header, or names the columns by position without one; any separator', () => {
    const withHeader = parseFeatureCsv('id,price,stars\n"x,1",1.5,4\ny,-2,3e1\n', 'item-features.csv');
    expect(withHeader.columns).toEqual(['price', 'stars']);
    expect([...withHeader.rows.get('x,1')!]).toEqual([1.5, 4]);
    expect([...withHeader.rows.get('y')!]).toEqual([-2, 30]);
    const bare = parseFeatureCsv('7;0.25;1\n8;0;0\n', 'user-features.csv');
    expect(bare.columns).toEqual(['x1', 'x2']);
    expect([...bare.rows.get('7')!]).toEqual([0.25, 1]);
  });

  it.each([
    ['id,a\n1,2\n2,3,4\n', 'f.csv, line 3: expected 2 fields (an id and 1 features), found 3'],
    ['id,a\n1,2\n,3\n', 'f.csv, line 3: empty id'],
    ['1,2\n1,3\n', 'f.csv, line 2: id 1 appears twice'],
    ['id,a,b\n1,2,three\n', 'f.csv, line 2: column 3 (b) "three" is not a number'],
    ['id,a\n1,1e39\n', 'f.csv, line 2: column 2 (a) "1e39" is too large for a 32-bit float'],
    ['id,a,\n1,2,3\n', 'f.csv, line 1: column 3 of the header has no name'],
    ['only-ids\n1\n', 'f.csv, line 1: expected an id and at least one feature column, found 1 field'],
    ['id,a\n', 'f.csv: a header and no rows; each row is an id and its features'],
    ['\n', 'f.csv: the file is empty'],
  ])('refuses %j', (text, message) => {
    expect(errorOf(() => parseFeatureCsv(text, 'f.csv')).message).toBe(message);
  });

  it('finds items by their ids even when movies.csv names them by title, and keeps them through the filter', () => {
    const files = {
      'ratings.csv': 'userId,movieId,rating\nu1,1,5\nu2,2,2\nu1,2,4\n',
      'movies.csv': 'movieId,title,genres\n1,One (2001),Drama\n2,Two (2002),Comedy\n',
      'item-features.csv': 'movieId,budget\n2,20\n1,10\n3,30\n',
      'user_features.csv': 'u2,0,1\nu1,1,0\n',
    };
    const page = viaPage(files);
    expect(page.name).toBe('ratings.csv + movies.csv + item-features.csv + user_features.csv');
    for (const ratings of [page.ratings, viaCli(files)]) {
      const f = makeFeatures(ratings, 'file', 12, new Rng(1), 'file');
      expect([f.userDim, f.itemDim, [...f.user], [...f.item]]).toEqual([2, 1, [1, 0, 0, 1], [10, 20]]);
      // Ratings ≥ 4 keep u1 and its movies 1, 2: the rows follow the ids.
      const kept = makeFeatures(filterByRating(ratings, 4), 'file', 12, new Rng(1), 'file');
      expect([[...kept.user], [...kept.item]]).toEqual([[1, 0], [10, 20]]);
    }
  });

  it('names the file and the ids it lacks', () => {
    const { ratings } = viaPage({ 'r.csv': 'user,item,rating\na,x,1\nb,y,2\nc,y,2\nd,y,2\ne,y,2\n', 'user-features.csv': 'b,1\n', 'item-features.csv': 'x,1\n' });
    expect(errorOf(() => makeFeatures(ratings, 'seed', 4, new Rng(1), 'file')).message).toBe(
      'user-features.csv: no row for users "a", "c", "d" and 1 more of the ratings; every user needs its features',
    );
    expect(errorOf(() => makeFeatures(ratings, 'file', 4, new Rng(1))).message).toBe('item-features.csv: no row for item "y" of the ratings; every item needs its features');
  });
});

describe('a choice whose file is missing', () => {
  it.each([
    [{ userFeatures: 'demographics' }, /user features from demographics need MovieLens 100K’s u\.user \(user id \| age \| gender \| occupation \| zip code\)/],
    [{ userFeatures: 'file' }, /user features from a file need a user-features CSV \(user-features\.csv: the user id, then numeric columns\)/],
    [{ features: 'file' }, /item features from a file need an item-features CSV \(item-features\.csv: the item id, then numeric columns\)/],
  ] as [Partial<RunSettings>, RegExp][])('%j is refused before anything is built', (changed, message) => {
    expect(errorOf(() => prepare(toyRatings(), settings(changed), new Rng(1), () => undefined)).message).toMatch(message);
  });
});

describe('the files, recognised by the page and the CLI alike', () => {
  const files = { 'u.data': U_DATA, 'u.item': U_ITEM, 'u.user': U_USER };

  it('u.user beside u.data, in any order, and in ml-100k.zip', () => {
    const cli = viaCli(files);
    const dropped = viaPage({ 'u.user': U_USER, 'u.data': U_DATA, 'u.item': U_ITEM });
    const zip = zipSync({ 'ml-100k/u.data': utf8(U_DATA), 'ml-100k/u.item': utf8(U_ITEM), 'ml-100k/u.user': utf8(U_USER), 'ml-100k/u1.base': utf8(U_DATA) });
    const found = recogniseFiles([{ name: 'ml-100k.zip', bytes: zip.buffer as ArrayBuffer }]);
    if ('ask' in found) throw new Error('asked');
    const zipped = pageLoad(found.source);
    expect(zipped.name).toBe('ml-100k.zip (u.data + u.item + u.user)');
    const rows = (r: Ratings) => [...makeFeatures(r, 'genres', 12, new Rng(1), 'demographics').user];
    // Users by first appearance in u.data: 3, 1, 2, 5.
    const expected = f32([23 / 53, 0, 1, 0, 0, 1, 24 / 53, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 0, 33 / 53, 1, 0, 1, 0, 0]);
    for (const r of [cli, dropped.ratings, zipped.ratings]) expect(rows(r)).toEqual(expected);
  });

  it('u.user by its content under another name; a user missing from it is named', () => {
    const { ratings } = viaPage({ 'u.data': `${U_DATA}944\t10\t4\t105\n`, 'u.item': U_ITEM, 'users.txt': U_USER });
    expect(ratings.featureFiles?.demographics?.file).toBe('users.txt');
    expect(errorOf(() => prepare(ratings, settings({ userFeatures: 'demographics' }), new Rng(1))).message).toBe(
      'users.txt: no row for user "944" of the ratings; every user needs its features',
    );
  });

  it('refuses two files of one kind, and features without ratings', () => {
    expect(errorOf(() => viaPage({ 'r.csv': 'u,i,1\n', 'user-features.csv': 'u,1\n', 'old_user_features.csv': 'u,2\n' })).message).toBe(
      'user-features.csv, old_user_features.csv: two user-features files; choose one',
    );
    expect(errorOf(() => recogniseFiles(named({ 'r.csv': 'u,i,1\n', 'features.csv': 'i,1\n' }))).message).toMatch(/two ratings files; .* a features file is told by its name \(user-features\.csv, item-features\.csv\)$/);
    expect(errorOf(() => recogniseFiles(named({ 'item-features.csv': 'i,1\n' }))).message).toMatch(/^item-features\.csv: features, not ratings: choose the ratings file too/);
  });

  it('a malformed line of a feature file fails the load with its file and line, on both paths', () => {
    const bad = { 'u.data': U_DATA, 'u.item': U_ITEM, 'u.user': `${U_USER}6|forty|M|other|1\n` };
    expect(errorOf(() => viaPage(bad)).message).toBe('u.user, line 6: age "forty" is not a number');
    expect(errorOf(() => viaCli(bad)).message).toMatch(/u\.user, line 6: age "forty" is not a number$/);
  });

  it('the CLI takes u.user beside u.data only, and features CSVs beside any ratings file', () => {
    const dir = join(DIR, 'beside');
    mkdirSync(dir);
    writeFileSync(join(dir, 'ratings.csv'), 'userId,movieId,rating\n1,10,4\n');
    writeFileSync(join(dir, 'u.user'), U_USER);
    writeFileSync(join(dir, 'item-features.csv'), '10,1,2\n');
    const r = cliLoad(join(dir, 'ratings.csv'));
    expect(r.featureFiles?.demographics).toBeUndefined();
    expect(r.featureFiles?.item?.columns).toEqual(['x1', 'x2']);
  });
});

describe('the settings, the fingerprint and the PyG script say which features', () => {
  it('the URL carries userFeatures and the new item kinds', () => {
    const s = settings({ features: 'genresYear', userFeatures: 'demographics' });
    expect(settingsToQuery(s)).toBe('features=genresYear&userFeatures=demographics');
    expect(settingsFromQuery('features=file&userFeatures=file').settings).toEqual(settings({ features: 'file', userFeatures: 'file' }));
  });

  it('the toy’s default fingerprint is the one written before user features existed', () => {
    const p = prepare(toyRatings(), SEED_SETTINGS, new Rng(SEED_SETTINGS.seed));
    // Recorded from main before this change: weights saved then must still be taken.
    expect(runFingerprint(p, SEED_SETTINGS).features).toBe('seed ba8bc6de35413ef6');
  });

  it('weights trained with other user features are refused, saying so', () => {
    const { ratings } = viaPage({ 'u.data': U_DATA, 'u.item': U_ITEM, 'u.user': U_USER });
    const s = settings({ features: 'genres', userFeatures: 'demographics' });
    const was = runFingerprint(prepare(ratings, s, new Rng(1)), s);
    const now = settings({ features: 'genres' });
    expect(was.features).toMatch(/^genres,users=demographics [0-9a-f]{16}$/);
    expect(errorOf(() => checkFingerprint(was, runFingerprint(prepare(ratings, now, new Rng(1)), now), 'w.json', '--user-features')).message).toBe(
      'w.json: these weights were trained on another run; it differs in the features: genres,users=demographics then, genres now (set --user-features as in training)',
    );
  });

  it('the PyG script carries dense user features as they are, and one-hot ones as torch.eye', () => {
    const { ratings } = viaPage({ 'u.data': U_DATA, 'u.item': U_ITEM, 'u.user': U_USER });
    const graphOf = (s: RunSettings) => {
      const p = prepare(ratings, s, new Rng(1));
      const shape = { layers: 1, hidden: 4, heads: 1, userDim: p.features.userDim, itemDim: p.features.itemDim };
      const script = pygScript({
        settings: s, shape, datasetName: 'u.data', epoch: 0, userNames: ratings.userNames, itemNames: ratings.itemNames, features: p.features,
        ratings: { user: ratings.user, item: ratings.item, rating: ratings.rating, train: new Uint8Array(ratings.user.length).fill(1), val: new Uint8Array(ratings.user.length) }, checks: [],
      });
      const path = join(DIR, 'script.py');
      writeFileSync(path, script);
      const reader = String.raw`
import array, ast, base64, json, sys
for node in ast.parse(open(sys.argv[1]).read()).body:
    if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', None) == 'GRAPH':
        g = ast.literal_eval(node.value)
        x = g['x_user']
        if x is not None:
            a = array.array('f'); a.frombytes(base64.b64decode(x)); x = a.tolist()
        print(json.dumps({'user_dim': g['user_dim'], 'x_user': x}))`;
      const out = spawnSync('python3', ['-c', reader, path], { encoding: 'utf8' });
      expect(out.status, out.stderr).toBe(0);
      return { ...JSON.parse(out.stdout), features: p.features };
    };
    const dense = graphOf(settings({ features: 'genres', userFeatures: 'demographics' }));
    expect(dense.user_dim).toBe(6);
    expect(dense.x_user).toEqual([...dense.features.user]);
    const oneHot = graphOf(settings({ features: 'genres' }));
    expect([oneHot.user_dim, oneHot.x_user]).toEqual([4, null]);
  });
});
