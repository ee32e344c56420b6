// The inner-product decoder and the mean squared error over the step's supervision pairs, and
// the loss's gradient with respect to the embeddings. `L` is the encoder's last layer.

// pred[l] = ⟨h[user], h[item]⟩; returns the squared error.
fn op_predict(l: u32) -> f32 {
  let C = L.channels;
  let u = L.out + labelUser(l) * C;
  let i = L.out + labelItem(l) * C;
  var p = 0.0;
  for (var c = 0u; c < C; c++) { p += arena[u + c] * arena[i + c]; }
  arena[model.pred + l] = p;
  let d = p - labelValue(l);
  return d * d;
}

// The loss in two stages, in an order that depends on nothing but the labels: partial k sums the
// squared errors of labels [k·LOSS_CHUNK, (k+1)·LOSS_CHUNK) in order (one invocation each), then
// one invocation adds the partials in order. The fused and per-op paths run the same two.
fn op_loss_partial(k: u32) {
  let l1 = min(numLabels(), (k + 1u) * LOSS_CHUNK);
  var acc = 0.0;
  for (var l = k * LOSS_CHUNK; l < l1; l++) { acc += op_predict(l); }
  arena[model.lossPart + k] = acc;
}

fn op_loss_total() {
  let n = numLabels();
  var s = 0.0;
  for (var k = 0u; k < lossChunks(); k++) { s += arena[model.lossPart + k]; }
  arena[model.loss + lossSlot()] = select(0.0, s / f32(n), n > 0u);
}

// d MSE / d h[n, c] over every pair that touches node n (its label incidence list), through the
// last layer's ReLU: the last layer's pre-activation gradient. One invocation per node and tile
// of 4 channels.
fn op_decode_backward(idx: u32) {
  let C = L.channels;
  let CT = tiles(C);
  let n = idx / CT;
  let c = (idx - n * CT) * TILE;
  let cc = clampTile(c, C);
  let isUser = n < numUsers();
  let scale = 2.0 / f32(numLabels());
  var a = vec4<f32>(0.0);
  for (var k = labPtr(n); k < labPtr(n + 1u); k++) {
    let l = labEdge(k);
    let o = L.out + select(labelUser(l), labelItem(l), isUser) * C;
    a += scale * (arena[model.pred + l] - labelValue(l)) * vec4<f32>(arena[o + cc.x], arena[o + cc.y], arena[o + cc.z], arena[o + cc.w]);
  }
  let o = L.out + n * C;
  let alive = vec4<f32>(arena[o + cc.x], arena[o + cc.y], arena[o + cc.z], arena[o + cc.w]) > vec4<f32>(0.0);
  storeArena4(L.gPre + n * C + c, select(vec4<f32>(0.0), a, alive), C - c);
}

@compute @workgroup_size(WG)
fn decode_loss(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let k = flatIndex(gid, nwg);
  if (k < lossChunks()) { op_loss_partial(k); }
}

@compute @workgroup_size(1)
fn loss_total() {
  begin(model.numLayers - 1u);
  op_loss_total();
}

@compute @workgroup_size(WG)
fn decode_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let idx = flatIndex(gid, nwg);
  if (idx < channelItems()) { op_decode_backward(idx); }
}
