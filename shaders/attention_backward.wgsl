// Backward of the softmax and the scores, destination side: one invocation per (node, head) walks
// the node's incoming edges (CSR). The source side is in aggregate_backward.wgsl.

@group(0) @binding(3) var<storage, read> Y: array<f32>;
@group(0) @binding(4) var<storage, read> scores: array<f32>;
@group(0) @binding(5) var<storage, read> alpha: array<f32>;
@group(0) @binding(6) var<storage, read> gPre: array<f32>;
// ds[e, h]: d loss / d (a_src[src] + a_dst[dst]) of each edge
@group(0) @binding(7) var<storage, read_write> ds: array<f32>;
// dScores[n, 0:H] = d a_src (written by the source side), dScores[n, H:2H] = d a_dst (here)
@group(0) @binding(8) var<storage, read_write> dScores: array<f32>;

const NEGATIVE_SLOPE = 0.2;

@compute @workgroup_size(64)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let H = layer.heads;
  if (idx >= numNodes() * H) { return; }
  let i = idx / H;
  let h = idx % H;
  let C = layer.channels;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  // dα[e,h] = ⟨g[i,:], xs[src,h,:]⟩ with g = gPre / H (the mean over heads); kept in ds for now.
  var s = 0.0;
  for (var e = p0; e < p1; e++) {
    let xs = edgeSrc(e) * layer.rows + h * C;
    var da = 0.0;
    for (var c = 0u; c < C; c++) {
      da += gPre[i * C + c] * Y[xs + c];
    }
    da /= f32(H);
    ds[e * H + h] = da;
    s += alpha[e * H + h] * da;
  }
  // dz = α (dα − Σ α dα), then through the LeakyReLU (PyTorch's derivative: 1 where z > 0, else the slope).
  let ad = scores[i * 2u * H + H + h];
  var dDst = 0.0;
  for (var e = p0; e < p1; e++) {
    let z = scores[edgeSrc(e) * 2u * H + h] + ad;
    let d = alpha[e * H + h] * (ds[e * H + h] - s) * select(NEGATIVE_SLOPE, 1.0, z > 0.0);
    ds[e * H + h] = d;
    dDst += d;
  }
  dScores[i * 2u * H + H + h] = dDst;
}
