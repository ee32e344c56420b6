// dY for a layer: one invocation per (node, row of R = 2HC + C).
//  rows [0, HC):    d xs[j,h,c] = Σ_{e from j} α[e,h] · gPre[dst(e),c] / H + d a_src[j,h] · att_src[h,c]
//                   (walks the node's outgoing edges through the CSC, in slot order)
//  rows [HC, 2HC):  d xd[i,h,c] = d a_dst[i,h] · att_dst[h,c]
//  rows [2HC, R):   d skip[i,c] = gPre[i,c]

@group(0) @binding(2) var<storage, read> params: array<f32>;
@group(0) @binding(3) var<storage, read> alpha: array<f32>;
@group(0) @binding(4) var<storage, read> ds: array<f32>;
@group(0) @binding(5) var<storage, read> gPre: array<f32>;
@group(0) @binding(6) var<storage, read_write> dScores: array<f32>;
@group(0) @binding(7) var<storage, read_write> dY: array<f32>;

@compute @workgroup_size(64)
fn aggregate_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let R = layer.rows;
  if (idx >= numNodes() * R) { return; }
  let n = idx / R;
  let col = idx % R;
  let t = nodeType(n);
  let H = layer.heads;
  let C = layer.channels;
  let HC = H * C;
  var v = 0.0;
  if (col < HC) {
    let h = col / C;
    let c = col % C;
    var acc = 0.0;
    var dSrc = 0.0;
    for (var k = srcPtr(n); k < srcPtr(n + 1u); k++) {
      let e = srcEdge(k);
      acc += alpha[e * H + h] * gPre[edgeDst(e) * C + c];
      dSrc += ds[e * H + h];
    }
    if (c == 0u) {
      dScores[n * 2u * H + h] = dSrc;
    }
    v = acc / f32(H) + dSrc * params[attSrcAt(t) + col];
  } else if (col < 2u * HC) {
    let k = col - HC;
    v = dScores[n * 2u * H + H + k / C] * params[attDstAt(t) + k];
  } else {
    v = gPre[n * C + col - 2u * HC];
  }
  dY[idx] = v;
}
