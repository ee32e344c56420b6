// The forward pass of one GAT block: projections, attention scores, the softmax over each
// destination's incoming edges, and the aggregation with the skip connection and ReLU.
// Every output element is owned by one invocation that loops over its inputs in a fixed order:
// no atomics, the same bits every run.

const NEGATIVE_SLOPE = 0.2;

fn leakyRelu(z: f32) -> f32 { return select(NEGATIVE_SLOPE * z, z, z > 0.0); }

// Y[n, r] = Σ_f X[n, f] · W_t[r, f]: a node's source and destination projections and its skip
// Linear in one matrix of R = 2HC + C rows; one invocation per tile of 4 nodes of one type and
// tile of 4 rows (nodeTiles, prelude.wgsl).
// A one-hot node's X row is e_k (k its datasetIndex), so the sum is W_t[r, k] exactly (the zeros
// add nothing): a gather of one column instead of F multiplies.
fn gatherColumn(w: vec4<u32>, n: u32, t: u32) -> vec4<f32> {
  let k = datasetIndex(n, t);
  return vec4<f32>(params[w.x + k], params[w.y + k], params[w.z + k], params[w.w + k]);
}

fn op_project(idx: u32) {
  let R = L.rows;
  let RT = tiles(R);
  let g = idx / RT;
  let r = (idx - g * RT) * TILE;
  let n0 = nodeTileFirst(g);
  let end = nodeTileEnd(g);
  let nn = clampTile(n0, end);
  let t = nodeType(n0);
  let F = fIn(t);
  let w = blockBase(t) + clampTile(r, R) * F;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  if (oneHotInput(t)) {
    a0 = gatherColumn(w, nn.x, t);
    a1 = gatherColumn(w, nn.y, t);
    a2 = gatherColumn(w, nn.z, t);
    a3 = gatherColumn(w, nn.w, t);
  } else if (L.indirect == 1u) {
    let x = vec4<u32>(featureRow(nn.x, t), featureRow(nn.y, t), featureRow(nn.z, t), featureRow(nn.w, t));
    for (var f = 0u; f < F; f++) {
      let wf = vec4<f32>(params[w.x + f], params[w.y + f], params[w.z + f], params[w.w + f]);
      a0 += features[x.x + f] * wf;
      a1 += features[x.y + f] * wf;
      a2 += features[x.z + f] * wf;
      a3 += features[x.w + f] * wf;
    }
  } else if (end - n0 == 1u) {
    // A tile of one node (a type's last, or a small graph's only) computes one lane, not four.
    let x = L.x + n0 * L.xStride;
    for (var f = 0u; f < F; f++) {
      a0 += arena[x + f] * vec4<f32>(params[w.x + f], params[w.y + f], params[w.z + f], params[w.w + f]);
    }
  } else {
    let x = L.x + nn * L.xStride;
    for (var f = 0u; f < F; f++) {
      let wf = vec4<f32>(params[w.x + f], params[w.y + f], params[w.z + f], params[w.w + f]);
      a0 += arena[x.x + f] * wf;
      a1 += arena[x.y + f] * wf;
      a2 += arena[x.z + f] * wf;
      a3 += arena[x.w + f] * wf;
    }
  }
  let y = L.y + r;
  storeArena4(y + nn.x * R, a0, R - r);
  if (n0 + 1u < end) { storeArena4(y + nn.y * R, a1, R - r); }
  if (n0 + 2u < end) { storeArena4(y + nn.z * R, a2, R - r); }
  if (n0 + 3u < end) { storeArena4(y + nn.w * R, a3, R - r); }
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
// No invocation walks a whole destination: one invocation per (piece of SEG edges of the CSR
// order, head) takes each segment's run inside its piece. A segment wholly inside the piece is
// done there, in edge order as a serial loop would. A crossing one leaves per piece its run's
// max m and Σ exp(z − m); one invocation per (node, head) merges them in piece order into the
// segment's max M and Σ exp(z − M) (each run's sum rescaled by exp(m − M)), kept in the first
// piece's partial, and a last pass per (piece, head) writes those runs' α.

// The partials (segPartAt, prelude.wgsl) hold m and Σ, and after the merge the segment's M and Σ
// in the first piece's tail.

fn writeAlpha(e0: u32, e1: u32, ad: f32, h: u32, m: f32, sum: f32) {
  let denom = sum + 1e-16;
  for (var e = e0; e < e1; e++) { arena[L.alpha + e * L.heads + h] = exp(edgeLogit(e, ad, h) - m) / denom; }
}

fn op_softmax_piece(idx: u32) {
  let H = L.heads;
  let k = idx / H;
  let h = idx - k * H;
  let e0 = k * SEG;
  let e1 = min(numEdges(), e0 + SEG);
  var e = e0;
  while (e < e1) {
    let i = edgeDst(e);
    let p0 = dstPtr(i);
    let p1 = dstPtr(i + 1u);
    let end = min(p1, e1);
    let ad = arena[L.scores + i * 2u * H + H + h];
    var m = edgeLogit(e, ad, h);
    for (var x = e + 1u; x < end; x++) { m = max(m, edgeLogit(x, ad, h)); }
    var sum = 0.0;
    for (var x = e; x < end; x++) { sum += exp(edgeLogit(x, ad, h) - m); }
    if (crossesPiece(p0, p1)) {
      let at = segPartAt(k, h, p0 >= e0);
      arena[at] = m;
      arena[at + 1u] = sum;
    } else {
      writeAlpha(e, end, ad, h, m, sum);
    }
    e = end;
  }
}

fn op_softmax_merge(idx: u32) {
  let H = L.heads;
  let i = idx / H;
  let h = idx - i * H;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  if (!crossesPiece(p0, p1)) { return; }
  let k0 = p0 / SEG;
  let k1 = (p1 - 1u) / SEG;
  let first = segPartAt(k0, h, true);
  var m = arena[first];
  for (var k = k0 + 1u; k <= k1; k++) { m = max(m, arena[segPartAt(k, h, false)]); }
  var sum = arena[first + 1u] * exp(arena[first] - m);
  for (var k = k0 + 1u; k <= k1; k++) {
    let at = segPartAt(k, h, false);
    sum += arena[at + 1u] * exp(arena[at] - m);
  }
  arena[first + 2u] = m;
  arena[first + 3u] = sum;
}

fn op_softmax_crossing(idx: u32) {
  let H = L.heads;
  let k = idx / H;
  let h = idx - k * H;
  let e0 = k * SEG;
  let e1 = min(numEdges(), e0 + SEG);
  var e = e0;
  while (e < e1) {
    let i = edgeDst(e);
    let p0 = dstPtr(i);
    let p1 = dstPtr(i + 1u);
    let end = min(p1, e1);
    if (crossesPiece(p0, p1)) {
      let merged = segPartAt(p0 / SEG, h, true);
      writeAlpha(e, end, arena[L.scores + i * 2u * H + H + h], h, arena[merged + 2u], arena[merged + 3u]);
    }
    e = end;
  }
}

// out[i,c] = relu( (mean_h Σ_e α[e,h] · xs[src(e),h,c] + bias[c]) + (skip[i,c] + skipBias[c]) ),
// PyG's grouping: GATConv's output, plus the Linear's. The sum over edges is segmented over
// pieces as above: one invocation per (piece, tile of 4 channels), then one per (node, tile)
// for the segments that cross a piece's end and the nodes without incoming edges.
fn finishAggregate(i: u32, c: u32, a: vec4<f32>) {
  let C = L.channels;
  let cc = clampTile(c, C);
  let t = nodeType(i);
  let gb = gatBiasAt(t);
  let sb = skipBiasAt(t);
  let sk = L.y + i * L.rows + 2u * hc();
  let conv = a / f32(L.heads) + vec4<f32>(params[gb + cc.x], params[gb + cc.y], params[gb + cc.z], params[gb + cc.w]);
  let skip = vec4<f32>(arena[sk + cc.x], arena[sk + cc.y], arena[sk + cc.z], arena[sk + cc.w])
    + vec4<f32>(params[sb + cc.x], params[sb + cc.y], params[sb + cc.z], params[sb + cc.w]);
  // ReLU that lets NaN through, as PyTorch's does, so that a diverging run is seen.
  let v = conv + skip;
  storeArena4(L.out + i * C + c, select(v, vec4<f32>(0.0), v <= vec4<f32>(0.0)), C - c);
}

fn op_aggregate_piece(idx: u32) {
  let C = L.channels;
  let H = L.heads;
  let R = L.rows;
  let CT = tiles(C);
  let k = idx / CT;
  let ct = idx - k * CT;
  let c = ct * TILE;
  let cc = clampTile(c, C);
  let e0 = k * SEG;
  let e1 = min(numEdges(), e0 + SEG);
  var e = e0;
  while (e < e1) {
    let i = edgeDst(e);
    let p0 = dstPtr(i);
    let p1 = dstPtr(i + 1u);
    let end = min(p1, e1);
    var a = vec4<f32>(0.0);
    for (var h = 0u; h < H; h++) {
      for (var x = e; x < end; x++) {
        let y = L.y + edgeSrc(x) * R + h * C;
        a += arena[L.alpha + x * H + h] * vec4<f32>(arena[y + cc.x], arena[y + cc.y], arena[y + cc.z], arena[y + cc.w]);
      }
    }
    if (crossesPiece(p0, p1)) {
      let at = tilePartAt(k, ct, p0 >= e0);
      storeArena4(at, a, TILE);
    } else {
      finishAggregate(i, c, a);
    }
    e = end;
  }
}

fn op_aggregate(idx: u32) {
  let CT = tiles(L.channels);
  let i = idx / CT;
  let ct = idx - i * CT;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  if (p0 == p1) {
    finishAggregate(i, ct * TILE, vec4<f32>(0.0));
  } else if (crossesPiece(p0, p1)) {
    finishAggregate(i, ct * TILE, sumTilePartials(p0, p1, ct));
  }
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
  if (idx < pieceItems()) { op_softmax_piece(idx); }
}

@compute @workgroup_size(WG)
fn edge_softmax_merge(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < headItems()) { op_softmax_merge(idx); }
}

@compute @workgroup_size(WG)
fn edge_softmax_crossing(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < pieceItems()) { op_softmax_crossing(idx); }
}

@compute @workgroup_size(WG)
fn aggregate_pieces(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < pieces() * tiles(L.channels)) { op_aggregate_piece(idx); }
}

@compute @workgroup_size(WG)
fn aggregate(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < channelItems()) { op_aggregate(idx); }
}
