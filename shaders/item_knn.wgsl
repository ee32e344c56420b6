// Item-kNN, the neighbourhood baseline (src/search/itemKnn.ts compiles it as a program of its own;
// src/reference/itemKnn.ts is its float64 twin). With R the binary users × items matrix of the
// training pairs and n_i = √|U(i)|, a user's scores are
//   score(u, i) = Σ_{j ∈ I(u)} |U(i) ∩ U(j)| / (n_i n_j) = (1/n_i) Σ_{v ∈ U(i)} W[u, v],
//   W[u, v]     = Σ_{j ∈ I(u) ∩ I(v)} 1/n_j,
// so the items × items similarity is never formed: a block of users at a time, W is a sum over
// each user's item list and the scores a sum over each item's user list, both read from the
// ratings (sparse), both written whole by one invocation per output (no scatter, no atomics,
// a fixed summation order: the same bits run after run).
//
// The block's arrays are stored output-major with the block's users innermost (x · B + b): the
// B invocations that share an output's list read it together (one broadcast per element) while
// their reads and writes of the dense arrays are consecutive. So a hub's long list is walked by a
// whole workgroup at once, never by one invocation while the others wait on other work.
//
//   knn_clear:    the block's rows = 0
//   knn_mark:     rows[j, b] = 1/n_j for every training pair (u, j) of the block (one invocation
//                 per pair; distinct pairs, so no two write one place)
//   knn_overlap:  W[v, b] = Σ_{j ∈ I(v)} rows[j, b]
//   knn_scores:   rows[i, b] = (1/n_i) Σ_{v ∈ U(i)} W[v, b]         (the rows become the scores)
//   knn_top_k:    user b's top-K of the scores without its excluded items (topk.wgsl's list)

// ItemKnnParams (generated from src/gpu/layout.ts): the counts and the block of users.
@group(0) @binding(0) var<uniform> P: ItemKnnParams;
// The distinct training pairs, both ways: userPtr (numUsers + 1), each user's items ascending
// (pairs), itemPtr (numItems + 1), each item's users ascending (pairs).
@group(0) @binding(1) var<storage, read> lists: array<u32>;
// excludePtr (numUsers + 1 entries, into the list that follows), then each user's excluded items,
// ascending and without repeats.
@group(0) @binding(2) var<storage, read> exclude: array<u32>;
// numItems × blockUsers: the marked ratings, then the scores.
@group(0) @binding(3) var<storage, read_write> rows: array<f32>;
// numUsers × blockUsers: W.
@group(0) @binding(4) var<storage, read_write> overlap: array<f32>;
// numUsers × k item indices, best first, -1 where fewer than k items are left.
@group(0) @binding(5) var<storage, read_write> result: array<i32>;

fn userPtr(u: u32) -> u32 { return lists[u]; }
fn userItem(q: u32) -> u32 { return lists[P.numUsers + 1u + q]; }
fn itemPtr(i: u32) -> u32 { return lists[P.numUsers + 1u + P.pairs + i]; }
fn itemUser(p: u32) -> u32 { return lists[P.numUsers + P.numItems + 2u + P.pairs + p]; }

// 1/n_i, 0 for an item nobody rated in training (its similarity to anything is 0).
fn invNorm(i: u32) -> f32 {
  let c = itemPtr(i + 1u) - itemPtr(i);
  return select(0.0, 1.0 / sqrt(f32(c)), c > 0u);
}

@compute @workgroup_size(WG)
fn knn_clear(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  if (idx < P.numItems * P.blockUsers) { rows[idx] = 0.0; }
}

@compute @workgroup_size(WG)
fn knn_mark(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b0 = P.blockStart;
  let q = userPtr(b0) + flatIndex(gid, nwg);
  if (q >= userPtr(b0 + P.blockUsers)) { return; }
  // The block user whose list holds pair q: the last u with userPtr(u) ≤ q.
  var lo = b0;
  var hi = b0 + P.blockUsers;
  while (hi - lo > 1u) {
    let mid = (lo + hi) / 2u;
    if (userPtr(mid) <= q) { lo = mid; } else { hi = mid; }
  }
  let j = userItem(q);
  rows[j * P.blockUsers + (lo - b0)] = invNorm(j);
}

@compute @workgroup_size(WG)
fn knn_overlap(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let B = P.blockUsers;
  if (idx >= P.numUsers * B) { return; }
  let v = idx / B;
  let b = idx - v * B;
  var s = 0.0;
  for (var q = userPtr(v); q < userPtr(v + 1u); q++) { s += rows[userItem(q) * B + b]; }
  overlap[idx] = s;
}

@compute @workgroup_size(WG)
fn knn_scores(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let B = P.blockUsers;
  if (idx >= P.numItems * B) { return; }
  let i = idx / B;
  let b = idx - i * B;
  var s = 0.0;
  for (var p = itemPtr(i); p < itemPtr(i + 1u); p++) { s += overlap[itemUser(p) * B + b]; }
  rows[idx] = invNorm(i) * s;
}

@compute @workgroup_size(WG)
fn knn_top_k(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let b = flatIndex(gid, nwg);
  let B = P.blockUsers;
  let K = P.k;
  if (b >= B) { return; }
  let u = P.blockStart + b;
  listFilled = 0u;
  // The excluded items are sorted, so one pointer walks along with i.
  let base = P.numUsers + 1u;
  var ex = exclude[u];
  let exEnd = exclude[u + 1u];
  for (var i = 0u; i < P.numItems; i++) {
    while (ex < exEnd && exclude[base + ex] < i) { ex++; }
    if (ex < exEnd && exclude[base + ex] == i) { continue; }
    offer(rows[i * B + b], i32(i), K, false);
  }
  for (var k = 0u; k < K; k++) { result[u * K + k] = select(-1, listItem[k], k < listFilled); }
}
