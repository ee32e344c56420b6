// Shared by every kernel of the model: how to read the graph buffer and the layer's uniform.
// The layouts are described in docs/ENGINE.md; src/gpu/graphBuffer.ts and src/model/params.ts
// write them.

// The graph of the current step: a header of counts and offsets, then the arrays, all u32.
@group(0) @binding(0) var<storage, read> graph: array<u32>;

fn numNodes() -> u32 { return graph[0]; }
fn numUsers() -> u32 { return graph[1]; }
fn numEdges() -> u32 { return graph[2]; }
fn numLabels() -> u32 { return graph[3]; }
fn dstPtr(i: u32) -> u32 { return graph[graph[4] + i]; }
fn edgeSrc(e: u32) -> u32 { return graph[graph[5] + e]; }
fn edgeDst(e: u32) -> u32 { return graph[graph[6] + e]; }
fn srcPtr(j: u32) -> u32 { return graph[graph[7] + j]; }
fn srcEdge(k: u32) -> u32 { return graph[graph[8] + k]; }
fn nodeGlobal(n: u32) -> u32 { return graph[graph[9] + n]; }
fn labelUser(l: u32) -> u32 { return graph[graph[10] + l]; }
fn labelItem(l: u32) -> u32 { return graph[graph[11] + l]; }
fn labelValue(l: u32) -> f32 { return bitcast<f32>(graph[graph[12] + l]); }
fn labPtr(n: u32) -> u32 { return graph[graph[13] + n]; }
fn labEdge(k: u32) -> u32 { return graph[graph[14] + k]; }
// Per optimizer step: where the loss goes, and Adam's bias-corrected step size and sqrt(1 - β2^t),
// computed in float64 on the host as PyTorch does.
fn lossSlot() -> u32 { return graph[15]; }
fn adamStepSize() -> f32 { return bitcast<f32>(graph[16]); }
fn adamBias2Sqrt() -> f32 { return bitcast<f32>(graph[17]); }

fn nodeType(n: u32) -> u32 { return select(0u, 1u, n >= numUsers()); }

// One GAT block of the encoder. Its parameters for node type t form one contiguous block of the
// flat parameter buffer: W (rows × fIn(t)), skip bias (C), att_src (H·C), att_dst (H·C), GAT bias (C).
struct Layer {
  heads: u32,
  channels: u32,
  rows: u32,      // 2·H·C + C: a node's source projection, destination projection and skip
  indirect: u32,  // 1 for the first layer: input rows are dataset nodes, found through nodeGlobal
  xStride: u32,   // row stride of the input
  fUser: u32,
  fItem: u32,
  blockUser: u32,
  blockItem: u32,
}
@group(0) @binding(1) var<uniform> layer: Layer;

fn fIn(t: u32) -> u32 { return select(layer.fUser, layer.fItem, t == 1u); }
fn blockBase(t: u32) -> u32 { return select(layer.blockUser, layer.blockItem, t == 1u); }
fn hc() -> u32 { return layer.heads * layer.channels; }
fn skipBiasAt(t: u32) -> u32 { return blockBase(t) + layer.rows * fIn(t); }
fn attSrcAt(t: u32) -> u32 { return skipBiasAt(t) + layer.channels; }
fn attDstAt(t: u32) -> u32 { return attSrcAt(t) + hc(); }
fn gatBiasAt(t: u32) -> u32 { return attDstAt(t) + hc(); }
fn blockSize(t: u32) -> u32 { return gatBiasAt(t) + layer.channels - blockBase(t); }
fn inputRow(n: u32) -> u32 { return select(n, nodeGlobal(n), layer.indirect == 1u); }

// Dispatches larger than 65535 workgroups are split over y; this is the flat invocation index.
fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * 64u; }
