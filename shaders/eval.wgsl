// Evaluation: exact maximum-inner-product top-K per user, and Recall@K as PyG's LinkPredRecall.
// The embeddings are the last layer's output over the full message-passing graph: users in rows
// [0, numUsers), items after them.

// A header (its word indices EV_* are generated from src/gpu/layout.ts): numUsers, numItems, k,
// segments, segment length, then offsets of excludePtr (per user), excludeItem (each user's
// excluded items, ascending), targetPtr, targetItem.
@group(1) @binding(0) var<storage, read> evalData: array<u32>;
// numUsers × k item indices, best first, -1 where fewer than k items are left
@group(1) @binding(1) var<storage, read_write> topk: array<i32>;

fn evUsers() -> u32 { return evalData[EV_USERS]; }
fn evItems() -> u32 { return evalData[EV_ITEMS]; }
fn evK() -> u32 { return evalData[EV_K]; }
fn evSegments() -> u32 { return evalData[EV_SEGMENTS]; }
fn evSegmentLength() -> u32 { return evalData[EV_SEGMENT_LENGTH]; }
fn excludePtr(u: u32) -> u32 { return evalData[evalData[EV_EXCLUDE_PTR] + u]; }
fn excludeItem(k: u32) -> u32 { return evalData[evalData[EV_EXCLUDE_ITEM] + k]; }
fn targetPtr(u: u32) -> u32 { return evalData[evalData[EV_TARGET_PTR] + u]; }
fn targetItem(k: u32) -> u32 { return evalData[evalData[EV_TARGET_ITEM] + k]; }

// The items are cut into segments so that many invocations share one user's scan. Each
// (user, segment) list lives in the arena at model.partial: its length, K scores, K item indices
// (as exact floats), best first.
fn partialAt(u: u32, seg: u32) -> u32 { return model.partial + (u * evSegments() + seg) * (1u + 2u * evK()); }

// User u's best K among one segment's items, scanned in index order (topk.wgsl's list: ties keep
// the lower item index). Excluded items are skipped.
fn op_topk_segment(idx: u32) {
  let S = evSegments();
  let u = idx / S;
  let seg = idx - u * S;
  let U = evUsers();
  let K = evK();
  let C = L.channels;
  listFilled = 0u;
  let first = seg * evSegmentLength();
  let end = min(first + evSegmentLength(), evItems());
  var ex = excludePtr(u);
  let exEnd = excludePtr(u + 1u);
  for (var i = first; i < end; i++) {
    // The excluded items are sorted, so one pointer walks along with i.
    while (ex < exEnd && excludeItem(ex) < i) { ex++; }
    if (ex < exEnd && excludeItem(ex) == i) { continue; }
    var s = 0.0;
    for (var c = 0u; c < C; c++) { s += arena[L.out + u * C + c] * arena[L.out + (U + i) * C + c]; }
    offer(s, i32(i), K, false);
  }
  let at = partialAt(u, seg);
  arena[at] = f32(listFilled);
  for (var k = 0u; k < listFilled; k++) {
    arena[at + 1u + k] = listScore[k];
    arena[at + 1u + K + k] = f32(listItem[k]);
  }
}

// Merges user u's segment lists: repeatedly the best head, the earlier segment (lower items) on a tie.
fn op_topk_merge(u: u32) {
  let S = evSegments();
  let K = evK();
  var next: array<u32, MAX_SEGMENTS>;
  for (var seg = 0u; seg < S; seg++) { next[seg] = 0u; }
  for (var k = 0u; k < K; k++) {
    var pick = S;
    var bestScore = 0.0;
    for (var seg = 0u; seg < S; seg++) {
      let at = partialAt(u, seg);
      if (next[seg] >= u32(arena[at])) { continue; }
      let s = arena[at + 1u + next[seg]];
      if (pick == S || s > bestScore) {
        pick = seg;
        bestScore = s;
      }
    }
    if (pick == S) {
      topk[u * K + k] = -1;
    } else {
      topk[u * K + k] = i32(arena[partialAt(u, pick) + 1u + K + next[pick]]);
      next[pick]++;
    }
  }
}

// Recall@K in stages, in an order that depends on the users alone: partial k takes users
// [k·RECALL_CHUNK, (k+1)·RECALL_CHUNK) in order (one invocation each), a sum and a count; then the
// loss's stagedSums (shaders/loss.wgsl) adds runs of RECALL_CHUNK pairs in order until one is left,
// and averages over the users with a target (0 if none, as PyG). Up to RECALL_CHUNK users the one
// partial writes the recall. Both paths run the same stages, so the bits do not depend on the
// workgroup width. The per-(user, segment) lists are spent once merged: the partials and stages'
// sums (under 2 per 32 users) take the start of their region, which holds at least 3 floats per user.
fn recallChunks() -> u32 { return (evUsers() + RECALL_CHUNK - 1u) / RECALL_CHUNK; }

// Whether `item` is one of user u's targets (ascending): a binary search, so that a user with
// many test items costs K·log(targets), not K·targets.
fn isTarget(t0: u32, t1: u32, item: i32) -> bool {
  if (item < 0) { return false; }
  var lo = t0;
  var hi = t1;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (i32(targetItem(mid)) < item) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo < t1 && i32(targetItem(lo)) == item;
}

fn op_recall_partial(k: u32) {
  let K = evK();
  let u1 = min(evUsers(), (k + 1u) * RECALL_CHUNK);
  var sum = 0.0;
  var count = 0.0;
  for (var u = k * RECALL_CHUNK; u < u1; u++) {
    let t0 = targetPtr(u);
    let t1 = targetPtr(u + 1u);
    if (t1 == t0) { continue; }
    var hits = 0u;
    for (var j = 0u; j < K; j++) {
      if (isTarget(t0, t1, topk[u * K + j])) { hits++; }
    }
    sum += f32(hits) / f32(t1 - t0);
    count += 1.0;
  }
  if (recallChunks() == 1u) {
    writeRecall(vec2<f32>(sum, count));
  } else {
    arena[model.partial + 2u * k] = sum;
    arena[model.partial + 2u * k + 1u] = count;
  }
}

// s: the sum of the users' recalls, and how many users have a target.
fn writeRecall(s: vec2<f32>) { arena[model.recall + which.slot] = select(0.0, s.x / s.y, s.y > 0.0); }

fn recallStages(lid: u32, width: u32) {
  stagedSums(lid, width, recallChunks(), model.partial, 2u, RECALL_CHUNK, STAGED_RECALL);
}

@compute @workgroup_size(WG)
fn top_k_segments(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let idx = flatIndex(gid, nwg);
  if (idx < evUsers() * evSegments()) { op_topk_segment(idx); }
}

@compute @workgroup_size(WG)
fn top_k_merge(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  begin(model.numLayers - 1u);
  let u = flatIndex(gid, nwg);
  if (u < evUsers()) { op_topk_merge(u); }
}

@compute @workgroup_size(WG)
fn recall_partials(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = flatIndex(gid, nwg);
  if (k < recallChunks()) { op_recall_partial(k); }
}

@compute @workgroup_size(WG)
fn recall_total(@builtin(local_invocation_index) lid: u32) {
  recallStages(lid, WG);
}
