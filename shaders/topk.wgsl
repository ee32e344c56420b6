// Exact top-K: one invocation's best items so far, kept sorted by score (larger first), ties to
// the lower item index. The evaluation's top-K (eval.wgsl) and KNN-MIPS (knn_mips.wgsl) both
// rank with it; src/reference/topk.ts and src/reference/knnMips.ts are its float64 twins.

var<private> listScore: array<f32, MAX_K>;
var<private> listItem: array<i32, MAX_K>;
var<private> listFilled: u32;

// Whether (score s, item i) ranks before (t, j).
fn before(s: f32, i: i32, t: f32, j: i32) -> bool {
  return s > t || (s == t && i < j);
}

// Offers (s, i) to a list of at most `cap` (≤ MAX_K) entries. With `dedupe`, an item already
// listed is not listed twice (an item always has the same score, so an item that fell out of the
// list cannot come back in).
fn offer(s: f32, i: i32, cap: u32, dedupe: bool) {
  if (listFilled == cap && !before(s, i, listScore[cap - 1u], listItem[cap - 1u])) { return; }
  if (dedupe) {
    for (var p = 0u; p < listFilled; p++) {
      if (listItem[p] == i) { return; }
    }
  }
  var p = select(listFilled, cap - 1u, listFilled == cap);
  while (p > 0u && before(s, i, listScore[p - 1u], listItem[p - 1u])) {
    listScore[p] = listScore[p - 1u];
    listItem[p] = listItem[p - 1u];
    p--;
  }
  listScore[p] = s;
  listItem[p] = i;
  listFilled = min(listFilled + 1u, cap);
}
