// The training loop. It plans a chunk of epochs on the CPU (shuffles, sampled batches), uploads
// their graphs in one write, encodes every optimizer step and every evaluation of the chunk into
// one command buffer, and reads back only the chunk's losses, Recall@K values and the snapshots
// asked for: one wait per chunk.
import type { Gpu } from '../gpu/device';
import { submitPass, type Kernels } from '../gpu/kernels';
import { readBack, readFloats, storageBuffer, storageWith } from '../gpu/buffers';
import { countsOf, packGraph, setStepFields, HEADER_WORDS, STEP_FIELDS, type GraphCounts } from '../gpu/graphBuffer';
import { fullGraph } from '../graph/build';
import { Sampler } from '../graph/sampler';
import { checkFitsGpu } from '../graph/gpuSize';
import type { GraphArrays, Ratings } from '../graph/types';
import { adamFactors, ModelOnGpu, Workspace, type Capacity } from '../model/gpuModel';
import { decideFusion, follows, type FuseDecision } from './fuseDecision';
import { initParams, type ModelShape } from '../model/params';
import { Rng, type RngState } from '../util/rng';
import { Evaluator } from './evaluator';
import { featureRows, prepare, type Prepared } from './prepare';
import type { RunSettings } from './settings';

export interface EpochMetrics {
  epoch: number;
  /** Mean squared error over the epoch's supervision pairs (each step's loss weighted by its pairs). */
  loss: number;
  /**
   * Recall@K after the epoch, or null where it was not evaluated (settings.evalEvery). Epochs at a
   * multiple of evalEvery, those whose snapshot is kept and the last of each train() call are.
   */
  recall: number | null;
  /** Wall time per epoch, averaged over its chunk. */
  ms: number;
}

/** The model's view after an epoch: what the page draws and the explanations read. */
export interface Snapshot {
  /** Epochs done when it was taken. */
  epoch: number;
  k: number;
  channels: number;
  /** numUsers × channels */
  user: Float32Array;
  /** numItems × channels */
  item: Float32Array;
  /** numUsers × k item indices, best first (-1 pads a short list) */
  topk: Int32Array;
  /** Per layer: the evaluation graph's edges × heads, in its CSR slot order. */
  attention: Float32Array[];
}

/**
 * Everything a run needs to go on, bit for bit, in another Trainer (made by Trainer.create from the
 * same ratings and settings), on this GPU device or another: the weights and Adam's moments, the
 * counters, and the generator that plans the coming epochs. Plain data: it survives JSON (with the
 * arrays as lists), structured clone and the loss of the device it was taken on.
 */
export interface Checkpoint {
  /** Epochs done. */
  epoch: number;
  /** Optimizer steps done (Adam's t). */
  step: number;
  /** The run's generator, so that the next epochs shuffle, sample and draw negatives as they would have. */
  rng: RngState;
  /** The flat parameters, model.size of them (PyG names via src/model/params.ts). */
  params: Float32Array;
  /** Adam's first moments then its second ones, 2 × model.size. */
  moments: Float32Array;
  history: EpochMetrics[];
}

export interface TrainOptions {
  /** Epochs whose snapshot is captured on the GPU during the chunk and handed to onChunk. */
  keep?: (epoch: number) => boolean;
}

/** Epochs whose Recall@K slots one evaluator holds: the most epochs in one chunk. */
const EVAL_SLOTS = 64;
/** Steps per chunk at most: bounds the upload and the command buffer. */
const MAX_STEPS_PER_CHUNK = 4096;
const EMPTY_LABELS = { user: new Uint32Array(0), item: new Uint32Array(0), value: new Float32Array(0) };

export class DivergedError extends Error {
  constructor(readonly epoch: number) {
    super(`training diverged at epoch ${epoch}: the loss is not a finite number; kept the weights of epoch ${epoch - 1}`);
    this.name = 'DivergedError';
  }
}

/** One planned optimizer step of a chunk. */
interface PlannedStep {
  counts: GraphCounts;
  /** Word offset of its data in the chunk's upload. */
  at: number;
  /** Per-op path: only the header's step fields are uploaded, the graph is already in the workspace. */
  fieldsOnly: boolean;
}

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
  results: Promise<[Float32Array, Float32Array, ArrayBuffer | null]>;
}

interface ChunkPlan {
  data: Uint32Array<ArrayBuffer>;
  steps: PlannedStep[];
  /** Fused path: per epoch, the word offset of its Which record (for the workspace's control). */
  controls: number[] | null;
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
  /** The measured decision of 'auto', made by the first train() call. */
  fusion: FuseDecision | null = null;
  private workspace: Workspace | null = null;
  /** For forward passes on other graphs (embeddingsFor). */
  private probe: Workspace | null = null;
  /** The graph whose full packing is in the workspace's graph buffer (per-op path). */
  private resident: GraphArrays | null = null;
  private upload: GPUBuffer | null = null;
  private capture: GPUBuffer | null = null;
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
  ) {
    this.backups = [0, 1].map((i) => ({
      params: storageBuffer(gpu.device, `backup${i}.params`, model.size * 4),
      opt: storageBuffer(gpu.device, `backup${i}.opt`, model.size * 12),
    }));
  }

  /** A fresh run: features and initial weights drawn from the seed (or the given weights). */
  static create(gpu: Gpu, kernels: Kernels, ratings: Ratings, settings: RunSettings, initial?: Float32Array): Trainer {
    const rng = new Rng(settings.seed);
    // Before any buffer (and before the features) is made: a dataset too large for this GPU is the
    // user's to change, not a crash.
    const data = prepare(ratings, settings, rng, (counts) => checkFitsGpu(counts, gpu.device.limits));
    const shape: ModelShape = {
      layers: settings.layers,
      hidden: settings.hidden,
      heads: settings.heads,
      userDim: data.features.userDim,
      itemDim: data.features.itemDim,
    };
    const params = initial ?? initParams(shape, rng);
    const model = new ModelOnGpu(gpu.device, kernels, shape, params);
    const features = storageWith(gpu.device, 'features', featureRows(data.features).data);
    const k = Math.min(settings.k, data.numItems);
    const evalGraph = fullGraph(data.numUsers, data.numItems, data.mpEdges, EMPTY_LABELS);
    const evaluator = new Evaluator(model, features, evalGraph, data.train, data.test, k, EVAL_SLOTS);
    const sampler = new Sampler({
      numUsers: data.numUsers,
      numItems: data.numItems,
      mpEdges: data.mpEdges,
      supervision: data.train,
      batchSize: settings.batchSize,
      neighbors: settings.neighbors,
      negRatio: settings.negRatio,
      allEdgesForNegCheck: data.all,
    });
    return new Trainer(gpu, settings, data, shape, model, features, evaluator, sampler, rng);
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
    const perChunk = Math.max(1, Math.min(EVAL_SLOTS, Math.floor(MAX_STEPS_PER_CHUNK / this.stepsPerEpoch)));
    const sizes: number[] = [];
    for (let left = epochs; left > 0; left -= perChunk) sizes.push(Math.min(perChunk, left));
    const out: EpochMetrics[] = [];
    if (this.fuse === 'auto' && !this.fusion && sizes.length > 0) {
      // Timed on the largest step of an epoch planned from a copy of the generator (the run's own draws are untouched).
      const probe = this.sampler.planEpoch(this.rng.clone());
      const largest = probe.reduce((a, b) => (b.numUsers + b.numItems > a.numUsers + a.numItems ? b : a));
      this.fusion = await decideFusion(this.gpu, this.model.kernels, this.shape, this.features, largest);
    }
    const launch = (i: number) => this.launch(sizes[i], options.keep, i === sizes.length - 1);
    let inflight = sizes.length > 0 ? launch(0) : null;
    for (let i = 0; inflight; i++) {
      const next = i + 1 < sizes.length ? launch(i + 1) : null;
      const { metrics, snapshots } = await this.land(inflight);
      out.push(...metrics);
      onChunk?.(metrics, snapshots);
      inflight = next;
    }
    return out;
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
    const fused = this.fusedStepFor(batches.flat());
    const plan = fused ? this.packFused(batches) : this.pack(batches);
    const upload = this.ensureUpload(plan.data.length);
    // Queue writes and submits run in order: the previous chunk is done with the upload by then.
    device.queue.writeBuffer(upload, 0, plan.data);
    const numbers = Array.from({ length: epochs }, (_, e) => rewind.epoch + e + 1);
    const kept = numbers.filter((n) => keep?.(n) ?? false);
    // A kept snapshot copies the evaluation's embeddings and top-K, so its epoch is evaluated too.
    const evaluated = numbers.map((n, e) => n % this.settings.evalEvery === 0 || kept.includes(n) || (ends && e === epochs - 1));
    const capture = this.ensureCapture(kept.length);

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
      if (evaluated[e]) this.evaluator.encode(encoder, e);
      const k = kept.indexOf(rewind.epoch + e + 1);
      if (k >= 0) this.encodeCapture(encoder, capture!, k);
    }
    device.queue.submit([encoder.finish()]);
    this.plannedEpoch += epochs;
    // The copies for the readbacks are submitted now, before the next chunk can overwrite the slots.
    const results = Promise.all([
      ws.readLosses(plan.steps.length),
      this.evaluator.readRecall(epochs),
      kept.length > 0 ? readBack(device, capture!, kept.length * this.captureBytes) : Promise.resolve(null),
    ]);
    return { epochs, started, rewind, keep, kept, evaluated, stepsPerEpoch: batches.map((b) => b.length), labels: plan.steps.map((st) => st.counts.labels), results };
  }

  /** Waits for a launched chunk and turns its readback into metrics and snapshots. */
  private async land(chunk: Launched): Promise<{ metrics: EpochMetrics[]; snapshots: Snapshot[] }> {
    const [loss, recall, captured] = await chunk.results;
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
      const m = { epoch: rewind.epoch + e + 1, loss: pairs > 0 ? sum / pairs : 0, recall: chunk.evaluated[e] ? recall[e] : null, ms };
      if (!Number.isFinite(m.loss)) {
        await this.rewind(rewind, e, chunk.keep);
        throw new DivergedError(m.epoch);
      }
      metrics.push(m);
    }
    this.epoch = rewind.epoch + epochs;
    this.history.push(...metrics);
    const snapshots = captured ? chunk.kept.map((epoch, k) => this.unpackCapture(captured, k, epoch)) : [];
    return { metrics, snapshots };
  }

  /**
   * Back to the state before a chunk (whatever was launched after it is undone too), then,
   * deterministically, through its first `good` epochs.
   */
  private async rewind(to: Launched['rewind'], good: number, keep?: (epoch: number) => boolean): Promise<void> {
    const { device } = this.gpu;
    const backup = this.backups[to.slot];
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(backup.params, 0, this.model.params, 0, this.model.size * 4);
    encoder.copyBufferToBuffer(backup.opt, 0, this.model.opt, 0, this.model.size * 12);
    device.queue.submit([encoder.finish()]);
    this.rng = to.rng;
    this.step = to.step;
    this.epoch = to.epoch;
    this.plannedEpoch = to.epoch;
    if (good > 0) await this.land(this.launch(good, keep, true));
  }

  /** Sets step t's fields (its loss slot in the chunk, Adam's bias-corrected factors) in a packed header. */
  private stepFields(header: Uint32Array, at: number, slot: number): void {
    this.step++;
    const { stepSize, bias2Sqrt } = adamFactors(this.settings.lr, this.step);
    setStepFields(header, at, slot, stepSize, bias2Sqrt);
  }

  /** The fused step pipeline for a chunk of these step graphs, or null: per op. */
  private fusedStepFor(graphs: GraphArrays[]): { pipeline: GPUComputePipeline } | null {
    if (this.fuse === 'never') return null;
    if (this.fuse === 'always') return this.model.kernels.fusedSteps.at(-1)!;
    const d = this.fusion;
    if (d?.fusedWidth == null || !graphs.every((g) => follows(d, countsOf(g)))) return null;
    return this.model.kernels.fusedSteps.find((f) => f.width === d.fusedWidth) ?? null;
  }

  /**
   * Per-op path: each step's packed graph with its step fields, or, when the step's graph is the
   * one already in the workspace (full batch without negatives), the step fields alone.
   */
  private pack(batches: GraphArrays[][]): ChunkPlan {
    const pieces: Uint32Array[] = [];
    const steps: PlannedStep[] = [];
    let at = 0;
    for (const graph of batches.flat()) {
      const fieldsOnly = graph === this.resident;
      const data = fieldsOnly ? new Uint32Array(HEADER_WORDS) : packGraph(graph);
      this.stepFields(data, 0, steps.length);
      const piece = fieldsOnly ? data.subarray(STEP_FIELDS.lossSlot, STEP_FIELDS.lossSlot + 3) : data;
      pieces.push(piece);
      steps.push({ counts: countsOf(graph), at, fieldsOnly });
      at += piece.length;
      this.resident = graph;
    }
    return { data: concat(pieces, at), steps, controls: null };
  }

  /**
   * Fused path: per epoch a Which record and a schedule (step count, then each step's graph
   * offset), then every step's packed graph with its own header.
   */
  private packFused(batches: GraphArrays[][]): ChunkPlan {
    const epochs = batches.length;
    const scheduleWords = batches.reduce((a, b) => a + 1 + b.length, 0);
    let at = 4 * epochs + scheduleWords;
    const head = new Uint32Array(at);
    const pieces: Uint32Array[] = [head];
    const steps: PlannedStep[] = [];
    const controls: number[] = [];
    let schedule = 4 * epochs;
    batches.forEach((graphs, e) => {
      controls.push(4 * e);
      head.set([0, 0, schedule, e], 4 * e);
      head[schedule] = graphs.length;
      graphs.forEach((graph, b) => {
        const data = packGraph(graph);
        this.stepFields(data, 0, steps.length);
        head[schedule + 1 + b] = at;
        pieces.push(data);
        steps.push({ counts: countsOf(graph), at, fieldsOnly: false });
        at += data.length;
      });
      schedule += 1 + graphs.length;
    });
    // The fused path leaves the workspace's own graph buffer as it was.
    return { data: concat(pieces, at), steps, controls };
  }

  /** A workspace big enough for every graph of the chunk (rebuilt, with its bind groups, when not). */
  private ensureWorkspace(graphs: GraphArrays[]): Workspace {
    const need: Capacity = { nodes: 0, edges: 0, labels: 0, words: 0, lossSlots: graphs.length };
    for (const g of graphs) {
      const c = countsOf(g);
      need.nodes = Math.max(need.nodes, c.nodes);
      need.edges = Math.max(need.edges, c.edges);
      need.labels = Math.max(need.labels, c.labels);
      need.words = Math.max(need.words, c.words);
    }
    const ws = this.workspace;
    if (ws && ws.fits(need)) return ws;
    ws?.destroy();
    // Grow with headroom so that the next chunk's slightly larger batches fit too.
    const grow = (a: number, b: number) => Math.max(a, Math.ceil(b * 1.25));
    const cap = ws?.capacity;
    this.workspace = new Workspace(this.model, this.features, {
      nodes: grow(cap?.nodes ?? 0, need.nodes),
      edges: grow(cap?.edges ?? 0, need.edges),
      labels: grow(cap?.labels ?? 0, need.labels),
      words: grow(cap?.words ?? 0, need.words),
      lossSlots: Math.max(cap?.lossSlots ?? 0, need.lossSlots),
    });
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

  /** Bytes of one captured snapshot: embeddings, every layer's attention, the top-K. */
  private get captureBytes(): number {
    const c = this.evaluator.counts;
    return (c.nodes * this.shape.hidden + this.shape.layers * c.edges * this.shape.heads) * 4 + this.evaluator.topKBytes;
  }

  private ensureCapture(count: number): GPUBuffer | null {
    if (count === 0) return null;
    const bytes = count * this.captureBytes;
    if (!this.capture || this.capture.size < bytes) {
      this.capture?.destroy();
      this.capture = storageBuffer(this.gpu.device, 'capture', bytes);
    }
    return this.capture;
  }

  private encodeCapture(encoder: GPUCommandEncoder, capture: GPUBuffer, k: number): void {
    const ws = this.evaluator.workspace;
    const c = this.evaluator.counts;
    const { hidden: C, heads: H } = this.shape;
    let at = k * this.captureBytes;
    const layers = ws.layout.layers;
    encoder.copyBufferToBuffer(ws.arena, layers[layers.length - 1].out * 4, capture, at, c.nodes * C * 4);
    at += c.nodes * C * 4;
    for (const a of layers) {
      encoder.copyBufferToBuffer(ws.arena, a.alpha * 4, capture, at, c.edges * H * 4);
      at += c.edges * H * 4;
    }
    this.evaluator.encodeCopyTopK(encoder, capture, at);
  }

  private unpackCapture(buffer: ArrayBuffer, k: number, epoch: number): Snapshot {
    const c = this.evaluator.counts;
    const { hidden: C, heads: H, layers } = this.shape;
    const U = this.data.numUsers;
    let at = k * this.captureBytes;
    const floats = (n: number) => {
      const a = new Float32Array(buffer.slice(at, at + n * 4));
      at += n * 4;
      return a;
    };
    const user = floats(U * C);
    const item = floats((c.nodes - U) * C);
    const attention = Array.from({ length: layers }, () => floats(c.edges * H));
    const topk = new Int32Array(buffer.slice(at, at + this.evaluator.topKBytes));
    return { epoch, k: this.evaluator.k, channels: C, user, item, topk, attention };
  }

  /** Runs the evaluation now (without training) and returns Recall@K. */
  async evaluate(): Promise<number> {
    const { device } = this.gpu;
    const encoder = device.createCommandEncoder();
    this.evaluator.encode(encoder, 0);
    device.queue.submit([encoder.finish()]);
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
  async embeddingsFor(graph: GraphArrays): Promise<{ user: Float32Array; item: Float32Array }> {
    const { numUsers, numItems } = this.data;
    if (graph.numUsers !== numUsers || graph.numItems !== numItems) {
      throw new Error(`embeddingsFor: the graph has ${graph.numUsers} users and ${graph.numItems} items, the run ${numUsers} and ${numItems}`);
    }
    const c = countsOf(graph);
    const need: Capacity = { ...c, lossSlots: 1 };
    if (!this.probe || !this.probe.fits(need)) {
      this.probe?.destroy();
      this.probe = new Workspace(this.model, this.features, need);
    }
    const { device } = this.gpu;
    device.queue.writeBuffer(this.probe.graph, 0, packGraph(graph));
    const probe = this.probe;
    submitPass(device, (pass) => probe.encodeForward(pass, c), 'embeddingsFor');
    const emb = await probe.readEmbeddings(c.nodes);
    const C = this.shape.hidden;
    return { user: emb.slice(0, numUsers * C), item: emb.slice(numUsers * C) };
  }

  readParams(): Promise<Float32Array> {
    return this.model.readParams();
  }

  /** The run as it stands, to go on from later or elsewhere (see Checkpoint). Between train() calls. */
  async checkpoint(): Promise<Checkpoint> {
    if (this.plannedEpoch !== this.epoch) throw new Error('checkpoint: a train() call is still running; wait for it first');
    const { device } = this.gpu;
    const size = this.model.size;
    // The counters as of now, with the copies queued now: a train() call may start before the readback lands.
    const counters = { epoch: this.epoch, step: this.step, rng: this.rng.state(), history: this.history.map((m) => ({ ...m })) };
    // Adam's buffer holds grads | m | v; the gradients are rewritten by the next step's backward.
    const [params, moments] = await Promise.all([this.model.readParams(), readFloats(device, this.model.opt, 2 * size, size)]);
    return { ...counters, params, moments };
  }

  /**
   * Puts a checkpoint's state in place: the next train() goes on exactly as the run that took it,
   * and evaluate() and snapshot() see its weights. The checkpoint must come from a run on the same
   * ratings with the same settings; one whose sizes do not fit this run is refused with an Error.
   */
  restore(c: Checkpoint): void {
    if (this.plannedEpoch !== this.epoch) throw new Error('restore: a train() call is still running; wait for it first');
    const size = this.model.size;
    const { layers, hidden, heads } = this.shape;
    const model = `${layers} layers, hidden ${hidden}, ${heads} heads, ${size} parameters`;
    if (c.params.length !== size) {
      throw new Error(`restore: the checkpoint holds ${c.params.length} parameters, this run's model (${model}) has ${size}; it was taken with other settings or data`);
    }
    if (c.moments.length !== 2 * size) {
      throw new Error(`restore: the checkpoint holds ${c.moments.length} Adam moments, this run's model (${model}) needs ${2 * size} (m then v)`);
    }
    if (!Number.isInteger(c.epoch) || c.epoch < 0 || c.step !== c.epoch * this.stepsPerEpoch) {
      throw new Error(`restore: the checkpoint is at step ${c.step} after epoch ${c.epoch}, but this run takes ${this.stepsPerEpoch} steps per epoch; it was taken with another batch size or data`);
    }
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
    // The evaluator's workspace then holds the restored weights' embeddings and top-K, for snapshot().
    const encoder = device.createCommandEncoder({ label: `restore at epoch ${c.epoch}` });
    this.evaluator.encode(encoder, 0);
    device.queue.submit([encoder.finish()]);
  }

  destroy(): void {
    for (const b of [this.workspace, this.probe, this.evaluator]) b?.destroy();
    for (const b of [this.upload, this.capture, this.features, ...this.backups.flatMap((k) => [k.params, k.opt])]) b?.destroy();
    this.model.destroy();
  }
}

function concat(pieces: Uint32Array[], words: number): Uint32Array<ArrayBuffer> {
  const data = new Uint32Array(words);
  let o = 0;
  for (const p of pieces) {
    data.set(p, o);
    o += p.length;
  }
  return data;
}
