// The gradient of every parameter of one layer, both node types, in one dispatch. Each invocation
// owns one parameter and sums over the nodes of its type in node order: deterministic.

@group(0) @binding(2) var<storage, read> X: array<f32>;
@group(0) @binding(3) var<storage, read> Y: array<f32>;
@group(0) @binding(4) var<storage, read> gPre: array<f32>;
@group(0) @binding(5) var<storage, read> dY: array<f32>;
@group(0) @binding(6) var<storage, read> dScores: array<f32>;
@group(0) @binding(7) var<storage, read_write> grads: array<f32>;

@compute @workgroup_size(64)
fn param_grads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let p = flatIndex(gid, nwg);
  let sizeUser = blockSize(0u);
  if (p >= sizeUser + blockSize(1u)) { return; }
  let t = select(0u, 1u, p >= sizeUser);
  let q = p - select(0u, sizeUser, t == 1u);
  let first = select(0u, numUsers(), t == 1u);
  let end = select(numUsers(), numNodes(), t == 1u);
  let F = fIn(t);
  let R = layer.rows;
  let C = layer.channels;
  let H = layer.heads;
  let HC = H * C;
  let RF = R * F;
  var acc = 0.0;
  if (q < RF) {
    // W[r, f]: Σ_n dY[n, r] · X[n, f]
    let r = q / F;
    let f = q % F;
    for (var n = first; n < end; n++) {
      acc += dY[n * R + r] * X[inputRow(n) * layer.xStride + f];
    }
  } else if (q < RF + C || q >= RF + C + 2u * HC) {
    // Both biases are added to the same pre-activation, so both get Σ_n gPre[n, c].
    let c = select(q - RF, q - RF - C - 2u * HC, q >= RF + C);
    for (var n = first; n < end; n++) {
      acc += gPre[n * C + c];
    }
  } else if (q < RF + C + HC) {
    // att_src[h, c]: Σ_n dScore_src[n, h] · xs[n, h, c]
    let k = q - RF - C;
    let h = k / C;
    for (var n = first; n < end; n++) {
      acc += dScores[n * 2u * H + h] * Y[n * R + k];
    }
  } else {
    // att_dst[h, c]: Σ_n dScore_dst[n, h] · xd[n, h, c]
    let k = q - RF - C - HC;
    let h = k / C;
    for (var n = first; n < end; n++) {
      acc += dScores[n * 2u * H + H + h] * Y[n * R + HC + k];
    }
  }
  grads[blockBase(t) + q] = acc;
}
