// One Adam step over the whole flat parameter buffer, in PyTorch's arithmetic order
// (torch.optim.Adam, single-tensor path, no weight decay). The bias-corrected step size and
// sqrt(1 − β2^t) come from the graph header, computed on the host in float64.

struct Adam {
  beta1: f32,
  beta2: f32,
  eps: f32,
  count: u32,
}
@group(0) @binding(6) var<uniform> adam: Adam;
@group(0) @binding(2) var<storage, read> grads: array<f32>;
@group(0) @binding(3) var<storage, read_write> params: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(64)
fn adam_step(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = flatIndex(gid, nwg);
  if (p >= adam.count) { return; }
  let g = grads[p];
  let mp = m[p] + (g - m[p]) * (1.0 - adam.beta1);
  let vp = v[p] * adam.beta2 + (1.0 - adam.beta2) * g * g;
  m[p] = mp;
  v[p] = vp;
  let denom = sqrt(vp) / adamBias2Sqrt() + adam.eps;
  params[p] = params[p] - adamStepSize() * (mp / denom);
}
