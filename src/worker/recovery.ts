// When the GPU device is lost (a driver reset, a browser that reclaims a background tab's GPU), the
// run goes on from its last kept epoch on a new device. This file holds how the run is rebuilt
// there, how a loss is told from an ordinary failure, and when to stop trying.
import type { Gpu } from '../gpu/device';
import type { Kernels } from '../gpu/kernels';
import { Trainer } from '../train/trainer';
import type { Checkpoint } from '../train/types';

/** This many losses within LOSS_WINDOW_MS and the page gives up: the GPU is not coming back. */
export const LOSS_LIMIT = 3;
export const LOSS_WINDOW_MS = 60_000;

/** How long a failed GPU job waits to learn whether its device was lost (the two arrive in either order). */
const LOST_GRACE_MS = 500;

/** Counts device losses over a sliding window. */
export class DeviceLosses {
  private times: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a loss; false when it is one too many and the page should stop trying. */
  record(): boolean {
    const t = this.now();
    this.times = this.times.filter((at) => t - at < LOSS_WINDOW_MS);
    this.times.push(t);
    return this.times.length < LOSS_LIMIT;
  }
}

/**
 * Whether a failed job's device was lost (by anything but the page's own destroy()). A lost device
 * fails the work in flight and resolves `lost`, in an order WebGPU leaves open, so this waits a little.
 */
export function lostWithin(device: GPUDevice, graceMs = LOST_GRACE_MS): Promise<boolean> {
  return Promise.race([
    device.lost.then((info) => info.reason !== 'destroyed'),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs)),
  ]);
}

/**
 * A new trainer for the data and settings of `like`, on `gpu`, from `initial` weights or from the
 * seed's. The prepared ratings of `like` rebuild the same data: filtering them again keeps every
 * rating in the same order, so the split and the drawn features come out the same.
 */
export function trainerLike(gpu: Gpu, kernels: Kernels, like: Trainer, initial?: Float32Array): Trainer {
  return Trainer.create(gpu, kernels, like.data.ratings, like.settings, initial);
}

/** The lost run, built again on another device and put back where `checkpoint` left it. */
export function rebuildRun(gpu: Gpu, kernels: Kernels, lost: Trainer, checkpoint: Checkpoint): Trainer {
  const trainer = trainerLike(gpu, kernels, lost);
  try {
    trainer.restore(checkpoint);
  } catch (e) {
    trainer.destroy();
    throw e;
  }
  return trainer;
}
