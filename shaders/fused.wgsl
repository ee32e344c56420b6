// Whole training steps and whole evaluations in one workgroup, for small graphs (the toy, a
// mini-batch of one edge): the same op functions as the per-op kernels, with a barrier between
// ops instead of a dispatch. One dispatch per epoch instead of 52 per step.

fn forwardPhase(lid: u32) {
  for (var l = 0u; l < model.numLayers; l++) {
    L = model.layers[l];
    for (var i = lid; i < projectItems(); i += FWG) { op_project(i); }
    sync();
    for (var i = lid; i < headItems(); i += FWG) { op_scores(i); }
    sync();
    for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_piece(i); }
    sync();
    for (var i = lid; i < headItems(); i += FWG) { op_softmax_merge(i); }
    sync();
    for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_crossing(i); }
    sync();
    for (var i = lid; i < pieces() * tiles(L.channels); i += FWG) { op_aggregate_piece(i); }
    sync();
    for (var i = lid; i < channelItems(); i += FWG) { op_aggregate(i); }
    sync();
  }
}

fn backwardPhase(lid: u32) {
  L = model.layers[model.numLayers - 1u];
  for (var i = lid; i < labelPieces() * tiles(L.channels); i += FWG) { op_decode_backward_piece(i); }
  sync();
  for (var i = lid; i < channelItems(); i += FWG) { op_decode_backward(i); }
  sync();
  for (var l = model.numLayers; l > 0u; l--) {
    L = model.layers[l - 1u];
    for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_backward_dot_piece(i); }
    sync();
    for (var i = lid; i < headItems(); i += FWG) { op_softmax_backward_dot_node(i); }
    sync();
    for (var i = lid; i < pieceItems(); i += FWG) { op_softmax_backward_bend_piece(i); }
    sync();
    for (var i = lid; i < headItems(); i += FWG) { op_softmax_backward_bend_node(i); }
    sync();
    for (var i = lid; i < pieces() * L.heads * tiles(L.channels); i += FWG) { op_aggregate_backward_piece(i); }
    sync();
    for (var i = lid; i < aggregateBackwardItems(); i += FWG) { op_aggregate_backward(i); }
    sync();
    // Parameter gradients and the input's gradient read the same inputs and write apart.
    for (var p = lid; p < gradPartialItems(); p += FWG) { op_param_grad_partial(p); }
    if (l > 1u) {
      for (var i = lid; i < inputItems(); i += FWG) { op_input_backward(i); }
    }
    sync();
    let itemsUser = gradItems(0u);
    let items = itemsUser + gradItems(1u);
    for (var p = lid; p < items; p += FWG) { op_param_grad(p, itemsUser); }
    sync();
  }
}

// The steps of `which.schedule`: a count, then each step's graph offset in `graph`.
@compute @workgroup_size(FWG)
fn train_steps(@builtin(local_invocation_index) lid: u32) {
  let count = graph[which.schedule];
  for (var s = 0u; s < count; s++) {
    useGraph(graph[which.schedule + 1u + s]);
    forwardPhase(lid);
    L = model.layers[model.numLayers - 1u];
    for (var k = lid; k < lossChunks(); k += FWG) { op_loss_partial(k); }
    sync();
    if (lid == 0u) { op_loss_total(); }
    sync();
    backwardPhase(lid);
    let stepSize = adamStepSize();
    let bias2Sqrt = adamBias2Sqrt();
    for (var p = lid; p < model.paramCount; p += FWG) { op_adam(p, stepSize, bias2Sqrt); }
    sync();
  }
}

@compute @workgroup_size(FWG)
fn evaluate(@builtin(local_invocation_index) lid: u32) {
  useGraph(which.gbase);
  forwardPhase(lid);
  L = model.layers[model.numLayers - 1u];
  for (var i = lid; i < evUsers() * evSegments(); i += FWG) { op_topk_segment(i); }
  sync();
  for (var u = lid; u < evUsers(); u += FWG) { op_topk_merge(u); }
  sync();
  recallPhase(lid, FWG);
}
