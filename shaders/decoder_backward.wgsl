// d MSE / d h[n, c] over every supervision pair that touches node n (its label incidence list),
// then through the last layer's ReLU: the last layer's pre-activation gradient.

@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read> pred: array<f32>;
@group(0) @binding(4) var<storage, read_write> gPre: array<f32>;

@compute @workgroup_size(64)
fn decode_backward(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let idx = flatIndex(gid, nwg);
  let C = layer.channels;
  if (idx >= numNodes() * C) { return; }
  let n = idx / C;
  let c = idx % C;
  let isUser = n < numUsers();
  let scale = 2.0 / f32(numLabels());
  var acc = 0.0;
  for (var k = labPtr(n); k < labPtr(n + 1u); k++) {
    let l = labEdge(k);
    let other = select(labelUser(l), labelItem(l), isUser);
    acc += scale * (pred[l] - labelValue(l)) * h[other * C + c];
  }
  gPre[idx] = select(0.0, acc, h[idx] > 0.0);
}
