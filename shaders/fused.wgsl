// Whole training steps and whole evaluations in one workgroup, for small graphs (the toy, a
// mini-batch of one edge): the same op functions as the per-op kernels, with a barrier between
// ops instead of a dispatch. One dispatch per epoch instead of 52 per step.

// Ops that neither read what the other writes share a phase (no barrier between them). Where no
// segment crosses a piece's end (a graph of one piece, or pairs of one piece), the node-wise
// stages only finish nodes without edges or pairs, apart from what the pieces finish, so they
// share the pieces' phase, and the softmax's backward runs each piece's two stages in one
// invocation. (`crossing` is read from the graph's header in the read-only binding, where the
// barriers' uniformity analysis can see that every invocation agrees on it.)

fn mayCross(base: u32) -> bool { return graph[base + HDR_EDGES] > SEG; }
fn mayCrossLabels(base: u32) -> bool { return 2u * graph[base + HDR_LABELS] > SEG; }
// Whether a node type has more than one chunk of the parameter gradients' stage 1 (gradChunks),
// and so a stage 2.
fn mayTotal(base: u32) -> bool {
  let users = graph[base + HDR_USERS];
  return max(users, graph[base + HDR_NODES] - users) > GRAD_CHUNK;
}

fn syncIf(needed: bool) {
  if (needed) { sync(); }
}

fn forwardPhase(lid: u32, crossing: bool) {
  for (var l = 0u; l < model.numLayers; l++) {
    L = model.layers[l];
    for (var i = lid; i < projectItems(); i += FWG) { op_project(i); }
    sync();
    for (var i = lid; i < headItems(); i += FWG) { op_scores(i); }
    sync();
    for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_piece(i); }
    sync();
    if (crossing) {
      for (var i = lid; i < headItems(); i += FWG) { op_softmax_merge(i); }
      sync();
      for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_crossing(i); }
      sync();
    }
    for (var i = lid; i < pieces() * tiles(L.channels); i += FWG) { op_aggregate_piece(i); }
    syncIf(crossing);
    for (var i = lid; i < channelItems(); i += FWG) { op_aggregate(i); }
    sync();
  }
}

fn paramGradTotals(lid: u32) {
  let itemsUser = gradTotalItems(0u);
  let items = itemsUser + gradTotalItems(1u);
  for (var p = lid; p < items; p += FWG) { op_param_grad(p, itemsUser); }
}

// The layer above's parameter gradients, from its partials (they share a phase with layer l's first).
fn paramGradTotalsAbove(lid: u32, l: u32) {
  if (l < model.numLayers) {
    L = model.layers[l];
    paramGradTotals(lid);
    L = model.layers[l - 1u];
  }
}

fn backwardPhase(lid: u32, crossing: bool, labelCrossing: bool, totals: bool) {
  L = model.layers[model.numLayers - 1u];
  for (var i = lid; i < labelPieces() * tiles(L.channels); i += FWG) { op_decode_backward_piece(i); }
  syncIf(labelCrossing);
  for (var i = lid; i < channelItems(); i += FWG) { op_decode_backward(i); }
  sync();
  for (var l = model.numLayers; l > 0u; l--) {
    L = model.layers[l - 1u];
    // One-hot types' columns of layer 1's W gradient (none in other layers): zeroed phases before
    // its scatter, beside ops that write only the arena and the layer above's gradients.
    for (var i = lid; i < onehotGradItems(); i += FWG) { op_onehot_grad_zero(i); }
    if (crossing) {
      for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_backward_dot_piece(i); }
      paramGradTotalsAbove(lid, l);
      sync();
      for (var i = lid; i < headItems(); i += FWG) { op_softmax_backward_dot_node(i); }
      sync();
      for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_backward_bend_piece(i); }
      sync();
      for (var i = lid; i < headItems(); i += FWG) { op_softmax_backward_bend_node(i); }
    } else {
      for (var i = lid; i < pieceItems(); i += FWG) {
        op_softmax_backward_dot_piece(i);
        op_softmax_backward_bend_piece(i);
      }
      paramGradTotalsAbove(lid, l);
      for (var i = lid; i < headItems(); i += FWG) { op_softmax_backward_bend_node(i); }
    }
    // (Also after the bend nodes have read the pieces' partials, which the dY pieces overwrite.)
    sync();
    for (var i = lid; i < pieces() * L.heads * tiles(L.channels); i += FWG) { op_aggregate_backward_piece(i); }
    syncIf(crossing);
    for (var i = lid; i < aggregateBackwardItems(); i += FWG) { op_aggregate_backward(i); }
    sync();
    // Parameter gradients and the input's gradient read the same inputs and write apart.
    for (var p = lid; p < gradPartialItems(); p += FWG) { op_param_grad_partial(p); }
    for (var i = lid; i < onehotScatterItems(); i += FWG) { op_onehot_grad_scatter(i); }
    if (l > 1u) {
      for (var i = lid; i < inputItems(); i += FWG) { op_input_backward(i); }
    }
    sync();
  }
  L = model.layers[0];
  paramGradTotals(lid);
  syncIf(totals);
}

// The steps of `which.schedule`: a count, then each step's graph offset in `graph`.
@compute @workgroup_size(FWG)
fn train_steps(@builtin(local_invocation_index) lid: u32) {
  let count = graph[which.schedule];
  for (var s = 0u; s < count; s++) {
    let base = graph[which.schedule + 1u + s];
    useGraph(base);
    forwardPhase(lid, mayCross(base));
    L = model.layers[model.numLayers - 1u];
    for (var k = lid; k < lossChunks(); k += FWG) { op_loss_partial(k); }
    sync();
    // The loss's later stages and the decoder's backward (which reads the predictions) write apart.
    lossStages(lid, FWG, graph[base + HDR_LABELS]);
    backwardPhase(lid, mayCross(base), mayCrossLabels(base), mayTotal(base));
    let stepSize = adamStepSize();
    let bias2Sqrt = adamBias2Sqrt();
    for (var p = lid; p < tiles(model.paramCount); p += FWG) { op_adam(p, stepSize, bias2Sqrt); }
    sync();
  }
}

@compute @workgroup_size(FWG)
fn evaluate(@builtin(local_invocation_index) lid: u32) {
  useGraph(which.gbase);
  forwardPhase(lid, mayCross(which.gbase));
  L = model.layers[model.numLayers - 1u];
  // The full graph's MSE shares the top-K's phases (it writes the predictions and loss partials,
  // apart from the top-K's): two dispatches fewer per evaluation than the per-op loss kernels.
  for (var i = lid; i < evUsers() * evSegments(); i += FWG) { op_topk_segment(i); }
  for (var k = lid; k < lossChunks(); k += FWG) { op_loss_partial(k); }
  sync();
  for (var u = lid; u < evUsers(); u += FWG) { op_topk_merge(u); }
  sync();
  for (var k = lid; k < recallChunks(); k += FWG) { op_recall_partial(k); }
  sync();
  // The recall's stages and the loss's write apart: the last of each ends without a barrier.
  recallStages(lid, FWG);
  let labels = graph[which.gbase + HDR_LABELS];
  if (labels > 0u) { lossStages(lid, FWG, labels); }
}
