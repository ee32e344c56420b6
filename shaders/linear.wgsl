// Dense projections of a layer and their gradients. Every output element is owned by one
// invocation that loops over its reduction in a fixed order: no atomics, the same bits every run.

@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> X: array<f32>;

// Y[n, r] = Σ_f X[n, f] · W_t[r, f]   (all of a node's projections at once, R = 2HC + C rows)
@group(0) @binding(4) var<storage, read_write> Y: array<f32>;

@compute @workgroup_size(64)
fn project(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let R = layer.rows;
  if (idx >= numNodes() * R) { return; }
  let n = idx / R;
  let r = idx % R;
  let t = nodeType(n);
  let F = fIn(t);
  let x = inputRow(n) * layer.xStride;
  let w = blockBase(t) + r * F;
  var acc = 0.0;
  for (var f = 0u; f < F; f++) {
    acc += X[x + f] * params[w + f];
  }
  Y[idx] = acc;
}
