// The embeddings CSV: one row per user then per item, `type,id,name,e0..e{C-1}`, read back with the
// app's own RFC 4180 reader. Names with commas, quotes and line breaks survive, and every value
// reads back as the same float32.
import { describe, expect, it } from 'vitest';
import { forEachRecord } from '../src/graph/csvRecords';
import { embeddingsCsv, embeddingsFileName } from '../src/formats/embeddingsCsv';
import { Rng } from '../src/util/rng';

function records(text: string): string[][] {
  const rows: string[][] = [];
  forEachRecord(text, 'embeddings.csv', (fields) => rows.push(fields));
  return rows;
}

describe('embeddingsCsv', () => {
  it('writes every user and item with its index, its name and its C values, exactly', () => {
    const rng = new Rng(11);
    const C = 5;
    const userNames = ['1', 'Ada', ' padded '];
    const itemNames = ['Avengers, The (2012)', 'Say "Cheese"', 'Two\nlines', 'Plain'];
    const user = Float32Array.from({ length: userNames.length * C }, () => rng.normal() * 10 ** Math.floor(rng.uniform(-6, 4)));
    const item = Float32Array.from({ length: itemNames.length * C }, () => rng.normal());
    item[3] = 0;
    const text = embeddingsCsv({ channels: C, userNames, itemNames, user, item });
    expect(text.endsWith('\n')).toBe(true);

    const [header, ...rows] = records(text);
    expect(header).toEqual(['type', 'id', 'name', 'e0', 'e1', 'e2', 'e3', 'e4']);
    expect(rows.map((r) => [r[0], r[1], r[2]])).toEqual([
      ...userNames.map((n, k) => ['user', String(k), n]),
      ...itemNames.map((n, k) => ['item', String(k), n]),
    ]);
    const values = rows.map((r) => r.slice(3).map(Number));
    expect(values.flat().map((v) => Math.fround(v))).toEqual([...user, ...item]);
    expect(values.every((r) => r.length === C)).toBe(true);
  });

  it('refuses embeddings that do not match the names and channels', () => {
    expect(() => embeddingsCsv({ channels: 2, userNames: ['a'], itemNames: ['x'], user: new Float32Array(3), item: new Float32Array(2) })).toThrow(
      'embeddingsCsv: 1 users × 2 channels need 2 values, got 3',
    );
  });

  it('names the file by its epoch', () => {
    expect(embeddingsFileName(42)).toBe('gatlab-embeddings-epoch42.csv');
  });
});
