// Message passing of a GAT block: out[i] = relu(mean_h Σ_e α[e,h] · xs[src(e),h] + bias + skip).
// One invocation owns one (node, channel) and walks the node's incoming edges in CSR order.

@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> Y: array<f32>;
@group(0) @binding(4) var<storage, read> alpha: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn aggregate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let C = layer.channels;
  if (idx >= numNodes() * C) { return; }
  let i = idx / C;
  let c = idx % C;
  let t = nodeType(i);
  let H = layer.heads;
  let R = layer.rows;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  var acc = 0.0;
  for (var h = 0u; h < H; h++) {
    for (var e = p0; e < p1; e++) {
      acc += alpha[e * H + h] * Y[edgeSrc(e) * R + h * C + c];
    }
  }
  // PyG's grouping: (GATConv: mean over heads + bias) + (Linear: x·Wᵀ + b), then ReLU.
  let conv = acc / f32(H) + params[gatBiasAt(t) + c];
  let skip = Y[i * R + 2u * hc() + c] + params[skipBiasAt(t) + c];
  out[idx] = max(conv + skip, 0.0);
}
