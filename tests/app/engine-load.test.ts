// Loading files into the engine worker's host on real WebGPU (Dawn in Node, SwiftShader), as the
// page does: the new run is parsed, built and evaluated beside the current one and replaces it
// only when ready; a file that cannot be used (a bad row, an empty file, a missing column, a
// repeated header, too large for the GPU, nothing left after the filter) leaves the current run
// exactly as it was. A CSV of unknown columns waits for a mapping, and the dataset the page gets
// back rebuilds the same run bit for bit.
import { describe, expect, it } from 'vitest';
import { SEED_SETTINGS, type RunSettings } from '../../src/train/settings';
import type { DataFile, LoadPhase } from '../../src/worker/protocol';
import { hostHarness, type Msg } from '../helpers/engineHost';

const settings = (patch: Partial<RunSettings>): RunSettings => ({ ...SEED_SETTINGS, ...patch });
const FULL = settings({ batchSize: 'full', epochs: 10, k: 5, negRatio: 1, lr: 0.02 });

const file = (name: string, text: string): DataFile => ({ name, bytes: new TextEncoder().encode(text).buffer as ArrayBuffer });

/** 30 users each rating 8 of 20 movies, MovieLens columns, with a movies.csv naming the movies. */
function smallDataset(): { ratings: string; movies: string } {
  const rows = ['userId,movieId,rating,timestamp'];
  for (let u = 0; u < 30; u++) for (let j = 0; j < 8; j++) rows.push(`${u + 1},${((u * 7 + j * 3) % 20) + 1},${((u + j) % 5) + 1},${1000 + u * 8 + j}`);
  const movies = ['movieId,title,genres', ...Array.from({ length: 20 }, (_, i) => `${i + 1},Movie ${i + 1} (20${10 + i}),Drama`)];
  return { ratings: rows.join('\n') + '\n', movies: movies.join('\n') + '\n' };
}

type Host = ReturnType<typeof hostHarness>;

/** A host whose run 1, the toy for `epochs` epochs, is ready. */
async function toyRun(epochs: number): Promise<Host> {
  const h = hostHarness();
  const ready = h.next('ready');
  h.send({ type: 'reset', runId: 1, settings: settings({ epochs }), dataset: { kind: 'toy' } });
  await ready;
  return h;
}

/** Steps a run `epochs` epochs (one message) and gives back its losses. */
async function train(h: Host, runId: number, epochs: number): Promise<number[]> {
  const from = h.inbox.length;
  const stopped = h.next('stopped', (m) => m.runId === runId);
  h.send({ type: 'step', runId, epochs });
  await stopped;
  return h.inbox.slice(from).filter((m): m is Msg<'progress'> => m.type === 'progress' && m.runId === runId).flatMap((p) => p.metrics.map((m) => m.loss));
}

describe('loading files into the engine', () => {
  it('keeps the current run exactly as it was when the files cannot be used, and says what is wrong and where', async () => {
    const h = await toyRun(10);
    const before = await train(h, 1, 2);

    // 1,500 users and 500 movies fit easily at the seed's size; at hidden 512, 16 heads and 8
    // layers Adam's state and the activations are past SwiftShader's 1 GiB per buffer.
    const big = ['user,item,rating', ...Array.from({ length: 1500 }, (_, k) => `u${k},m${k % 500},4`)].join('\n');
    const { ratings, movies } = smallDataset();
    const failures: { what: string; files: DataFile[]; settings?: RunSettings; message: RegExp }[] = [
      { what: 'non-numeric rating', files: [file('ratings.csv', 'userId,movieId,rating\n1,10,4\n1,20,five\n')], message: /^ratings\.csv, line 3: rating "five" is not a number$/ },
      { what: 'empty file', files: [file('ratings.csv', '')], message: /^ratings\.csv: the file is empty$/ },
      { what: 'missing column', files: [file('ratings.csv', 'userId,movieId,timestamp\n1,10,4\n')], message: /^ratings\.csv, line 1: missing column "rating"/ },
      { what: 'header twice', files: [file('ratings.csv', 'userId,movieId,rating\n1,10,4\nuserId,movieId,rating\n2,10,3\n')], message: /^ratings\.csv, line 3: the header appears again/ },
      { what: 'bad movies file', files: [file('ratings.csv', ratings), file('movies.csv', 'movieId,title\n1,A\n1,B\n')], message: /^movies\.csv, line 3: movieId 1 appears twice$/ },
      {
        what: 'too large for the GPU',
        files: [file('big.csv', big)],
        settings: settings({ hidden: 512, heads: 16, layers: 8 }),
        message: /^big\.csv: the dataset is too large for this GPU: .* would be one buffer of [\d.]+ GiB, and this GPU allows at most [\d.]+ (MiB|GiB) \((maxStorageBufferBindingSize|maxBufferSize)\)/,
      },
      { what: 'nothing left', files: [file('ratings.csv', ratings), file('movies.csv', movies)], settings: settings({ minRating: 10 }), message: /^ratings\.csv \+ movies\.csv: no rating is at or above the minimum rating 10/ },
    ];
    let runId = 1;
    for (const f of failures) {
      const id = ++runId;
      const error = h.next('error', (m) => m.runId === id);
      h.send({ type: 'load', runId: id, settings: f.settings ?? FULL, files: f.files });
      const e = await error;
      expect(e.message, f.what).toMatch(f.message);
      expect(e.fatal, f.what).toBe(false);
    }
    expect(h.inbox.filter((m) => m.type === 'ready').length).toBe(1);

    // The toy run goes on from where it was: it still steps, and explains Tim and The Avengers.
    const after = await train(h, 1, 1);
    expect(after.length).toBe(1);
    const explained = h.next('explanation', (m) => m.requestId === 1);
    h.send({ type: 'explain', requestId: 1, runId: 1, epoch: 3, user: 2, item: 1, head: 'mean' });
    const e = (await explained).explanation!;
    expect(e.epoch).toBe(3);
    expect(e.item.name).toBe('The Avengers');

    // ... and it is the very run it was: a fresh toy run gives the same three losses, to the bit.
    const fresh = h.next('ready', (m) => m.info.runId === 99);
    h.send({ type: 'reset', runId: 99, settings: settings({ epochs: 10 }), dataset: { kind: 'toy' } });
    await fresh;
    expect(await train(h, 99, 3)).toEqual([...before, ...after]);
  }, 240_000);

  it('replaces the run only when the new one is ready, through its phases, and hands back a dataset that rebuilds it bit for bit', async () => {
    const h = await toyRun(1500);
    // The toy run is playing when the files come.
    h.send({ type: 'play', runId: 1, speed: 'max' });
    await h.next('progress', (m) => m.runId === 1);

    const { ratings, movies } = smallDataset();
    const from = h.inbox.length;
    const loaded = h.next('ready', (m) => m.info.runId === 2);
    h.send({ type: 'load', runId: 2, settings: FULL, files: [file('movies.csv', movies), file('ratings.csv', ratings)] });
    const r = await loaded;
    const during = h.inbox.slice(from, h.inbox.indexOf(r));
    const phases = during.filter((m): m is Msg<'loading'> => m.type === 'loading' && m.runId === 2);
    const order: LoadPhase[] = [...new Set(phases.map((p) => p.phase))];
    expect(order).toEqual(['parsing', 'building', 'evaluating']);
    const parsed = phases.filter((p) => p.phase === 'parsing');
    expect(parsed[parsed.length - 1]).toMatchObject({ fraction: 1, rows: 240 });
    expect(r.info.datasetName).toBe('ratings.csv + movies.csv');
    expect(r.info.numUsers).toBe(30);
    expect(r.info.numItems).toBe(20);
    expect(r.info.itemNames).toContain('Movie 4 (2013)');
    expect(r.info.settings).toEqual(FULL);
    expect(r.dataset).toEqual({ kind: 'csv', name: 'ratings.csv', ratings, movies, moviesName: 'movies.csv' });

    // The toy run's messages stop with the new run, and it takes no more steps.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const afterReady = h.inbox.slice(h.inbox.indexOf(r) + 1);
    expect(afterReady.filter((m) => 'runId' in m && m.runId === 1)).toEqual([]);
    h.send({ type: 'step', runId: 1, epochs: 1 });
    const losses = await train(h, 2, 2);
    expect(losses.length).toBe(2);
    expect(h.inbox.filter((m) => m.type === 'progress' && m.runId === 1 && h.inbox.indexOf(m) > h.inbox.indexOf(r))).toEqual([]);

    // The dataset handed back rebuilds the same run (the page's resets and saved runs rely on it).
    const rebuilt = h.next('ready', (m) => m.info.runId === 3);
    h.send({ type: 'reset', runId: 3, settings: FULL, dataset: r.dataset! });
    await rebuilt;
    expect(await train(h, 3, 2)).toEqual(losses);
  }, 240_000);

  it('asks for the columns of an unknown CSV, keeps the mapping in the dataset, drops a load a later request overtook, and explains the live epoch', async () => {
    const h = await toyRun(10);

    const csv = ['who,what,stars,when,comment', ...Array.from({ length: 60 }, (_, k) => `p${k % 12},thing ${k % 9},${(k % 5) + 1},${k},"ok, fine"`)].join('\n');
    const asked = h.next('needsMapping', (m) => m.runId === 2);
    h.send({ type: 'load', runId: 2, settings: FULL, files: [file('shop.csv', csv)] });
    const q = (await asked).request;
    expect(q.columns).toEqual(['who', 'what', 'stars', 'when', 'comment']);
    expect(q.rows[0]).toEqual(['p0', 'thing 0', '1', '0', 'ok, fine']);
    expect(q.reason).toBe('unknown');

    const mapping = { user: 'who', item: 'what', rating: 'stars', time: 'when' };
    const loaded = h.next('ready', (m) => m.info.runId === 3);
    h.send({ type: 'load', runId: 3, settings: FULL, files: [file('shop.csv', csv)], mapping });
    const r = await loaded;
    expect(r.info.numUsers).toBe(12);
    expect(r.info.numItems).toBe(9);
    expect(r.dataset).toMatchObject({ kind: 'csv', name: 'shop.csv', mapping });

    // Two loads in a row: the first is dropped unheard; a reset after a load overtakes it too.
    const { ratings } = smallDataset();
    const second = h.next('ready', (m) => m.info.runId === 5);
    h.send({ type: 'load', runId: 4, settings: FULL, files: [file('ratings.csv', ratings)] });
    h.send({ type: 'load', runId: 5, settings: FULL, files: [file('shop.csv', csv)], mapping });
    expect((await second).info.numUsers).toBe(12);
    const toy = h.next('ready', (m) => m.info.runId === 7);
    h.send({ type: 'load', runId: 6, settings: FULL, files: [file('ratings.csv', ratings)] });
    // A long run, as real data's are: only every 334th epoch is kept for time travel.
    h.send({ type: 'reset', runId: 7, settings: settings({ epochs: 1_000_000 }), dataset: { kind: 'toy' } });
    const r7 = await toy;
    expect(r7.info.userNames).toEqual(['Bob', 'Steve', 'Tim']);
    expect(r7.info.keepEvery).toBeGreaterThan(2);
    await train(h, 7, 2);
    expect(h.inbox.filter((m) => 'runId' in m && (m.runId === 4 || m.runId === 6))).toEqual([]);
    expect(h.inbox.filter((m) => m.type === 'ready' && (m.info.runId === 4 || m.info.runId === 6))).toEqual([]);

    // The live epoch, kept or not, is explained as itself (what the page shows after a step).
    const explained = h.next('explanation', (m) => m.requestId === 1);
    h.send({ type: 'explain', requestId: 1, runId: 7, epoch: 2, user: 2, item: 1, head: 'mean' });
    const e = (await explained).explanation!;
    expect(e.epoch).toBe(2);
    expect(e.weightsEpoch).toBe(2);
    expect(e.counterfactuals.baseline).toBeCloseTo(e.score, 4);
  }, 240_000);
});
