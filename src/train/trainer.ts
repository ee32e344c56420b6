// The training loop. It plans a chunk of epochs on the CPU (shuffles, sampled batches), uploads
// their graphs in one write, encodes every optimizer step and every evaluation of the chunk into
// one command buffer, and reads back only the chunk's losses, Recall@K values and the snapshots
// asked for: one wait per chunk.
import type { Gpu } from '../gpu/device';
import type { Kernels } from '../gpu/kernels';
import { readBack, readFloats, storageBuffer } from '../gpu/buffers';
import { STEP_FIELDS } from '../gpu/graphBuffer';
import { Sampler } from '../graph/sampler';
import { checkFitsGpu } from '../graph/gpuSize';
import type { GraphArrays, Ratings } from '../graph/types';
import { EVAL_SLOTS } from '../model/arena';
import { type ModelOnGpu, Workspace } from '../model/gpuModel';
import { decideFusion, fusedStep, type FuseDecision } from './fuseDecision';
import { chooseEvalPath } from './evalFusion';
import { initParams, type ModelShape } from '../model/params';
import { Rng } from '../util/rng';
import { SnapshotCapture } from './capture';
import { Probe } from './probe';
import { chunkCapacity, grownCapacity, pack, packFused } from './chunkPlan';
import { evaluatorFor, type Evaluator } from './evaluator';
import { Selection } from './selection';
import { placeModel, modelShape } from './modelOnGraph';
import { prepare, type Prepared } from './prepare';
import { objectiveOf, type RunSettings } from './settings';
import { checkCheckpointFits, DivergedError, type Checkpoint, type EpochMetrics, type Selected, type Snapshot } from './types';

export interface TrainOptions {
  /** Epochs whose snapshot is captured on the GPU during the chunk and handed to onChunk. */
  keep?: (epoch: number) => boolean;
}

/** Steps per chunk at most: bounds the upload and the command buffer. */
const MAX_STEPS_PER_CHUNK = 4096;

/** A chunk submitted to the GPU whose results are on their way back. */
interface Launched {
  epochs: number;
  started: number;
  /** Where to go back to if it diverges: the generator, counters, and which backup holds the weights. */
  rewind: { rng: Rng; step: number; epoch: number; slot: number };
  keep?: (epoch: number) => boolean;
  kept: number[];
  /** Per epoch of the chunk: whether Recall@K was computed after it. */
  evaluated: boolean[];
  stepsPerEpoch: number[];
  /** Supervision pairs of each step, to weight its loss. */
  labels: number[];
  results: Promise<[Float32Array, { recall: Float32Array; fullMse: Float32Array }, Float32Array, ArrayBuffer | null]>;
}

export class Trainer {
  readonly history: EpochMetrics[] = [];
  /** Epochs done. */
  epoch = 0;
  /** Optimizer steps done (Adam's t). */
  step = 0;
  /**
   * 'auto': fused steps where a measurement on this adapter found them faster (fuseDecision.ts);
   * 'never' and 'always' (the widest fused workgroup): forced, for comparisons.
   */
  fuse: 'auto' | 'never' | 'always' = 'auto';
  /** The measured decisions of 'auto' for the steps and the evaluation, made by the first train() call. */
  fusion: FuseDecision | null = null;
  evalFusion: FuseDecision | null = null;
  private workspace: Workspace | null = null;
  /** For forward passes on other graphs (embeddingsFor). */
  private probe: Probe | null = null;
  /** The graph whose full packing is in the workspace's graph buffer (per-op path). */
  private resident: GraphArrays | null = null;
  private upload: GPUBuffer | null = null;
  private readonly capture: SnapshotCapture;
  /** Parameters and Adam's state at the start of the last two chunks, to rewind to if one diverges. */
  private readonly backups: { params: GPUBuffer; opt: GPUBuffer }[];
  private launches = 0;
  /** Epochs planned and submitted (ahead of `epoch` while a chunk is in flight). */
  private plannedEpoch = 0;

  private constructor(
    readonly gpu: Gpu,
    readonly settings: RunSettings,
    readonly data: Prepared,
    readonly shape: ModelShape,
    readonly model: ModelOnGpu,
    private readonly features: GPUBuffer,
    readonly evaluator: Evaluator,
    private readonly sampler: Sampler,
    private rng: Rng,
    /** Model selection on the validation split (settings.val); null without one. */
    readonly selection: Selection | null,
  ) {
    this.backups = [0, 1].map((i) => ({
      params: storageBuffer(gpu.device, `backup${i}.params`, model.size * 4),
      opt: storageBuffer(gpu.device, `backup${i}.opt`, model.size * 12),
    }));
    this.capture = new SnapshotCapture(gpu, evaluator, shape, data.numUsers);
  }

  /** A fresh run: features and initial weights drawn from the seed (or the given weights). */
  static create(gpu: Gpu, kernels: Kernels, ratings: Ratings, settings: RunSettings, initial?: Float32Array): Trainer {
    const rng = new Rng(settings.seed);
    // Before any buffer (and before the features) is made: a dataset too large for this GPU is the
    // user's to change, not a crash.
    const data = prepare(ratings, settings, rng, (counts) => checkFitsGpu(counts, gpu.device.limits));
    const shape = modelShape(settings, data.features);
    const { model, features } = placeModel(gpu, kernels, shape, initial ?? initParams(shape, rng), data.features);
    const evaluator = evaluatorFor(model, features, data, settings.k);
    const sampler = new Sampler({
      numUsers: data.numUsers,
      numItems: data.numItems,
      mpEdges: data.mpEdges,
      supervision: data.train,
      batchSize: settings.batchSize,
      neighbors: settings.neighbors,
      negRatio: settings.negRatio,
      allEdgesForNegCheck: data.all,
      loss: settings.loss,
    });
    const selection = evaluator.hasValidation ? new Selection(model, evaluator, settings.patience) : null;
    return new Trainer(gpu, settings, data, shape, model, features, evaluator, sampler, rng, selection);
  }

  /** Optimizer steps in one epoch. */
  get stepsPerEpoch(): number {
    const b = this.settings.batchSize;
    return b === 'full' ? 1 : Math.ceil(this.data.train.user.length / b);
  }

  /**
   * Trains `epochs` more epochs, in chunks of one readback each, and returns their metrics.
   * `onChunk` sees each chunk's metrics, and the snapshots of the epochs `options.keep` picks, as
   * they arrive. The next chunk is planned and submitted before the last one's results are read,
   * so the CPU's work overlaps the GPU's. If the loss turns NaN or infinite, the run is rewound to
   * the last good epoch and a DivergedError is thrown.
   */
  async train(epochs: number, onChunk?: (m: EpochMetrics[], s: Snapshot[]) => void, options: TrainOptions = {}): Promise<EpochMetrics[]> {
    if (this.selection?.stopped != null) return [];
    const perChunk = Math.max(1, Math.min(EVAL_SLOTS, Math.floor(MAX_STEPS_PER_CHUNK / this.stepsPerEpoch)));
    const sizes: number[] = [];
    for (let left = epochs; left > 0; left -= perChunk) sizes.push(Math.min(perChunk, left));
    const out: EpochMetrics[] = [];
    if (sizes.length > 0) await this.decidePaths();
    const launch = (i: number) => this.launch(sizes[i], options.keep, i === sizes.length - 1);
    let inflight = sizes.length > 0 ? launch(0) : null;
    for (let i = 0; inflight; i++) {
      const next = i + 1 < sizes.length ? launch(i + 1) : null;
      const { metrics, snapshots } = await this.land(inflight);
      out.push(...metrics);
      onChunk?.(metrics, snapshots);
      // An early stop has undone what was launched after it.
      inflight = this.selection?.stopped != null ? null : next;
    }
    return out;
  }

  /** Settles whether steps and evaluations run fused (fuseDecision.ts, evalFusion.ts): train() calls it, the page before epoch 1. */
  async decidePaths(): Promise<void> {
    if (this.fuse === 'auto' && !this.fusion) {
      // Timed on the largest step of an epoch planned from a copy of the generator (the run's own draws are untouched).
      const largest = this.sampler.planEpoch(this.rng.clone()).reduce((a, b) => (b.numUsers + b.numItems > a.numUsers + a.numItems ? b : a));
      this.fusion = await decideFusion(this.gpu, this.model.kernels, this.shape, this.features, this.model.inputs, largest);
    }
    this.evalFusion = await chooseEvalPath(this.fuse, this.gpu, this.evaluator);
  }

  /**
   * Plans a chunk on the CPU, uploads it, encodes and submits it, and starts reading its results
   * back. `ends` says whether the chunk's last epoch ends the train() call (it is then evaluated).
   */
  private launch(epochs: number, keep: ((epoch: number) => boolean) | undefined, ends: boolean): Launched {
    const { device } = this.gpu;
    const started = performance.now();
    const slot = this.launches++ % 2;
    const rewind = { rng: this.rng.clone(), step: this.step, epoch: this.plannedEpoch, slot };
    const batches = Array.from({ length: epochs }, () => this.sampler.planEpoch(this.rng));
    const ws = this.ensureWorkspace(batches.flat());
    const fused = fusedStep(this.fuse, this.fusion, this.model.kernels, batches.flat());
    const steps = { lr: this.settings.lr, before: this.step };
    const plan = fused ? packFused(batches, steps) : pack(batches, steps, this.resident);
    this.step += plan.steps.length;
    // The per-op path leaves the chunk's last graph in the workspace; the fused one leaves it as it was.
    if (!fused) this.resident = batches[epochs - 1][batches[epochs - 1].length - 1];
    const upload = this.ensureUpload(plan.data.length);
    // Queue writes and submits run in order: the previous chunk is done with the upload by then.
    device.queue.writeBuffer(upload, 0, plan.data);
    const numbers = Array.from({ length: epochs }, (_, e) => rewind.epoch + e + 1);
    const kept = numbers.filter((n) => keep?.(n) ?? false);
    // A kept snapshot copies the evaluation's embeddings and top-K, so its epoch is evaluated too.
    const evaluated = numbers.map((n, e) => n % this.settings.evalEvery === 0 || kept.includes(n) || (ends && e === epochs - 1));
    const capture = this.capture.ensure(kept.length);
    this.selection?.writeEpochs(rewind.epoch + 1, epochs);

    const encoder = device.createCommandEncoder({ label: `epochs ${rewind.epoch + 1}..${rewind.epoch + epochs}` });
    const backup = this.backups[slot];
    encoder.copyBufferToBuffer(this.model.params, 0, backup.params, 0, this.model.size * 4);
    encoder.copyBufferToBuffer(this.model.opt, 0, backup.opt, 0, this.model.size * 12);
    let s = 0;
    for (let e = 0; e < epochs; e++) {
      if (plan.controls) {
        encoder.copyBufferToBuffer(upload, plan.controls[e] * 4, ws.control, 0, 16);
        const pass = encoder.beginComputePass();
        ws.encodeFusedSteps(pass, upload, fused!.pipeline);
        pass.end();
        s += batches[e].length;
      } else {
        for (let b = 0; b < batches[e].length; b++, s++) {
          const step = plan.steps[s];
          if (step.fieldsOnly) encoder.copyBufferToBuffer(upload, step.at * 4, ws.graph, STEP_FIELDS.lossSlot * 4, 12);
          else encoder.copyBufferToBuffer(upload, step.at * 4, ws.graph, 0, step.counts.words * 4);
          const pass = encoder.beginComputePass();
          ws.encodeTrainStep(pass, step.counts);
          pass.end();
        }
      }
      if (evaluated[e]) {
        this.evaluator.encode(encoder, e);
        this.selection?.encode(encoder, e);
      }
      const k = kept.indexOf(rewind.epoch + e + 1);
      if (k >= 0) this.capture.encode(encoder, capture!, k);
    }
    device.queue.submit([encoder.finish()]);
    this.plannedEpoch += epochs;
    // The copies for the readbacks are submitted now, before the next chunk can overwrite the slots.
    const results = Promise.all([
      ws.readLosses(plan.steps.length),
      this.evaluator.readMetrics(epochs),
      this.evaluator.readValRecall(epochs),
      kept.length > 0 ? readBack(device, capture!, kept.length * this.capture.bytes) : Promise.resolve(null),
    ]);
    return { epochs, started, rewind, keep, kept, evaluated, stepsPerEpoch: batches.map((b) => b.length), labels: plan.steps.map((st) => st.counts.labels), results };
  }

  /** Waits for a launched chunk and turns its readback into metrics and snapshots. */
  private async land(chunk: Launched): Promise<{ metrics: EpochMetrics[]; snapshots: Snapshot[] }> {
    const [loss, { recall, fullMse }, valRecall, captured] = await chunk.results;
    const { rewind, epochs } = chunk;
    const ms = (performance.now() - chunk.started) / epochs;
    const metrics: EpochMetrics[] = [];
    let s = 0;
    for (let e = 0; e < epochs; e++) {
      let sum = 0;
      let pairs = 0;
      for (let b = 0; b < chunk.stepsPerEpoch[e]; b++, s++) {
        sum += loss[s] * chunk.labels[s];
        pairs += chunk.labels[s];
      }
      const ev = chunk.evaluated[e];
      const m: EpochMetrics = { epoch: rewind.epoch + e + 1, loss: pairs > 0 ? sum / pairs : 0, recall: ev ? recall[e] : null, fullMse: ev ? fullMse[e] : null, ms };
      if (this.selection) m.valRecall = ev ? valRecall[e] : null;
      if (!Number.isFinite(m.loss)) {
        await this.rewind(rewind, e, chunk.keep);
        throw new DivergedError(m.epoch);
      }
      metrics.push(m);
    }
    const stop = metrics.findIndex((m) => m.valRecall != null && m.recall !== null && this.selection!.observe(m.epoch, m.valRecall, m.recall));
    // Stopped inside the chunk, or with another chunk launched after it: back to the stop, bit for bit.
    if (stop >= 0 && (stop < epochs - 1 || this.plannedEpoch > rewind.epoch + epochs)) return this.rewind(rewind, stop + 1, chunk.keep);
    this.epoch = rewind.epoch + epochs;
    this.history.push(...metrics);
    const snapshots = captured ? chunk.kept.map((epoch, k) => this.capture.unpack(captured, k, epoch)) : [];
    return { metrics, snapshots };
  }

  /**
   * Back to the state before a chunk (whatever was launched after it is undone too), then,
   * deterministically, through its first `good` epochs.
   */
  private async rewind(to: Launched['rewind'], good: number, keep?: (epoch: number) => boolean): Promise<{ metrics: EpochMetrics[]; snapshots: Snapshot[] }> {
    const { device } = this.gpu;
    const backup = this.backups[to.slot];
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(backup.params, 0, this.model.params, 0, this.model.size * 4);
    encoder.copyBufferToBuffer(backup.opt, 0, this.model.opt, 0, this.model.size * 12);
    device.queue.submit([encoder.finish()]);
    // The GPU may have decided on epochs being undone; the host's view holds only the landed ones.
    this.selection?.sync();
    this.rng = to.rng;
    this.step = to.step;
    this.epoch = to.epoch;
    this.plannedEpoch = to.epoch;
    return good > 0 ? this.land(this.launch(good, keep, true)) : { metrics: [], snapshots: [] };
  }

  /** A workspace big enough for every graph of the chunk (rebuilt, with its bind groups, when not). */
  private ensureWorkspace(graphs: GraphArrays[]): Workspace {
    const need = chunkCapacity(graphs);
    const ws = this.workspace;
    if (ws?.fits(need)) return ws;
    ws?.destroy();
    this.workspace = new Workspace(this.model, this.features, grownCapacity(ws?.capacity, need), objectiveOf(this.settings));
    // The new graph buffer holds nothing yet.
    this.resident = null;
    return this.workspace;
  }

  private ensureUpload(words: number): GPUBuffer {
    if (!this.upload || this.upload.size < words * 4) {
      this.upload?.destroy();
      this.upload = storageBuffer(this.gpu.device, 'upload', Math.ceil(words * 1.25) * 4);
    }
    return this.upload;
  }

  /** Runs the evaluation now (without training) and returns Recall@K. */
  async evaluate(): Promise<number> {
    this.evalFusion = await chooseEvalPath(this.fuse, this.gpu, this.evaluator);
    const encoder = this.gpu.device.createCommandEncoder();
    this.evaluator.encode(encoder, 0);
    this.gpu.device.queue.submit([encoder.finish()]);
    return (await this.evaluator.readRecall(1))[0];
  }

  /** The last evaluation's snapshot, read now (for one taken during a chunk, see TrainOptions.keep). */
  async snapshot(): Promise<Snapshot> {
    const { numUsers } = this.data;
    const ws = this.evaluator.workspace;
    const C = this.shape.hidden;
    const { nodes, edges } = this.evaluator.counts;
    const [emb, topk, ...attention] = await Promise.all([
      ws.readEmbeddings(nodes),
      this.evaluator.readTopK(),
      ...ws.layout.layers.map((_, l) => ws.readAttention(l, edges)),
    ]);
    return { epoch: this.epoch, k: this.evaluator.k, channels: C, user: emb.slice(0, numUsers * C), item: emb.slice(numUsers * C), topk, attention };
  }

  /**
   * The encoder's output with the current weights on another graph over the same users and items
   * (an edge taken away, say): one forward pass on the GPU, no training.
   */
  embeddingsFor(graph: GraphArrays): Promise<{ user: Float32Array; item: Float32Array }> {
    this.probe ??= new Probe(this.model, this.features, this.data.numUsers, this.data.numItems);
    return this.probe.embeddings(graph);
  }

  /**
   * Puts the weights of the epoch chosen on validation in place (to recommend, explain, export) and
   * evaluates them; null without a validation split. Adam's moments and the counters stay the last epoch's.
   */
  async restoreSelected(): Promise<Selected | null> {
    const best = this.selection?.use() ?? null;
    if (best) await this.evaluate();
    return best;
  }

  readParams(): Promise<Float32Array> {
    return this.model.readParams();
  }

  /** The run as it stands, to go on from later or elsewhere (see Checkpoint). Between train() calls. */
  async checkpoint(): Promise<Checkpoint> {
    if (this.plannedEpoch !== this.epoch) throw new Error('checkpoint: a train() call is still running; wait for it first');
    const size = this.model.size;
    // The counters as of now, with the copies queued now: a train() call may start before the readback lands.
    const counters = { epoch: this.epoch, step: this.step, rng: this.rng.state(), history: this.history.map((m) => ({ ...m })) };
    // Adam's buffer holds grads | m | v; the gradients are rewritten by the next step's backward.
    const [params, moments, selection] = await Promise.all([this.model.readParams(), readFloats(this.gpu.device, this.model.opt, 2 * size, size), this.selection?.checkpointState() ?? null]);
    return { ...counters, params, moments, ...(selection && { selection }) };
  }

  /**
   * Puts a checkpoint's state in place: the next train() goes on exactly as the run that took it,
   * and evaluate() and snapshot() see its weights; with a validation split, restoreSelected() then
   * puts back the weights of the epoch chosen before it. The checkpoint must come from a run on the same
   * ratings with the same settings; one whose sizes do not fit this run is refused with an Error.
   */
  restore(c: Checkpoint): void {
    if (this.plannedEpoch !== this.epoch) throw new Error('restore: a train() call is still running; wait for it first');
    const size = this.model.size;
    checkCheckpointFits(c, this.shape, size, this.stepsPerEpoch);
    const rng = Rng.fromState(c.rng);
    const { device } = this.gpu;
    this.model.writeParams(c.params);
    // The gradients are cleared as a fresh model's are: the next backward writes them whole.
    device.queue.writeBuffer(this.model.opt, 0, new Float32Array(size));
    device.queue.writeBuffer(this.model.opt, size * 4, c.moments.buffer, c.moments.byteOffset, c.moments.byteLength);
    this.rng = rng;
    this.epoch = c.epoch;
    this.plannedEpoch = c.epoch;
    this.step = c.step;
    this.history.length = 0;
    for (const m of c.history) this.history.push({ ...m });
    this.selection?.restore(c.selection);
    // The evaluator's workspace then holds the restored weights' embeddings and top-K, for snapshot().
    const encoder = device.createCommandEncoder({ label: `restore at epoch ${c.epoch}` });
    this.evaluator.encode(encoder, 0);
    device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    for (const b of [this.workspace, this.probe, this.evaluator, this.selection]) b?.destroy();
    this.capture.destroy();
    for (const b of [this.upload, this.features, ...this.backups.flatMap((k) => [k.params, k.opt])]) b?.destroy();
    this.model.destroy();
  }
}
