// The backward pass of one GAT block (../shared/DESIGN.md §3), from gPre = d loss / d (pre-ReLU
// output): the softmax's backward per destination (CSR), d Y per node (the source side walks the
// CSC), every parameter's gradient, and the gradient of the block's input. Each output is owned
// by one invocation: no atomics. Sums over a node's edges or over a node type are two-stage
// (pieces, then a fixed-order sum of their partials): no invocation walks a hub alone.

// Destination side, per (node i, head h): dα[e] = ⟨g[i,:], xs[src,h,:]⟩ with g = gPre / H (the
// mean over heads), dz = α (dα − s) with s = Σ α dα, ds = dz through the LeakyReLU (1 where
// z > 0, else the slope, as PyTorch), and d a_dst[i,h] = Σ_e ds.
//
// That last sum is mathematically almost zero: Σ_e dz = s (1 − Σ α) = s · 1e-16 / (S + 1e-16),
// with S the softmax's denominator, 1/(S + 1e-16) = max α. Summed edge by edge in float32 it is
// round-off of about 1e-9, which Adam (ε = 1e-8) turns into real steps that PyG never takes. So
// it is computed from that identity: only the edges on the minority side of the LeakyReLU's bend
// are summed, and the exact tiny term is added.
//
// No invocation walks a whole destination: both sums per destination (s, then the bend's sums)
// are segmented sums over pieces of SEG edges of the CSR order. A piece's invocation (one per
// piece and head) computes dα for its edges and sums each segment's run inside the piece in edge
// order, finishing the segments that lie wholly inside it; a segment that crosses a piece's end
// leaves one partial per piece it touches ("tail" in the piece it starts in, "lead" in the
// others), and one invocation per (node, head) adds them in piece order. (Pieces rather than one
// invocation per edge: as many invocations as before or fewer, which a software adapter needs.)

// dα[e,h] = ⟨g[i], xs[src,h,:]⟩ / H for edge e into node i.
fn logitGrad(e: u32, i: u32, h: u32) -> f32 {
  let C = L.channels;
  let g = L.gPre + i * C;
  let xs = L.y + edgeSrc(e) * L.rows + h * C;
  var da = 0.0;
  for (var c = 0u; c < C; c++) { da += arena[g + c] * arena[xs + c]; }
  return da / f32(L.heads);
}


// dα of the piece's edges into ds, and stage 1 of s = Σ α dα, per (piece, head).
fn op_softmax_backward_dot_piece(idx: u32) {
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
    var s = 0.0;
    for (; e < end; e++) {
      let da = logitGrad(e, i, h);
      arena[model.ds + e * H + h] = da;
      s += arena[L.alpha + e * H + h] * da;
    }
    if (crossesPiece(p0, p1)) { arena[segPartAt(k, h, p0 >= e0)] = s; } else { arena[model.segSum + i * H + h] = s; }
  }
}

// The sum of a segment [p0, p1) that crosses a piece's end, from its pieces' partials (quantity q).
fn crossingSum(p0: u32, p1: u32, h: u32, q: u32) -> f32 {
  let k0 = p0 / SEG;
  let k1 = (p1 - 1u) / SEG;
  var s = arena[segPartAt(k0, h, true) + q];
  for (var k = k0 + 1u; k <= k1; k++) { s += arena[segPartAt(k, h, false) + q]; }
  return s;
}

// Stage 2 of s, per (node, head): only segments that cross a piece's end are left.
fn op_softmax_backward_dot_node(idx: u32) {
  let H = L.heads;
  let i = idx / H;
  let h = idx - i * H;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  if (crossesPiece(p0, p1)) { arena[model.segSum + i * H + h] = crossingSum(p0, p1, h, 0u); }
}

// d a_dst[i,h] from a segment's sums: max α, Σ dz over bent and straight edges, and the number
// of bent edges.
fn finishDstScore(i: u32, h: u32, s: f32, alphaMax: f32, sumBent: f32, sumStraight: f32, bent: f32, degree: u32) {
  let H = L.heads;
  let total = s * 1e-16 * alphaMax;
  // Σ ds = Σ dz − (1 − slope) Σ_bent dz = slope Σ dz + (1 − slope) Σ_straight dz
  let fewBent = total - (1.0 - NEGATIVE_SLOPE) * sumBent;
  let fewStraight = NEGATIVE_SLOPE * total + (1.0 - NEGATIVE_SLOPE) * sumStraight;
  arena[model.dScores + i * 2u * H + H + h] = select(fewStraight, fewBent, 2.0 * bent <= f32(degree));
}

// Per (piece, head): dz and ds of each edge (s is known now), and stage 1 of the bend's sums.
fn op_softmax_backward_bend_piece(idx: u32) {
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
    let s = arena[model.segSum + i * H + h];
    let ad = arena[L.scores + i * 2u * H + H + h];
    var alphaMax = 0.0;
    var sumBent = 0.0;
    var sumStraight = 0.0;
    var bent = 0.0;
    for (; e < end; e++) {
      let a = arena[L.alpha + e * H + h];
      let straight = arena[L.scores + edgeSrc(e) * 2u * H + h] + ad > 0.0;
      let dz = a * (arena[model.ds + e * H + h] - s);
      arena[model.ds + e * H + h] = dz * select(NEGATIVE_SLOPE, 1.0, straight);
      alphaMax = max(alphaMax, a);
      if (straight) { sumStraight += dz; } else { sumBent += dz; bent += 1.0; }
    }
    if (!crossesPiece(p0, p1)) {
      finishDstScore(i, h, s, alphaMax, sumBent, sumStraight, bent, p1 - p0);
    } else {
      let part = segPartAt(k, h, p0 >= e0);
      arena[part] = alphaMax;
      arena[part + 1u] = sumBent;
      arena[part + 2u] = sumStraight;
      arena[part + 3u] = bent;
    }
  }
}

// Stage 2 of the bend's sums, per (node, head); a node without incoming edges gets 0.
fn op_softmax_backward_bend_node(idx: u32) {
  let H = L.heads;
  let i = idx / H;
  let h = idx - i * H;
  let p0 = dstPtr(i);
  let p1 = dstPtr(i + 1u);
  if (p0 == p1) {
    arena[model.dScores + i * 2u * H + H + h] = 0.0;
    return;
  }
  if (!crossesPiece(p0, p1)) { return; }
  let k0 = p0 / SEG;
  let k1 = (p1 - 1u) / SEG;
  var alphaMax = arena[segPartAt(k0, h, true)];
  for (var k = k0 + 1u; k <= k1; k++) { alphaMax = max(alphaMax, arena[segPartAt(k, h, false)]); }
  finishDstScore(i, h, arena[model.segSum + i * H + h], alphaMax, crossingSum(p0, p1, h, 1u), crossingSum(p0, p1, h, 2u),
    crossingSum(p0, p1, h, 3u), p1 - p0);
}

// dY per node, in tiles of 4 channels (R = 2HC + C rows in all):
//  rows [0, HC):    d xs[j,h,c] = Σ_{e from j} α[e,h] · gPre[dst(e),c] / H + d a_src[j,h] · att_src[h,c]
//                   over the node's outgoing edges (CSC), and d a_src[j,h] = Σ_{e from j} ds[e,h]
//  rows [HC, 2HC):  d xd[i,h,c] = d a_dst[i,h] · att_dst[h,c]
//  rows [2HC, R):   d skip[i,c] = gPre[i,c]
// The sums over outgoing edges are segmented sums over pieces of SEG slots of the CSC order, as
// the softmax's backward does over the CSR: one invocation per (piece, head, tile) sums each
// source's run and finishes the sources wholly inside the piece; the node-wise pass finishes the
// others from the pieces' partials, in piece order, and writes the other rows.

// The partials of piece k for tile j of H·⌈C/4⌉: Σ α g (4 floats) and Σ ds, lead then tail.
fn srcPartAt(k: u32, j: u32, tail: bool) -> u32 {
  return model.segPart + ((k * L.heads * tiles(L.channels) + j) * 2u + select(0u, 1u, tail)) * 8u;
}

// Row tile (h, c) of node n's d xs, and d a_src[n, h] (written once per head, by tile c = 0).
fn finishSourceRows(n: u32, h: u32, c: u32, a: vec4<f32>, dSrc: f32) {
  let H = L.heads;
  let C = L.channels;
  if (c == 0u) { arena[model.dScores + n * 2u * H + h] = dSrc; }
  let att = attSrcAt(nodeType(n)) + h * C;
  let cc = clampTile(c, C);
  let v = a / f32(H) + dSrc * vec4<f32>(params[att + cc.x], params[att + cc.y], params[att + cc.z], params[att + cc.w]);
  storeArena4(model.dY + n * L.rows + h * C + c, v, C - c);
}

// Per (piece, head, tile of 4 channels).
fn op_aggregate_backward_piece(idx: u32) {
  let H = L.heads;
  let C = L.channels;
  let J = H * tiles(C);
  let k = idx / J;
  let j = idx - k * J;
  let h = j / tiles(C);
  let c = (j - h * tiles(C)) * TILE;
  let cc = clampTile(c, C);
  let k0 = k * SEG;
  let k1 = min(numEdges(), k0 + SEG);
  var slot = k0;
  while (slot < k1) {
    let n = edgeSrc(srcEdge(slot));
    let p0 = srcPtr(n);
    let p1 = srcPtr(n + 1u);
    let end = min(p1, k1);
    var a = vec4<f32>(0.0);
    var dSrc = 0.0;
    for (; slot < end; slot++) {
      let e = srcEdge(slot);
      let g = L.gPre + edgeDst(e) * C;
      a += arena[L.alpha + e * H + h] * vec4<f32>(arena[g + cc.x], arena[g + cc.y], arena[g + cc.z], arena[g + cc.w]);
      dSrc += arena[model.ds + e * H + h];
    }
    if (crossesPiece(p0, p1)) {
      let at = srcPartAt(k, j, p0 >= k0);
      storeArena4(at, a, TILE);
      arena[at + 4u] = dSrc;
    } else {
      finishSourceRows(n, h, c, a, dSrc);
    }
  }
}

// Per node, in tiles of 4 channels: the source rows of nodes whose outgoing edges cross a
// piece's end (or that have none), then the destination rows (H tiles per row block) and the
// skip rows.
fn op_aggregate_backward(idx: u32) {
  let H = L.heads;
  let C = L.channels;
  let CT = tiles(C);
  let perNode = (2u * H + 1u) * CT;
  let n = idx / perNode;
  let q = idx - n * perNode;
  let h = q / CT;
  let c = (q - h * CT) * TILE;
  if (q < H * CT) {
    let p0 = srcPtr(n);
    let p1 = srcPtr(n + 1u);
    if (p0 == p1) {
      finishSourceRows(n, h, c, vec4<f32>(0.0), 0.0);
    } else if (crossesPiece(p0, p1)) {
      var at = srcPartAt(p0 / SEG, q, true);
      var a = loadArena4(at);
      var dSrc = arena[at + 4u];
      for (var k = p0 / SEG + 1u; k <= (p1 - 1u) / SEG; k++) {
        at = srcPartAt(k, q, false);
        a += loadArena4(at);
        dSrc += arena[at + 4u];
      }
      finishSourceRows(n, h, c, a, dSrc);
    }
    return;
  }
  let cc = clampTile(c, C);
  let row = model.dY + n * L.rows;
  if (q < 2u * H * CT) {
    // d xd[n, h', c] = d a_dst[n, h'] · att_dst[h', c]
    let hd = h - H;
    let att = attDstAt(nodeType(n)) + hd * C;
    let v = arena[model.dScores + n * 2u * H + H + hd] * vec4<f32>(params[att + cc.x], params[att + cc.y], params[att + cc.z], params[att + cc.w]);
    storeArena4(row + hc() + hd * C + c, v, C - c);
    return;
  }
  // d skip[n, c] = gPre[n, c]
  let g = L.gPre + n * C;
  storeArena4(row + 2u * hc() + c, vec4<f32>(arena[g + cc.x], arena[g + cc.y], arena[g + cc.z], arena[g + cc.w]), C - c);
}

// The gradient of the layer's parameters, both node types' blocks one after the other. Per block:
// W in R·⌈F/4⌉ tiles of 4 columns, then the C + 2HC + C vector entries one by one. Each is a sum
// over the nodes of its type, in two stages: partial sums over chunks of GRAD_CHUNK nodes (one
// invocation per chunk and tile of 4 of W's rows, or vector entry), then one invocation per entry
// adds its chunks in order.

// Node n's input X[n, ff] at 4 columns: the features buffer in layer 1 (L.indirect), the layer
// below's output in the arena after it. The branch is uniform: every invocation reads one layer.
fn inputTile(n: u32, t: u32, ff: vec4<u32>) -> vec4<f32> {
  if (L.indirect == 1u) {
    let x = featureRow(n, t);
    return vec4<f32>(features[x + ff.x], features[x + ff.y], features[x + ff.z], features[x + ff.w]);
  }
  let x = L.x + n * L.xStride;
  return vec4<f32>(arena[x + ff.x], arena[x + ff.y], arena[x + ff.z], arena[x + ff.w]);
}

// The partials of W's rows r..r+3 and columns f..f+3 of type t over chunk's nodes [n0, n1):
// W[r, f] is Σ_n dY[n, r] · X[n, f], each a serial sum in node order. Rows past R are computed
// on a clamped row and not written.
fn wGradTile(t: u32, chunk: u32, r: u32, f: u32, n0: u32, n1: u32) {
  let R = L.rows;
  let F = fIn(t);
  let rr = clampTile(r, R);
  let ff = clampTile(f, F);
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  for (var n = n0; n < n1; n++) {
    let xv = inputTile(n, t, ff);
    let dy = model.dY + n * R;
    a0 += arena[dy + rr.x] * xv;
    a1 += arena[dy + rr.y] * xv;
    a2 += arena[dy + rr.z] * xv;
    a3 += arena[dy + rr.w] * xv;
  }
  if (gradChunks(t) == 1u) {
    let w = blockBase(t) + r * F + f;
    storeOpt4(w, a0, F - f);
    if (r + 1u < R) { storeOpt4(w + F, a1, F - f); }
    if (r + 2u < R) { storeOpt4(w + 2u * F, a2, F - f); }
    if (r + 3u < R) { storeOpt4(w + 3u * F, a3, F - f); }
    return;
  }
  let FT = tiles(F);
  let q = r * FT + f / TILE;
  storeArena4(gradPartAt(t, chunk, q), a0, TILE);
  if (r + 1u < R) { storeArena4(gradPartAt(t, chunk, q + FT), a1, TILE); }
  if (r + 2u < R) { storeArena4(gradPartAt(t, chunk, q + 2u * FT), a2, TILE); }
  if (r + 3u < R) { storeArena4(gradPartAt(t, chunk, q + 3u * FT), a3, TILE); }
}

// Vector entries of type t's block (after W) in tiles of 4 channels, each summed over nodes
// [n0, n1) in node order: tile q is first the biases' (both are added to the same pre-activation,
// so both get Σ_n gPre[n, c], summed once), then att_src's per head, then att_dst's per head. A
// tile of 4 shares its loop over the nodes and its loads (on the software adapter an invocation's
// fixed cost outweighs a few nodes' work: the toy's steps have 1 to 3 nodes a type).
fn vectorGradTile(t: u32, chunk: u32, q: u32, n0: u32, n1: u32) {
  let R = L.rows;
  let C = L.channels;
  let H = L.heads;
  let HC = H * C;
  let CT = tiles(C);
  let g = q / CT;
  let c = (q - g * CT) * TILE;
  let cc = clampTile(c, C);
  var acc = vec4<f32>(0.0);
  if (g == 0u) {
    for (var n = n0; n < n1; n++) {
      let o = L.gPre + n * C;
      acc += vec4<f32>(arena[o + cc.x], arena[o + cc.y], arena[o + cc.z], arena[o + cc.w]);
    }
    storeVectorGrad(t, chunk, c, acc, C - c);
    storeVectorGrad(t, chunk, C + 2u * HC + c, acc, C - c);
    return;
  }
  // att_src[h, c]: Σ_n d a_src[n, h] · xs[n, h, c]; att_dst[h, c]: Σ_n d a_dst[n, h] · xd[n, h, c]
  let dst = g > H;
  let h = select(g - 1u, g - 1u - H, dst);
  let k = select(0u, HC, dst) + h * C;
  let score = select(h, H + h, dst);
  for (var n = n0; n < n1; n++) {
    let y = L.y + n * R + k;
    acc += arena[model.dScores + n * 2u * H + score] * vec4<f32>(arena[y + cc.x], arena[y + cc.y], arena[y + cc.z], arena[y + cc.w]);
  }
  storeVectorGrad(t, chunk, C + k + c, acc, C - c);
}

// The first `count` (up to 4) lanes of vector entries v.. of type t: the gradient itself when the
// type has one chunk, else this chunk's partials (one per entry, its first float).
fn storeVectorGrad(t: u32, chunk: u32, v: u32, acc: vec4<f32>, count: u32) {
  if (gradChunks(t) == 1u) {
    storeOpt4(skipBiasAt(t) + v, acc, count);
    return;
  }
  let q = wGradItems(t) + v;
  arena[gradPartAt(t, chunk, q)] = acc.x;
  if (count > 1u) { arena[gradPartAt(t, chunk, q + 1u)] = acc.y; }
  if (count > 2u) { arena[gradPartAt(t, chunk, q + 2u)] = acc.z; }
  if (count > 3u) { arena[gradPartAt(t, chunk, q + 3u)] = acc.w; }
}

fn typeFirstNode(t: u32) -> u32 { return select(0u, numUsers(), t == 1u); }
// Where type t's partials start: the user block's chunks come first. Partials are per (type,
// chunk, entry), entries of one chunk side by side, whatever invocation computed them.
fn gradPartBase(t: u32) -> u32 { return select(0u, gradTotalItems(0u) * gradChunks(0u), t == 1u); }
fn gradPartAt(t: u32, chunk: u32, q: u32) -> u32 { return model.gradPart + (gradPartBase(t) + chunk * gradItems(t) + q) * TILE; }

// Stage 1: invocation idx is (type, chunk, item), an item a W tile of 4 × 4 or a vector tile of 4.
fn op_param_grad_partial(idx: u32) {
  let t = select(0u, 1u, idx >= partItems(0u) * gradChunks(0u));
  let items = partItems(t);
  let j = idx - select(0u, partItems(0u) * gradChunks(0u), t == 1u);
  let chunk = j / items;
  let p = j - chunk * items;
  let n0 = typeFirstNode(t) + chunk * GRAD_CHUNK;
  let n1 = min(typeFirstNode(t) + typeNodes(t), n0 + GRAD_CHUNK);
  if (p >= wPartItems(t)) {
    vectorGradTile(t, chunk, p - wPartItems(t), n0, n1);
    return;
  }
  let FT = tiles(fIn(t));
  let rt = p / FT;
  wGradTile(t, chunk, rt * TILE, (p - rt * FT) * TILE, n0, n1);
}

// Stage 2: entry p of the layer's types of several chunks (the user block's entries, then the
// item block's; itemsUser is gradTotalItems(0u)).
fn op_param_grad(p: u32, itemsUser: u32) {
  let t = select(0u, 1u, p >= itemsUser);
  let q = p - select(0u, itemsUser, t == 1u);
  var a = vec4<f32>(0.0);
  for (var chunk = 0u; chunk < gradChunks(t); chunk++) {
    a += loadArena4(gradPartAt(t, chunk, q));
  }
  let F = fIn(t);
  let FT = tiles(F);
  if (q < wGradItems(t)) {
    let r = q / FT;
    let f = (q - r * FT) * TILE;
    storeOpt4(blockBase(t) + r * F + f, a, F - f);
  } else {
    opt[skipBiasAt(t) + q - wGradItems(t)] = a.x;
  }
}

// A one-hot type's W gradient in layer 1: Σ_n dY[n, r] · X[n, k] has one term, node k's dY[n, r]
// (a graph holds each dataset node at most once), so PyG's dense sum is a scatter of each node's
// dY row into its column: O(nodes · rows), where the sum over nodes was O(nodes² · rows). The
// columns of nodes outside the graph are zeroed first (a separate dispatch or phase). Both ops
// take the one-hot types one after the other, users first.
fn onehotZeroItems(t: u32) -> u32 { return select(0u, tiles(L.rows * fIn(t)), oneHotInput(t)); }
fn onehotGradItems() -> u32 { return onehotZeroItems(0u) + onehotZeroItems(1u); }
fn op_onehot_grad_zero(idx: u32) {
  let t = select(0u, 1u, idx >= onehotZeroItems(0u));
  let first = (idx - select(0u, onehotZeroItems(0u), t == 1u)) * TILE;
  storeOpt4(blockBase(t) + first, vec4<f32>(0.0), L.rows * fIn(t) - first);
}
fn onehotNodes(t: u32) -> u32 { return select(0u, typeNodes(t), oneHotInput(t)); }
fn onehotScatterItems() -> u32 { return (onehotNodes(0u) + onehotNodes(1u)) * tiles(L.rows); }
fn op_onehot_grad_scatter(idx: u32) {
  let R = L.rows;
  let RT = tiles(R);
  let j = idx / RT;
  let r = (idx - j * RT) * TILE;
  // The j-th one-hot node: past the one-hot users (none when users are dense), an item.
  let n = select(j, numUsers() + j - onehotNodes(0u), j >= onehotNodes(0u));
  let t = nodeType(n);
  let F = fIn(t);
  let dy = model.dY + n * R + r;
  let w = blockBase(t) + r * F + datasetIndex(n, t);
  opt[w] = arena[dy];
  if (r + 1u < R) { opt[w + F] = arena[dy + 1u]; }
  if (r + 2u < R) { opt[w + 2u * F] = arena[dy + 2u]; }
  if (r + 3u < R) { opt[w + 3u * F] = arena[dy + 3u]; }
}

// d X[n, f] = Σ_r dY[n, r] · W_t[r, f], through the previous layer's ReLU (X is its output):
// the previous layer's pre-activation gradient. Not run for the first layer. One invocation per
// tile of 4 nodes of one type and tile of 4 columns (nodeTiles, prelude.wgsl).
fn storeInputGrad(n: u32, f: u32, ff: vec4<u32>, a: vec4<f32>) {
  let S = L.xStride;
  let x = L.x + n * S;
  let alive = vec4<f32>(arena[x + ff.x], arena[x + ff.y], arena[x + ff.z], arena[x + ff.w]) > vec4<f32>(0.0);
  storeArena4(L.gPrev + n * S + f, select(vec4<f32>(0.0), a, alive), S - f);
}

fn op_input_backward(idx: u32) {
  let S = L.xStride;
  let ST = tiles(S);
  let g = idx / ST;
  let f = (idx - g * ST) * TILE;
  let ff = clampTile(f, S);
  let n0 = nodeTileFirst(g);
  let end = nodeTileEnd(g);
  let nn = clampTile(n0, end);
  let t = nodeType(n0);
  let F = fIn(t);
  let R = L.rows;
  let w = blockBase(t);
  let dy = model.dY + nn * R;
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  // A tile of one node (a type's last, or a small graph's only) computes one lane, not four.
  if (end - n0 == 1u) {
    for (var r = 0u; r < R; r++) {
      let row = w + r * F;
      a0 += arena[dy.x + r] * vec4<f32>(params[row + ff.x], params[row + ff.y], params[row + ff.z], params[row + ff.w]);
    }
  } else {
    for (var r = 0u; r < R; r++) {
      let row = w + r * F;
      let wr = vec4<f32>(params[row + ff.x], params[row + ff.y], params[row + ff.z], params[row + ff.w]);
      a0 += arena[dy.x + r] * wr;
      a1 += arena[dy.y + r] * wr;
      a2 += arena[dy.z + r] * wr;
      a3 += arena[dy.w + r] * wr;
    }
  }
  storeInputGrad(nn.x, f, ff, a0);
  if (n0 + 1u < end) { storeInputGrad(nn.y, f, ff, a1); }
  if (n0 + 2u < end) { storeInputGrad(nn.z, f, ff, a2); }
  if (n0 + 3u < end) { storeInputGrad(nn.w, f, ff, a3); }
}

@compute @workgroup_size(WG)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < pieceItems()) { op_softmax_backward_dot_piece(idx); }
}

@compute @workgroup_size(WG)
fn softmax_backward_dot_nodes(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < headItems()) { op_softmax_backward_dot_node(idx); }
}

@compute @workgroup_size(WG)
fn softmax_backward_bend_pieces(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < pieceItems()) { op_softmax_backward_bend_piece(idx); }
}

@compute @workgroup_size(WG)
fn softmax_backward_bend_nodes(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < headItems()) { op_softmax_backward_bend_node(idx); }
}

@compute @workgroup_size(WG)
fn aggregate_backward_pieces(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < pieces() * L.heads * tiles(L.channels)) { op_aggregate_backward_piece(idx); }
}

@compute @workgroup_size(WG)
fn aggregate_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < aggregateBackwardItems()) { op_aggregate_backward(idx); }
}

@compute @workgroup_size(WG)
fn param_grad_partials(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < gradPartialItems()) { op_param_grad_partial(idx); }
}

@compute @workgroup_size(WG)
fn param_grads(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let p = flatIndex(gid, nwg);
  if (p < layerGradTotalItems()) { op_param_grad(p, gradTotalItems(0u)); }
}

@compute @workgroup_size(WG)
fn onehot_grad_zero(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let i = flatIndex(gid, nwg);
  if (i < onehotGradItems()) { op_onehot_grad_zero(i); }
}

@compute @workgroup_size(WG)
fn onehot_grad_scatter(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let i = flatIndex(gid, nwg);
  if (i < onehotScatterItems()) { op_onehot_grad_scatter(i); }
}

@compute @workgroup_size(WG)
fn input_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(which.layer);
  let idx = flatIndex(gid, nwg);
  if (idx < inputItems()) { op_input_backward(idx); }
}
