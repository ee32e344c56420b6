// A PyG fixture case (../shared/fixtures/pyg/README.md, parsed by src/formats/caseFile.ts) on the
// GPU: the forward pass, loss, gradients, optional full-batch Adam steps and optional top-K
// evaluation, all through the engine's kernels. Outputs use the expected files' names and PyG's
// tensor shapes, so a case's output and its expected file compare key by key.
import type { Gpu } from '../gpu/device';
import { submitPass, type Kernels } from '../gpu/kernels';
import { buildGraph } from '../graph/build';
import { NO_LABELS } from '../graph/pairs';
import type { CaseSpec } from '../formats/caseFile';
import { type ModelShape, namedFromFlat } from '../model/params';
import { Evaluator } from './evaluator';
import { ModelOnGraph } from './modelOnGraph';

export type Nested = number | Nested[];

export interface CaseResult {
  adapter: string;
  embeddings: { user: number[][]; item: number[][] };
  predictions: number[];
  loss: number;
  grads: Record<string, Nested>;
  train?: {
    loss_history: number[];
    final_loss: number;
    final_params: Record<string, Nested>;
    final_embeddings: { user: number[][]; item: number[][] };
  };
  eval?: { topk_index: number[][]; recall: number };
}

/** Rows of `cols` numbers. */
function rows(data: ArrayLike<number>, count: number, cols: number): number[][] {
  return Array.from({ length: count }, (_, r) => Array.from({ length: cols }, (_, c) => data[r * cols + c]));
}

function nest(data: ArrayLike<number>, dims: number[], at = 0): Nested[] {
  const [n, ...rest] = dims;
  const stride = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => (rest.length === 0 ? data[at + i] : nest(data, rest, at + i * stride)));
}

/** Tensors by PyG name (state_dict order), nested lists in PyG's shapes. */
function namedNested(shape: ModelShape, flat: Float32Array): Record<string, Nested> {
  const out: Record<string, Nested> = {};
  for (const [name, t] of Object.entries(namedFromFlat(shape, flat))) out[name] = nest(t.data, t.shape);
  return out;
}

/** Runs a case on the GPU: the forward pass, loss and gradients; then training and evaluation if asked. */
export async function runCase(gpu: Gpu, kernels: Kernels, spec: CaseSpec): Promise<CaseResult> {
  const { device } = gpu;
  const { numUsers, numItems, shape } = spec;
  const C = shape.hidden;
  const nodes = numUsers + numItems;
  const steps = spec.train?.steps ?? 0;
  const graph = buildGraph({ numUsers, numItems, rates: spec.rates, revRates: spec.revRates, labels: spec.labels });
  const run = new ModelOnGraph(gpu, kernels, shape, spec.params, spec.features, graph, steps + 1, spec.objective);
  const { model, features, counts, workspace: ws } = run;
  let evaluator: Evaluator | null = null;

  /** Writes the graph with its step fields, then submits one pass of `encode`. */
  const submit = (lossSlot: number, t: number, encode: (pass: GPUComputePassEncoder) => void) => {
    run.writeGraph(lossSlot, spec.train?.lr ?? 0, t);
    submitPass(device, encode, `case slot ${lossSlot}`);
  };

  try {
    // The given parameters: forward, loss (slot 0), backward.
    submit(0, 0, (pass) => {
      ws.encodeForward(pass, counts);
      ws.encodeLoss(pass, counts);
      ws.encodeBackward(pass, counts);
    });
    const [emb, pred, loss0, grads] = await Promise.all([
      ws.readEmbeddings(nodes),
      ws.readPredictions(counts.labels),
      ws.readLosses(1),
      model.readGrads(),
    ]);
    const result: CaseResult = {
      adapter: gpu.adapterName,
      embeddings: { user: rows(emb, numUsers, C), item: rows(emb.subarray(numUsers * C), numItems, C) },
      predictions: Array.from(pred),
      loss: loss0[0],
      grads: namedNested(shape, grads),
    };

    if (spec.train) {
      // Step t writes the loss before its update into slot t-1; the last forward writes slot `steps`.
      for (let t = 1; t <= steps; t++) submit(t - 1, t, (pass) => ws.encodeTrainStep(pass, counts));
      submit(steps, 0, (pass) => {
        ws.encodeForward(pass, counts);
        ws.encodeLoss(pass, counts);
      });
      const [losses, finalEmb, finalParams] = await Promise.all([ws.readLosses(steps + 1), ws.readEmbeddings(nodes), model.readParams()]);
      result.train = {
        loss_history: Array.from(losses.subarray(0, steps)),
        final_loss: losses[steps],
        final_params: namedNested(shape, finalParams),
        final_embeddings: { user: rows(finalEmb, numUsers, C), item: rows(finalEmb.subarray(numUsers * C), numItems, C) },
      };
    }

    if (spec.eval) {
      // With the final parameters: after training when the case trains.
      const { k, exclude, targets } = spec.eval;
      const evalGraph = buildGraph({ numUsers, numItems, rates: spec.rates, revRates: spec.revRates, labels: NO_LABELS });
      evaluator = new Evaluator(model, features, evalGraph, exclude, targets, k, 1);
      const encoder = device.createCommandEncoder({ label: 'case eval' });
      evaluator.encode(encoder, 0);
      device.queue.submit([encoder.finish()]);
      const [topk, recall] = await Promise.all([evaluator.readTopK(), evaluator.readRecall(1)]);
      result.eval = { topk_index: rows(topk, numUsers, k), recall: recall[0] };
    }
    return result;
  } finally {
    evaluator?.destroy();
    run.destroy();
  }
}
