// A GPU device lost under the engine host, on real WebGPU: the device is really destroyed (its work
// in flight fails as on a driver reset) and reports the reason a reset gives ('unknown', where the
// page's own destroy() would say 'destroyed'). The host opens a new device, rebuilds the run at its
// last kept epoch, says so, and training goes on bit for bit as the run that was never lost; too
// many losses in a minute end in a clear fatal message.
import { describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../../src/gpu/device';
import { SEED_SETTINGS } from '../../src/train/settings';
import { DeviceLosses, LOSS_WINDOW_MS } from '../../src/worker/recovery';
import type { RunInfo, SnapshotData, ToWorker } from '../../src/worker/protocol';
import { hostHarness, type Msg } from '../helpers/engineHost';
import { startedStore } from '../helpers/runStore';

type Host = ReturnType<typeof hostHarness>;

/** Real devices whose loss the test decides: lose() destroys the device, then reports it lost for `message`. */
function losableDevices() {
  const opened: { gpu: Gpu; lose(message: string): void }[] = [];
  const open = async (): Promise<Gpu> => {
    const gpu = await createGpu();
    let report!: (info: GPUDeviceLostInfo) => void;
    const lost = new Promise<GPUDeviceLostInfo>((resolve) => (report = resolve));
    Object.defineProperty(gpu.device, 'lost', { value: lost, configurable: true });
    opened.push({
      gpu,
      lose(message) {
        gpu.device.destroy();
        report({ reason: 'unknown', message } as GPUDeviceLostInfo);
      },
    });
    return gpu;
  };
  return { open, opened, current: () => opened[opened.length - 1] };
}

/** A clock the test moves: device losses are counted per minute, and opening devices here takes a while. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const settings = { ...SEED_SETTINGS, epochs: 120 };
const RUN = 1;

/** Every epoch's loss and each kept snapshot a host posted for run RUN. */
function posted(h: Host, from = 0) {
  const progress = h.inbox.slice(from).filter((m): m is Msg<'progress'> => m.type === 'progress' && m.runId === RUN);
  const losses = new Map(progress.flatMap((p) => p.metrics.map((m) => [m.epoch, m.loss] as const)));
  const snapshots = new Map(progress.flatMap((p) => p.snapshots.map((s) => [s.epoch, s] as const)));
  return { losses, snapshots };
}

function sameSnapshot(a: SnapshotData, b: SnapshotData): void {
  expect(a.epoch).toBe(b.epoch);
  expect(Array.from(a.user)).toEqual(Array.from(b.user));
  expect(Array.from(a.item)).toEqual(Array.from(b.item));
  expect(Array.from(a.topk)).toEqual(Array.from(b.topk));
}

async function ready(h: Host) {
  const r = h.next('ready');
  h.send({ type: 'reset', runId: RUN, settings, dataset: { kind: 'toy' } });
  return r;
}

describe('a lost GPU device', () => {
  it('mid-run: a new device, the last kept epoch restored, and training goes on as if nothing happened', async () => {
    // The run that never loses its device.
    const reference = hostHarness();
    await ready(reference);
    const finished = reference.next('stopped', (m) => m.status === 'done');
    reference.send({ type: 'play', runId: RUN, speed: 'max' });
    await finished;
    const expected = posted(reference).losses;
    expect(expected.size).toBe(settings.epochs);

    const devices = losableDevices();
    const h = hostHarness(devices.open);
    const first = await ready(h);
    // Lose the device as soon as the run is under way: the next chunk is in flight by then.
    const underway = h.next('progress');
    const recovered = h.next('recovered');
    h.send({ type: 'play', runId: RUN, speed: 'max' });
    const atLoss = (await underway).epoch;
    devices.current().lose('simulated driver reset');
    const r = await recovered;

    expect(devices.opened.length).toBe(2);
    expect(r.runId).toBe(RUN);
    expect(r.message).toBe(`The GPU device was lost (simulated driver reset); restored epoch ${r.epoch} on a new device. Press play to go on.`);
    const before = posted(h);
    // The last kept epoch: one the page was sent, at or before the loss.
    expect(r.epoch).toBeLessThanOrEqual(Math.max(...before.losses.keys()));
    sameSnapshot(r.snapshot, r.epoch === 0 ? first.snapshot : before.snapshots.get(r.epoch)!);
    expect(atLoss).toBeGreaterThan(0);
    // The failed chunk is not reported as an error of the run.
    expect(h.all('error')).toEqual([]);

    // Training goes on from the restored epoch, on the new device, bit for bit.
    const mark = h.inbox.length;
    const done = h.next('stopped', (m) => m.status === 'done');
    h.send({ type: 'play', runId: RUN, speed: 'max' });
    expect((await done).epoch).toBe(settings.epochs);
    const after = posted(h, mark).losses;
    expect([...after.keys()]).toEqual(Array.from({ length: settings.epochs - r.epoch }, (_, k) => r.epoch + 1 + k));
    for (const [epoch, loss] of [...before.losses, ...after]) expect(loss, `epoch ${epoch}`).toBe(expected.get(epoch));

    // Explanations run on the new device, now and at an epoch before the loss.
    const now = h.next('explanation', (m) => m.requestId === 1);
    h.send({ type: 'explain', requestId: 1, runId: RUN, epoch: settings.epochs, user: 2, item: 1, head: 'mean' });
    const e = (await now).explanation!;
    expect(e.counterfactuals.baseline).toBeCloseTo(e.score, 4);
    const past = h.next('explanation', (m) => m.requestId === 2);
    h.send({ type: 'explain', requestId: 2, runId: RUN, epoch: r.epoch, user: 2, item: 1, head: 'mean' });
    expect((await past).explanation!.epoch).toBe(r.epoch);
  }, 300_000);

  it('while paused: restores the epoch it stood at; three losses within a minute end in a fatal message', async () => {
    const devices = losableDevices();
    const time = clock();
    const h = hostHarness(devices.open, new DeviceLosses(time.now));
    await ready(h);
    const stopped = h.next('stopped');
    h.send({ type: 'step', runId: RUN, epochs: 3 });
    expect((await stopped).epoch).toBe(3);
    // An explanation waits for the kept checkpoint's readback: after it, epoch 3 is kept for sure.
    const explained = h.next('explanation');
    h.send({ type: 'explain', requestId: 1, runId: RUN, epoch: 3, user: 2, item: 1, head: 'mean' });
    await explained;

    for (let loss = 1; loss <= 2; loss++) {
      time.advance(LOSS_WINDOW_MS / 4);
      const recovered = h.next('recovered');
      devices.current().lose(`reset ${loss}`);
      const r = await recovered;
      expect(r.epoch).toBe(3);
      expect(r.message).toBe(`The GPU device was lost (reset ${loss}); restored epoch 3 on a new device. Press play to go on.`);
    }
    expect(devices.opened.length).toBe(3);

    const fatal = h.next('error');
    time.advance(LOSS_WINDOW_MS / 4);
    devices.current().lose('reset 3');
    const e = await fatal;
    expect(e.fatal).toBe(true);
    expect(e.message).toBe('The GPU device was lost 3 times within a minute (last: reset 3). Reload the page to start again.');
    expect(devices.opened.length).toBe(3);
  }, 300_000);
});

describe('DeviceLosses', () => {
  it('gives up at the third loss within a minute, not when losses are further apart', () => {
    const time = clock();
    const losses = new DeviceLosses(time.now);
    const spaced = [0, 0.6, 0.6, 0.6, 0.6].map((f) => {
      time.advance(f * LOSS_WINDOW_MS);
      return losses.record();
    });
    expect(spaced).toEqual([true, true, true, true, true]);
    time.advance(0.3 * LOSS_WINDOW_MS);
    // The losses at 1.8 and 2.4 minutes and this one at 2.7: three within a minute.
    expect(losses.record()).toBe(false);
  });
});

describe('the page after a recovered device', () => {
  it('goes back to the restored epoch, forgets what came after, and says what happened', () => {
    const { store, sent, deliver } = startedStore();
    const { runId } = sent[0] as Extract<ToWorker, { type: 'reset' }>;
    const snap = (epoch: number): SnapshotData => ({ epoch, k: 1, channels: 1, user: Float32Array.of(epoch), item: new Float32Array(3), topk: new Int32Array(3), attention: [] });
    const info = { runId, settings: SEED_SETTINGS, adapterName: 'a', paths: 'per op', datasetName: 'toy', userNames: ['u'], itemNames: ['i'], numUsers: 1, numItems: 1, ratings: { user: new Uint32Array(0), item: new Uint32Array(0), rating: new Float32Array(0), train: new Uint8Array(0), val: new Uint8Array(0) }, graph: { edgeSrc: new Uint32Array(0), edgeDst: new Uint32Array(0) }, layers: 3, heads: 2, channels: 1, k: 1, stepsPerEpoch: 7, paramCount: 1, keepEvery: 1, notes: [] } satisfies RunInfo;
    deliver({ type: 'ready', info, metrics: [], snapshot: snap(0), recall: 0 });
    const metrics = [1, 2, 3, 4, 5].map((epoch) => ({ epoch, loss: epoch, recall: 0, fullMse: epoch, ms: 1 }));
    deliver({ type: 'progress', runId, metrics, snapshots: metrics.map((m) => snap(m.epoch)), epoch: 5 });
    deliver({ type: 'stopped', runId, epoch: 5, status: 'idle' });
    const message = 'The GPU device was lost (reset); restored epoch 3 on a new device. Press play to go on.';
    deliver({ type: 'recovered', runId, epoch: 3, snapshot: snap(3), message });
    const s = store.getState();
    expect([s.epoch, s.history.map((m) => m.epoch), s.kept, s.live?.epoch, s.status]).toEqual([3, [1, 2, 3], [0, 1, 2, 3], 3, 'idle']);
    expect(s.keepNotice).toEqual({ tone: 'warn', text: message });
    store.getState().play();
    expect(sent.at(-1)).toEqual({ type: 'play', runId, speed: s.speed });
  });
});
