// The forward pass of one GAT block: projections, attention scores, the softmax over each
// destination's incoming edges, and the aggregation with the skip connection and ReLU.
// Every output element is owned by one invocation that loops over its inputs in a fixed order:
// no atomics, the same bits every run.

const NEGATIVE_SLOPE = 0.2;

fn leakyRelu(z: f32) -> f32 { return select(NEGATIVE_SLOPE * z, z, z > 0.0); }

// Y[n, r] = Σ_f X[n, f] · W_t[r, f]: a node's source and destination projections and its skip
// Linear in one matrix of R = 2HC + C rows; one invocation per node and tile of 4 rows.
fn op_project(idx: u32) {
  let R = L.rows;
  let RT = tiles(R);
  let n = idx / RT;
  let r = (idx - n * RT) * TILE;
  let t = nodeType(n);
  let F = fIn(t);
  let w = blockBase(t) + clampTile(r, R) * F;
  var a = vec4<f32>(0.0);
  if (L.indirect == 1u) {
    let x = nodeGlobal(n) * L.xStride;
    for (var f = 0u; f < F; f++) {
      a += features[x + f] * vec4<f32>(params[w.x + f], params[w.y + f], params[w.z + f], params[w.w + f]);
    }
  } else {
    let x = L.x + n * L.xStride;
    for (var f = 0u; f < F; f++) {
      a += arena[x + f] * vec4<f32>(params[w.x + f], params[w.y + f], params[w.z + f], params[w.w + f]);
    }
  }
  storeArena4(L.y + n * R + r, a, R - r);
}

// scores[n, h] = ⟨xs[n,h,:], att_src⟩, scores[n, H + h] = ⟨xd[n,h,:], att_dst⟩
fn op_scores(idx: u32) {
  let H = L.heads;
  let C = L.channels;
  let n = idx / H;
  let h = idx - n * H;
  let t = nodeType(n);
  let xs = L.y + n * L.rows + h * C;
  let xd = xs + hc();
  let as_ = attSrcAt(t) + h * C;
  let ad = attDstAt(t) + h * C;
  var s = 0.0;
  var d = 0.0;
  for (var c = 0u; c < C; c++) {
    s += arena[xs + c] * params[as_ + c];
    d += arena[xd + c] * params[ad + c];
  }
  arena[L.scores + n * 2u * H + h] = s;
  arena[L.scores + n * 2u * H + H + h] = d;
}

fn edgeLogit(e: u32, dstScore: f32, h: u32) -> f32 {
  return leakyRelu(arena[L.scores + edgeSrc(e) * 2u * L.heads + h] + dstScore);
}

// α[e,h] = exp(z − max) / (Σ exp(z − max) + 1e-16) over the edges into a node, as PyG's softmax.
fn op_softmax(idx: u32) {
  let H = L.heads;
  let i = idx / H;
  let h = idx - i * H;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  if (p0 == p1) { return; }
  let ad = arena[L.scores + i * 2u * H + H + h];
  var m = edgeLogit(p0, ad, h);
  for (var e = p0 + 1u; e < p1; e++) { m = max(m, edgeLogit(e, ad, h)); }
  var sum = 0.0;
  for (var e = p0; e < p1; e++) { sum += exp(edgeLogit(e, ad, h) - m); }
  let denom = sum + 1e-16;
  for (var e = p0; e < p1; e++) { arena[L.alpha + e * H + h] = exp(edgeLogit(e, ad, h) - m) / denom; }
}

// out[i,c] = relu( (mean_h Σ_e α[e,h] · xs[src(e),h,c] + bias[c]) + (skip[i,c] + skipBias[c]) ),
// PyG's grouping: GATConv's output, plus the Linear's. One invocation per node and tile of 4 channels.
fn op_aggregate(idx: u32) {
  let C = L.channels;
  let H = L.heads;
  let R = L.rows;
  let CT = tiles(C);
  let i = idx / CT;
  let c = (idx - i * CT) * TILE;
  let cc = clampTile(c, C);
  let t = nodeType(i);
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  var a = vec4<f32>(0.0);
  for (var h = 0u; h < H; h++) {
    for (var e = p0; e < p1; e++) {
      let y = L.y + edgeSrc(e) * R + h * C;
      a += arena[L.alpha + e * H + h] * vec4<f32>(arena[y + cc.x], arena[y + cc.y], arena[y + cc.z], arena[y + cc.w]);
    }
  }
  let gb = gatBiasAt(t);
  let sb = skipBiasAt(t);
  let sk = L.y + i * R + 2u * hc();
  let conv = a / f32(H) + vec4<f32>(params[gb + cc.x], params[gb + cc.y], params[gb + cc.z], params[gb + cc.w]);
  let skip = vec4<f32>(arena[sk + cc.x], arena[sk + cc.y], arena[sk + cc.z], arena[sk + cc.w])
    + vec4<f32>(params[sb + cc.x], params[sb + cc.y], params[sb + cc.z], params[sb + cc.w]);
  // ReLU that lets NaN through, as PyTorch's does, so that a diverging run is seen.
  let v = conv + skip;
  storeArena4(L.out + i * C + c, select(v, vec4<f32>(0.0), v <= vec4<f32>(0.0)), C - c);
}

@compute @workgroup_size(WG)
fn project(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < projectItems()) { op_project(idx); }
}

@compute @workgroup_size(WG)
fn attention_scores(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < headItems()) { op_scores(idx); }
}

@compute @workgroup_size(WG)
fn edge_softmax(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < headItems()) { op_softmax(idx); }
}

@compute @workgroup_size(WG)
fn aggregate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < channelItems()) { op_aggregate(idx); }
}
