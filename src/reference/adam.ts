// PyTorch's Adam (torch.optim.Adam, single-tensor path, no weight decay, no amsgrad) in float64,
// with its arithmetic in its order, so that a run here and a run in PyTorch stay together step
// after step rather than drifting apart by rounding.

export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** The per-tensor state torch keeps: both moments and the step count. */
export interface AdamState {
  m: Float64Array;
  v: Float64Array;
  step: number;
}

export function adamState(size: number): AdamState {
  return { m: new Float64Array(size), v: new Float64Array(size), step: 0 };
}

/** One step on `param` in place. */
export function adamStep(param: Float64Array, grad: ArrayLike<number>, state: AdamState, options: AdamOptions): void {
  const { lr, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
  if (grad.length !== param.length || state.m.length !== param.length) {
    throw new RangeError(`adamStep: param ${param.length}, grad ${grad.length} and state ${state.m.length} differ in size`);
  }
  state.step++;
  const biasCorrection1 = 1 - beta1 ** state.step;
  const biasCorrection2 = 1 - beta2 ** state.step;
  const stepSize = lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  const { m, v } = state;
  for (let k = 0; k < param.length; k++) {
    const g = grad[k];
    // exp_avg.lerp_(grad, 1 - beta1): ATen's lerp with a weight below 0.5 is self + w·(end − self).
    m[k] = m[k] + (1 - beta1) * (g - m[k]);
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    v[k] = v[k] * beta2 + (1 - beta2) * g * g;
    // param.addcdiv_(exp_avg, denom, value=-step_size), denom = sqrt(v) / sqrt(bc2) + eps
    const denom = Math.sqrt(v[k]) / biasCorrection2Sqrt + eps;
    param[k] = param[k] + (-stepSize * m[k]) / denom;
  }
}
