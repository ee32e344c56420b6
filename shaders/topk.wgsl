// Evaluation: exact maximum-inner-product top-K per user, and Recall@K as PyG's LinkPredRecall.
// The embeddings are the encoder's output over the full message-passing graph: users in rows
// [0, numUsers), items after them.

// Header: numUsers, numItems, k, channels, then offsets of excludePtr (per user), excludeItem
// (each user's excluded items, ascending), targetPtr, targetItem, and the metric slot.
@group(0) @binding(2) var<storage, read> evalData: array<u32>;
@group(0) @binding(3) var<storage, read> emb: array<f32>;
@group(0) @binding(4) var<storage, read_write> topk: array<i32>;
@group(0) @binding(5) var<storage, read_write> recall: array<f32>;

const MAX_K = 100u;

fn evUsers() -> u32 { return evalData[0]; }
fn evItems() -> u32 { return evalData[1]; }
fn evK() -> u32 { return evalData[2]; }
fn evChannels() -> u32 { return evalData[3]; }
fn excludePtr(u: u32) -> u32 { return evalData[evalData[4] + u]; }
fn excludeItem(k: u32) -> u32 { return evalData[evalData[5] + k]; }
fn targetPtr(u: u32) -> u32 { return evalData[evalData[6] + u]; }
fn targetItem(k: u32) -> u32 { return evalData[evalData[7] + k]; }
fn recallSlot() -> u32 { return evalData[8]; }

// One invocation per user scans the items in index order and keeps a sorted list; a new item
// enters only when strictly better than the k-th, so ties keep the lower item index.
@compute @workgroup_size(64)
fn top_k(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let u = flatIndex(gid, nwg);
  let U = evUsers();
  if (u >= U) { return; }
  let K = evK();
  let C = evChannels();
  var best: array<f32, MAX_K>;
  var bestItem: array<i32, MAX_K>;
  var filled = 0u;
  var ex = excludePtr(u);
  let exEnd = excludePtr(u + 1u);
  for (var i = 0u; i < evItems(); i++) {
    // The excluded items are sorted, so one pointer walks along with i.
    while (ex < exEnd && excludeItem(ex) < i) { ex++; }
    if (ex < exEnd && excludeItem(ex) == i) { continue; }
    var s = 0.0;
    for (var c = 0u; c < C; c++) {
      s += emb[u * C + c] * emb[(U + i) * C + c];
    }
    if (filled == K && !(s > best[K - 1u])) { continue; }
    var p = select(filled, K - 1u, filled == K);
    while (p > 0u && best[p - 1u] < s) {
      best[p] = best[p - 1u];
      bestItem[p] = bestItem[p - 1u];
      p--;
    }
    best[p] = s;
    bestItem[p] = i32(i);
    filled = min(filled + 1u, K);
  }
  for (var k = 0u; k < K; k++) {
    topk[u * K + k] = select(-1, bestItem[k], k < filled);
  }
}

const WG = 64u;
var<workgroup> partialSum: array<f32, WG>;
var<workgroup> partialCount: array<f32, WG>;

// One workgroup: per user hits / targets, averaged over users with at least one target; a fixed
// reduction order keeps it deterministic. 0 when no user has a target, as PyG.
@compute @workgroup_size(WG)
fn recall_at_k(@builtin(local_invocation_index) tid: u32) {
  let K = evK();
  var sum = 0.0;
  var count = 0.0;
  for (var u = tid; u < evUsers(); u += WG) {
    let t0 = targetPtr(u);
    let t1 = targetPtr(u + 1u);
    if (t1 == t0) { continue; }
    var hits = 0u;
    for (var k = 0u; k < K; k++) {
      let item = topk[u * K + k];
      for (var t = t0; t < t1; t++) {
        if (item == i32(targetItem(t))) { hits++; break; }
      }
    }
    sum += f32(hits) / f32(t1 - t0);
    count += 1.0;
  }
  partialSum[tid] = sum;
  partialCount[tid] = count;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      partialSum[tid] += partialSum[tid + s];
      partialCount[tid] += partialCount[tid + s];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    recall[recallSlot()] = select(0.0, partialSum[0] / partialCount[0], partialCount[0] > 0.0);
  }
}
