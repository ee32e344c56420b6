// Gradients of the dense projections. Every output element is owned by one invocation that loops
// over its reduction in a fixed order: no atomics, the same bits every run.

@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;
@group(0) @binding(4) var<storage, read> dY: array<f32>;

// dX[n, f] = Σ_r dY[n, r] · W_t[r, f], then through the previous layer's ReLU (X is its output),
// so that the result is the previous layer's pre-activation gradient.
@group(0) @binding(5) var<storage, read_write> gPrev: array<f32>;

@compute @workgroup_size(64)
fn input_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let S = layer.xStride;
  if (idx >= numNodes() * S) { return; }
  let n = idx / S;
  let f = idx % S;
  let t = nodeType(n);
  let F = fIn(t);
  let R = layer.rows;
  let w = blockBase(t) + f;
  var acc = 0.0;
  for (var r = 0u; r < R; r++) {
    acc += dY[n * R + r] * params[w + r * F];
  }
  gPrev[idx] = select(0.0, acc, X[idx] > 0.0);
}
