// Files as users have them, in the built app in headless Chromium through the page's file input:
// a PNG renamed to .csv is refused with what it looks like (no column dialog of binary garbage),
// MovieLens 1M's ratings.dat loads with its Latin-1 movies.dat, and ml-latest-small.zip (made
// here from ../shared/data with fflate, as GroupLens ships it) loads as downloaded.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { appSession } from './session';
import { ML_SMALL_DIR } from '../helpers/paths';

/** Generous: the machine has two cores, and other test runs may share them. */
const READY_MS = 120_000;
const TEST_MS = 240_000;

const { open, pageErrors } = appSession({ readyMs: READY_MS });

const latin1 = (s: string) => Buffer.from([...s].map((c) => c.charCodeAt(0)));

describe('files as users have them', () => {
  it('refuses a PNG named ratings.csv, saying what it looks like, and keeps the run', async () => {
    const page = await open();
    const counts = page.getByTestId('data-counts');
    const before = await counts.innerText();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
    await page.getByTestId('data-input').setInputFiles({ name: 'ratings.csv', mimeType: 'text/csv', buffer: png });
    const error = page.getByTestId('load-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.innerText()).toMatch(/ratings\.csv: looks like a PNG image, not a CSV[\s\S]*The run and its data are unchanged/);
    expect(await page.getByTestId('mapping-dialog').count()).toBe(0);
    expect(await counts.innerText()).toBe(before);
    await page.close();
  }, TEST_MS);

  it('loads MovieLens 1M ratings.dat with its Latin-1 movies.dat', async () => {
    const page = await open();
    const ratings = Array.from({ length: 40 }, (_, k) => `${1 + (k % 5)}::${[1193, 661, 914, 3408][k % 4]}::${1 + (k % 5)}::${978300760 + k}`).join('\n');
    const movies = "1193::One Flew Over the Cuckoo's Nest (1975)::Drama\n661::James and the Giant Peach (1996)::Animation|Children's|Musical\n914::My Fair Lady (1964)::Musical|Romance\n3408::Misérables, Les (1998)::Drama\n";
    await page.getByTestId('data-input').setInputFiles([
      { name: 'ratings.dat', mimeType: 'application/octet-stream', buffer: Buffer.from(ratings) },
      { name: 'movies.dat', mimeType: 'application/octet-stream', buffer: latin1(movies) },
    ]);
    const counts = page.getByTestId('data-counts');
    await counts.filter({ hasText: '5 users' }).waitFor({ timeout: READY_MS });
    expect(await counts.innerText()).toMatch(/^5 users · 4 movies · 40 ratings/);
    expect(await page.getByTestId('data-label').innerText()).toBe('ratings.dat + movies.dat');
    expect(await page.getByTestId('data-scale').innerText()).toBe('ratings from 1 to 5');
    await page.close();
  }, TEST_MS);

  it('maps Book-Crossing\'s quoted ";"-separated columns in the dialog, showing the same choice as CLI flags', async () => {
    const page = await open();
    const rows = Array.from({ length: 12 }, (_, k) => `"${276725 + (k % 4)}";"03454${k % 5}104X";"${(k * 3) % 11}"`);
    const text = `"User-ID";"ISBN";"Book-Rating"\n${rows.join('\n')}\n`;
    await page.getByTestId('data-input').setInputFiles({ name: 'BX-Book-Ratings.csv', mimeType: 'text/csv', buffer: latin1(text) });
    const dialog = page.getByTestId('mapping-dialog');
    await dialog.waitFor({ timeout: 60_000 });
    expect(await dialog.innerText()).toContain('Its fields are separated by ";".');
    expect(await page.getByTestId('mapping-user').inputValue()).toBe('User-ID');
    expect(await page.getByTestId('mapping-item').inputValue()).toBe('ISBN');
    expect(await page.getByTestId('mapping-rating').inputValue()).toBe('Book-Rating');
    expect(await page.getByTestId('mapping-cli').innerText()).toBe("On the command line: --columns user=User-ID,item=ISBN,rating=Book-Rating --sep ';'");
    await page.getByTestId('mapping-load').click();
    const counts = page.getByTestId('data-counts');
    await counts.filter({ hasText: '4 users' }).waitFor({ timeout: READY_MS });
    expect(await counts.innerText()).toMatch(/^4 users · 5 movies · 12 ratings/);
    expect(await page.getByTestId('data-scale').innerText()).toBe('ratings from 0 to 10');
    await page.close();
  }, TEST_MS);

  it('loads ml-latest-small.zip as downloaded', async () => {
    const page = await open();
    const entries = Object.fromEntries(readdirSync(ML_SMALL_DIR).map((name) => [`ml-latest-small/${name}`, new Uint8Array(readFileSync(join(ML_SMALL_DIR, name)))]));
    const zip = Buffer.from(zipSync(entries));
    await page.getByTestId('data-input').setInputFiles({ name: 'ml-latest-small.zip', mimeType: 'application/zip', buffer: zip });
    const counts = page.getByTestId('data-counts');
    await counts.filter({ hasText: '610 users' }).waitFor({ timeout: READY_MS });
    expect(await counts.innerText()).toMatch(/^610 users · 9,724 movies · 100,836 ratings/);
    expect(await page.getByTestId('data-label').innerText()).toBe('ml-latest-small.zip (ratings.csv + movies.csv)');
    await page.close();
  }, TEST_MS);

  it('raised no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
