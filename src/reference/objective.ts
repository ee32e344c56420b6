// The three objectives in float64, value and gradient in the decoder's predictions, from their
// PyTorch definitions: MSE (F.mse_loss), binary cross-entropy with logits
// (F.binary_cross_entropy_with_logits, mean over labels) and BPR (torch_geometric's BPRLoss as
// LightGCN.recommendation_loss calls it). BPR reads the labels as the engine lays them out: n
// positives, then their n negatives, negative l + n paired with positive l.
import type { Objective } from '../gpu/layout';

/** log(1 + exp(x)), exact for large |x|. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

export function sigmoid(x: number): number {
  const e = Math.exp(-Math.abs(x));
  return x >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/** The loss without BPR's regulariser (see bprRegularizer), and dLoss/dpred per label. */
export function objectiveLoss(objective: Objective, predictions: ArrayLike<number>, labels: ArrayLike<number>): { loss: number; dPred: Float64Array } {
  const n = predictions.length;
  const dPred = new Float64Array(n);
  let s = 0;
  if (objective.kind === 'bpr') {
    const m = bprPairs(n);
    for (let l = 0; l < m; l++) {
      const d = predictions[l + m] - predictions[l];
      s += softplus(d);
      dPred[l] = -sigmoid(d) / m;
      dPred[l + m] = sigmoid(d) / m;
    }
    return { loss: s / m, dPred };
  }
  for (let l = 0; l < n; l++) {
    const p = predictions[l];
    const y = labels[l];
    if (objective.kind === 'bce') {
      s += softplus(p) - p * y;
      dPred[l] = (sigmoid(p) - y) / n;
    } else {
      s += (p - y) ** 2;
      dPred[l] = (2 * (p - y)) / n;
    }
  }
  return { loss: s / n, dPred };
}

/** BPR's pairs among n labels; an odd count cannot be n positives and their n negatives. */
export function bprPairs(n: number): number {
  if (n % 2 !== 0) throw new RangeError(`BPR needs positives and as many negatives, got ${n} labels`);
  return n / 2;
}

/**
 * BPR's regulariser, λ·‖emb‖² / pairs as PyG's BPRLoss computes it, with emb the decoder's
 * embeddings (the encoder's output) of the pairs' nodes, each node once (LightGCN's examples pass
 * node_id = the pairs' unique nodes; our model has no free embedding table, so its last layer
 * plays that part). `nodes` are rows of `emb` (C wide); adds its gradient into `grad`.
 */
export function bprRegularizer(lambda: number, pairs: number, emb: Float64Array, C: number, nodes: Iterable<number>, grad: Float64Array): number {
  let s = 0;
  for (const n of nodes) {
    for (let c = 0; c < C; c++) {
      const h = emb[n * C + c];
      s += h * h;
      grad[n * C + c] += (2 * lambda * h) / pairs;
    }
  }
  return (lambda * s) / pairs;
}
