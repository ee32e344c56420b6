// The inner-product decoder, the objective over the step's supervision pairs (model.lossKind:
// the mean squared error on ratings, binary cross-entropy with logits, or BPR over pairs), and the
// loss's gradient with respect to the embeddings. `L` is the encoder's last layer.
//
// Labels for BPR: the n positives first, then their n negatives; negative l + n is positive l's.

// ⟨h[user], h[item]⟩ of label l.
fn score(l: u32) -> f32 {
  let C = L.channels;
  let u = L.out + labelUser(l) * C;
  let i = L.out + labelItem(l) * C;
  var p = 0.0;
  for (var c = 0u; c < C; c++) { p += arena[u + c] * arena[i + c]; }
  return p;
}

// log(1 + exp(x)) without overflow.
fn softplus(x: f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }

fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}

// How many terms the loss is the mean of: every label, or BPR's pairs.
fn lossTerms() -> u32 { return select(numLabels(), numLabels() / 2u, model.lossKind == LOSS_BPR); }

// ‖h[n]‖², counted at the first label that touches n (its incidence list is in label order), so
// that each node of the pairs is counted once, as PyG's BPRLoss regularises emb[unique nodes].
fn firstRegTerm(l: u32, n: u32) -> f32 {
  if (labEdge(labPtr(n)) != l) { return 0.0; }
  let C = L.channels;
  let o = L.out + n * C;
  var s = 0.0;
  for (var c = 0u; c < C; c++) { s += arena[o + c] * arena[o + c]; }
  return s;
}

// Writes pred[l] and label l's part of dLoss/dpred (BPR: a positive writes its negative's too);
// returns its term of the loss's sum.
fn op_predict(l: u32) -> f32 {
  let p = score(l);
  arena[model.pred + l] = p;
  let y = labelValue(l);
  switch model.lossKind {
    case LOSS_BCE: {
      arena[model.dPred + l] = (sigmoid(p) - y) / f32(numLabels());
      return max(p, 0.0) - p * y + log(1.0 + exp(-abs(p)));
    }
    case LOSS_BPR: {
      var t = 0.0;
      if (model.bprReg != 0.0) { t = model.bprReg * (firstRegTerm(l, labelUser(l)) + firstRegTerm(l, labelItem(l))); }
      let m = lossTerms();
      if (l >= m) { return t; }
      // -log σ(pos - neg) = softplus(neg - pos); its derivative in neg is σ(neg - pos).
      let d = score(l + m) - p;
      let g = sigmoid(d) / f32(m);
      arena[model.dPred + l] = -g;
      arena[model.dPred + l + m] = g;
      return t + softplus(d);
    }
    default: {
      let d = p - y;
      arena[model.dPred + l] = 2.0 / f32(numLabels()) * d;
      return d * d;
    }
  }
}

// The loss in stages, in an order that depends on nothing but the labels: partial k sums the
// terms of labels [k·LOSS_CHUNK, (k+1)·LOSS_CHUNK) in order (one invocation each); then
// stagedSums adds runs of LOSS_CHUNK sums of the stage before in order until one is left: the loss. No invocation adds more than LOSS_CHUNK terms. Up to LOSS_CHUNK labels, the
// one partial is the sum (0 + it, the same bits) and writes the loss: no stage runs. The fused
// and per-op paths run the same stages.
fn writeLoss(s: f32) {
  let n = lossTerms();
  arena[model.loss + lossSlot()] = select(0.0, s / f32(n), n > 0u);
}

fn op_loss_partial(k: u32) {
  let l1 = min(numLabels(), (k + 1u) * LOSS_CHUNK);
  var acc = 0.0;
  for (var l = k * LOSS_CHUNK; l < l1; l++) { acc += op_predict(l); }
  if (lossChunks() == 1u) { writeLoss(acc); } else { arena[model.lossPart + k] = acc; }
}

// Fixed-order stages over sums of `lanes` floats each (1: the loss's; 2: Recall@K's sum and count,
// shaders/eval.wgsl), `n` of them at `base`: each stage adds runs of `chunk` sums of the one before
// in order, one invocation per run, until one is left, which `what` says where to write. Run in a
// workgroup of `width` invocations; `n` must be uniform (read from a read-only binding), so that the
// barriers between stages are in uniform control flow. No sums: the result is 0. One: its partial
// wrote the result, no stage runs. The last stage ends without a barrier (what follows reads none).
const STAGED_LOSS = 0u;
const STAGED_RECALL = 1u;

fn stagedRuns(n: u32, chunk: u32) -> u32 { return (n + chunk - 1u) / chunk; }

fn writeStaged(what: u32, s: vec2<f32>) {
  if (what == STAGED_RECALL) { writeRecall(s); } else { writeLoss(s.x); }
}

fn stagedRun(k: u32, at: u32, n: u32, base: u32, lanes: u32, chunk: u32, what: u32) {
  let end = min(n, (k + 1u) * chunk);
  var s = vec2<f32>(0.0);
  for (var j = k * chunk; j < end; j++) {
    let i = base + (at + j) * lanes;
    s.x += arena[i];
    // Only pairs have a second float: a single sum's next entry is not read.
    if (lanes == 2u) { s.y += arena[i + 1u]; }
  }
  if (n <= chunk) {
    writeStaged(what, s);
  } else {
    let o = base + (at + n + k) * lanes;
    arena[o] = s.x;
    if (lanes == 2u) { arena[o + 1u] = s.y; }
  }
}

fn stagedSums(lid: u32, width: u32, sums: u32, base: u32, lanes: u32, chunk: u32, what: u32) {
  var n = sums;
  if (n == 0u && lid == 0u) { writeStaged(what, vec2<f32>(0.0)); }
  var at = 0u;
  while (n > 1u) {
    for (var k = lid; k < stagedRuns(n, chunk); k += width) { stagedRun(k, at, n, base, lanes, chunk, what); }
    at += n;
    n = stagedRuns(n, chunk);
    if (n > 1u) { sync(); }
  }
}

// The loss's stages after its partials, for a graph of `labels` labels.
fn lossStages(lid: u32, width: u32, labels: u32) {
  stagedSums(lid, width, stagedRuns(labels, LOSS_CHUNK), model.lossPart, 1u, LOSS_CHUNK, STAGED_LOSS);
}

// dLoss / d h[n, c] over every pair that touches node n (its label incidence list), through the
// last layer's ReLU: the last layer's pre-activation gradient. The sum over a node's pairs is
// segmented over pieces of SEG slots of the incidence order, as the softmax's sums are over the
// CSR: one invocation per (piece, tile of 4 channels) finishes the nodes wholly inside its
// piece, one per (node, tile) the others from the pieces' partials, in piece order.
fn labelSlots() -> u32 { return 2u * numLabels(); }
fn labelPieces() -> u32 { return (labelSlots() + SEG - 1u) / SEG; }

fn finishDecodeBackward(n: u32, c: u32, a: vec4<f32>) {
  let C = L.channels;
  let cc = clampTile(c, C);
  let o = L.out + n * C;
  let h = vec4<f32>(arena[o + cc.x], arena[o + cc.y], arena[o + cc.z], arena[o + cc.w]);
  var g = a;
  // BPR's regulariser λ·‖h[n]‖² / pairs, for each node of the pairs.
  if (model.lossKind == LOSS_BPR && model.bprReg != 0.0 && labPtr(n) < labPtr(n + 1u)) {
    g += 2.0 * model.bprReg / f32(lossTerms()) * h;
  }
  storeArena4(L.gPre + n * C + c, select(vec4<f32>(0.0), g, h > vec4<f32>(0.0)), C - c);
}

fn op_decode_backward_piece(idx: u32) {
  let C = L.channels;
  let CT = tiles(C);
  let k = idx / CT;
  let ct = idx - k * CT;
  let cc = clampTile(ct * TILE, C);
  // Users' incidence lists come first: a slot before the first item's list is a user's.
  let firstItemSlot = labPtr(numUsers());
  let k0 = k * SEG;
  let k1 = min(labelSlots(), k0 + SEG);
  var slot = k0;
  while (slot < k1) {
    let isUser = slot < firstItemSlot;
    let first = labEdge(slot);
    let n = select(labelItem(first), labelUser(first), isUser);
    let p0 = labPtr(n);
    let p1 = labPtr(n + 1u);
    let end = min(p1, k1);
    var a = vec4<f32>(0.0);
    for (; slot < end; slot++) {
      let l = labEdge(slot);
      let o = L.out + select(labelUser(l), labelItem(l), isUser) * C;
      a += arena[model.dPred + l] * vec4<f32>(arena[o + cc.x], arena[o + cc.y], arena[o + cc.z], arena[o + cc.w]);
    }
    if (crossesPiece(p0, p1)) {
      let at = tilePartAt(k, ct, p0 >= k0);
      storeArena4(at, a, TILE);
    } else {
      finishDecodeBackward(n, ct * TILE, a);
    }
  }
}

fn op_decode_backward(idx: u32) {
  let CT = tiles(L.channels);
  let n = idx / CT;
  let ct = idx - n * CT;
  let p0 = labPtr(n);
  let p1 = labPtr(n + 1u);
  if (p0 == p1) {
    finishDecodeBackward(n, ct * TILE, vec4<f32>(0.0));
  } else if (crossesPiece(p0, p1)) {
    finishDecodeBackward(n, ct * TILE, sumTilePartials(p0, p1, ct));
  }
}

@compute @workgroup_size(WG)
fn decode_loss(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let k = flatIndex(gid, nwg);
  if (k < lossChunks()) { op_loss_partial(k); }
}

@compute @workgroup_size(WG)
fn loss_total(@builtin(local_invocation_index) lid: u32) {
  begin(model.numLayers - 1u);
  lossStages(lid, WG, graph[which.gbase + HDR_LABELS]);
}

@compute @workgroup_size(WG)
fn decode_backward_pieces(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let idx = flatIndex(gid, nwg);
  if (idx < labelPieces() * tiles(L.channels)) { op_decode_backward_piece(idx); }
}

@compute @workgroup_size(WG)
fn decode_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let idx = flatIndex(gid, nwg);
  if (idx < channelItems()) { op_decode_backward(idx); }
}
