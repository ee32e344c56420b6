// The engine worker's host on real WebGPU (Dawn in Node, SwiftShader), driven through its message
// protocol as the page drives it: a run, steps, play to the end, explanations at the current and
// an earlier epoch, and the guarantee that explaining never changes the run.
import { describe, expect, it } from 'vitest';
import { SEED_SETTINGS, type RunSettings } from '../../src/train/settings';
import { hostHarness as harness, type Msg } from '../helpers/engineHost';

const settings = (patch: Partial<RunSettings>): RunSettings => ({ ...SEED_SETTINGS, ...patch });

describe('the engine host (worker side)', () => {
  it('builds a run, steps, explains now and in the past without changing the run, plays to the end, and reports bad data', async () => {
    const h = harness();
    const ready = h.next('ready');
    h.send({ type: 'reset', runId: 1, settings: settings({ epochs: 6 }), dataset: { kind: 'toy' } });
    const r = await ready;
    expect(r.info.userNames).toEqual(['Bob', 'Steve', 'Tim']);
    expect(r.info.ratings.train.reduce((a, b) => a + b, 0)).toBe(7);
    expect(r.info.graph.edgeSrc.length).toBe(14);
    expect(r.snapshot.epoch).toBe(0);
    expect(r.info.adapterName.length).toBeGreaterThan(0);

    // Step one epoch at a time: each round keeps its weights.
    for (let e = 1; e <= 2; e++) {
      const stopped = h.next('stopped');
      h.send({ type: 'step', runId: 1, epochs: 1 });
      expect(await stopped).toMatchObject({ epoch: e, status: 'idle' });
    }
    const progress = h.inbox.filter((m): m is Msg<'progress'> => m.type === 'progress');
    expect(progress.flatMap((p) => p.metrics.map((m) => m.epoch))).toEqual([1, 2]);
    expect(progress.flatMap((p) => p.snapshots.map((s) => s.epoch))).toEqual([1, 2]);

    const now = h.next('explanation', (m) => m.requestId === 1);
    h.send({ type: 'explain', requestId: 1, runId: 1, epoch: 2, user: 2, item: 1, head: 'mean' });
    const e2 = (await now).explanation!;
    expect(e2.epoch).toBe(2);
    expect(e2.weightsEpoch).toBe(2);
    expect(e2.user.name).toBe('Tim');
    expect(e2.item.name).toBe('The Avengers');
    expect(e2.counterfactuals.tried.length).toBeGreaterThan(0);
    // The baseline forward pass reproduces the snapshot's score with the current weights.
    expect(e2.counterfactuals.baseline).toBeCloseTo(e2.score, 4);

    const past = h.next('explanation', (m) => m.requestId === 2);
    h.send({ type: 'explain', requestId: 2, runId: 1, epoch: 1, user: 2, item: 1, head: 0 });
    const e1 = (await past).explanation!;
    expect(e1.epoch).toBe(1);
    expect(e1.weightsEpoch).toBe(1);
    expect(e1.head).toBe(0);
    // Epoch 1's own weights were put in for the forward passes.
    expect(e1.counterfactuals.baseline).toBeCloseTo(e1.score, 4);

    const done = h.next('stopped', (m) => m.status === 'done');
    h.send({ type: 'play', runId: 1, speed: 'max' });
    expect(await done).toMatchObject({ epoch: 6, status: 'done' });
    const losses = h.inbox.filter((m): m is Msg<'progress'> => m.type === 'progress').flatMap((p) => p.metrics);
    expect(losses.map((m) => m.epoch)).toEqual([1, 2, 3, 4, 5, 6]);

    // The same run again (a reset on the same host) without explanations in between: the same losses, to the bit.
    const before = h.inbox.length;
    const ready2 = h.next('ready', (m) => m.info.runId === 7);
    h.send({ type: 'reset', runId: 7, settings: settings({ epochs: 6 }), dataset: { kind: 'toy' } });
    await ready2;
    const done2 = h.next('stopped', (m) => m.runId === 7 && m.status === 'done');
    h.send({ type: 'play', runId: 7, speed: 'max' });
    await done2;
    const losses2 = h.inbox.slice(before).filter((m): m is Msg<'progress'> => m.type === 'progress').flatMap((p) => p.metrics);
    expect(losses2.map((m) => m.loss)).toEqual(losses.map((m) => m.loss));

    // Data it cannot use is a run error that names the problem, not a crash.
    const error = h.next('error', (m) => m.runId === 8);
    h.send({ type: 'reset', runId: 8, settings: SEED_SETTINGS, dataset: { kind: 'csv', name: 'bad.csv', ratings: 'user,item,rating\nAda,Heat,five\n' } });
    const e = await error;
    expect(e.fatal).toBe(false);
    expect(e.message).toMatch(/bad\.csv.*line 2.*rating "five" is not a number/);
  }, 240_000);
});
