// Shared by every kernel: the bindings, the graph and layer accessors. docs/ENGINE.md describes
// the layouts; src/gpu/graphBuffer.ts, src/model/params.ts and src/model/gpuModel.ts write them.
// The program's preamble, generated from src/gpu/layout.ts, comes before this file: MAX_LAYERS,
// MAX_K, MAX_SEGMENTS, the graph header's word indices HDR_*, and the structs Layer, Model, Which.
//
// Every op is a function of one invocation index (op_*). A per-op entry point runs it once per
// invocation over the whole dispatch; the fused entry points (fused.wgsl) run every op of a
// training step, or of an evaluation, inside one workgroup with barriers between them, which is
// what pays on small graphs where the cost of a dispatch dwarfs the work.

// Workgroup size of the per-op kernels, and of the fused ones: pipeline-overridable, set by
// src/gpu/kernels.ts (WORKGROUP_SIZES) when it creates the pipelines, so that one adapter can
// run a wide fused group and another a narrow one (a software adapter runs a workgroup on one
// core, where a narrow group makes each barrier cheap).
override WG: u32 = 64u;
override FWG: u32 = 4u;
// Sums that would walk a whole segment or a whole node type are cut into pieces of fixed length,
// summed in two stages in a fixed order (deterministic on one adapter): SEG edges per piece of a
// destination's incoming edges, LOSS_CHUNK labels per partial loss, GRAD_CHUNK nodes per partial
// parameter gradient, RECALL_CHUNK users per partial Recall@K. Also set by src/gpu/kernels.ts.
override SEG: u32 = 32u;
override LOSS_CHUNK: u32 = 256u;
override GRAD_CHUNK: u32 = 256u;
override RECALL_CHUNK: u32 = 64u;

// The graphs: a header of counts and offsets (relative to the graph's start), then the arrays.
// The per-op path has one graph at offset 0; the fused path reads a whole chunk of steps.
@group(0) @binding(0) var<storage, read> graph: array<u32>;
@group(0) @binding(1) var<uniform> model: Model;
@group(0) @binding(2) var<uniform> which: Which;
// Input features of every dataset node (users then items), rows of xStride.
@group(0) @binding(3) var<storage, read> features: array<f32>;
@group(0) @binding(4) var<storage, read_write> params: array<f32>;
// Adam's buffers, one after another: gradients [0, P), first moments [P, 2P), second [2P, 3P).
@group(0) @binding(5) var<storage, read_write> opt: array<f32>;
// Every activation and gradient of a workspace, at the offsets in `model`.
@group(0) @binding(6) var<storage, read_write> arena: array<f32>;

// The uniforms. A Layer is one GAT block. Its parameters for node type t form one contiguous
// block of `params`: W (rows × fIn(t)), skip bias (C), att_src (H·C), att_dst (H·C), GAT bias (C).
// x..gPrev are arena offsets of its input, projections Y (rows per node: xs | xd | skip),
// scores (a_src | a_dst per node), alpha (per CSR slot), output, its pre-activation gradient,
// and the previous layer's pre-activation gradient (which input_backward writes). The Model holds
// every Layer, then the arena offsets of the decoder's arrays, Adam's constants and the two-stage
// sums' scratch; a Which, per
// bind group, the layer of a per-op dispatch, where the graph starts, where the fused step
// schedule starts, and the metric slot of an evaluation.

// The current graph, read once from its header: counts, and absolute offsets of its arrays.
// (The software adapter's compiler does not hoist loads out of loops; this does it by hand.)
struct GraphView {
  nodes: u32, users: u32, edges: u32, labels: u32,
  dstPtr: u32, edgeSrc: u32, edgeDst: u32, srcPtr: u32,
  srcEdge: u32, nodeGlobal: u32, labelUser: u32, labelItem: u32,
  labelValue: u32, labPtr: u32, labEdge: u32, base: u32,
}

var<private> G: GraphView;
var<private> L: Layer;

fn useGraph(base: u32) {
  G.base = base;
  G.nodes = graph[base + HDR_NODES];
  G.users = graph[base + HDR_USERS];
  G.edges = graph[base + HDR_EDGES];
  G.labels = graph[base + HDR_LABELS];
  G.dstPtr = base + graph[base + HDR_DST_PTR];
  G.edgeSrc = base + graph[base + HDR_EDGE_SRC];
  G.edgeDst = base + graph[base + HDR_EDGE_DST];
  G.srcPtr = base + graph[base + HDR_SRC_PTR];
  G.srcEdge = base + graph[base + HDR_SRC_EDGE];
  G.nodeGlobal = base + graph[base + HDR_NODE_GLOBAL];
  G.labelUser = base + graph[base + HDR_LABEL_USER];
  G.labelItem = base + graph[base + HDR_LABEL_ITEM];
  G.labelValue = base + graph[base + HDR_LABEL_VALUE];
  G.labPtr = base + graph[base + HDR_LAB_PTR];
  G.labEdge = base + graph[base + HDR_LAB_EDGE];
}

fn begin(layer: u32) {
  useGraph(which.gbase);
  L = model.layers[layer];
}

fn numNodes() -> u32 { return G.nodes; }
fn numUsers() -> u32 { return G.users; }
fn numEdges() -> u32 { return G.edges; }
fn numLabels() -> u32 { return G.labels; }
fn dstPtr(i: u32) -> u32 { return graph[G.dstPtr + i]; }
fn edgeSrc(e: u32) -> u32 { return graph[G.edgeSrc + e]; }
fn edgeDst(e: u32) -> u32 { return graph[G.edgeDst + e]; }
fn srcPtr(j: u32) -> u32 { return graph[G.srcPtr + j]; }
fn srcEdge(k: u32) -> u32 { return graph[G.srcEdge + k]; }
fn nodeGlobal(n: u32) -> u32 { return graph[G.nodeGlobal + n]; }
fn labelUser(l: u32) -> u32 { return graph[G.labelUser + l]; }
fn labelItem(l: u32) -> u32 { return graph[G.labelItem + l]; }
fn labelValue(l: u32) -> f32 { return bitcast<f32>(graph[G.labelValue + l]); }
fn labPtr(n: u32) -> u32 { return graph[G.labPtr + n]; }
fn labEdge(k: u32) -> u32 { return graph[G.labEdge + k]; }
// Per optimizer step: where its loss goes, and Adam's bias-corrected step size and
// sqrt(1 - β2^t), computed in float64 on the host as PyTorch does.
fn lossSlot() -> u32 { return graph[G.base + HDR_LOSS_SLOT]; }
fn adamStepSize() -> f32 { return bitcast<f32>(graph[G.base + HDR_ADAM_STEP_SIZE]); }
fn adamBias2Sqrt() -> f32 { return bitcast<f32>(graph[G.base + HDR_ADAM_BIAS2_SQRT]); }

fn nodeType(n: u32) -> u32 { return select(0u, 1u, n >= numUsers()); }
fn fIn(t: u32) -> u32 { return select(L.fUser, L.fItem, t == 1u); }
fn blockBase(t: u32) -> u32 { return select(L.blockUser, L.blockItem, t == 1u); }
fn hc() -> u32 { return L.heads * L.channels; }
fn skipBiasAt(t: u32) -> u32 { return blockBase(t) + L.rows * fIn(t); }
fn attSrcAt(t: u32) -> u32 { return skipBiasAt(t) + L.channels; }
fn attDstAt(t: u32) -> u32 { return attSrcAt(t) + hc(); }
fn gatBiasAt(t: u32) -> u32 { return attDstAt(t) + hc(); }

// Layer 1's input of a node of type t: a one-hot type (bit t of oneHot) has no rows, its node's
// input is column datasetIndex(n, t) of W; every other node's row, fIn(t) wide, is at xUser or
// xItem by that index (a user's is its dataset id, an item's counts from datasetUsers).
fn oneHotInput(t: u32) -> bool { return ((L.oneHot >> t) & 1u) == 1u; }
fn datasetIndex(n: u32, t: u32) -> u32 { return nodeGlobal(n) - select(0u, L.datasetUsers, t == 1u); }
fn featureRow(n: u32, t: u32) -> u32 { return select(L.xUser, L.xItem, t == 1u) + datasetIndex(n, t) * fIn(t); }

// Dispatches larger than 65535 workgroups are split over y; this is the flat invocation index.
fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 { return gid.x + gid.y * nwg.x * WG; }

// Dense ops give each invocation a tile of 4 neighbouring outputs, which share their loads (the
// software adapter's cost is per invocation more than per multiply). Outputs past the end of a
// row are computed on a clamped index and not written. (TILE comes from the preamble.)
fn tiles(n: u32) -> u32 { return (n + TILE - 1u) / TILE; }
fn clampTile(first: u32, count: u32) -> vec4<u32> {
  let last = count - 1u;
  return vec4<u32>(first, min(first + 1u, last), min(first + 2u, last), min(first + 3u, last));
}

// The first `count` (up to 4) lanes of a tile into the arena or the gradients, unrolled: the
// software adapter spills a vector indexed at run time to memory.
fn storeArena4(at: u32, v: vec4<f32>, count: u32) {
  arena[at] = v.x;
  if (count > 1u) { arena[at + 1u] = v.y; }
  if (count > 2u) { arena[at + 2u] = v.z; }
  if (count > 3u) { arena[at + 3u] = v.w; }
}
// Four neighbouring arena floats as a vec4 (a tile's partial, say).
fn loadArena4(at: u32) -> vec4<f32> { return vec4<f32>(arena[at], arena[at + 1u], arena[at + 2u], arena[at + 3u]); }
fn storeOpt4(at: u32, v: vec4<f32>, count: u32) {
  opt[at] = v.x;
  if (count > 1u) { opt[at + 1u] = v.y; }
  if (count > 2u) { opt[at + 2u] = v.z; }
  if (count > 3u) { opt[at + 3u] = v.w; }
}

// Invocations of each op over the current graph and layer; src/model/gpuModel.ts sizes its
// dispatches the same way.
fn projectItems() -> u32 { return nodeTiles() * tiles(L.rows); }
fn channelItems() -> u32 { return numNodes() * tiles(L.channels); }
fn headItems() -> u32 { return numNodes() * L.heads; }
fn aggregateBackwardItems() -> u32 { return numNodes() * (2u * L.heads + 1u) * tiles(L.channels); }
// W's entries of a block's parameter gradient, in tiles of 4 columns summed over nodes: none for
// a one-hot type, whose columns are scattered (op_onehot_grad_scatter).
fn wGradItems(t: u32) -> u32 { return select(L.rows * tiles(fIn(t)), 0u, oneHotInput(t)); }
fn gradItems(t: u32) -> u32 { return wGradItems(t) + 2u * L.channels + 2u * hc(); }
fn pieces() -> u32 { return (numEdges() + SEG - 1u) / SEG; }
// Whether the segment [p0, p1) of the CSR (or CSC) order spans more than one piece of SEG slots.
fn crossesPiece(p0: u32, p1: u32) -> bool { return p1 > p0 && p0 / SEG != (p1 - 1u) / SEG; }
fn pieceItems() -> u32 { return pieces() * L.heads; }
fn lossChunks() -> u32 { return (numLabels() + LOSS_CHUNK - 1u) / LOSS_CHUNK; }
fn typeNodes(t: u32) -> u32 { return select(numUsers(), numNodes() - numUsers(), t == 1u); }
// A type without nodes still has one chunk (of no nodes), whose stage 1 writes its zero gradient.
fn gradChunks(t: u32) -> u32 { return max(1u, (typeNodes(t) + GRAD_CHUNK - 1u) / GRAD_CHUNK); }
// A type of one chunk has no stage 2: stage 1 writes its sums as the gradient, the bits stage 2
// would write (it adds the one partial to +0, and a sum begun at +0 is never −0). The entries of
// stage 2 of the layer, the user block's then the item block's:
fn gradTotalItems(t: u32) -> u32 { return select(gradItems(t), 0u, gradChunks(t) == 1u); }
fn layerGradTotalItems() -> u32 { return gradTotalItems(0u) + gradTotalItems(1u); }
// Stage 1 of the parameter gradient takes W in tiles of 4 rows × 4 columns (each node's loads
// serve 16 entries), the vector entries in tiles of 4 channels (the two biases' one sum, then
// att_src's and att_dst's per head): its invocations per chunk of a type's nodes.
fn wPartItems(t: u32) -> u32 { return select(tiles(L.rows) * tiles(fIn(t)), 0u, oneHotInput(t)); }
fn partItems(t: u32) -> u32 { return wPartItems(t) + (2u * L.heads + 1u) * tiles(L.channels); }
fn gradPartialItems() -> u32 { return partItems(0u) * gradChunks(0u) + partItems(1u) * gradChunks(1u); }
fn inputItems() -> u32 { return nodeTiles() * tiles(L.xStride); }

// The dense products over node rows (projections, input gradients) give an invocation a tile of
// 4 nodes of one type as well as 4 outputs, so that each weight it loads serves 4 nodes: on the
// software adapter a product's cost is its loads, and a tile of one node loads 5 floats per 4
// multiplies where one of 4 nodes loads 8 per 16. Each output is still one serial sum in input
// order (the same bits). Users' tiles come first, then items'; a type's last tile repeats its last
// node in the missing lanes, computed and not written.
fn nodeTiles() -> u32 { return tiles(numUsers()) + tiles(numNodes() - numUsers()); }
fn nodeTileFirst(g: u32) -> u32 {
  let ut = tiles(numUsers());
  return select(g * TILE, numUsers() + (g - ut) * TILE, g >= ut);
}
fn nodeTileEnd(g: u32) -> u32 { return select(numUsers(), numNodes(), g >= tiles(numUsers())); }

// The two partials of piece k and head h in the two-stage sums' scratch: 4 floats each, the lead
// (the segment that started in an earlier piece) then the tail (the segment that starts in piece k).
fn segPartAt(k: u32, h: u32, tail: bool) -> u32 { return model.segPart + ((k * L.heads + h) * 2u + select(0u, 1u, tail)) * 4u; }

// The partials of piece k for tile ct of ⌈C/4⌉ channels (the aggregation's and the decoder's
// backward): 4 floats each, lead then tail.
fn tilePartAt(k: u32, ct: u32, tail: bool) -> u32 {
  return model.segPart + ((k * tiles(L.channels) + ct) * 2u + select(0u, 1u, tail)) * 4u;
}

// Stage 2 for a segment [p0, p1) that crosses pieces: its tile partials, added in piece order.
fn sumTilePartials(p0: u32, p1: u32, ct: u32) -> vec4<f32> {
  var a = loadArena4(tilePartAt(p0 / SEG, ct, true));
  for (var k = p0 / SEG + 1u; k <= (p1 - 1u) / SEG; k++) { a += loadArena4(tilePartAt(k, ct, false)); }
  return a;
}

// Between two ops of a fused kernel: every invocation's storage writes are visible after it.
fn sync() { storageBarrier(); }
