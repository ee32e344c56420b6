// The inner-product decoder and the mean squared error over the step's supervision pairs.
// `layer` here is the encoder's last layer (for its channel count).

@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read_write> pred: array<f32>;
@group(0) @binding(4) var<storage, read_write> lossHistory: array<f32>;

const WG = 256u;
var<workgroup> partial: array<f32, WG>;

fn score(u: u32, i: u32) -> f32 {
  let C = layer.channels;
  var acc = 0.0;
  for (var c = 0u; c < C; c++) {
    acc += h[u * C + c] * h[i * C + c];
  }
  return acc;
}

// One workgroup: predictions, then a tree reduction in a fixed order, so the loss is the same
// bits every run.
@compute @workgroup_size(WG)
fn decode_loss(@builtin(local_invocation_index) tid: u32) {
  let L = numLabels();
  var acc = 0.0;
  for (var l = tid; l < L; l += WG) {
    let p = score(labelUser(l), labelItem(l));
    pred[l] = p;
    let d = p - labelValue(l);
    acc += d * d;
  }
  partial[tid] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (tid < s) {
      partial[tid] += partial[tid + s];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    lossHistory[lossSlot()] = select(0.0, partial[0] / f32(L), L > 0u);
  }
}
