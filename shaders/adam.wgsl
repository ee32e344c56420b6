// One Adam step on parameter p, in PyTorch's arithmetic order (torch.optim.Adam, single-tensor
// path, no weight decay). The bias-corrected step size and sqrt(1 − β2^t) come from the step's
// graph header, computed on the host in float64.
// (The step's factors come in as arguments, read once per step rather than once per parameter.)
// One invocation takes a tile of 4 parameters (tiles(paramCount) of them, the last clamped):
// each lane's arithmetic is one parameter's, and a quarter of the invocations, whose fixed cost is
// most of a small model's step on a software adapter.
fn op_adam(idx: u32, stepSize: f32, bias2Sqrt: f32) {
  let P = model.paramCount;
  let p = idx * TILE;
  let pp = clampTile(p, P);
  let count = P - p;
  let g = vec4<f32>(opt[pp.x], opt[pp.y], opt[pp.z], opt[pp.w]);
  let m0 = vec4<f32>(opt[P + pp.x], opt[P + pp.y], opt[P + pp.z], opt[P + pp.w]);
  let v0 = vec4<f32>(opt[2u * P + pp.x], opt[2u * P + pp.y], opt[2u * P + pp.z], opt[2u * P + pp.w]);
  let m = m0 + (g - m0) * (1.0 - model.beta1);
  let v = v0 * model.beta2 + (1.0 - model.beta2) * g * g;
  storeOpt4(P + p, m, count);
  storeOpt4(2u * P + p, v, count);
  let denom = sqrt(v) / bias2Sqrt + model.eps;
  let w = vec4<f32>(params[pp.x], params[pp.y], params[pp.z], params[pp.w]) - stepSize * (m / denom);
  params[p] = w.x;
  if (count > 1u) { params[p + 1u] = w.y; }
  if (count > 2u) { params[p + 2u] = w.z; }
  if (count > 3u) { params[p + 3u] = w.w; }
}

@compute @workgroup_size(WG)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(0u);
  let idx = flatIndex(gid, nwg);
  if (idx < tiles(model.paramCount)) { op_adam(idx, adamStepSize(), adamBias2Sqrt()); }
}
