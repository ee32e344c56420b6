// KNN-MIPS, the seed's "Learning Stage 5": approximate maximum-inner-product search by greedy
// walks over a k-nearest-neighbour graph of the items. Its own module (src/search/knnMips.ts
// compiles it apart from the training program); src/reference/knnMips.ts is its float64 twin.
//
//   build_graph:  item i's E neighbours: the E other items j with the largest similarity
//                 <g_i, g_j>, where g are the graph rows (the item embeddings for 'inner', the
//                 same rows scaled to unit length for 'cosine'). Exact brute force, O(I²·C).
//   knn_search:   per user q, R walks from uploaded start items; each of T greedy steps expands
//                 the current item x (every neighbour of x becomes a candidate) and moves to the
//                 neighbour with the largest <q, item>. The answer is the top-K of the candidates
//                 without the user's excluded items. A walk stops early where going on could
//                 only repeat expansions already made (same result, less work).
//   exact_top_k:  the brute-force answer on the same buffers (the yardstick for recall and time).
//
// Every ranking orders by score, larger first, and breaks ties to the lower item index: each keeps
// its best items in topk.wgsl's list (build_graph E neighbours, the searches K items).

// KnnParams (generated from src/gpu/layout.ts): the counts, and the search's R, T and K.
@group(0) @binding(0) var<uniform> P: KnnParams;
// numItems × dim: the graph rows for build_graph, the item embeddings for the searches.
@group(0) @binding(1) var<storage, read> items: array<f32>;
// numItems × neighbors item indices, most similar first, -1 pads (written by build_graph).
@group(0) @binding(2) var<storage, read_write> knn: array<i32>;
// numUsers × dim query embeddings.
@group(0) @binding(3) var<storage, read> users: array<f32>;
// numUsers × restarts start items.
@group(0) @binding(4) var<storage, read> starts: array<u32>;
// Excluded items: excludePtr (numUsers + 1 entries, into the list that follows), then each user's
// excluded items, ascending and without repeats.
@group(0) @binding(5) var<storage, read> exclude: array<u32>;
// numUsers × k item indices, best first, -1 where fewer than k candidates are left.
@group(0) @binding(6) var<storage, read_write> result: array<i32>;

// <row a of `items`, row b of `items`>, summed in channel order.
fn itemDot(a: u32, b: u32, dim: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < dim; c++) { s += items[a * dim + c] * items[b * dim + c]; }
  return s;
}

// <user u, item i>, summed in channel order (as eval.wgsl's top-K).
fn userDot(u: u32, i: u32, dim: u32) -> f32 {
  var s = 0.0;
  for (var c = 0u; c < dim; c++) { s += users[u * dim + c] * items[i * dim + c]; }
  return s;
}

// Whether item i is among user u's excluded items (binary search of the sorted list).
fn excluded(u: u32, i: u32) -> bool {
  var lo = exclude[u];
  var hi = exclude[u + 1u];
  let base = P.numUsers + 1u;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    let x = exclude[base + mid];
    if (x == i) { return true; }
    if (x < i) { lo = mid + 1u; } else { hi = mid; }
  }
  return false;
}

fn writeResult(u: u32, K: u32) {
  for (var k = 0u; k < K; k++) { result[u * K + k] = select(-1, listItem[k], k < listFilled); }
}

@compute @workgroup_size(WG)
fn build_graph(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  let I = P.numItems;
  let C = P.dim;
  let E = P.neighbors;
  if (i >= I) { return; }
  listFilled = 0u;
  for (var j = 0u; j < I; j++) {
    if (j == i) { continue; }
    offer(itemDot(i, j, C), i32(j), E, false);
  }
  for (var e = 0u; e < E; e++) { knn[i * E + e] = select(-1, listItem[e], e < listFilled); }
}

// Items this user's walks have expanded, and at which step: a direct-mapped cache (a collision
// forgets the older item). A walk is a function of its current item, so a walk that reaches an
// item expanded before at the same or an earlier step can only repeat expansions already made:
// stopping it changes nothing (the float64 twin walks on and gets the same candidates).
const SEEN = 128u;
var<private> seenItem: array<i32, SEEN>;
var<private> seenStep: array<u32, SEEN>;

@compute @workgroup_size(WG)
fn knn_search(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let u = flatIndex(gid, nwg);
  let C = P.dim;
  let E = P.neighbors;
  let K = P.k;
  let R = P.restarts;
  let T = P.steps;
  if (u >= P.numUsers) { return; }
  listFilled = 0u;
  for (var k = 0u; k < SEEN; k++) { seenItem[k] = -1; }
  for (var r = 0u; r < R; r++) {
    var x = i32(starts[u * R + r]);
    for (var t = 0u; t < T; t++) {
      let slot = u32(x) % SEEN;
      if (seenItem[slot] == x && seenStep[slot] <= t) { break; }
      seenItem[slot] = x;
      seenStep[slot] = t;
      var best = -1;
      var bestScore = 0.0;
      for (var e = 0u; e < E; e++) {
        let j = knn[u32(x) * E + e];
        if (j < 0) { continue; }
        let s = userDot(u, u32(j), C);
        if (best < 0 || before(s, j, bestScore, best)) {
          best = j;
          bestScore = s;
        }
        // The cheap test first: most candidates do not make the list.
        if (listFilled == K && !before(s, j, listScore[K - 1u], listItem[K - 1u])) { continue; }
        if (!excluded(u, u32(j))) { offer(s, j, K, true); }
      }
      if (best < 0) { break; }
      x = best;
    }
  }
  writeResult(u, K);
}

@compute @workgroup_size(WG)
fn exact_top_k(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let u = flatIndex(gid, nwg);
  let I = P.numItems;
  let C = P.dim;
  let K = P.k;
  if (u >= P.numUsers) { return; }
  listFilled = 0u;
  // The excluded items are sorted, so one pointer walks along with i.
  let base = P.numUsers + 1u;
  var ex = exclude[u];
  let exEnd = exclude[u + 1u];
  for (var i = 0u; i < I; i++) {
    while (ex < exEnd && exclude[base + ex] < i) { ex++; }
    if (ex < exEnd && exclude[base + ex] == i) { continue; }
    offer(userDot(u, i, C), i32(i), K, false);
  }
  writeResult(u, K);
}
