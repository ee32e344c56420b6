// Whether an evaluation (forward, top-K, Recall@K) runs fused in one workgroup or per op, and how
// wide: decided as training's steps are (fuseDecision.ts), by timing both paths on this adapter the
// first time an evaluation of a given size is seen, and kept while the process (or the page's
// worker) lives. Both paths give the same bits (tests/kernels.test.ts), only the time differs.
import type { Gpu } from '../gpu/device';
import type { FusedPipeline } from '../gpu/kernels';
import type { ModelShape } from '../model/params';
import type { Evaluator } from './evaluator';
import { bucket, MEASURE_LIMITS, fastestMs, type FuseDecision } from './fuseDecision';

/** Evaluations timed per submit. */
const EVALS = 4;
export const EVALS_TIMED = `${EVALS} evaluations`;

const decisions = new Map<string, FuseDecision>();

function keyOf(gpu: Gpu, shape: ModelShape, e: Evaluator): string {
  const { nodes, edges, users } = e.counts;
  return [gpu.adapterName, shape.layers, shape.hidden, shape.heads, shape.userDim, shape.itemDim, e.k, bucket(users), bucket(nodes - users), bucket(edges)].join('|');
}

/**
 * The decision for this evaluator's graph, measured the first time (which runs its evaluation a
 * few times into recall slot 0: call it before encoding one whose slot 0 is still to be read).
 */
export async function decideEvalFusion(gpu: Gpu, evaluator: Evaluator): Promise<FuseDecision> {
  const key = keyOf(gpu, evaluator.model.shape, evaluator);
  const known = decisions.get(key);
  if (known) return known;
  const { nodes, edges } = evaluator.counts;
  const limit = { nodes, edges, labels: 0 };
  let decision: FuseDecision = { fusedWidth: null, limit, perOpMs: NaN, fusedMs: [] };
  if (nodes <= MEASURE_LIMITS.nodes && edges <= MEASURE_LIMITS.edges) {
    const run = (path: FusedPipeline | null) => (encoder: GPUCommandEncoder) => {
      for (let i = 0; i < EVALS; i++) evaluator.encodePath(encoder, 0, path);
    };
    const fused = evaluator.model.kernels.fusedEvaluate;
    const [perOpMs, ...ms] = await fastestMs(gpu.device, [run(null), ...fused.map(run)]);
    const fusedMs = fused.map((f, i) => ({ width: f.width, ms: ms[i] }));
    const best = fusedMs.reduce((a, b) => (b.ms < a.ms ? b : a));
    decision = { fusedWidth: best.ms < perOpMs ? best.width : null, limit, perOpMs, fusedMs };
  }
  decisions.set(key, decision);
  return decision;
}

/**
 * Sets the path the evaluator takes under a fuse setting ('never': per op, 'always': the widest
 * fused workgroup, 'auto': as measured) and returns the measured decision ('auto' only).
 */
export async function chooseEvalPath(fuse: 'auto' | 'never' | 'always', gpu: Gpu, evaluator: Evaluator): Promise<FuseDecision | null> {
  const fused = evaluator.model.kernels.fusedEvaluate;
  if (fuse !== 'auto') {
    evaluator.fused = fuse === 'never' ? null : (fused.at(-1) ?? null);
    return null;
  }
  const d = await decideEvalFusion(gpu, evaluator);
  evaluator.fused = fused.find((f) => f.width === d.fusedWidth) ?? null;
  return d;
}
