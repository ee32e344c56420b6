// One Adam step on parameter p, in PyTorch's arithmetic order (torch.optim.Adam, single-tensor
// path, no weight decay). The bias-corrected step size and sqrt(1 − β2^t) come from the step's
// graph header, computed on the host in float64.
// (The step's factors come in as arguments, read once per step rather than once per parameter.)
fn op_adam(p: u32, stepSize: f32, bias2Sqrt: f32) {
  let P = model.paramCount;
  let g = opt[p];
  let m = opt[P + p] + (g - opt[P + p]) * (1.0 - model.beta1);
  let v = opt[2u * P + p] * model.beta2 + (1.0 - model.beta2) * g * g;
  opt[P + p] = m;
  opt[2u * P + p] = v;
  let denom = sqrt(v) / bias2Sqrt + model.eps;
  params[p] = params[p] - stepSize * (m / denom);
}

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(0u);
  let p = flatIndex(gid, nwg);
  if (p < model.paramCount) { op_adam(p, adamStepSize(), adamBias2Sqrt()); }
}
