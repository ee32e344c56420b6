// Model selection on the GPU, after an evaluation whose validation Recall@K is in the arena at
// model.recall + which.slot: the parameters are copied into `kept` when it beats the best so far
// (strictly: a tie keeps the earlier epoch), and the run is marked stopped at the first evaluated
// epoch that is `patience` or more epochs past the best without beating it. Deciding here, not on
// the host, keeps the best weights without reading anything back per epoch; after a stop nothing
// changes, so epochs already in flight past it cannot replace the kept weights.
@group(1) @binding(0) var<storage, read_write> keep: Keep;
@group(1) @binding(1) var<storage, read_write> kept: array<f32>;
// The epoch of each recall slot's evaluation, written by the host with the chunk.
@group(1) @binding(2) var<storage, read> keepEpoch: array<u32>;

fn keepImproves() -> bool { return keep.stopped == 0u && arena[model.recall + which.slot] > keep.best; }

@compute @workgroup_size(WG)
fn keep_copy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i < model.paramCount && keepImproves()) { kept[i] = params[i]; }
}

// One invocation, after keep_copy has read the old best.
@compute @workgroup_size(WG)
fn keep_update(@builtin(local_invocation_index) lid: u32) {
  if (lid != 0u || keep.stopped != 0u) { return; }
  let epoch = keepEpoch[which.slot];
  if (keepImproves()) {
    keep.best = arena[model.recall + which.slot];
    keep.bestEpoch = epoch;
  } else if (keep.patience > 0u && epoch - keep.bestEpoch >= keep.patience) {
    keep.stopped = epoch;
  }
}
