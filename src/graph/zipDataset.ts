// MovieLens is downloaded as a ZIP (ml-latest-small.zip, ml-100k.zip, ml-1m.zip): such an archive
// is opened (with fflate) and its ratings file, movies file and feature files (the 100K's u.user,
// the 1M's users.dat, features CSVs) are taken out, so that a user can pick the download as it
// is. Only those files are inflated; the rest (tags, links, the 100K's split files) are left packed.
import { unzipSync, type Unzipped } from 'fflate';
import { featureRoleByName } from './featureFiles';
import { InputError } from '../util/errors';

/** A file's name and bytes, as the user picked it or as an archive holds it. */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** The MovieLens sets, as (ratings file, movies file) names, in the order they are looked for. */
const SETS: readonly [ratings: string, movies: string][] = [
  ['ratings.csv', 'movies.csv'],
  ['ratings.dat', 'movies.dat'],
  ['u.data', 'u.item'],
];
const WANTED = new Set(SETS.flat());

/** The most a file taken out of an archive may hold: more is a damaged or hostile archive, not a dataset for a browser. */
const MAX_ENTRY_BYTES = 1 << 30;

const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * The ratings file of a MovieLens archive, and its movies file and feature files when the archive
 * has them, named `<archive>/<file>` (ml-100k.zip/u.data). An archive with no MovieLens ratings file but a single
 * text file gives that file. Throws InputError naming the archive when it cannot be unpacked or
 * holds no ratings file (listing what it does hold).
 */
export function unzipDataset(bytes: Uint8Array, zipName: string): NamedBytes[] {
  const listed: string[] = [];
  const unpack = (take: (path: string) => boolean): Unzipped => {
    try {
      return unzipSync(bytes, {
        filter: (f) => {
          if (!take(f.name)) return false;
          if (f.originalSize > MAX_ENTRY_BYTES) {
            throw new InputError(`${zipName}: ${f.name} unpacks to ${(f.originalSize / 2 ** 30).toFixed(1)} GiB, more than a browser can parse`);
          }
          return true;
        },
      });
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${zipName}: a ZIP archive that cannot be unpacked (${(e as Error).message})`);
    }
  };
  const named = (files: Unzipped) => Object.entries(files).map(([path, data]) => ({ name: `${zipName}/${baseName(path)}`, bytes: data }));

  const found = unpack((path) => {
    // Folders, and the resource forks macOS adds to archives it makes.
    if (path.endsWith('/') || path.startsWith('__MACOSX/') || baseName(path).startsWith('._')) return false;
    listed.push(path);
    return WANTED.has(baseName(path).toLowerCase()) || featureRoleByName(baseName(path)) !== null;
  });
  const byName = new Map(Object.entries(found).map(([path, data]) => [baseName(path).toLowerCase(), { [path]: data }]));
  const features = Object.fromEntries(Object.entries(found).filter(([path]) => featureRoleByName(baseName(path)) !== null));
  for (const [ratings, movies] of SETS) {
    const r = byName.get(ratings);
    if (r) return named({ ...r, ...byName.get(movies), ...features });
  }
  const texts = listed.filter((path) => /\.(csv|tsv|txt|dat|data)$/i.test(path));
  if (texts.length === 1) return named(unpack((path) => path === texts[0]));
  const shown = listed.slice(0, 6).join(', ') + (listed.length > 6 ? ` and ${listed.length - 6} more` : '');
  throw new InputError(
    `${zipName}: a ZIP archive without a ratings file (ratings.csv, ratings.dat or u.data); it holds ${listed.length === 0 ? 'no files' : shown}: unpack it and choose the ratings file`,
  );
}
