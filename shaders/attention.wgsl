// GAT attention: per-node scores, then per destination a softmax over its incoming edges.
// One invocation owns one (node, head): it walks the node's CSR segment in order, so sums have a
// fixed order and no atomics are needed.

@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> Y: array<f32>;
// scores[n, 0:H] = a_src (n as a source), scores[n, H:2H] = a_dst (n as a destination)
@group(0) @binding(4) var<storage, read_write> scores: array<f32>;
// alpha[e, h] per CSR slot
@group(0) @binding(5) var<storage, read_write> alpha: array<f32>;

const NEGATIVE_SLOPE = 0.2;

fn leakyRelu(z: f32) -> f32 { return select(NEGATIVE_SLOPE * z, z, z > 0.0); }

@compute @workgroup_size(64)
fn attention_scores(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let H = layer.heads;
  if (idx >= numNodes() * H) { return; }
  let n = idx / H;
  let h = idx % H;
  let t = nodeType(n);
  let C = layer.channels;
  let xs = n * layer.rows + h * C;
  let xd = xs + hc();
  let as_ = attSrcAt(t) + h * C;
  let ad = attDstAt(t) + h * C;
  var s = 0.0;
  var d = 0.0;
  for (var c = 0u; c < C; c++) {
    s += Y[xs + c] * params[as_ + c];
    d += Y[xd + c] * params[ad + c];
  }
  scores[n * 2u * H + h] = s;
  scores[n * 2u * H + H + h] = d;
}

// α[e,h] = exp(z − max) / (Σ exp(z − max) + 1e-16), z = LeakyReLU(a_src[src] + a_dst[dst]), as PyG's softmax.
@compute @workgroup_size(64)
fn edge_softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let H = layer.heads;
  if (idx >= numNodes() * H) { return; }
  let i = idx / H;
  let h = idx % H;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  let ad = scores[i * 2u * H + H + h];
  if (p0 == p1) { return; }
  var m = leakyRelu(scores[edgeSrc(p0) * 2u * H + h] + ad);
  for (var e = p0 + 1u; e < p1; e++) {
    m = max(m, leakyRelu(scores[edgeSrc(e) * 2u * H + h] + ad));
  }
  var sum = 0.0;
  for (var e = p0; e < p1; e++) {
    sum += exp(leakyRelu(scores[edgeSrc(e) * 2u * H + h] + ad) - m);
  }
  let denom = sum + 1e-16;
  for (var e = p0; e < p1; e++) {
    alpha[e * H + h] = exp(leakyRelu(scores[edgeSrc(e) * 2u * H + h] + ad) - m) / denom;
  }
}
